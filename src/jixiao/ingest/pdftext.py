"""Regroup PDF-extracted text (no tabs) into paragraphs and table rows.

A PDF converted to text loses the table grid: a cell wrapped over several lines comes out as
several lines, and cells that sit on one baseline share a line separated by spaces. What is left
to go on, and what this module uses:

- the labels of the project block (项目编码, 项目名称, 预算数, 其中：财政资金, 其他资金,
  资金支出计划, 绩效目标), which may themselves be wrapped ("其中：财政" / "资金");
- the indicator header (一级指标 二级指标 三级指标 绩效指标描述 指标值 指标值确定依据), which says
  which columns each row has;
- the 一级/二级 labels, which open each indicator row;
- the shape of the 指标值 (a comparator, a number with a unit, a date, a short word);
- the geometry of wrapping: the lines of a wrapped cell, except its last, are all about as wide as
  the column; a single line break (no blank line) separates cells, a blank line may separate
  the lines of one cell or two cells.

Each indicator row is segmented by scoring every way of cutting its tokens into the remaining
columns and keeping the best; the scoring only uses the signals above, never the sample texts.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from jixiao import taxonomy
from jixiao.ingest.cells import Block, Cell, Para, Row, match_unit_line, squash
from jixiao.model import Location

_TITLE_END = re.compile(r"绩效目标(申报|批复)?表$")
_TITLE_START = re.compile(r"^\s*(\d{1,3})\s*[.、．]\s*\S")
_CHAPTER = re.compile(r"^\s*(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、)")
_HEADER_START = re.compile(r"^\s*一级指标")


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def join_wrapped(parts: list[str]) -> str:
    """Join the lines of one wrapped cell: no separator (CJK wraps anywhere), a space between two
    ASCII words."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalpha():
            out += " "
        out += p
    return out


@lru_cache(maxsize=65536)
def _width(s: str) -> float:
    """Printed width in CJK characters (ASCII counts half); memoised, tokens recur."""
    return sum(1.0 if _is_cjk(ch) else 0.5 for ch in s if not ch.isspace())


# ---------------------------------------------------------------------------------------------
# lines → regions


@dataclass
class _Line:
    no: int  # 1-based line number in the file
    text: str
    blank_before: bool  # a blank line separates it from the previous non-blank line


# a line that may open a numbered title (`_TITLE_START` on a stripped line) anywhere in the lines
# joined: white space other than the line break only (`[^\S\n]`), so that no match runs across
# lines; with `\s*` a run of N blank lines cost N²/2 steps (32,000 blank lines: 15 s)
_TITLE_START_ANY = re.compile(r"^[^\S\n]*\d{1,3}[^\S\n]*[.、．][^\S\n]*\S", re.M)


def regroup_titled(lines: list[str]) -> list[Block] | None:
    """`regroup_pdf_text`'s reading, or None when it finds no table title (its reading is then one
    paragraph per printed line). Whether it finds one is asked first, by the regex above and then
    by its own title test where a line may open a title (up to the first title found)."""
    if _TITLE_START_ANY.search("\n".join(lines)) is None:
        return None
    texts, nos, blanks = _printed(lines)
    if not any(_title_at(texts, i) is not None for i, t in enumerate(texts) if t[:1].isdigit()):
        return None
    return _regroup(texts, nos, blanks)


def regroup_pdf_text(lines: list[str]) -> list[Block]:
    """PDF-extracted text regrouped: table titles, their tables' blocks, other lines as paragraphs."""
    return _regroup(*_printed(lines))


def _printed(lines: list[str]) -> tuple[list[str], list[int], list[bool]]:
    """The printed lines (stripped), their numbers and whether a blank line comes before each."""
    texts: list[str] = []
    nos: list[int] = []
    blanks: list[bool] = []
    blank = False
    for i, raw in enumerate(lines, start=1):
        s = raw.strip()
        if not s:
            blank = True
            continue
        texts.append(s)
        nos.append(i)
        blanks.append(blank)
        blank = False
    return texts, nos, blanks


def _regroup(texts: list[str], nos: list[int], blanks: list[bool]) -> list[Block]:
    """Titles, their tables' blocks and paragraphs from the printed lines (`_Line`s are made only
    for the lines of a table)."""
    blocks: list[Block] = []
    i = 0
    table = 0
    n = len(texts)
    new = tuple.__new__  # Location(line=…) without the named tuple's Python-level constructor
    while i < n:
        # a title opens with its number (`_title_at`'s first test, made here: most lines fail it)
        title_end = _title_at(texts, i) if texts[i][:1].isdigit() else None
        if title_end is not None:
            title = join_wrapped(texts[i:title_end])
            blocks.append(Para(title, Location(line=nos[i])))
            j = title_end
            while (
                j < n
                and (not texts[j][:1].isdigit() or _title_at(texts, j) is None)
                and not _CHAPTER.match(texts[j])
            ):
                j += 1  # the table goes on to the next title or chapter heading
            table += 1
            items = [_Line(nos[k], texts[k], blanks[k]) for k in range(title_end, j)]
            blocks.extend(_table_blocks(items, table))
            i = j
            continue
        blocks.append(Para(texts[i], new(Location, (nos[i], None))))
        i += 1
    return blocks


def _title_at(texts: list[str], i: int) -> int | None:
    """Index after the title starting at texts[i] (titles may wrap over up to three lines)."""
    first = texts[i]  # stripped: a title opens with its number
    if not first[:1].isdigit() or not _TITLE_START.match(first):
        return None
    text = ""
    for k in range(i, min(i + 3, len(texts))):
        text += texts[k]
        if _TITLE_END.search(squash(text)):
            nxt = texts[k + 1] if k + 1 < len(texts) else ""
            if match_unit_line(nxt) or nxt.startswith("项目") or _HEADER_START.match(nxt):
                return k + 1
            return None
        if len(squash(text)) > 90:
            return None
    return None


# ---------------------------------------------------------------------------------------------
# one project table


_LABELS: list[tuple[str, str]] = [
    ("code", "项目编码"),
    ("name", "项目名称"),
    ("section", "预算规模及资金用途"),
    ("total", "预算数"),
    ("fiscal", "其中：财政资金"),
    ("other", "其他资金"),
    ("purpose", "资金用途"),
    ("plan", "资金支出计划（%）"),
    ("goal", "绩效目标"),
]
_LABEL_TEXT = dict(_LABELS)


def _label_pattern(label: str) -> re.Pattern[str]:
    chars = []
    for ch in label:
        if ch in "：:":
            chars.append("[：:]?")
        elif ch in "（(":
            chars.append("(?:[（(]")
        elif ch in "）)":
            chars.append("[）)])?")
        elif ch == "%":
            chars.append("%")
        else:
            chars.append(re.escape(ch))
    return re.compile(r"\s*".join(chars))


_LABEL_RES = {k: _label_pattern(t) for k, t in _LABELS}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(.*)$", re.S)
_MILESTONE = re.compile(r"(\d{1,2})\s*月\s*(底|末|份)?")
_PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％]")


def _table_blocks(lines: list[_Line], table: int) -> list[Block]:
    """Blocks for one project table: unit line, project block rows, header and indicator rows."""
    blocks: list[Block] = []
    if not lines:
        return blocks
    k = 0
    if match_unit_line(lines[0].text) and not lines[0].text.startswith("项目"):
        blocks.append(Para(lines[0].text, Location(line=lines[0].no)))
        k = 1
    header_at = next((j for j in range(k, len(lines)) if _HEADER_START.match(lines[j].text)), None)
    head = lines[k : header_at if header_at is not None else len(lines)]
    blocks.extend(_project_block(head, table))
    if header_at is None:
        return blocks
    columns, body_at = _header(lines, header_at)
    header_loc = Location(line=lines[header_at].no)
    blocks.append(Row([Cell(_HEADER_TEXT[c], header_loc) for c in columns], header_loc, table))
    blocks.extend(_indicator_rows(lines[body_at:], columns, table))
    return blocks


_Values = dict[str, tuple[str, int]]  # label kind → (the text after the label, its line)


def _project_block(lines: list[_Line], table: int) -> list[Row]:
    """The rows above the indicator header, found by their labels in the joined text."""
    if not lines:
        return []
    # joined text with a map from offset to (line number, line start?)
    text = ""
    starts: list[tuple[int, int, bool]] = []  # (offset, line no, blank before)
    for ln in lines:
        starts.append((len(text), ln.no, ln.blank_before))
        text += ln.text + "\n"
    found = _label_spans(text)
    rows: list[Row] = []
    values: _Values = {}
    for idx, (_s, e, kind) in enumerate(found):
        end = found[idx + 1][0] if idx + 1 < len(found) else len(text)
        values[kind] = (text[e:end], _line_at(starts, e))
    if found and found[0][0] > 0:
        pre = text[: found[0][0]].strip()
        if pre:
            rows.append(
                Row(
                    [Cell(join_wrapped(pre.split("\n")), Location(line=lines[0].no))],
                    Location(line=lines[0].no),
                    table,
                )
            )
    first = lines[0].no
    for kind in ("code", "name"):
        if kind in values:
            raw, loc = _value_cell(values, kind, first)
            value = join_wrapped(raw.split("\n"))
            rows.append(Row([Cell(_LABEL_TEXT[kind], loc), Cell(value, loc)], loc, table))
    if {"total", "fiscal", "other"} & values.keys():
        rows += _budget_rows(values, first, table)
    if "plan" in values:
        rows += _plan_rows(values, first, table)
    if "goal" in values:
        raw, loc = _value_cell(values, "goal", first)
        rows.append(Row([Cell("绩效目标", loc), Cell(_join_goal(raw), loc)], loc, table))
    return rows


def _label_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each project-block label in the joined text, in order."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    for kind, _ in _LABELS:
        m = _LABEL_RES[kind].search(text, pos)
        if m is None:
            continue
        if kind == "purpose" and any(k == "section" and s <= m.start() < e for s, e, k in found):
            continue
        found.append((m.start(), m.end(), kind))
        pos = m.end()
    found.sort()
    return found


def _value_cell(values: _Values, kind: str, first: int) -> tuple[str, Location]:
    raw, no = values.get(kind, ("", first))
    return raw, Location(line=no)


def _budget_rows(values: _Values, first: int, table: int) -> list[Row]:
    """预算规模及资金用途 with its amounts, and the use of the money (资金用途) when printed."""
    rows: list[Row] = []
    loc = _value_cell(values, "total", first)[1]
    budget: list[Cell] = [Cell("预算规模及资金用途", loc)]
    purpose = None
    for kind in ("total", "fiscal", "other"):
        if kind not in values:
            continue
        raw, kloc = _value_cell(values, kind, first)
        m = _NUMBER.match(raw)
        amount = m.group(1) if m else ""
        rest = m.group(2) if m else raw
        budget += [Cell(_LABEL_TEXT[kind], kloc), Cell(amount, kloc)]
        if kind == "other" and rest.strip() and "purpose" not in values:
            purpose = (join_wrapped(rest.split("\n")), kloc)
    rows.append(Row(budget, loc, table))
    if "purpose" in values:
        raw, ploc = _value_cell(values, "purpose", first)
        purpose = (join_wrapped(raw.split("\n")), ploc)
    if purpose and purpose[0]:
        rows.append(Row([Cell("资金用途", purpose[1]), Cell(purpose[0], purpose[1])], purpose[1], table))
    return rows


def _plan_rows(values: _Values, first: int, table: int) -> list[Row]:
    """The spending plan: its milestones, then their percentages."""
    raw, loc = _value_cell(values, "plan", first)
    keys = [f"{m.group(1)}月{m.group(2) or ''}" for m in _MILESTONE.finditer(raw)]
    pcts = [squash(m.group(0)) for m in _PERCENT.finditer(raw)]
    rows = [Row([Cell("资金支出计划（%）", loc)] + [Cell(k, loc) for k in keys], loc, table)]
    if pcts:
        rows.append(Row([Cell("", loc)] + [Cell(p, loc) for p in pcts], loc, table))
    return rows


def _line_at(starts: list[tuple[int, int, bool]], offset: int) -> int:
    no = starts[0][1]
    for off, n, _ in starts:
        if off > offset:
            break
        no = n
    return no


_ITEM_START = re.compile(
    r"^(\d{1,2}\s*[.、．]|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、)"
)


def _join_goal(raw: str) -> str:
    """Goal text: wrapped lines joined, numbered items ("2.", "（二）") on lines of their own."""
    out: list[str] = []
    for line in raw.split("\n"):
        line = line.strip()
        if not line:
            continue
        if out and not _ITEM_START.match(line):
            out[-1] = join_wrapped([out[-1], line])
        else:
            out.append(line)
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# the indicator header and rows

_HEADER_TEXT = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "description": "绩效指标描述",
    "value": "指标值",
    "basis": "指标值确定依据",
    "nature": "指标性质",
    "measure_unit": "度量单位",
    "weight": "分值",
}
_HEADER_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("level1", re.compile("一级指标")),
    ("level2", re.compile("二级指标")),
    ("name", re.compile("三级指标")),
    ("description", re.compile("(绩效)?指标描述|指标解释")),
    ("basis", re.compile("指标值?确定依据|确定依据")),
    ("value", re.compile("指标值|目标值")),
]


def _header(lines: list[_Line], at: int) -> tuple[list[str], int]:
    """Columns named by the header starting at lines[at] and the index of the first body line."""
    text = ""
    end = at
    for j in range(at, min(at + 6, len(lines))):
        candidate = text + lines[j].text
        if j > at and (_level_start(lines[j].text) or not _header_fragment(lines[j].text)):
            break
        text = candidate
        end = j + 1
    s = squash(text)
    cols: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for fld, pat in _HEADER_WORDS:
        for m in pat.finditer(s):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            cols.append((m.start(), fld))
            taken.append((m.start(), m.end()))
            break
    cols.sort()
    return [f for _, f in cols], end


_HEADER_CHARS = re.compile(r"[指标值确定依据绩效描述一二三级度量单位分权重性质]+")


def _header_fragment(text: str) -> bool:
    s = squash(text)
    return bool(s) and len(s) <= 12 and bool(_HEADER_CHARS.fullmatch(s))


def _level_start(text: str) -> bool:
    words = text.split(maxsplit=1)
    first = words[0] if words else ""
    return taxonomy.is_level1_label(first) or taxonomy.is_level2_label(first)


@dataclass(slots=True)
class _Tok:
    text: str
    line: int
    sep: str  # separator before it: "nl" single line break, "blank" blank line(s), "sp" space, "" first
    width: float = 0.0


def _tokens(lines: list[_Line]) -> list[_Tok]:
    toks: list[_Tok] = []
    for ln in lines:
        parts = ln.text.split()
        for k, p in enumerate(parts):
            sep = ("blank" if ln.blank_before else "nl") if k == 0 else "sp"
            toks.append(_Tok(p, ln.no, sep if toks else "", _width(p)))
    return toks


_LEVEL_MAX_TOKENS = 3


def _label_at(toks: list[_Tok], i: int) -> tuple[str, str, int] | None:
    """(which level, label text, tokens used) when a level label starts at toks[i]."""
    tok = toks[i]
    if tok.sep == "sp":  # a label opens a line
        return None
    text = tok.text
    end = min(i + _LEVEL_MAX_TOKENS, len(toks))
    k = i
    while True:
        if text.endswith("指标"):
            kind = _label_kind(text)
            if kind is not None:
                return kind, text, k - i + 1
        k += 1
        if len(text) > 10 or k >= end:
            return None
        tok = toks[k]
        if tok.sep == "sp":
            return None
        text += tok.text


@lru_cache(maxsize=16384)
def _label_kind(text: str) -> str | None:
    """`level1` or `level2` for a level label (each distinct text classified once), else None."""
    if taxonomy.is_level1_label(text):
        return "level1"
    if taxonomy.is_level2_label(text):
        return "level2"
    return None


_PAGE_NO = re.compile(r"^[-—–]?\s*\d{1,3}\s*[-—–]?$")


def _drop_page_numbers(lines: list[_Line]) -> list[_Line]:
    """A bare page number printed between rows (before a row's level label or at the table's end)
    belongs to no cell."""
    out: list[_Line] = []
    for k, ln in enumerate(lines):
        if _PAGE_NO.match(ln.text):
            nxt = lines[k + 1].text if k + 1 < len(lines) else None
            if nxt is None or _level_start(nxt):
                continue
        out.append(ln)
    return out


def _indicator_rows(lines: list[_Line], columns: list[str], table: int) -> list[Row]:
    toks = _tokens(_drop_page_numbers(lines))
    rows: list[Row] = []
    # split the token stream into rows at level labels
    starts: list[int] = []
    i = 0
    while i < len(toks):
        lab = _label_at(toks, i)
        if lab:
            # consecutive labels (一级 then 二级) open one row
            if not starts or not _only_labels(toks, starts[-1], i):
                starts.append(i)
            i += lab[2]
            continue
        i += 1
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = [*starts, len(toks)]
    rest_cols = [c for c in columns if c not in ("level1", "level2")]
    for a, b in itertools.pairwise(bounds):
        seg = toks[a:b]
        if not seg:
            continue
        labels: list[tuple[str, str]] = []
        j = 0
        while j < len(seg):
            lab = _label_at(seg, j)
            if not lab:
                break
            labels.append((lab[0], lab[1]))
            j += lab[2]
        level1 = level2 = ""
        for k, (kind, text) in enumerate(labels):
            # 成本指标 is a level-1 label only in the 2021 framework, where a level-2 label follows
            if (
                kind == "level1"
                and taxonomy.canonical_level1(text) == taxonomy.COST
                and not any(kk == "level2" for kk, _ in labels[k + 1 :])
            ):
                kind = "level2"
            if kind == "level1":
                level1 = text
            else:
                level2 = text
        body = seg[j:]
        loc = Location(line=seg[0].line)
        cells = _segment(body, rest_cols)
        values = {"level1": level1, "level2": level2, **cells}
        rows.append(Row([Cell(values.get(c, ""), loc) for c in columns], loc, table))
    return rows


def _only_labels(toks: list[_Tok], start: int, end: int) -> bool:
    j = start
    while j < end:
        lab = _label_at(toks, j)
        if not lab:
            return False
        j += lab[2]
    return True


# -- scoring a segmentation --------------------------------------------------------------------

_V_NUM = re.compile(
    r"^(预计|约|计划|不低于|不少于|不高于|不超过|不大于|不小于|大于|小于|达到|高于|低于|超过|控制在)?"
    r"[≥≤><=＞＜＝≧≦]?=?\s*\d+(\.\d+)?\s*([-~～至]\s*\d+(\.\d+)?)?\s*"
    r"(%|％|‰|百分比|[\u4e00-\u9fffA-Za-z]{0,4}(/[\u4e00-\u9fffA-Za-z]{1,3}([·・•][^\W\d_]{1,2})?)?)?"
    r"\s*(以上|以下|以内|左右|及以上|及以下)?$"
)
_V_DATE = re.compile(
    r"^(不晚于|不超过|每月|每年|每季度|每周)?\s*(\d{4}\s*年)?\s*(\d{1,2}\s*月份?)?\s*(\d{1,2}\s*日)?\s*"
    r"(年底|年末|月底|月末|底|末|上旬|中旬|下旬)?\s*(前|之前|以前|内|以内)?\s*[\u4e00-\u9fff]{0,4}$"
)
_DATE_CHARS = re.compile(r"[年月日]")
_DATE_ANCHOR = re.compile(r"\d|年底|年末|月底|月末")
_V_WORDS = re.compile(
    r"^(是|否|是/否|有|无|提升|提高|降低|减少|及时|长期|有效|达标|合格|良好|优良|明显|显著|稳定|持续|逐步提高|"
    r"效果明显|效果显著|有所提升|持续提升|大幅提升|按时|按期|按要求|完成|全覆盖|满意|较好|好|中长期|[一二三四五六七八九十]年)"
)


@lru_cache(maxsize=65536)
def _value_score(text: str) -> float:
    """How much `text` reads like a 指标值 (a number with its unit, a date, a word such as 提升);
    pure, so memoised: the same values recur in every row and document."""
    s = squash(text)
    if not s:
        return -6.0
    m = _V_NUM.match(s)
    if m and any(ch.isdigit() for ch in s):
        return 6.0 if m.group(5) else 5.0  # a number with its unit beats a bare number
    if _DATE_CHARS.search(s) and _V_DATE.match(s) and _DATE_ANCHOR.search(s):
        return 5.0
    if _V_WORDS.match(s) and len(s) <= 8:
        return 3.0
    if len(s) <= 6:
        return 0.0
    return -4.0 - 0.2 * (len(s) - 6)


value_score = _value_score  # public: the text layout strategies score cells with it too


def _wrap_penalty(cell: list[_Tok]) -> float:
    """Lines of a wrapped cell, except the last, are about as wide as the widest line."""
    widths: list[float] = []
    for t in cell:
        if t.sep == "sp" and widths:
            widths[-1] += t.width
        else:
            widths.append(t.width)
    if len(widths) < 2:
        return 0.0
    top = max(widths) - 1.01
    return sum(2.5 for w in widths[:-1] if w < top)


def _cell_text(cell: list[_Tok]) -> str:
    out = ""
    for t in cell:
        if not out:
            out = t.text
        elif t.sep == "sp":
            out += " " + t.text
        else:
            out = join_wrapped([out, t.text])
    return out


class _Spans:
    """Text, wrap penalty and value score of token spans of one row, each computed once."""

    def __init__(self, body: list[_Tok]) -> None:
        self.body = body
        self._text: dict[tuple[int, int], str] = {}
        self._wrap: dict[tuple[int, int], float] = {}
        self._value: dict[tuple[int, int], float] = {}
        self._squashed: dict[tuple[int, int], str] = {}

    def text(self, i: int, j: int) -> str:
        """`_cell_text(body[i:j])`: a left fold over the tokens, so the span one token shorter
        (usually already known: spans grow a token at a time) is extended by one token."""
        key = (i, j)
        t = self._text.get(key)
        if t is None:
            if j - i < 2:
                t = _cell_text(self.body[i:j])
            else:
                prev = self._text.get((i, j - 1))
                if prev is None:
                    prev = self.text(i, j - 1) if j - i <= 32 else _cell_text(self.body[i : j - 1])
                last = self.body[j - 1]
                t = prev + " " + last.text if last.sep == "sp" else join_wrapped([prev, last.text])
            self._text[key] = t
        return t

    def squashed(self, i: int, j: int) -> str:
        key = (i, j)
        t = self._squashed.get(key)
        if t is None:
            t = self._squashed[key] = squash(self.text(i, j))
        return t

    def wrap(self, i: int, j: int) -> float:
        key = (i, j)
        w = self._wrap.get(key)
        if w is None:
            w = self._wrap[key] = _wrap_penalty(self.body[i:j])
        return w

    def value(self, i: int, j: int) -> float:
        key = (i, j)
        v = self._value.get(key)
        if v is None:
            v = self._value[key] = _value_score(self.text(i, j))
        return v


def _segment(body: list[_Tok], cols: list[str]) -> dict[str, str]:
    """Cut the tokens of one row (after its level labels) into the columns `cols`.

    The score of a cut is a sum over its spans, so the best cut of the columns before the value
    is found once per value start, and the best cut after it once per value end."""
    if not body:
        return {}
    if "value" not in cols:
        return {cols[0]: _cell_text(body)} if cols else {}
    n = len(body)
    vi = cols.index("value")
    before, after = cols[:vi], cols[vi + 1 :]
    must_cut = {i for i in range(1, n) if body[i].sep == "nl"}
    spans = _Spans(body)
    best_before: dict[int, tuple[float, list[int]]] = {}
    best_after: dict[int, tuple[float, list[int]]] = {}

    def region(
        lo: int, hi: int, names: list[str], memo: dict[int, tuple[float, list[int]]], key: int
    ) -> tuple[float, list[int]]:
        found = memo.get(key)
        if found is None:
            inside = [m for m in must_cut if lo < m < hi]
            for cuts in _cuts(lo, hi, len(names), must_cut):
                sc = _region_score(spans, lo, hi, cuts, names, inside)
                if found is None or sc > found[0]:
                    found = (sc, cuts)  # the first best, as max() keeps it
            assert found is not None  # _cuts gives at least one cut
            memo[key] = found
        return found

    best: tuple[float, list[int]] | None = None
    candidates = _value_spans(body, spans, must_cut, 1 if before else 0)
    if not candidates:
        return {cols[0]: _cell_text(body)}
    # where the row holds something that reads as a value, short prose is not its value
    floor = max(vs for ends in candidates.values() for _, vs in ends) - 3.5
    for a, ends in candidates.items():
        ends = [(b, vs) for b, vs in ends if vs >= floor]
        if not ends:
            continue
        left = region(0, a, before, best_before, a) if before else (0.0, [])
        for b, vs in ends:
            right = region(b, n, after, best_after, b) if after else (0.0, [])
            score = vs - spans.wrap(a, b) + left[0] + right[0]
            if best is None or score > best[0]:
                best = (score, [*left[1], a, b, *right[1]])
    if best is None:
        return {cols[0]: _cell_text(body)}
    edges = [0, *best[1], n]
    names = [*before, "value", *after]
    return {c: spans.text(x, y) for c, (x, y) in zip(names, itertools.pairwise(edges), strict=False)}


def _value_spans(
    body: list[_Tok], spans: _Spans, must_cut: set[int], first: int
) -> dict[int, list[tuple[int, float]]]:
    """Start → (end, value score) of the spans that may be the row's value (up to six tokens, no
    single line break inside). Their texts are made here first, each from the span a token
    shorter (as `_cell_text` folds), and kept in `spans`."""
    n = len(body)
    candidates: dict[int, list[tuple[int, float]]] = {}
    # the first single line break after each token (n + 1: none)
    next_cut = [n + 1] * (n + 1)
    for i in range(n - 1, -1, -1):
        next_cut[i] = i + 1 if i + 1 in must_cut else next_cut[i + 1]
    texts, values, squashed = spans._text, spans._value, spans._squashed
    for a in range(first, n):
        text = body[a].text
        for b in range(a + 1, min(n, a + 6) + 1):
            if b > a + 1:
                if next_cut[a] < b:
                    break  # a single line break inside the value: a cell boundary, not a wrap
                tok = body[b - 1]
                text = text + " " + tok.text if tok.sep == "sp" else join_wrapped([text, tok.text])
            texts[(a, b)] = text
            vs = values[(a, b)] = _value_score(text)
            if vs >= -3:
                candidates.setdefault(a, []).append((b, vs))
            else:
                sq = squashed[(a, b)] = squash(text)
                if len(sq) > 12:
                    break  # prose this long only grows longer
    return candidates


def _cuts(lo: int, hi: int, k: int, must_cut: set[int]) -> list[list[int]]:
    """Ways to cut tokens [lo, hi) into k consecutive spans (inner cut positions; spans may be empty
    only when there are too few tokens). Where single line breaks fall inside the range, only
    those positions are tried for a two-way cut."""
    if k <= 1:
        return [[]]
    if k == 2:
        if hi - lo < 2:
            return [[hi]]
        forced = [c for c in range(lo + 1, hi) if c in must_cut]
        return [[c] for c in (forced or range(lo + 1, hi))]
    out: list[list[int]] = []
    for c in range(lo + 1, hi):
        for rest in _cuts(c, hi, k - 1, must_cut):
            out.append([c, *rest])
    return out or [[hi] * (k - 1)]


def _region_score(
    spans: _Spans, lo: int, hi: int, cuts: list[int], names: list[str], inside: list[int]
) -> float:
    """Score of cutting tokens [lo, hi) into the columns `names` at `cuts` (`inside`: the single
    line breaks inside the range, each one not cut costing 4)."""
    edges = [lo, *cuts, hi]
    score = -4.0 * sum(1 for m in inside if m not in cuts) if inside else -0.0
    texts: dict[str, str] = {}
    for name, (x, y) in zip(names, itertools.pairwise(edges), strict=False):
        if x >= y:
            score -= 2.0 if name != "basis" else 1.0
            continue
        score -= spans.wrap(x, y)
        if name == "basis":
            score += 1.0
            if spans.value(x, y) >= 5.0:
                score -= 4.0
        if name in ("name", "description"):
            texts[name] = spans.squashed(x, y)
    if texts.get("name") and texts.get("name") == texts.get("description"):
        score += 4.0
    return score
