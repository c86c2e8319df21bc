"""Read published self-evaluation pages (项目支出绩效自评表) into their own model.

The page arrives as the same cell stream the target-table importer reads (`read_cells`: text in any
layout, .docx/.xlsx/.html/.pdf grids). The reader walks the stream's cells in reading order as a
flat sequence of *tokens*, each remembering its row, and reads the form's parts by their labels:

- the key–value block (项目名称, 主管部门, 实施单位 …) with the value in the next cell, or after
  the label inside one cell when the cells run together;
- the budget block: the column headers (年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 /
  得分, as printed and in printed order) and each row label (年度资金总额, 其中:…) followed by its
  figures;
- 年度总体目标: the two texts after 预期目标 / 实际完成情况;
- the indicator header (一级指标 … 偏差原因分析及改进措施): its columns in printed order, read
  from the header text with the column vocabulary, so that `分值 | 年度指标值 | 全年实际值 | 得分`
  and `年度指标值 | 实际完成值 | 分值 | 得分` are both read;
- indicator rows: level labels (`is_level1` / `is_level2`), the name, then the value cells fitted
  to the value columns by what each cell can be (分值 and 得分 are bare numbers; 指标值 may be
  anything), the reason text after them;
- 总分 with the total of points and the score, and 自评等级.

A row with as many cells as the header is read by position; other rows (text layouts drop blank
cells; one cell per line gives one-token rows) are fitted by content. Several titles of 自评表 in
one document give several tables.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from jixiao.ingest.cells import CellStream, Para, Row
from jixiao.ingest.header import header_kind
from jixiao.ingest.vocab import ascii_punct, is_level1, is_level2, joins_level
from jixiao.model import Location

_WS = re.compile(r"[\s\u3000\xa0]+")


@dataclass
class SelfEvalIndicator:
    """One indicator row of a published 自评表, every cell as printed."""

    level1: str | None
    level2: str | None
    name: str | None
    target: str | None = None  # 年度指标值
    actual: str | None = None  # 实际完成值
    weight: str | None = None  # 分值
    score: str | None = None  # 得分
    deviation_reason: str | None = None  # 偏差原因分析及改进措施
    loc: Location | None = None


@dataclass
class SelfEvalTable:
    """A published 项目支出绩效自评表 as printed (the `*.selfeval.json` shape)."""

    source: str
    title: str | None = None
    year: int | None = None
    project_name: str | None = None
    department: str | None = None  # 主管部门
    implementing_unit: str | None = None  # 实施单位
    money_unit: str | None = None  # 万元 / 元
    budget_columns: list[str] = field(default_factory=list)
    budget_rows: dict[str, dict[str, str]] = field(default_factory=dict)
    goal_target: str | None = None  # 年度总体目标: 预期目标
    goal_actual: str | None = None  # 实际完成情况
    indicators: list[SelfEvalIndicator] = field(default_factory=list)
    total_weight: str | None = None
    total_score: str | None = None
    grade: str | None = None  # 自评等级
    loc: Location | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `*.selfeval.json` shape of the field set."""
        inds = []
        for ind in self.indicators:
            d = asdict(ind)
            d.pop("loc", None)
            inds.append(d)
        return {
            "kind": "selfeval",
            "source": self.source,
            "title": self.title,
            "year": self.year,
            "project_name": self.project_name,
            "department": self.department,
            "implementing_unit": self.implementing_unit,
            "money_unit": self.money_unit,
            "budget": {
                "columns": list(self.budget_columns),
                "rows": {k: dict(v) for k, v in self.budget_rows.items()},
            },
            "annual_goal": {"target": self.goal_target, "actual": self.goal_actual},
            "indicators": inds,
            "total_weight": self.total_weight,
            "total_score": self.total_score,
            "grade": self.grade,
            "location": self.loc.zh() if self.loc else None,
        }


class NoSelfEvaluation(ValueError):
    """A document in which no 自评表 could be read."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.message = message
        super().__init__(f"{source}: {message}")

    def __reduce__(self) -> tuple[type[NoSelfEvaluation], tuple[str, str]]:
        # raised in a bounded child process (`run_bounded`): it crosses the pipe whole
        return (type(self), (self.source, self.message))


@dataclass(slots=True)
class _Tok:
    text: str  # as printed, stripped
    norm: str  # without whitespace, ASCII punctuation
    row: int  # the index of the row (block) it came from
    width: int  # how many cells its row has (blank ones included)
    col: int  # its column in that row (blank cells counted)
    loc: Location


# pages reposted in traditional characters (a mirror's conversion), some with pinyin inserted after
# characters (`項(xiàng)目`): the form's labels are matched on their simplified text; what is read
# stays as printed
_TRADITIONAL = str.maketrans(
    "項稱門實單資預數執總額當財撥結轉際績標級質時滿務對達況準評價設計劃據應開發會經濟態續響產農員與關為個優節間進體識規劃環護類",
    "项称门实单资预数执总额当财拨结转际绩标级质时满务对达况准评价设计划据应开发会经济态续响产农员与关为个优节间进体识规划环护类",
)
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")


def label_key(text: str | None) -> str:
    """A printed label as the reader matches it: no whitespace, ASCII punctuation, simplified
    characters, no pinyin (`資金總額`, `资金 总额` → `资金总额`)."""
    return _norm(text or "")


def _simplified(text: str) -> str:
    """Traditional characters simplified and inserted pinyin dropped, all else as printed."""
    return _PINYIN.sub("", text).translate(_TRADITIONAL) if text else text


def _norm(text: str) -> str:
    s = ascii_punct(_WS.sub("", text or ""))
    if "(" in s:
        s = _PINYIN.sub("", s)
    return s.translate(_TRADITIONAL)


def tokens_of(stream: CellStream) -> list[_Tok]:
    """Every non-blank cell of the stream in reading order."""
    out: list[_Tok] = []
    for i, b in enumerate(stream.blocks):
        if isinstance(b, Para):
            t = b.text.strip()
            if t:
                out.append(_Tok(t, _norm(t), i, 1, 0, b.loc))
            continue
        assert isinstance(b, Row)
        for j, c in enumerate(b.cells):
            t = c.text.strip()
            if t and t.strip("|"):
                out.append(_Tok(t, _norm(t), i, len(b.cells), j, c.loc))
    return out


# ----------------------------------------------------------------------------------- vocabulary

_TITLE = re.compile(r"(绩效)?(目标)?自评(价)?表|绩效自评")
_YEAR = re.compile(r"(20\d{2})\s*年")
_YEAR_BRACKET = re.compile(r"[(（]?\s*(20\d{2})\s*年度?\s*[)）]")
_KV_LABELS: list[tuple[str, re.Pattern[str]]] = [
    # a title's year may be printed in the label's cell: `(2019年度)项目名称`
    ("project_name", re.compile(r"^(\(20\d{2}年度?\))?(转移支付\(项目\)|二级项目|项目支出)?项目?名称:?$")),
    ("department", re.compile(r"^(地方)?主管部门(\(单位\))?:?$")),
    ("implementing_unit", re.compile(r"^(实施|资金使用|项目实施)单位:?$|^实施\(主管\)单位:?$")),
]
# any key–value label: ends the value of the label before it inside a run-together cell
_ANY_LABEL = (
    r"项目名称|主管部门|实施单位|资金使用单位|项目负责人|中央主管部门|地方主管部门|项目资金|资金情况|"
    r"联系电话|是否为专项资金|金额单位|自评得分|填报日期|单位名称"
)
_KV_IN_RUN: list[tuple[str, re.Pattern[str]]] = [
    ("project_name", re.compile(r"(?:转移支付\(项目\)|项目)名称:?(.{2,80}?)(?=" + _ANY_LABEL + r"|$)")),
    ("department", re.compile(r"(?<!中央)主管部门:?(.{2,40}?)(?=" + _ANY_LABEL + r"|$)")),
    ("implementing_unit", re.compile(r"(?:实施|资金使用)单位:?(.{2,40}?)(?=" + _ANY_LABEL + r"|$)")),
]
_MONEY_UNIT = re.compile(r"[(（]\s*(万元|元|千元)\s*[)）]|单位[:：]\s*(万元|元|千元)")

# budget columns as printed, longest first
_BUDGET_COL = re.compile(
    r"预算安排情况(?:\(调整后\))?|资金到位情况|资金执行情况|预算执行进度(?:\(%\))?|年初预算数|全年预算数(?:\([AＡ]\))?|调整后?预算数(?:\([AＡ]\))?|预算数(?:\([AＡ]\))?|"
    r"全年执行数(?:\([BＢ]\))?|执行数(?:\([BＢ]\))?|预算执行率(?:\([BＢ]/[AＡ]\))?|执行率(?:\([BＢ]/[AＡ]\))?|"
    r"分值|得分"
)
_BUDGET_ROW = re.compile(
    r"^(年度资金总额|年度财政资金总额|资金总额|其中:?.{0,12}(财政拨款|中央补助|财政资金)|上年结转资金|地方资金|其他资金|其他"
    r"|预算数)[:：]?$"
)
_BUDGET_START = re.compile(r"^(项目资金|资金情况|预算执行情况)")
_FIGURE = re.compile(r"^[-—–]$|^[+-]?\d[\d,]*(\.\d+)?%?$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")

_GOAL_HEAD = re.compile(r"预期目标|年初设定目标|总体目标$|年度预期目标")
_GOAL_ACTUAL_HEAD = re.compile(r"实际完成情况|完成情况综述|全年实际完成情况|具体完成情况")

# indicator columns in printed order; the header is read from the joined text of its cells
_IND_COL = re.compile(
    r"(?P<level1>一级指标)|(?P<level2>二级指标)|(?P<name>三级指标|指标名称|具体指标)|"
    r"(?P<nature>指标性质|符号)|(?P<unit>度量单位|计量单位)|"
    r"(?P<target>(年度|年初|预期)?指标值(\([AＡ]\))?|年初目标值(\([AＡ]\))?|目标值)|"
    r"(?P<skipval>调整指标值)|"
    r"(?P<actual>(全年|单项指标)?实际(完成)?值(\([BＢ]\))?|全年完成值|实际完成情况|年成值全完)|"
    r"(?P<completion>单项指标完成情况)|"
    r"(?P<weight>(指标)?分值|指标权重(\(分\))?|权重)|"
    r"(?P<score>(单项指标)?得分(\(分\))?)|"
    r"(?P<reason>(偏差|未完成)原因[^|]{0,12}措施|原因分析)"
)
# level-1 names of the national form and the framework template (`效益指标(30分)` is never a level 2)
_LEVEL1_NAME = re.compile(
    r"^(产出|效益|效果|满意度|项目决策|项目管理|项目产出|项目效益|过程)(指标)?(\(.*\)|\d+分)?$"
)
_IND_HEAD = re.compile(r"一级指标|二级指标|三级指标|指标名称")
_VALUE_FIELDS = ("target", "actual", "weight", "score")
_TOTAL = re.compile(r"^(总分|合计|总计|自评总分)(\(分\))?(值)?:?$")
_GRADE_LABEL = re.compile(r"^(自评|评价)?(等级|结果|评级):?$")
_GRADE = re.compile(r"^(优秀?|良好?|中|合格|差|不合格)$")
_EMPTY_NAME = re.compile(r"^(指标\d+:?|……|…|\.{3,}|-+)$")
_NOTE = re.compile(r"^(注|说明|备注)[:：0-9.]")


def _is_figure(s: str) -> bool:
    return bool(_FIGURE.match(s))


def _is_plain_number(s: str) -> bool:
    return bool(_NUMBER.match(s))


def _is_value_like(s: str) -> bool:
    """A cell that can be an 指标值 or 实际完成值 rather than a name: starts with a comparator or a
    digit, or is short."""
    if not s:
        return False
    if s[0] in "≥≤><=＞＜＝﹦" or s[0].isdigit() or s.startswith(("达到", "完成", "不低于", "不高于")):
        return True
    return len(s) <= 6


# ------------------------------------------------------------------------------------- reading


def read_selfeval(stream: CellStream) -> list[SelfEvalTable]:
    """Every 自评表 printed in the stream, in order (empty when none)."""
    from jixiao.ingest.selfeval_run import unglue

    toks = tokens_of(unglue(stream, _IND_COL, _BUDGET_COL, _simplified))
    starts = _table_starts(toks)
    tables: list[SelfEvalTable] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(toks)
        t = _Reader(stream.source, toks[start:end], toks[:start] if k == 0 else []).read()
        if t.indicators or t.budget_rows or t.project_name:
            tables.append(t)
    return tables


def read_selfeval_bytes(data: bytes, name: str) -> list[SelfEvalTable]:
    """Every 自评表 of a document given as bytes (`read_cells`: any format the importer reads).
    Raises `ReadError` for a file that cannot be read and `NoSelfEvaluation` when no 自评表 is in
    it (in Chinese)."""
    from jixiao.ingest import read_cells

    tables = [t for t in read_selfeval(read_cells(data, name)) if t.indicators]
    if not tables:
        raise NoSelfEvaluation(
            name,
            "未找到已公开的自评表（没有可识别的自评表指标表头：三级指标、年度指标值、实际完成值、分值、得分）；"
            "绩效目标表请按绩效目标表导入（网页的导入页面，或命令 jixiao import）",
        )
    return tables


def _table_starts(toks: list[_Tok]) -> list[int]:
    """Where each table begins: before its key–value block (项目名称) — the first one at the start,
    each later 项目名称 after an indicator header starts another table."""
    starts = [0]
    seen_header = False
    for i, t in enumerate(toks):
        if _IND_HEAD.search(t.norm) and len(t.norm) < 80:
            seen_header = True
        elif seen_header and _label_field(t.norm) == "project_name":
            # the table's title just before belongs to it
            j = i
            while (
                j > starts[-1] + 1
                and i - j < 3
                and (_TITLE.search(toks[j - 1].norm) or _YEAR_BRACKET.match(toks[j - 1].norm))
            ):
                j -= 1
            starts.append(j)
            seen_header = False
    return starts


def _label_field(norm: str) -> str | None:
    for fld, pat in _KV_LABELS:
        if pat.match(norm):
            return fld
    return None


class _Reader:
    # the form's vocabulary: a subclass reading another form of the same layout (the monitoring
    # reader: 监控表) gives its own
    title_pat = _TITLE
    title_word = r"自评(价)?表"
    budget_col = _BUDGET_COL

    def __init__(self, source: str, toks: list[_Tok], before: list[_Tok]) -> None:
        self.toks = toks
        self.before = before
        self.t = SelfEvalTable(source=source, loc=toks[0].loc if toks else None)
        self.last_vals: list[_Tok] | None = None  # the last row's values while columns are left
        self.level1: str | None = None
        self.level2: str | None = None
        self.cols = _Cols([], [], False)

    def read(self) -> SelfEvalTable:
        self._title()
        self._key_values()
        self._budget()
        self._goal()
        self._indicators()
        self._totals()
        return self.t

    # -- title, year, key–value block ---------------------------------------------------------
    def _title(self) -> None:
        for tok in self.before[-6:] + self.toks[:12]:
            if tok.norm and self.title_pat.search(tok.norm) and len(tok.norm) <= 60 and self.t.title is None:
                m = re.search(r"[^,。:;]*" + self.title_word, tok.text)
                self.t.title = (m.group(0) if m else tok.text).strip()
        for tok in self.before[-6:] + self.toks[:40]:
            m = _YEAR_BRACKET.search(tok.norm) or (
                _YEAR.search(tok.norm) if self.title_pat.search(tok.norm) else None
            )
            if m:
                self.t.year = int(m.group(1))
                break
        for tok in self.before[-6:] + self.toks[:60]:
            m = _MONEY_UNIT.search(tok.norm)
            if m:
                self.t.money_unit = m.group(1) or m.group(2)
                break

    def _key_values(self) -> None:
        head = self.toks[:60]
        for i, tok in enumerate(head):
            fld = _label_field(tok.norm)
            if fld and getattr(self.t, fld) is None and i + 1 < len(head):
                nxt = head[i + 1]
                if not _label_field(nxt.norm) and not _BUDGET_START.match(nxt.norm):
                    setattr(self.t, fld, nxt.text.strip())
        # labels and values run together inside one cell
        for tok in head:
            if len(tok.norm) < 8:
                continue
            for fld, pat in _KV_IN_RUN:
                if getattr(self.t, fld) is not None:
                    continue
                m = pat.search(tok.norm)
                if m and m.group(1).strip(":"):
                    setattr(self.t, fld, m.group(1).strip(":"))

    # -- budget ---------------------------------------------------------------------------------
    def _budget(self) -> None:
        toks = self.toks
        # the first row label has figures after it (`预算数` is also a column word)
        first_row = next(
            (
                i
                for i, t in enumerate(toks[:120])
                if _BUDGET_ROW.match(t.norm) and i + 1 < len(toks) and _is_figure(toks[i + 1].norm)
            ),
            None,
        )
        if first_row is None:
            return
        start = next((i for i in range(first_row - 1, -1, -1) if _BUDGET_START.match(toks[i].norm)), None)
        head_toks = toks[start if start is not None else max(0, first_row - 12) : first_row]
        head = "".join(t.norm for t in head_toks if not _is_figure(t.norm))
        cols = [m.group(0) for m in self.budget_col.finditer(head)]
        self.t.budget_columns = cols
        col_at = _budget_columns_at(head_toks, cols, self.budget_col)
        if self.t.money_unit is None:
            m = _MONEY_UNIT.search(head)
            if m:
                self.t.money_unit = m.group(1) or m.group(2)
        i = first_row
        while i < len(toks) and i < first_row + 60:
            tok = toks[i]
            if _BUDGET_ROW.match(tok.norm):
                j = i + 1
                while j < len(toks) and _is_figure(toks[j].norm):
                    j += 1
                row = _budget_row(tok, toks[i + 1 : j], cols, col_at)
                self.t.budget_rows[tok.text.strip()] = row
                i = self._budget_tail(j, row, cols)
            elif _is_figure(tok.norm):
                i += 1
            else:
                break

    def _budget_tail(self, j: int, row: dict[str, str], cols: list[str]) -> int:
        """Where the budget row whose figures end at token j ends (a self-evaluation's rows hold
        figures only; the monitoring reader takes a 偏差原因 text after them)."""
        return j

    # -- 年度总体目标 ---------------------------------------------------------------------------------
    def _goal(self) -> None:
        toks = self.toks
        for i, tok in enumerate(toks[:200]):
            if not _GOAL_ACTUAL_HEAD.search(tok.norm) or len(tok.norm) > 20:
                continue
            texts: list[_Tok] = []
            for nxt in toks[i + 1 : i + 6]:
                if _IND_HEAD.search(nxt.norm) or nxt.norm in ("绩效指标", "绩效指标一级"):
                    break
                if _GOAL_ACTUAL_HEAD.search(nxt.norm) and len(nxt.norm) <= 20:
                    continue
                texts.append(nxt)
                if len(texts) == 2:
                    break
            if texts:
                self.t.goal_target = texts[0].text.strip()
                if len(texts) > 1:
                    self.t.goal_actual = texts[1].text.strip()
            return

    # -- indicators -----------------------------------------------------------------------------
    def _header(self) -> tuple[int, int, list[str], list[str | None]] | None:
        """(first token after the header, header row, columns in order, the header row's fields by
        cell position) of the indicator header."""
        toks = self.toks
        for i, tok in enumerate(toks):
            if not (_IND_HEAD.search(tok.norm) and len(tok.norm) < 120):
                continue
            j = i
            joined = ""
            # the header goes on until the first level label, a figure or a long text
            while j < len(toks) and j < i + 24:
                n = toks[j].norm
                if j > i and not _header_part(toks[j - 1].norm, n):
                    if is_level1(n) or is_level2(n) or _is_figure(n) or _is_level_start(toks, j):
                        break
                    if len(n) > 4 and not re.fullmatch(r"[\u4e00-\u9fff()A-Z]{1,6}", n):
                        break
                joined += n
                j += 1
            cols = [m.lastgroup for m in _IND_COL.finditer(joined) if m.lastgroup]
            if "name" not in cols and "target" not in cols:
                continue
            if "actual" not in cols and "score" not in cols:
                cols = _two_row_header(toks[max(0, i - 12) : i], cols)
            if "actual" not in cols and "score" not in cols:
                continue  # a target table's header (no 实际完成值, no 得分): not a 自评表
            if header_kind([t.text for t in toks[i:j]]) == "监控表":
                continue  # 1-7月执行数, 完成目标可能性: a monitoring table
            by_pos: list[str | None] = []
            if tok.width > 2:
                row_toks = [t for t in toks[i:j] if t.row == tok.row]
                by_pos = [None] * tok.width
                for t in row_toks:
                    found = [m.lastgroup for m in _IND_COL.finditer(t.norm)]
                    by_pos[t.col] = found[0] if len(found) == 1 else None
            return j, tok.row, cols, by_pos
        return None

    def _indicators(self) -> None:
        head = self._header()
        if head is None:
            return
        start, hrow, cols, by_pos = head
        self.cols = _Cols(
            [c for c in cols if c in _VALUE_FIELDS or c in ("nature", "unit", "skipval", "completion")],
            by_pos,
            "reason" in cols,
        )
        toks = self.toks
        i = start
        while i < len(toks):
            tok = toks[i]
            n = tok.norm
            if _TOTAL.match(n) or _NOTE.match(n) or _GRADE_LABEL.match(n):
                break
            if _IND_HEAD.search(n) and tok.row != hrow and len(n) < 40:
                i += 1  # a header repeated after a page break
            elif (at := self._level_column(i)) is not None:
                if at == "level1":
                    self.level1, self.level2 = tok.text.strip(), None
                else:
                    self.level2 = tok.text.strip()
                i += 1
            elif _is_level_start(toks, i):
                i = self._level(i)
            elif self.last_vals is not None and self.t.indicators and _goes_on(toks, i, self._room()):
                i = self._continue_last(i)
            elif _is_figure(n) or not _may_be_name(n):
                i += 1
            else:
                i = self._name_row(i)

    def _level_column(self, i: int) -> str | None:
        """level1/level2 for a cell under the 一级/二级指标 column of a grid row as wide as the
        header whose name column holds a name (`社会效益` without 指标 is still a level)."""
        tok = self.toks[i]
        by_pos = self.cols.by_pos
        if not (_as_wide(tok, by_pos) and by_pos[tok.col] in ("level1", "level2")):
            return None
        for t in self.toks[i + 1 : i + len(by_pos)]:
            if t.row == tok.row and by_pos[t.col] == "name":
                return by_pos[tok.col] if not (_starts_value(t.norm) or _is_figure(t.norm)) else None
        return None

    def _level(self, i: int) -> int:
        label, used = _level_at(self.toks, i)
        assert label is not None
        first = _LEVEL1_NAME.match(_norm(label)) is not None
        if first or (is_level1(label) and (not is_level2(label) or _is_level_start(self.toks, i + used))):
            self.level1, self.level2 = label, None
        else:
            self.level2 = label
        return i + used

    def _room(self) -> int:
        """How many value columns the last row has left."""
        return sum(1 for c in self.cols.values if c in _VALUE_FIELDS) - len(self.last_vals or [])

    def _continue_last(self, i: int) -> int:
        """Values cut from their row (a grid read out of line): they go on the last row."""
        toks = self.toks
        assert self.last_vals is not None
        j = i
        while (
            j < len(toks)
            and (toks[j].row == toks[i].row or _is_figure(toks[j].norm))
            and not _is_level_start(toks, j)
        ):
            self.last_vals.append(toks[j])
            j += 1
        last = self.t.indicators[-1]
        again = _fit(toks[0], self.last_vals, self.cols.values, False)
        last.target, last.actual, last.weight, last.score = (
            again.target,
            again.actual,
            again.weight,
            again.score,
        )
        return j

    def _name_row(self, i: int) -> int:
        """A name: its row's cells (a grid) or the tokens after it (text)."""
        toks = self.toks
        tok = toks[i]
        cols = self.cols
        j = i + 1
        row_cells: list[_Tok] = []
        if tok.width > 1:
            while j < len(toks) and toks[j].row == tok.row:
                row_cells.append(toks[j])
                j += 1
            ind = _grid_row(tok, row_cells, cols)
        else:
            j, row_cells, reason = _line_cells(toks, i + 1, len(cols.values), cols.reason)
            ind = _fit(tok, row_cells, cols.values, False)
            ind.deviation_reason = reason
        ind.level1, ind.level2 = self.level1, self.level2
        self.last_vals = None
        if not _EMPTY_NAME.match(tok.norm) and (ind.target or ind.actual or ind.weight or ind.score):
            self.t.indicators.append(ind)
            filled = sum(1 for f in _VALUE_FIELDS if getattr(ind, f) is not None)
            wanted = sum(1 for c in cols.values if c in _VALUE_FIELDS)
            if filled < wanted:
                self.last_vals = list(row_cells)
        return j

    # -- totals and grade -----------------------------------------------------------------------------
    def _totals(self) -> None:
        toks = self.toks
        for i, tok in enumerate(toks):
            if _TOTAL.match(tok.norm):
                nums = []
                for nxt in toks[i + 1 : i + 3]:
                    if _is_plain_number(nxt.norm):
                        nums.append(nxt.text.strip())
                    else:
                        break
                if len(nums) == 2:
                    self.t.total_weight, self.t.total_score = nums
                elif nums:
                    self.t.total_score = nums[0]
            elif _GRADE_LABEL.match(tok.norm) and i + 1 < len(toks) and _GRADE.match(toks[i + 1].norm):
                self.t.grade = toks[i + 1].text.strip()
            else:
                m = re.search(r"自评(总)?得?分(\(分\))?:?(\d+(\.\d+)?)", tok.norm)
                if m and self.t.total_score is None:
                    self.t.total_score = m.group(3)
                elif tok.norm.startswith(("自评得分", "自评总分")) and i + 1 < len(toks):
                    if _is_plain_number(toks[i + 1].norm) and self.t.total_score is None:
                        self.t.total_score = toks[i + 1].text.strip()


def _budget_columns_at(head: list[_Tok], cols: list[str], budget_col: re.Pattern[str]) -> dict[int, str]:
    """Grid column → budget column, when the header's cells sit in one grid row, one name each."""
    col_at = {t.col: t.norm for t in head if t.width > 2 and budget_col.fullmatch(t.norm)}
    if len(col_at) != len(cols) or len({t.row for t in head if t.col in col_at}) != 1:
        return {}
    return col_at


def _budget_row(label: _Tok, figs: list[_Tok], cols: list[str], col_at: dict[int, str]) -> dict[str, str]:
    """One budget row's figures by column: by grid column where the header gives them, by position
    in a row as wide as the header, else in printed order."""
    on_row = [f for f in figs if f.row == label.row]
    if col_at and on_row and len(on_row) == len(figs) and all(f.col in col_at for f in on_row):
        return {col_at[f.col]: f.text.strip() for f in on_row}
    if label.width == len(cols) + 1 and label.col == 0:
        return {cols[f.col - 1]: f.text.strip() for f in on_row if 1 <= f.col <= len(cols)}
    return {c: f.text.strip() for c, f in zip(cols, figs, strict=False)}


def _two_row_header(before: list[_Tok], sub: list[str]) -> list[str]:
    """A header printed over two rows: the top row's columns (`绩效指标 | 年度指标值 | 实际完成值 |
    分值 | 得分 | 偏差原因…`) with its 指标值 opened into the row below's parts (`二级指标 | 三级指标 |
    指标性质 | 指标值 | 度量单位`). `sub` is returned when no such top row is printed before it."""
    rows: dict[int, list[str]] = {}
    for t in before:
        rows.setdefault(t.row, []).append(t.norm)
    top: list[str] = []
    for texts in rows.values():
        found = [m.lastgroup for m in _IND_COL.finditer("".join(texts)) if m.lastgroup]
        if "actual" in found or "score" in found:
            top = found
    if not top:
        return sub
    levels = [c for c in sub if c in ("level1", "level2", "name")]
    if "level1" not in levels and any(
        _IND_COL.fullmatch(t.norm) and t.norm.startswith("一级") for t in before
    ):
        levels.insert(0, "level1")
    parts = [c for c in sub if c in ("nature", "target", "unit")] or ["target"]
    out = list(levels)
    for c in top:
        if c in ("level1", "level2", "name"):
            continue
        out += parts if c == "target" else [c]
    return out


def _header_part(prev: str, n: str) -> bool:
    """A header cell, or the end of one wrapped over two cells (`实际` / `完成值`)."""
    if _IND_COL.search(n) and len(n) <= 30 and not is_level2(n):
        return True
    joined = prev + n
    return any(m.start() < len(prev) < m.end() == len(joined) for m in _IND_COL.finditer(joined))


def _as_wide(tok: _Tok, by_pos: list[str | None]) -> bool:
    """The token's grid row is as wide as the header (a row of tab-separated cells may leave its
    last, blank cell out: the reason column)."""
    return bool(by_pos) and len(by_pos) - 1 <= tok.width <= len(by_pos) and tok.col < len(by_pos)


def _grid_row(name: _Tok, cells: list[_Tok], cols: _Cols) -> SelfEvalIndicator:
    """A grid row with as many cells as the header: by position; otherwise fitted by content."""
    by_pos = cols.by_pos
    if not (_as_wide(name, by_pos) and by_pos[name.col] == "name"):
        return _fit(name, cells, cols.values, cols.reason)
    ind = SelfEvalIndicator(None, None, name.text.strip(), loc=name.loc)
    for c in cells:
        fld = by_pos[c.col] if c.col < len(by_pos) else None
        text = c.text.strip()
        if fld in _VALUE_FIELDS:
            setattr(ind, fld, text if fld != "target" or ind.target is None else ind.target + text)
        elif fld == "reason":
            ind.deviation_reason = text
        elif fld == "nature":
            ind.target = text + (ind.target or "")
        elif fld == "unit" and ind.target:
            ind.target += text
    return ind


def _fit(name: _Tok, cells: list[_Tok], vcols: list[str], has_reason: bool) -> SelfEvalIndicator:
    """The value cells after a name fitted to the value columns: a bare-number column (分值, 得分)
    takes only a bare number; a text after the values is the reason."""
    ind = SelfEvalIndicator(None, None, name.text.strip(), loc=name.loc)
    values = [c.text.strip() for c in cells]
    reason = None
    if has_reason and values and not _is_value_like(_norm(values[-1])) and not _is_figure(_norm(values[-1])):
        reason = values.pop()
    for fld, v in _align(values, vcols).items():
        setattr(ind, fld, v)
    ind.deviation_reason = reason
    return ind


@dataclass
class _Cols:
    """The indicator header as read: the value columns in order, each header cell's field by
    position (grids), whether a reason column is printed."""

    values: list[str]
    by_pos: list[str | None]
    reason: bool


def _level_at(toks: list[_Tok], i: int) -> tuple[str | None, int]:
    """(level label, tokens used) at token i: one cell, or a label wrapped over two
    (`经济效益` / `指标`)."""
    if i >= len(toks):
        return None, 0
    n = toks[i].norm
    if i + 1 < len(toks) and toks[i + 1].width == 1 and joins_level(n, toks[i + 1].norm):
        return n + toks[i + 1].norm, 2
    if is_level1(n) or is_level2(n) or _LEVEL1_NAME.match(n):
        return toks[i].text.strip(), 1
    return None, 0


def _is_level_start(toks: list[_Tok], i: int) -> bool:
    return _level_at(toks, i)[0] is not None


def _line_cells(toks: list[_Tok], j: int, nvals: int, has_reason: bool) -> tuple[int, list[_Tok], str | None]:
    """The value cells after a name printed one cell per line, and the reason after them: values
    until a text that starts the next row (a level label, a name followed by a value) or until
    every value column is filled; a text after the values is the reason."""
    cells: list[_Tok] = []
    reason = None
    while j < len(toks) and toks[j].width == 1:
        nx = toks[j].norm
        if _is_level_start(toks, j) or _TOTAL.match(nx) or _NOTE.match(nx) or _EMPTY_NAME.match(nx):
            break
        full = len(cells) >= nvals
        value = _is_figure(nx) or (_is_value_like(nx) and not _EMPTY_NAME.match(nx))
        if full or (cells and not value):
            nxt_is_value = j + 1 < len(toks) and _is_figure(toks[j + 1].norm)
            if has_reason and len(cells) >= 2 and (_is_figure(nx) or not nxt_is_value):
                reason = toks[j].text.strip()
                j += 1
            break
        cells.append(toks[j])
        j += 1
    return j, cells, reason


def _goes_on(toks: list[_Tok], i: int, room: int) -> bool:
    """The cells at token i are the rest of the row before (a grid regrouped from text put them on
    a row of their own): a value, or a short text followed on its row by figures only that fit
    in the `room` the row before has left."""
    n = toks[i].norm
    if _starts_value(n):
        return True
    if not _is_value_like(n) or _EMPTY_NAME.match(n):
        return False
    rest = [t for t in toks[i + 1 : i + 6] if t.row == toks[i].row]
    return bool(rest) and len(rest) + 1 <= room and all(_is_figure(t.norm) for t in rest)


def _starts_value(n: str) -> bool:
    return bool(n) and (
        n[0] in "≥≤><=＞＜＝﹦" or bool(re.match(r"\d[\d.,]*(%|[\u4e00-\u9fff/*·]{1,8})?$", n))
    )


def _may_be_name(n: str) -> bool:
    return bool(n) and len(n) <= 200 and not _GOAL_ACTUAL_HEAD.fullmatch(n)


def _align(values: list[str], vcols: list[str]) -> dict[str, str]:
    """Fit values to columns in order, leaving columns out where a value cannot go: a bare-number
    column (分值, 得分) takes a bare number only. With as many values as columns: by position."""
    out: dict[str, str] = {}
    if not values:
        return out
    if len(values) == len(vcols):
        _positional(values, vcols, out)
        return out
    # a monotone fit: the best assignment that keeps order (few values, few columns)
    best: tuple[float, list[int]] | None = None

    def walk(vi: int, ci: int, chosen: list[int], score: float) -> None:
        nonlocal best
        if vi == len(values):
            # a blank cell is more often a text column (指标值, 实际值) than 分值 or 得分, which are
            # always printed: columns left blank at the end cost more than in the middle
            score -= len(vcols) - 1 - chosen[-1]
            if best is None or score > best[0]:
                best = (score, list(chosen))
            return
        for c in range(ci, len(vcols) - (len(values) - vi - 1)):
            fit = _fits(values[vi], vcols[c])
            if fit < 0:
                continue
            chosen.append(c)
            walk(vi + 1, c + 1, chosen, score + fit)
            chosen.pop()

    if len(values) <= len(vcols):
        walk(0, 0, [], 0)
    if best is None:
        _positional(values, vcols, out)
        return out
    _positional(values, [vcols[c] for c in best[1]], out)
    return out


def _positional(values: list[str], cols: list[str], out: dict[str, str]) -> None:
    for v, c in zip(values, cols, strict=False):
        if c == "target":
            out[c] = out.get(c, "") + v
        elif c in _VALUE_FIELDS:
            out[c] = v
        elif c == "nature":
            out["target"] = v + out.get("target", "")
        elif c == "unit" and "target" in out:
            out["target"] += v


def _fits(value: str, col: str) -> int:
    n = _norm(value)
    if col in ("weight", "score"):
        return 2 if _is_plain_number(n) else -1
    if col == "nature":
        return 2 if n in ("≥", "≤", ">", "<", "=", "﹦", "＝", ">=", "<=") else -1
    if col == "unit":
        return 1 if len(n) <= 4 and not any(ch.isdigit() for ch in n) else -1
    if col == "completion":
        return 1 if n in ("完成", "未完成", "部分完成") else -1
    return 1


# shared with the monitoring reader (`jixiao.ingest.monitoring`): the same cell walking
Token = _Tok
FormReader = _Reader
normalise = _norm
is_figure = _is_figure
level_at = _level_at
starts_value = _starts_value
label_field = _label_field
simplified = _simplified
NOTE = _NOTE
IND_HEAD = _IND_HEAD
BUDGET_ROW = _BUDGET_ROW
