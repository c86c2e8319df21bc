"""Self-evaluation pages whose cells run together (项目支出绩效自评表 copied from a web page).

A page scraped from a document-sharing site prints the whole table as one text with no separator:
`…得分年度资金总额:202010100.00%10其中:本年财政拨款2020…` and, after the indicator header
`一级指标二级指标三级指标分值年度指标值全年实际值得分…`, rows like `安装坡面水标尺10≥266米≥266米10`.
This module cuts such a block back into grid rows the reader reads as any grid:

- the indicator header's columns in printed order (the reader's column vocabulary);
- level labels found by the target-table importer's recogniser (`textrows._level_words`);
- between two level labels, rows of name and value cells split by what each column can hold (分值 and
  得分 bare numbers, 指标值 a value: comparator, number, unit, or a short text) and, among the splits,
  the one the form's arithmetic makes consistent (得分 ≤ 分值, 分值 within the level's printed points,
  a target printed like its actual);
- budget rows: the figure run split so that 执行率 = 执行数 ÷ 预算数 and 得分 = 执行率 × 分值 hold (a
  sub-row within the total); a run no split makes consistent is left unread rather than guessed;
- 总分 followed by points and score (得分 ≤ 分值).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from jixiao.ingest.cells import Block, Cell, CellStream, Para, Row
from jixiao.ingest.textrows import _level_words, level_kind
from jixiao.model import Location

_COMPARATOR = "≥≤><=＞＜＝﹦"
_NUM_COLS = ("weight", "score")
_TEXT_COLS = ("target", "actual")
_PLACEHOLDER = re.compile(r"指标\d+[:：]|……|…")
_TOTAL_RUN = re.compile(r"(总分|合计)[:：]?(\d[\d.]*)")
_END = re.compile(r"总分|合计|注[:：]|说明[:：]|自评等级")
_POINTS = re.compile(r"[(（](\d+)分?[)）]|(\d+)分")
_LEADING_ZERO = re.compile(r"^0\d")


def _dec(s: str) -> Decimal | None:
    try:
        return Decimal(s.rstrip("%"))
    except InvalidOperation:
        return None


# ------------------------------------------------------------------------ indicator rows


def _number_ends(s: str, p: int) -> list[int]:
    """Where a bare number (分值, 得分) starting at p may end: 1–3 digits, with decimals."""
    out: list[int] = []
    m = re.match(r"\d{1,3}(?:\.\d{1,2})?", s[p:])
    if not m:
        return out
    txt = m.group(0)
    for k in range(1, len(txt) + 1):
        piece = txt[:k]
        if piece.endswith(".") or (_LEADING_ZERO.match(piece)):
            continue
        out.append(p + k)
    return out


# a printed 指标值's number: at most 12 digits before the point (a digit run longer than any figure
# is not cut every way: the ways grow with its length)
_VALUE_NUMBER = re.compile(r"\d{1,12}(?:,\d{3}){0,4}(?:\.\d{1,4})?")
_FIGURE_MAX = 16  # characters of one glued budget figure (`12345678.90`, `100.00%`)
_FIGURES_MAX = 30  # a budget row's glued figures: longer runs are left unread rather than searched
_FIGURE_STEPS = 50_000  # ways of cutting them tried at most (a few tenths of a second)


class _TooMany(Exception):
    """More ways to cut a row's glued figures than `_FIGURE_STEPS`."""


def _value_ends(s: str, p: int) -> list[int]:
    """Where an 指标值 starting at p may end: comparator, number, %/unit; or a short text."""
    out: list[int] = []
    q = p
    while q < len(s) and q - p < 2 and s[q] in _COMPARATOR:
        q += 1
    m = _VALUE_NUMBER.match(s, q)
    if m:
        for k in range(1, len(m.group(0)) + 1):
            e = q + k
            if s[e - 1] in ".," or (s[e : e + 1].isdigit() and s[q:e] == "0"):
                continue
            out.append(e)
            u = e
            while u < len(s) and u - e < 7 and not s[u].isdigit() and s[u] not in _COMPARATOR:
                u += 1
                out.append(u)
        return out
    if q > p:
        return out
    for e in range(p + 1, min(len(s), p + 24) + 1):
        if s[e - 1].isdigit() or s[e - 1] in _COMPARATOR:
            break
        out.append(e)
    return out


_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMERIC = re.compile(r"^[" + _COMPARATOR + r"]*[\d.,]+(.*)$")


def _kinds_differ(t: str, a: str) -> float:
    """How unlike a target and its actual are printed: a number against a text, or two numbers in
    different units, or two different texts (a qualitative target is met or not: printed alike)."""
    mt, ma = _NUMERIC.match(t), _NUMERIC.match(a)
    if bool(mt) != bool(ma):
        return 2
    if mt and ma:
        ut, ua = mt.group(1), ma.group(1)
        return 1 if ut and ua and ut != ua else 0
    return 2


def _row_score(name: str, vals: tuple[tuple[str, str], ...], cap: Decimal) -> float:
    """A row's cost (≤ 0): a name holding a comparator or numbers, 得分 above 分值, 分值 above the
    level's points, a target printed unlike its actual, a text or zero-led value; each row costs
    one (the split in fewer rows wins a tie)."""
    return -1.0 + _name_cost(name) + _values_cost(vals, cap)


@lru_cache(maxsize=65536)
def _name_cost(name: str) -> float:
    sc = 0.0
    if any(ch in _COMPARATOR for ch in name):
        sc -= 4
    if re.search(r"\d", name[-1:]) or name[-1:] in _COMPARATOR:
        sc -= 3
    sc -= len(re.findall(r"\d+", name))
    if len(_CJK.findall(name)) < 2:
        sc -= 3  # a name holds two characters at least
    return sc


@lru_cache(maxsize=65536)
def _values_cost(items: tuple[tuple[str, str], ...], cap: Decimal) -> float:
    vals = dict(items)
    sc = 0.0
    w, g = _dec(vals.get("weight", "x")), _dec(vals.get("score", "x"))
    if w is not None and g is not None and g > w:
        sc -= 6
    if w is not None and w > cap:
        sc -= 5
    t, a = vals.get("target"), vals.get("actual")
    if t and a and t.lstrip(_COMPARATOR) != a.lstrip(_COMPARATOR):
        sc -= 1 + _kinds_differ(t, a)
    for f in _TEXT_COLS:
        v = (vals.get(f) or "").lstrip(_COMPARATOR)
        if v and not v[0].isdigit():
            sc -= 0.5  # a text value: a split at a number reads more
        elif _LEADING_ZERO.match(v):
            sc -= 3
        else:
            unit = re.sub(r"^[\d.,]+", "", v)
            sc -= 0.5 * max(0, len(_CJK.findall(unit)) - 2)  # units are short (万元, 元/人·月)
    if "reason" in vals:
        # a reason ends the line: a text, seldom holding figures or comparators (rows do)
        r = vals["reason"]
        sc -= 1.5 + len(re.findall(r"\d+", r)) + 2 * sum(ch in _COMPARATOR for ch in r)
    return sc


def split_rows(
    seg: str, cols: list[str], cap: Decimal = Decimal(100), reason: bool = False
) -> list[tuple[str, dict[str, str]]] | None:
    """Rows of run-together name and value cells (`安装坡面水标尺10≥266米≥266米10水标尺宽度…`) in
    the value columns' order (`cols`: weight/target/actual/score): the split whose rows are most
    consistent (得分 ≤ 分值, 分值 ≤ `cap`, a target printed like its actual); with `reason`, a text
    after the last row's values is its 偏差原因. None when the text cannot be cut into whole rows."""
    vcols = [c for c in cols if c in _NUM_COLS + _TEXT_COLS]
    if not seg or not vcols:
        return None
    n = len(seg)
    values_at = cache(lambda a: _values_from(seg, a, vcols))

    @cache
    def rows_from(p: int) -> tuple[float, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] | None:
        if p == n:
            return (0.0, ())
        if seg[p] in _COMPARATOR or (seg[p].isdigit() and p > 0):
            return None  # (a name may open with a number at the start of its line)
        best: tuple[float, tuple] | None = None
        for a in range(p + 2, min(n, p + 60)):
            for score, vals, end in values_at(a):
                name = seg[p:a]
                options = [(vals, rows_from(end))]
                if reason and end < n:
                    options.append(((*vals, ("reason", seg[end:])), (0.0, ())))
                for row, rest in options:
                    if rest is None:
                        continue
                    total = score + _row_score(name, row, cap) + rest[0]
                    if best is None or total > best[0]:
                        best = (total, ((name, row), *rest[1]))
        return best

    try:
        got = rows_from(0)
    except RecursionError:  # hundreds of rows in one run (no table prints them): left unread
        got = None
    rows_from.cache_clear()
    if got is None:
        return None
    return [(name, dict(vals)) for name, vals in got[1]]


def _values_from(seg: str, a: int, vcols: list[str]) -> list[tuple[float, tuple[tuple[str, str], ...], int]]:
    """Every way the value cells starting at `a` fill the columns: (0, values, end)."""
    out: list[tuple[float, tuple[tuple[str, str], ...], int]] = []

    def walk(p: int, k: int, acc: tuple[tuple[str, str], ...]) -> None:
        if k == len(vcols):
            nxt = seg[p : p + 1]
            if acc and not (nxt.isdigit() or (nxt and nxt in _COMPARATOR)):
                have = {c for c, _ in acc}
                out.append((-sum(2.0 if c in _TEXT_COLS else 1.0 for c in vcols if c not in have), acc, p))
            return
        col = vcols[k]
        walk(p, k + 1, acc)  # a blank cell
        ends: Callable[[str, int], list[int]] = _number_ends if col in _NUM_COLS else _value_ends
        for e in ends(seg, p):
            walk(e, k + 1, (*acc, (col, seg[p:e])))

    if a < len(seg) and (seg[a].isdigit() or seg[a] in _COMPARATOR or vcols[0] in _TEXT_COLS):
        walk(a, 0, ())
    return out


# ------------------------------------------------------------------------------- budget rows

_RATE_COL = re.compile(r"执行率|执行进度")
_SCORE_COL = re.compile(r"得分")
_WEIGHT_COL = re.compile(r"分值")
_EXEC_COL = re.compile(r"执行数|执行$|执行\(")
_BUDGET_COL_A = re.compile(r"全年预算数|调整后?预算|预算数\(A\)|^预算数")


def split_figures(run: str, cols: list[str], total: dict[str, str] | None = None) -> dict[str, str] | None:
    """A budget row's glued figures (`202010100.00%10`) by column: the split for which the printed
    arithmetic holds (执行率 = 执行数 ÷ 预算数, 得分 = 执行率 × 分值 capped at 分值, a sub-row not
    above the total row); None when no split or several different ones are consistent."""
    found: list[dict[str, str]] = []
    if len(run) > _FIGURES_MAX:
        return None
    steps = [_FIGURE_STEPS]

    def walk(p: int, k: int, acc: dict[str, str]) -> None:
        steps[0] -= 1
        if steps[0] < 0:
            raise _TooMany
        if p == len(run):
            if acc and _consistent(acc, cols, total):
                found.append(dict(acc))
            return
        if k == len(cols) or len(run) - p > (len(cols) - k) * _FIGURE_MAX:
            return
        col = cols[k]
        walk(p, k + 1, acc)  # a blank cell
        rate = bool(_RATE_COL.search(col))
        for e in range(p + 1, min(len(run), p + _FIGURE_MAX) + 1):
            piece = run[p:e]
            ok = re.fullmatch(r"\d+(?:\.\d+)?%", piece) if rate else re.fullmatch(r"\d+(?:\.\d+)?", piece)
            if not ok or _LEADING_ZERO.match(piece):
                continue
            acc[col] = piece
            walk(e, k + 1, acc)
            del acc[col]

    try:
        walk(0, 0, {})
    except _TooMany:  # too many ways to cut the run: left unread rather than guessed
        return None
    if not found:
        return None
    # the fewest blank cells first (a printed figure belongs to the earliest column it can)
    most = max(len(f) for f in found)
    best = [f for f in found if len(f) == most]
    if len({tuple(sorted(f.items())) for f in best}) == 1:
        return best[0]
    for keep in (lambda f: _checks(f, cols) > 0, _uniform):
        best = [f for f in best if keep(f)] or best
        if len({tuple(sorted(f.items())) for f in best}) == 1:
            return best[0]
    return None


def _uniform(f: dict[str, str]) -> bool:
    """The amounts of a row printed with as many decimals each (`7.29 7.29 7.29`, not `7.2 97.2
    97.29`)."""
    places = {len(v.partition(".")[2]) for c, v in f.items() if not _RATE_COL.search(c) and "%" not in v}
    return len(places) <= 1


def _col(f: dict[str, str], cols: list[str], pat: re.Pattern[str]) -> Decimal | None:
    for c in cols:
        if pat.search(c) and c in f:
            return _dec(f[c])
    return None


def _checks(f: dict[str, str], cols: list[str]) -> int:
    a, b, r = _col(f, cols, _BUDGET_COL_A), _col(f, cols, _EXEC_COL), _col(f, cols, _RATE_COL)
    w, g = _col(f, cols, _WEIGHT_COL), _col(f, cols, _SCORE_COL)
    return (a is not None and b is not None and r is not None) + (w is not None and g is not None)


def _consistent(f: dict[str, str], cols: list[str], total: dict[str, str] | None) -> bool:
    a, b, r = _col(f, cols, _BUDGET_COL_A), _col(f, cols, _EXEC_COL), _col(f, cols, _RATE_COL)
    w, g = _col(f, cols, _WEIGHT_COL), _col(f, cols, _SCORE_COL)
    if r is not None and (not a or b is None or abs(b / a * 100 - r) > 1):
        return False  # a rate with nothing to check it against is a guess
    if (w is not None or g is not None) and (r is None or w is None):
        return False  # 分值 and 得分 are printed with the rate they score
    if w is not None and g is not None:
        if g > w or w > 100:
            return False
        if r is not None and abs(min(r, Decimal(100)) * w / 100 - g) > 1:
            return False
    if total:
        for c, v in f.items():
            t = _dec(total.get(c, "x"))
            d = _dec(v)
            if t is not None and d is not None and d > t:
                return False
    return True


# ------------------------------------------------------------------------- cutting a block

_IND_RUN = re.compile(r"一级指标二级指标|二级指标三级指标|三级指标(?:分值|年度指标值|指标值)")


def _header_span(text: str, ind_col: re.Pattern[str]) -> tuple[int, int, list[str], list[str]] | None:
    """(start, end, column fields, column texts) of the run-together indicator header."""
    m = _IND_RUN.search(text)
    if not m:
        return None
    start = text.rfind("一级指标", 0, m.end())
    start = m.start() if start < 0 else start
    fields: list[str] = []
    texts: list[str] = []
    end = start
    for c in ind_col.finditer(text, start):
        if c.start() != end:
            break
        fields.append(c.lastgroup or "")
        texts.append(c.group(0))
        end = c.end()
    return (start, end, fields, texts) if "name" in fields else None


def unglue(
    stream: CellStream,
    ind_col: re.Pattern[str],
    budget_col: re.Pattern[str],
    simplify: Callable[[str], str] = str,
) -> CellStream:
    """The stream with every run-together block holding an indicator header cut into grid rows.
    `simplify` maps a mirror's traditional characters and inserted pinyin to the form's labels (the
    run is cut on that text: with no separator, a label must be found where it is printed)."""
    blocks: list[Block] = []
    changed = False
    src = stream.blocks
    if stream.layout == "run-together" and src:
        # the text reader cut the run by the target table's vocabulary: read the text as printed
        lines: dict[int | None, list[Block]] = {}
        for b in src:
            lines.setdefault(b.loc.line, []).append(b)
        parts = [_line_text(bs) for bs in lines.values()]  # a printed line ends a row
        src = [Para(_join_marks("\n".join(parts)), src[0].loc)]
    src = _join_pages(src)
    for b in src:
        texts = [b.text] if isinstance(b, Para) else [c.text for c in b.cells]
        cut = None
        for t in texts:
            flat = (
                re.sub(r"[ \t\r\u3000\xa0]+", "", simplify(t))
                .strip()
                .replace("：", ":")
                .replace("（", "(")
                .replace("）", ")")
            )
            if _IND_RUN.search(flat) and len(flat) > 120:
                cut = _cut(flat, b.loc, ind_col, budget_col)
                if cut:
                    break
        if cut:
            blocks.extend(cut)
            changed = True
        else:
            blocks.append(b)
    if not changed:
        return stream
    return CellStream(stream.source, blocks, stream.layout)


def _cut(
    text: str, loc: Location, ind_col: re.Pattern[str], budget_col: re.Pattern[str]
) -> list[Block] | None:
    head = _header_span(text, ind_col)
    if head is None:
        return None
    start, end, fields, names = head
    if "level1" not in fields and "level2" in fields:
        # a header printed garbled before 二级指标 (OCR): the level-1 labels of the body still
        # need their column
        fields, names = ["level1", *fields], ["一级指标", *names]
    out: list[Block] = []
    out += _budget_blocks(text[:start], loc, budget_col)
    width = len(fields)
    out.append(Row([Cell(n, loc) for n in names], loc))
    stop = _END.search(text, end)
    body = text[end : stop.start() if stop else len(text)]
    out += _indicator_rows(body, fields, width, loc)
    if stop:
        tail = text[stop.start() :]
        m = _TOTAL_RUN.match(tail)
        if m:
            pair = _total_pair(m.group(2))
            row = [m.group(1)] + [""] * (width - 1)
            if pair and "weight" in fields and "score" in fields:
                row[fields.index("weight")], row[fields.index("score")] = pair
                out.append(Row([Cell(x, loc) for x in row], loc))
                tail = tail[m.end() :]
        more = _cut(tail, loc, ind_col, budget_col) if _IND_RUN.search(tail) else None
        out += more or [Para(tail, loc)]
    return out


_PAGE_MARK = re.compile(r"^(\d{1,3})、")


def _join_pages(blocks: list[Block]) -> list[Block]:
    """Paragraphs a document-sharing site printed page by page (`1、…`, `2、…`, `3、…`, the mark
    cutting a cell anywhere) joined back into one text without the marks."""
    out: list[Block] = []
    last = 0
    for b in blocks:
        m = _PAGE_MARK.match(b.text) if isinstance(b, Para) else None
        prev = out[-1] if out else None
        if m and last and int(m.group(1)) == last + 1 and isinstance(prev, Para) and isinstance(b, Para):
            out[-1] = Para(prev.text + b.text[m.end() :], prev.loc)
            last += 1
            continue
        last = int(m.group(1)) if m and m.group(1) == "1" else 0
        out.append(b)
    return out


def _line_text(blocks: list[Block]) -> str:
    """One printed line again from the blocks the text reader cut it into: a paragraph holding the
    whole line (a title run together with its table) stands for the rows cut from it."""
    rows = "".join("".join(b.texts) for b in blocks if isinstance(b, Row))
    for b in blocks:
        if isinstance(b, Para) and rows and _squeeze(rows) in _squeeze(b.text):
            return b.text
    return "".join(b.text if isinstance(b, Para) else "".join(b.texts) for b in blocks)


def _squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


_LINE_MARK = re.compile(r"(?:^|\n)(\d{1,3})、")


def _join_marks(text: str) -> str:
    """`_join_pages` inside one text: a line `N+1、…` after page N's goes on it without the mark."""
    out: list[str] = []
    pos = 0
    last = 0
    for m in _LINE_MARK.finditer(text):
        n = int(m.group(1))
        if last and n == last + 1:
            out.append(text[pos : m.start()])
            pos = m.end()
            last = n
        elif n == 1:
            last = 1
    out.append(text[pos:])
    return "".join(out)


def _total_pair(run: str) -> tuple[str, str] | None:
    """`100100` → (100, 100): points then score, score ≤ points ≤ 100."""
    got = []
    for k in range(1, len(run)):
        w, g = run[:k], run[k:]
        if _LEADING_ZERO.match(w) or _LEADING_ZERO.match(g) or w.endswith(".") or g.startswith("."):
            continue
        dw, dg = _dec(w), _dec(g)
        if dw is not None and dg is not None and dg <= dw <= 100:
            got.append((w, g))
    return got[0] if len(got) == 1 else None


def _indicator_rows(body: str, fields: list[str], width: int, loc: Location) -> list[Block]:
    """The indicator body (after the header, before 总分) as grid rows in the header's columns:
    level labels set the level cells of the next row; the text between them (each printed line on
    its own) is cut by `split_rows`, 分值 bounded by the level's printed points."""
    body = _PLACEHOLDER.sub("", body)
    words = list(_level_words(body))
    vcols = [f for f in fields if f in _NUM_COLS + _TEXT_COLS]
    rows: list[Block] = []
    cap = Decimal(100)
    pos = 0
    pending: dict[str, str] = {}
    for k, w in enumerate([*words, None]):
        for seg in body[pos : w.a if w else len(body)].split("\n"):
            for name, vals in split_rows(seg, vcols, cap, "reason" in fields) or []:
                cells = dict(pending, name=name, **vals)
                pending = {}
                printed = [cells.get(f, "") for f in fields]
                rows.append(Row([Cell(c, loc) for c in printed], loc))
        if w is None:
            break
        text = w.text.strip()
        kind = level_kind(text)
        if kind == 1 or (kind == 3 and k + 1 < len(words) and words[k + 1].a == w.b) or _POINTS.search(text):
            pending = {"level1": text}
            p = _POINTS.search(text)
            cap = Decimal(p.group(1) or p.group(2)) if p else Decimal(100)
        else:
            pending["level2"] = text
        pos = w.b
    return rows


def _budget_blocks(text: str, loc: Location, budget_col: re.Pattern[str]) -> list[Block]:
    """The text before the indicator header with its budget block cut into a header row and rows."""
    cols = list(budget_col.finditer(text))
    # the header: the longest chain of adjacent column words
    chain: list[re.Match[str]] = []
    best: list[re.Match[str]] = []
    for m in cols:
        chain = [*chain, m] if chain and chain[-1].end() == m.start() else [m]
        if len(chain) > len(best):
            best = chain
    if len(best) < 2:
        return [Para(text, loc)]
    names = [m.group(0) for m in best]
    rest = text[best[-1].end() :]
    out: list[Block] = [
        *_kv_paras(text[: best[0].start()], loc),
        Row([Cell("资金", loc), *[Cell(n, loc) for n in names]], loc),
    ]
    row = re.compile(
        r"(年度资金总额|年度财政资金总额|资金总额|其中:?(?:本年|当年)?(?:财政拨款|中央补助|财政资金)|上年结转资金|地方资金|其他资金)"
        r"(:?)([\d.%]*)[-—]*\n?"
    )
    total: dict[str, str] | None = None
    pos = 0
    rest = rest.lstrip("\n")
    for m in row.finditer(rest):
        if m.start() != pos:
            break
        figs = split_figures(m.group(3), names, total) if m.group(3) else None
        cells = [m.group(1) + m.group(2)] + [(figs or {}).get(n, "") for n in names]
        out.append(Row([Cell(c, loc) for c in cells], loc))
        if total is None:
            total = figs or {}
        pos = m.end()
    out.append(Para(rest[pos:], loc))
    return out


_KV_CUT = re.compile(
    r"(?=项目名称|(?<!中央)主管部门|实施单位|资金使用单位|项目负责人|联系电话|自评得分|资金情况|项目资金)"
)


def _kv_paras(text: str, loc: Location) -> list[Block]:
    """The text before the budget block cut before each key–value label."""
    return [Para(p, loc) for line in text.split("\n") for p in _KV_CUT.split(line) if p]
