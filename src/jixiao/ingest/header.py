"""The indicator header and how a row's cells fit it.

`header_map` scores every header cell against every indicator field and assigns them globally
(best pairs first), so that `指标值(包含数字及文字描述)` is the value, `指标内容` the name where no
三级 column exists and the description where one does. Column groups (`二级指标(长期)` /
`二级指标(年度)`, `2021年实际` / `2022年预期`) keep the budget year's group; the other group's
columns are mapped as `skip:<field>` so their cells are recognised and dropped.

`fit_row` places a row's cells under the header when the row does not have one cell per column
(text layouts drop merged and blank cells; a flat sheet leaves the project columns out on a
project's later rows): a monotone alignment that scores each cell's content against each
column's field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from jixiao.ingest.vocab import ascii_punct, is_level1, is_level2
from jixiao.values import parse_value

_WS = re.compile(r"[\s\u3000\xa0]+")

# field → [(pattern on the normalised header text, score)]
_FIELD_PATTERNS: list[tuple[str, re.Pattern[str], float]] = [
    ("level1", re.compile(r"^一级指标$|^一级$"), 1.0),
    ("level1", re.compile(r"^一级指标"), 0.9),
    ("level1", re.compile(r"^指标类型$|^指标类别$|^指标大类$"), 0.6),
    ("level2", re.compile(r"^二级指标$|^二级$"), 1.0),
    ("level2", re.compile(r"^二级指标"), 0.9),
    ("name", re.compile(r"^三级指标$|^三级$"), 1.0),
    ("name", re.compile(r"^三级指标"), 0.9),
    ("name", re.compile(r"^(绩效)?指标名称$|^具体指标$|^指标$"), 0.8),
    ("name", re.compile(r"^指标内容$|^指标项$"), 0.6),
    ("description", re.compile(r"^(绩效)?指标描述$|^指标解释$|^指标说明$|^指标定义$|^指标值说明$"), 0.9),
    ("description", re.compile(r"描述|解释|说明"), 0.5),
    ("description", re.compile(r"^指标内容$"), 0.5),
    ("value", re.compile(r"^(年度)?指标值$|^年度数值$|^(指标)?目标值$|^年度目标值$|^指标值及单位$"), 1.0),
    ("value", re.compile(r"^(年初|预期|计划)?(指标)?目标?值|^指标值|目标值$"), 0.8),
    ("value", re.compile(r"期望值|^标准值$|^数值$"), 0.6),
    ("value", re.compile(r"^标准$|^目标$"), 0.4),
    ("basis", re.compile(r"^指标值确定依据$|^确定依据$"), 1.0),
    ("basis", re.compile(r"依据|指标值来源|数据来源"), 0.8),
    ("basis", re.compile(r"^绩效标准$|^评\(?计?\)?分标准$|^计分标准$|^评分标准$|^评价标准$"), 0.6),
    ("nature", re.compile(r"^指标性质$|^性质$|^比较符$|^符号$|^运算符$"), 1.0),
    ("direction", re.compile(r"^指标方向性?$|^方向$|^指标方向$"), 0.9),
    ("measure_unit", re.compile(r"^(度量|计量)单位$|^单位$"), 1.0),
    ("weight", re.compile(r"^(指标)?(权重|分值)|^分数$|^权重"), 1.0),
    ("remark", re.compile(r"^备注$|^说明$"), 0.9),
    ("project", re.compile(r"^项目名称$|^项目$"), 1.0),
    ("project_code", re.compile(r"^项目(编码|代码)$"), 1.0),
    ("unit", re.compile(r"^单位名称$|^预算单位$|^部门名称$"), 0.9),
    ("budget", re.compile(r"^预算数$|^预算金额$|^(年度)?资金总额$|^金额$|^预算$"), 0.9),
    ("goal", re.compile(r"^年度目标$|^绩效目标$|^年度绩效目标$"), 0.9),
]

# what each of `_FIELD_PATTERNS` needs the text to print (one of), in order: most texts asked about
# print none of a pattern's words, and `in` is cheaper than a search
_FIELD_NEEDS: list[tuple[str, ...]] = [
    ("一级",), ("一级",), ("指标",), ("二级",), ("二级",), ("三级",), ("三级",), ("指标",), ("指标",),
    ("指标",), ("描述", "解释", "说明"), ("指标",), ("值",), ("值",), ("值",), ("标准", "目标"),
    ("依据",), ("依据", "来源"), ("标准",), ("性质", "符"), ("方向",), ("单位",), ("权重", "分值", "分数"),
    ("备注", "说明"), ("项目",), ("项目",), ("单位", "部门"), ("预算", "金额", "资金总额"), ("目标",),
]  # fmt: skip
_FIELD_TESTS = [
    (fld, pat, score, needs) for (fld, pat, score), needs in zip(_FIELD_PATTERNS, _FIELD_NEEDS, strict=True)
]

# a column group qualifier printed in the header cell: 二级指标(长期), 指标值(2022年预期)
_GROUP = re.compile(r"^(?P<base>.+?)\((?P<grp>长期|中期|年度|当年|本年|实施期|\d{4}年?[^()]{0,6})\)$")
_YEAR_NAME = r"(\d{4}年?|[上去前本当今]年度?)"  # 2023年, 上年, 本年度
_GROUP_PREFIX = re.compile(r"^(?P<grp>" + _YEAR_NAME + r"(实际|预期|预计|目标|计划)?)(?P<base>.+)$")
_GROUP_WHOLE = re.compile(r"^(?P<grp>" + _YEAR_NAME + r"度?(实际|预期|预计|目标|计划)(完成)?)(值|数|数值)?$")
# the budget year's (or an unnamed year's) columns that say a table reports results: a self-evaluation
_ACTUAL = re.compile(r"实际|完成值|完成情况|执行数|执行情况")
_SCORE = re.compile(r"得分|自评|偏差|原因分析|改进措施")
_MONITOR = re.compile(r"1-\d+月|执行进度|预计.*完成|完成目标可能性|监控")
_YEAR_IN = re.compile(r"(20\d{2})\s*年")
_PRIOR_WORD = re.compile(r"^(上|去|前)年")


@lru_cache(maxsize=16384)
def _norm_header(text: str) -> str:
    return ascii_punct(_WS.sub("", text or "")).strip(":*")


def _group_rank(grp: str, year: int | None) -> int:
    """Which column group to keep: the budget year's / the annual / the expected one."""
    if grp in ("年度", "当年", "本年"):
        return 3
    if _PRIOR_WORD.match(grp):
        return 0
    if re.match(r"^(本|当|今)年", grp):
        return 3 if not _ACTUAL.search(grp) else 1
    if grp in ("长期", "中期", "实施期"):
        return 1
    m = re.match(r"(\d{4})", grp)
    if m:
        y = int(m.group(1))
        if year is not None:
            return 4 if y == year else 0
        return 2 + (1 if re.search(r"预期|预计|目标|计划", grp) else 0) - (1 if _ACTUAL.search(grp) else 0)
    return 2


def header_kind(texts: list[str], year: int | None = None) -> str:
    """'target', '自评表' or '监控表' for an indicator header row, judged on the whole header.

    A self-evaluation (自评表) reports the budget year's results: it has a score / deviation column
    (得分, 自评, 偏差原因) or an actual-value column (实际完成值, 全年实际值) for the budget year. A
    target table may print a prior year's actual beside the budget year's target (`2022年实际值` /
    `上年实际值` next to `2023年目标值`): that column belongs to another year's group and does not
    make it a self-evaluation. A monitoring table (监控表) has progress columns (1-6月, 执行进度)."""
    norm = [_norm_header(t) for t in texts]
    if any(_MONITOR.search(s) for s in norm if len(s) <= 24):
        return "监控表"
    years = [int(y) for s in norm for y in _YEAR_IN.findall(s)]
    latest = max(years) if years else None
    for s in norm:
        if not s or len(s) > 24:
            continue
        if _SCORE.search(s):
            return "自评表"
        if not _ACTUAL.search(s):
            continue
        if _PRIOR_WORD.match(s):
            continue  # 上年实际值: the prior year's group
        m = _YEAR_IN.search(s)
        if m:
            y = int(m.group(1))
            if (year is not None and y < year) or (year is None and latest is not None and y < latest):
                continue  # 2022年实际值 beside 2023年目标值
        return "自评表"
    return "target"


_TAIL_NOTE = re.compile(r"\([^()]*\)$")
# every pattern of `_FIELD_PATTERNS` matches only a text printing one of these characters (一级 二级
# 三级 指标, 描述 解释 说明, 值, 标准 目标, 依据 来源, 性质 符, 方向, 单位, 权重 分值 分数, 备注, 项目,
# 部门, 预算 金额 资金)
_FIELD_CHAR = re.compile("[级指描解说值标依源性符向单权分备项部预金目]")
_GROUP_FIRST = "上去前本当今"  # what `_YEAR_NAME` starts with, beside a digit


@lru_cache(maxsize=8192)
def cell_scores(text: str) -> tuple[str, tuple[tuple[str, float], ...]]:
    """(group, ((field, score), …)) for one header cell."""
    s = _norm_header(text)
    if not s or len(s) > 24:
        return "", ()
    grp = ""
    # the group patterns need a closing bracket at the end / a year or 上年 本年 … at the start
    named = s[0].isdecimal() or s[0] in _GROUP_FIRST
    m = _GROUP.match(s) if s.endswith(")") else None
    whole = _GROUP_WHOLE.match(s) if named else None
    if whole:  # 2023年预期, 2022年实际值, 上年实际值, 本年目标值: the group names the value column
        grp, s = whole.group("grp"), "指标值"
    elif m:
        grp, s = m.group("grp"), m.group("base")
    else:
        m2 = _GROUP_PREFIX.match(s) if named else None
        if m2 and (len(m2.group("base")) >= 2 or (m2.group(3) and m2.group("base") in ("值", "数"))):
            grp, s = m2.group("grp"), m2.group("base")
    if grp and s in ("值", "数", "数值"):
        s = "指标值"  # 2023年目标值, 上年实际值: the group names what the value is
    s = (_TAIL_NOTE.sub("", s) or s) if s.endswith(")") else s  # 指标值(包含数字及文字描述), 权重(%)
    if _FIELD_CHAR.search(s) is None:
        return grp, ()  # half the texts asked about (a row's cells) print no header word
    best: dict[str, float] = {}
    for fld, pat, score, needs in _FIELD_TESTS:
        for word in needs:
            if word in s:
                break
        else:
            continue
        if pat.search(s) and score > best.get(fld, 0):
            best[fld] = score
    return grp, tuple(sorted(best.items(), key=lambda kv: -kv[1]))


_HINT = re.compile(r"一\s*级|二\s*级|三\s*级|指标名称|具体指标|指标内容|指标类型|指\s*标\s*值|目标值")


def header_map(cells: list, year: int | None = None) -> dict[int, str] | None:
    """Column index → indicator field when this row is an indicator header row, else None.

    `cells` are `Cell`s (anything with `.text`). Fields: level1, level2, name, description, value,
    basis, nature, direction, measure_unit, weight, remark, project, project_code, unit, budget,
    goal; columns of a column group other than the budget year's map to 'skip:<field>'."""
    texts = [c.text for c in cells]
    if not may_be_header("".join(texts)):
        return None
    return header_map_texts(texts, year)


def may_be_header(joined: str) -> bool:
    """Whether a row whose cells' texts joined are `joined` may be an indicator header (it prints
    a header hint word); False rules the row out."""
    # every hint word has 级 or 指 or is 目标值: most rows are ruled out without the pattern
    return ("级" in joined or "指" in joined or "目标值" in joined) and _HINT.search(joined) is not None


def header_map_texts(texts: list[str] | tuple[str, ...], year: int | None = None) -> dict[int, str] | None:
    """`header_map` of a row given by its cells' texts, once `may_be_header` allows it."""
    cand: list[tuple[float, int, str, str]] = []  # (score, column, field, group)
    groups: dict[str, int] = {}
    for i, t in enumerate(texts):
        grp, scores = cell_scores(t)
        if grp:
            groups[grp] = _group_rank(grp, year)
        for fld, sc in scores:
            cand.append((sc, i, fld, grp))
    if not cand:
        return None
    keep = max(groups, key=lambda g: groups[g]) if groups else ""
    found: dict[int, str] = {}
    used: set[str] = set()
    skipped: set[tuple[str, str]] = set()
    # columns of the group kept first, then ungrouped ones; best pairs first
    for _sc, i, fld, grp in sorted(cand, key=lambda c: (-(c[3] == keep and bool(keep)), -c[0], c[1])):
        if i in found:
            continue
        if grp and grp != keep:
            if (grp, fld) not in skipped:
                found[i] = f"skip:{fld}"
                skipped.add((grp, fld))
            continue
        if fld in used:
            continue
        found[i] = fld
        used.add(fld)
    levels = {"level1", "level2", "name"} & used
    if len(levels) >= 2 or (levels and "value" in used and len(used) >= 3):
        return found
    return None


# ------------------------------------------------------------------------------- row fitting

_NUMBER = re.compile(r"^[<>=≥≤]*\s*-?\d[\d,]*(\.\d+)?\s*%?$")
_AMOUNT = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+\.\d{2}$|^-?\d+$")
_COMPARATOR = re.compile(r"^(≥|≤|>=|<=|>|<|=|＞|＜|＝|﹦|定性|定量|大于等于|小于等于|大于|小于|等于)$")
_DIRECTION = re.compile(r"^(正向|反向|中性)(指标)?$")
_UNIT_LIKE = re.compile(r"^[%‰％]$|^[^\d\s≥≤<>=]{1,8}$")
_UNIT_CODE = re.compile(r"^[\[(（［]?\d{3,15}[\])）］]?\s*[-_]?\s*\D")


@lru_cache(maxsize=65536)
def cell_score(text: str, fld: str) -> float:
    """How well a cell's content fits a column's field (higher is better): the field's scorer."""
    s = _WS.sub("", text)
    if fld.startswith("skip:"):
        fld = fld[5:]
    scorer = _SCORERS.get(fld)
    if scorer is None:
        return -0.5  # a column the header does not name
    return scorer(text, s)


def _score_level1(_text: str, s: str) -> float:
    return 3.0 if is_level1(s) else (-1.0 if is_level2(s) else -3.0)


def _score_level2(_text: str, s: str) -> float:
    return 3.0 if is_level2(s) else (-1.5 if is_level1(s) else -2.5)


# 指标性质 and 指标方向 are printed swapped as often as not: each takes the other's content
def _score_nature(_text: str, s: str) -> float:
    if _COMPARATOR.match(s):
        return 2.5
    return 2.0 if _DIRECTION.match(s) else -2.5


def _score_direction(_text: str, s: str) -> float:
    if _DIRECTION.match(s):
        return 2.5
    return 2.0 if _COMPARATOR.match(s) else -2.5


def _score_weight(_text: str, s: str) -> float:
    return 1.5 if _NUMBER.match(s) and "%" not in s and not re.match(r"^[<>=≥≤]", s) else -2.0


def _score_measure_unit(_text: str, s: str) -> float:
    if (
        _UNIT_LIKE.match(s)
        and not _COMPARATOR.match(s)
        and not is_level1(s)
        and not is_level2(s)
        and len(s) <= 6
    ):
        return 1.2
    return -2.0


def _score_budget(_text: str, s: str) -> float:
    return 2.5 if _AMOUNT.match(s.replace("元", "").replace("万", "")) else -2.0


def _score_unit(_text: str, s: str) -> float:
    return 2.5 if _UNIT_CODE.match(s) else -0.5


def _score_value(text: str, s: str) -> float:

    if is_level1(s) or is_level2(s):
        return -1.5
    if parse_value(text).kind != "text":
        return 2.0
    return 0.6 if len(s) <= 12 else 0.0


def _score_name(_text: str, s: str) -> float:
    if is_level1(s) or is_level2(s):
        return -1.0
    if _COMPARATOR.match(s) or _DIRECTION.match(s):
        return -2.0
    if _NUMBER.match(s):
        return -1.0
    return 1.0


def _score_goal(_text: str, s: str) -> float:
    return 1.2 if len(s) > 12 else 0.2


def _score_note(_text: str, s: str) -> float:
    if is_level1(s) or is_level2(s) or _COMPARATOR.match(s):
        return -1.0
    return 0.5


def _score_project_code(_text: str, s: str) -> float:
    return 1.5 if re.match(r"^[0-9A-Z]{8,}$", s) else -2.0


# one scorer per field: (the cell's text, its text without whitespace) → score
_SCORERS: dict[str, Callable[[str, str], float]] = {
    "level1": _score_level1,
    "level2": _score_level2,
    "nature": _score_nature,
    "direction": _score_direction,
    "weight": _score_weight,
    "measure_unit": _score_measure_unit,
    "budget": _score_budget,
    "unit": _score_unit,
    "value": _score_value,
    "name": _score_name,
    "project": _score_name,
    "goal": _score_goal,
    "description": _score_note,
    "basis": _score_note,
    "remark": _score_note,
    "project_code": _score_project_code,
}


def fit_row(texts: list[str], fields: list[str | None]) -> list[int] | None:
    """For each non-empty text, the column it falls under (a monotone alignment), or None when
    there are more texts than columns. `fields` are the header's columns in order (None where a
    column is not named)."""
    if not texts:
        return []
    if len(texts) > len(fields):
        return None
    return list(_fit_row(tuple(texts), tuple(fields)))


@lru_cache(maxsize=16384)
def _fit_row(texts: tuple[str, ...], fields: tuple[str | None, ...]) -> tuple[int, ...]:
    n, m = len(texts), len(fields)
    neg = -1e9
    # best[i][j]: best score placing texts[:i] in columns[:j]
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    take = [[False] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        best[0][j] = 0.0
    for i in range(1, n + 1):
        for j in range(i, m + 1):
            skip = best[i][j - 1]
            fld = fields[j - 1]
            here = best[i - 1][j - 1] + (cell_score(texts[i - 1], fld) if fld else -0.5)
            if here >= skip:
                best[i][j], take[i][j] = here, True
            else:
                best[i][j] = skip
    out = [0] * n
    i, j = n, m
    while i > 0:
        if take[i][j]:
            out[i - 1] = j - 1
            i -= 1
        j -= 1
    return tuple(out)


def positional_score(texts: list[tuple[int, str]], fields: list[str | None]) -> float:
    total = 0.0
    for j, t in texts:
        fld = fields[j] if j < len(fields) else None
        total += cell_score(t, fld) if fld else -0.5
    return total


def fitted_score(texts: list[str], cols: list[int], fields: list[str | None]) -> float:
    return sum((cell_score(t, fields[j]) if fields[j] else -0.5) for t, j in zip(texts, cols, strict=True))


# ------------------------------------------------------------------------ two-row headers

# a column group printed above its columns: 长期绩效指标 | 年度绩效指标, 2023年度指标
_PERIOD_HEAD = re.compile(
    r"^(?P<grp>中长期|长期|中期|年度|当年|本年度?|实施期|\d{4}年度?)(绩效)?(指标|目标)?$"
)
_COLUMN_FIELDS = frozenset(
    ("level1", "level2", "name", "description", "value", "basis", "nature", "direction")
) | frozenset(("measure_unit", "weight", "remark"))
_LEVEL_FIELDS = frozenset(("level1", "level2", "name"))
_F, _BLOCK, _PERIOD = "field", "block", "period"


def _upper_kind(text: str) -> tuple[str, str] | None:
    """What a cell of a header's upper row is: ('period', 长期) over a group of columns, ('block',
    '') for 绩效指标 over the level columns, ('field', value) for a column header (merged down, or
    over columns of the same field: 指标值 over 2022年实际值 | 2023年目标值); None for anything else."""
    s = _norm_header(text)
    m = _PERIOD_HEAD.match(s)
    if m:
        grp = m.group("grp")
        return _PERIOD, {"中长期": "长期", "本年度": "本年"}.get(grp, grp)
    _grp, scores = cell_scores(s)
    if scores and scores[0][0] in _COLUMN_FIELDS:
        return _F, scores[0][0]
    if not scores and s.endswith("指标") and len(s) <= 6:
        return _BLOCK, ""
    return None


def is_upper_header_cell(text: str) -> bool:
    """Whether a cell may be in the upper row of a two-row header (`merge_header_rows`)."""
    return bool(text.strip()) and _upper_kind(text) is not None


def _lower_field(text: str) -> str:
    _grp, scores = cell_scores(text)
    return scores[0][0] if scores else ""


def merge_header_rows(upper: list[str], lower: list[str]) -> list[str] | None:
    """The header texts of a header printed over two rows, one per column of `lower`, or None.

    `upper` is the row above the header row `lower`: column groups over their columns (`绩效指标`
    over 一级/二级/三级, `长期绩效指标` | `年度绩效指标` over repeated columns, `指标值` over
    `2022年实际值` | `2023年目标值`) and column headers merged down beside them (`指标值`, whose cell
    below is blank). A period group names its columns as a one-row header would (`二级指标(长期)`).
    Where both rows keep every column (Excel: the upper row's merged cells blank), cells pair by
    position; where the upper row lost its
    horizontal merges (text, HTML), its cells are laid over the lower row's in order, and a header
    cell merged down fills the blank below it or, where blank cells are dropped too (one cell per
    line), takes its place in that order. None where `upper` is not such a row or adds nothing."""
    kinds = [_upper_kind(u) if u.strip() else None for u in upper]
    if not any(kinds) or any(k is None for u, k in zip(upper, kinds, strict=True) if u.strip()):
        return None
    if header_map_texts(upper) is not None:
        return None  # a header of its own (a one-row header's cells, one per line)
    if len({k[1] for k in kinds if k and k[0] == _PERIOD}) < 2:
        # one period over the whole table (`本年度 绩效指标`) names no group to choose from
        kinds = [(_BLOCK, "") if k and k[0] == _PERIOD else k for k in kinds]
    out: list[str] | None
    if len(upper) == len(lower) and not all(u.strip() for u in upper):
        out = _merge_aligned(upper, kinds, lower)
    else:
        out = _merge_collapsed([u for u in upper if u.strip()], [k for k in kinds if k], lower)
    if out is None or [_WS.sub("", t) for t in out] == [_WS.sub("", t) for t in lower]:
        return None
    return out


def _merge_aligned(upper: list[str], kinds: list[tuple[str, str] | None], lower: list[str]) -> list[str]:
    out = []
    period = ""
    for u, k, low in zip(upper, kinds, lower, strict=True):
        if k is not None:
            period = k[1] if k[0] == _PERIOD else ""
        if not low.strip():
            out.append(u.strip() if k is not None and k[0] == _F else "")
        else:
            out.append(f"{low.strip()}({period})" if period else low.strip())
    return out


def _merge_collapsed(upper: list[str], kinds: list[tuple[str, str]], lower: list[str]) -> list[str] | None:
    fields = [_lower_field(t) if t.strip() else None for t in lower]
    out: list[str] = []
    at = 0
    n = len(lower)
    for k, (u, (kind, what)) in enumerate(zip(upper, kinds, strict=True)):
        if kind == _F and not (at < n and fields[at] == what):
            if at < n and fields[at] is None:
                at += 1  # the blank cell under a header merged down
            out.append(u.strip())
            continue
        if kind == _PERIOD:
            groups = 1
            while k + groups < len(kinds) and kinds[k + groups][0] == _PERIOD:
                groups += 1
            end = n
            while end > at and fields[end - 1] is None:
                end -= 1
            # the next period group's share when more follow; this one's only when it is the last
            share = (end - at) // groups
            if share < 1 or (end - at) % groups:
                return None
            out += [f"{t.strip()}({what})" if t.strip() else "" for t in lower[at : at + share]]
            at += share
            continue
        start = at
        wanted = _LEVEL_FIELDS if kind == _BLOCK else {what}
        while at < n and (fields[at] in wanted or (fields[at] is None and at == start and kind == _BLOCK)):
            at += 1
        if at == start:
            return None
        out += [t.strip() for t in lower[start:at]]
    if any(f is not None for f in fields[at:]):
        return None
    return out
