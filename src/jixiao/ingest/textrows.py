"""Rows from any text: one small strategy per way a text file prints a table, chosen by evidence.

Text exported from web pages, spreadsheets and PDFs prints the same tables in many ways. Tab
layouts are read by `jixiao.ingest.text` itself; for text without tabs each strategy here turns
lines into cells (`Piece`s with a hint about row breaks):

- `pipes`: `|` between cells, leading and trailing `|` optional, empty cells from colspans, lines of
  only `|` between rows, one cell per line ending in ` |`, a cell wrapped over lines before its `|`;
- `spaces`: one row per line, cells apart by any run of spaces (a bracketed group kept together);
- `space-runs`: cells apart by two or more spaces, a single space kept inside its cell;
- `cell-lines`: one cell per line (a line of spaces between blank lines is an empty cell);
- `run-together`: cells printed with no separator, split with the vocabulary (level labels, header
  words, project-block labels, the 指标值 grammar);
- `pdf-text`: PDF-extracted text with wrapped cells (`jixiao.ingest.pdftext.regroup_pdf_text`).

One assembler serves every strategy (`assemble`): it finds the indicator header by its vocabulary
(`header_kind`), then gives each cell after it a column of that header with one dynamic programme
(`_assign`, a Viterbi pass) whose score says how well a cell fits a column (`fit`: a level label in
a level column, a value in the 指标值 column, a comparator in 指标性质 …), where rows may start
(merged cells above leave the first columns unprinted), which cells may be missing inside a row, and
how the strategy's lines hint at row breaks. Every indicator row comes out as wide as its header,
merged or unprinted cells blank, as a grid reader would give it.

The choice is made on evidence only (`find_blocks`): each candidate's rows are scored against their
header (`score_blocks`: a row with a name and a value that reads as one scores, fragments and
misplaced labels cost); the PDF-text regrouping is tried first and kept outright when its rows are
convincing; the search stops at a strategy whose rows are convincing (for `pipes` and `cell-lines`,
whose separators cells do not print: whole, a name and a value each) and that leaves no header
unread; the best fit of the candidates so far wins, region by region where a document prints its
tables in different ways. Readers still only produce `Row`/`Para` blocks; the interpreter never
needs to know which strategy ran.

Outside the indicator tables, a line that a strategy cuts into several cells is one `Row` inside a
table's own block (title, key–value block) and, for separators that also occur in running text
(spaces), one `Para` elsewhere; a single cell between a table's title and its header is a one-cell
`Row` (a key–value block whose value may be on the row below); other lines are `Para`s.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import repeat

from jixiao.ingest import vocab
from jixiao.ingest.cells import Block, Cell, Para, Row
from jixiao.ingest.header import cell_scores, is_upper_header_cell, merge_header_rows
from jixiao.ingest.noise import norm_key
from jixiao.ingest.pdftext import value_score
from jixiao.model import Location

# -- pieces: what a strategy makes of the lines ---------------------------------------------------

FREE = 0  # no hint: a cell of a cell-per-line layout or of run-together text
ROW = 1  # the first cell of a line that prints a whole row
SAME = 2  # a further cell on a line that prints a whole row


@dataclass(slots=True)
class Piece:
    """One cell as a strategy found it, with its line and a hint about row breaks."""

    text: str
    line: int
    brk: int = FREE
    col: int = 0  # the cell's position on its line (for locations)
    alone: bool = True  # the only cell of its line


# a strategy: lines (1-based numbering: lines[i] is line i + 1) → pieces; None when the strategy
# does not apply (no separator of its kind in the text)
Strategy = Callable[[list[str]], "list[Piece] | None"]

_BLANK = " \t\u3000\xa0"
_BLANK_CHAR = re.compile("[" + _BLANK + "]")


def _line_pieces(no: int, cells: list[str]) -> list[Piece]:
    if len(cells) == 1:
        return [Piece(cells[0], no, FREE, 0, True)]
    return [Piece(c, no, ROW if k == 0 else SAME, k, False) for k, c in enumerate(cells)]


_PIPE_ONLY = re.compile(r"^[\s|]*\|[\s|]*$")
_RULE = re.compile(r"^[\s|:\-+=]*-{3,}[\s|:\-+=]*$")  # a Markdown table rule


def pipes(lines: list[str]) -> list[Piece] | None:
    """`|` between cells; lines of only `|` separate rows; a short line without `|` just before a
    line with one is the first part of a cell wrapped over lines (`一级` / `指标 |`)."""
    if sum(1 for s in lines if "|" in s) < 3:
        return None
    out: list[Piece] = []
    carry = ""
    carry_no = 0
    break_next = False
    n = len(lines)
    for i, raw in enumerate(lines):
        no = i + 1
        s = raw.strip(_BLANK)
        if not s:
            continue
        piped = "|" in s
        if (piped and _PIPE_ONLY.match(s)) or ("-" in s and _RULE.match(s)):
            break_next = True
            continue
        if not piped:
            nxt = lines[i + 1] if i + 1 < n else ""
            if (
                "|" in nxt
                and nxt.strip(_BLANK)
                and len(norm_key(s)) <= 12
                and not _PIPE_ONLY.match(nxt.strip())
            ):
                carry, carry_no = carry + s, carry_no or no
                continue
            if carry:
                s, no, carry, carry_no = carry + s, carry_no, "", 0
            out.append(Piece(s, no, ROW if break_next else FREE))
            break_next = False
            continue
        cells = [c.strip(_BLANK) for c in s.split("|")]
        while cells and not cells[-1]:
            cells.pop()
        while cells and not cells[0]:
            cells.pop(0)
        if carry:
            cells = [carry + (cells[0] if cells else ""), *cells[1:]]
            no, carry, carry_no = carry_no, "", 0
        if not cells:
            break_next = True
            continue
        ps = _line_pieces(no, cells)
        if break_next and ps[0].brk == FREE:
            ps[0].brk = ROW
        break_next = False
        out.extend(ps)
    return out


_OPEN = "(（[【"
_CLOSE = ")）]】"


_BRACKET_CHAR = re.compile("[" + re.escape(_OPEN + _CLOSE) + "]")


def _space_cells(s: str) -> list[str]:
    """Split on whitespace, keeping a bracketed group together (`数量( ≥**个 )`)."""
    if not _BRACKET_CHAR.search(s):
        return s.split()  # no bracket: every word is a cell
    out: list[str] = []
    depth = 0
    for tok in s.split():
        if depth > 0 and out:
            out[-1] += " " + tok
        elif out and tok[0] in _CLOSE:
            out[-1] += " " + tok
        else:
            out.append(tok)
        if _BRACKET_CHAR.search(tok):  # else the depth stays as it is (never below 0)
            depth = max(0, depth + sum(tok.count(c) for c in _OPEN) - sum(tok.count(c) for c in _CLOSE))
    return out


_SINGLE_SPACE = re.compile(r"(?<=\S)[ \u3000\xa0](?=\S)")


def separates_by_runs(lines: list[str]) -> bool:
    """Whether a text separates its cells by runs of two or more spaces: most lines that print a
    space between words print a run (a single space there is inside a cell: `专项 (畜禽…)`, a goal's
    `…8人 目标2:…`)."""
    runs = single = 0
    for s in lines:
        if _SPACE_RUN.search(s):
            runs += 1
        elif _SINGLE_SPACE.search(s.strip(_BLANK)):
            single += 1
    return runs >= 3 and runs >= 2 * single


def spaces(lines: list[str]) -> list[Piece] | None:
    """Cells separated by runs of spaces or single spaces (an xlsx preview, a PDF table); not for a
    text that separates its cells by runs of spaces (`space-runs`: a single space stays in its cell)."""
    if separates_by_runs(lines):
        return None
    rows = 0
    out: list[Piece] = []
    for i, raw in enumerate(lines):
        s = raw.strip(_BLANK)
        if not s:
            continue
        cells = _space_cells(s)
        rows += len(cells) > 1
        out.extend(_line_pieces(i + 1, cells))
    return out if rows >= 2 else None


_SPACE_RUN = re.compile(r"(?<=\S)[ \t\u3000\xa0]{2,}(?=\S)")


def space_runs(lines: list[str]) -> list[Piece] | None:
    """Cells separated by runs of two or more spaces; a single space stays inside its cell (a name
    printed with spaces). Applies where several lines print such runs."""
    if sum(1 for s in lines if _SPACE_RUN.search(s)) < 3:
        return None
    out: list[Piece] = []
    for i, raw in enumerate(lines):
        s = raw.strip(_BLANK)
        if s:
            out.extend(_line_pieces(i + 1, _SPACE_RUN.split(s)))
    return out


def cell_lines(lines: list[str]) -> list[Piece] | None:
    """One cell per line; a line of spaces between blank lines is an empty cell. Where blank lines
    part the cells (`_parted_by_blanks`), lines printed one under the other are one cell wrapped
    over them."""
    out: list[Piece] = []
    wrapped = _parted_by_blanks(lines)
    for i, raw in enumerate(lines):
        if not raw:
            continue
        s = raw.strip(_BLANK)
        if not s:
            prev_blank = i == 0 or not lines[i - 1]
            next_blank = i + 1 >= len(lines) or not lines[i + 1]
            if prev_blank and next_blank and out:
                out.append(Piece("", i + 1))
            continue
        if (
            wrapped
            and out
            and out[-1].text
            and i > 0
            and lines[i - 1].strip(_BLANK)
            and _after_blank(lines, out[-1])
        ):
            out[-1].text += "\n" + s  # the cell goes on on this line, as a grid reader gives it
            continue
        out.append(Piece(s, i + 1))
    return out


def _after_blank(lines: list[str], cell: Piece) -> bool:
    """Whether a cell opens after a blank line, as the cells that blank lines part do (lines one
    under the other before the first blank line are the page's paragraphs: its title, its project
    lines)."""
    return cell.line >= 2 and not lines[cell.line - 2].strip(_BLANK)


def _parted_by_blanks(lines: list[str]) -> bool:
    """Whether blank lines part the cells: most printed lines are followed by a blank line. A label
    written down a narrow cell (`绩` / `效` / `指` / `标`, `一级` / `指标`) is one printed cell: its
    short lines followed by another line of it are not counted."""
    printed = len(lines) - lines.count("")
    if printed < 8:
        return False
    text = "\n".join(lines)
    parted = len(_BEFORE_BLANK.findall(text))
    if parted >= 0.8 * printed:
        return True
    return parted >= 0.4 * printed and parted >= 0.8 * (printed - len(_DOWN_LINE.findall(text)))


# a line of one or two characters with another line right under it: part of a label written down
_DOWN_LINE = re.compile(r"^\S{1,2}\n(?=.)", re.M)


# -- run-together: the vocabulary that splits cells printed with no separator ------------------------


@lru_cache(maxsize=1)
def _kv_vocab() -> re.Pattern[str]:
    """The project-block labels (`vocab.KV_LABELS`, the shared block-label vocabulary, and the
    money-source labels its grammar names, `vocab.SOURCE_LABELS`)."""
    labels = {lab for labs in vocab.KV_LABELS.values() for lab in labs if len(lab) >= 4}
    labels |= {lab for lab in vocab.SOURCE_LABELS if len(lab) >= 4}
    alt = "|".join(re.escape(lab).replace(":", "[:：]?") for lab in sorted(labels, key=len, reverse=True))
    return re.compile(f"(?:{alt})[:：]?")


@dataclass(slots=True, frozen=True)
class _Word:
    """A vocabulary word found in run-together text: a header word, a level label or a block label."""

    a: int
    b: int
    text: str
    kind: str  # "header", "level", "kv"

    def start(self) -> int:
        return self.a

    def end(self) -> int:
        return self.b

    def group(self, _k: int = 0) -> str:
        return self.text


# where a level label may end: 指标 or 值, with the points printed after it (`成本指标(0-20)分`)
_LEVEL_END = re.compile(r"(?:指标|值)(?:[ \u3000]?[(（]\d+(?:\.\d+)?(?:[-~～]\d+(?:\.\d+)?)?分?[)）]分?)?")


def _level_words(s: str) -> list[_Word]:
    """Level labels in run-together text, by the shared recogniser (`vocab.is_level1/2`): at every
    `指标`/`值`, the longest text ending there that is a level label (`实施效果指标`, not `效果指标`)."""
    return list(_level_words_of(s))


@lru_cache(maxsize=16384)
def _level_words_of(s: str) -> tuple[_Word, ...]:
    out: list[_Word] = []
    last = 0
    for m in _LEVEL_END.finditer(s):
        core = m.start() + (2 if s.startswith("指标", m.start()) else 1)
        for st in range(max(last, core - 20), core - 1):
            hit = next((e for e in (m.end(), core) if level_kind(s[st:e])), 0)
            if hit:
                out.append(_Word(st, hit, s[st:hit], "level"))
                last = hit
                break
    # a level 2 printed without 指标 right after its level 1 (满意度指标 服务对象满意度 …)
    more: list[_Word] = []
    for w in out:
        if level_kind(w.text) & 1 and not any(x.a == w.b for x in out):
            top = min(12, len(s) - w.b)
            k = next((k for k in range(top, 3, -1) if level_kind(s[w.b : w.b + k] + "指标") & 2), 0)
            if k:
                more.append(_Word(w.b, w.b + k, s[w.b : w.b + k], "level"))
    return tuple(sorted(out + more, key=lambda w: w.a) if more else out)


# how a header word ends (the endings of the shared header vocabulary's words)
_HEADER_END = re.compile(
    r"(?:指标|级|值|名称|内容|依据|性质|单位|方向性?|权重|分值|分数|描述|解释|说明|定义|标准|备注|"
    r"预期|实际|目标|计划|预计|数|[)）])$"
)
_HEADER_HINT = re.compile(r"[一二三]级|指标名称|指标内容|指标值|目标值")


def _header_word(w: str) -> int | None:
    kind, sc = header_field(w)
    if kind is None or (len(w) == 2 and sc < 1.0 and kind != OTHER) or not _HEADER_END.search(w):
        return None
    return kind


def _two_words(w: str, kind: int) -> bool:
    """Whether a text the header vocabulary names (its patterns match a word's start) is two header
    words of different columns printed together."""
    for k in range(2, len(w) - 1):
        if _header_word(w[:k]) is not None:
            second = _header_word(w[k:])
            if second is not None and second != kind:
                return True
    return False


def _header_words(s: str) -> list[_Word]:
    """A header run together (`一级指标二级指标三级指标2023年目标值`, alone or inside a longer line),
    cut into the words the shared header vocabulary names (`header_field`) with the fewest unnamed
    gaps (a dynamic programme over the stretch around the header's hint words); the longest run of
    adjacent words, [] unless they make an indicator header."""
    return list(_header_words_of(s))


@lru_cache(maxsize=8192)
def _header_words_of(s: str) -> tuple[_Word, ...]:
    # a header is printed once per table: the same line recurs in a document and across documents
    run = _header_run(s)
    if len(run) < 3 or not is_header([header_kind(w.text) for w in run]):
        return ()
    return run


@lru_cache(maxsize=4096)
def _header_run(s: str) -> tuple[_Word, ...]:
    """The longest run of adjacent header words in a line (two hint words or more), best cut."""
    hints = list(_HEADER_HINT.finditer(s))
    if len(hints) < 2:
        return ()
    lo = max(0, hints[0].start() - 6)
    hi = min(len(s), hints[-1].end() + 16)
    t = s[lo:hi]
    n = len(t)
    neg = float("-inf")
    best = [neg] * (n + 1)
    back: list[tuple[int, bool]] = [(0, False)] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        if best[i] == neg:
            continue
        if best[i] > best[i + 1]:
            best[i + 1], back[i + 1] = best[i], (i, False)  # a character of no word
        for j in range(i + 2, min(n, i + 8) + 1):
            w = t[i:j]
            if not _HEADER_END.search(w):
                continue
            kind, sc = header_field(w)
            if kind is None or (j - i == 2 and sc < 1.0 and kind != OTHER) or _level_words_of(w):
                continue
            if _two_words(w, kind):
                continue  # two header words of different columns (二级指标指标内容, 分值年度指标值)
            # the text the words name, weighed by how surely; fewer words where it ties
            v = best[i] + sc * (j - i) - 0.01 + (0.005 if w.endswith("指标") else 0.0)
            if v > best[j]:
                best[j], back[j] = v, (i, True)
    words: list[_Word] = []
    j = n
    while j > 0:
        i, named = back[j]
        if named:
            words.append(_Word(lo + i, lo + j, t[i:j], "header"))
        j = i
    words.reverse()
    # the longest run of adjacent words: the header as printed
    runs: list[list[_Word]] = []
    for word in words:
        if runs and runs[-1][-1].b == word.a:
            runs[-1].append(word)
        else:
            runs.append([word])
    longest: list[_Word] = max(runs, key=lambda r: len(r)) if runs else []
    return tuple(longest)


def _run_words(s: str) -> list[_Word]:
    """Every vocabulary word of a run-together line, left to right, not overlapping (a header's
    words first, then level labels, then block labels)."""
    return list(_run_words_of(s))


@lru_cache(maxsize=16384)
def _run_words_of(s: str) -> tuple[_Word, ...]:
    words = _header_words(s)
    taken = [(w.a, w.b) for w in words]
    for w in _level_words(s):
        if not any(w.a < b and a < w.b for a, b in taken):
            words.append(w)
            taken.append((w.a, w.b))
    for m in _kv_vocab().finditer(s):
        if not any(m.start() < b and a < m.end() for a, b in taken):
            words.append(_Word(m.start(), m.end(), m.group(0), "kv"))
    words.sort(key=lambda w: w.a)
    return tuple(words)


# a qualitative value at the end of run-together text: a change verb with its short object
# (提高, 持续提升, 增加岗位), an adverb of time (长期, 长远) or a judgement (达标, 良好)
_QUALITATIVE_TAIL = re.compile(
    r"(?:(?:稳步|逐步|持续|明显|有所|大幅|显著|进一步)?"
    r"(?:提高|提升|改善|增加|增强|减少|降低|下降|保持|促进|加强)[\u4e00-\u9fff]{0,2}"
    r"|(?:建立|不断|逐步|持续|进一步|日趋|更加)(?:健全|完善)"
    r"|长远|长期|持久|有效|达标|合格|良好|优良|明显|显著|稳定|及时|按时)$"
)
_VALUE_TAIL = re.compile(
    r"(?:[≥≤><=＞＜＝﹦]=?|不低于|不少于|不高于|不超过|大于|小于|达到|约)?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*"
    r"(?:%|％|‰|百分比|[\u4e00-\u9fffA-Za-z/]{0,5}|[^\W\d_]{0,4}/[^\W\d_]{1,3}[·・•][^\W\d_]{1,2})$"
)  # a unit may divide by a product (元/公里·年), as `pdftext._V_NUM` reads it


# a date or a period printed before the number the value grammar found: a range's start (`2022年3月-`,
# `2023.01-`), the year before a month (`2024年` + `10月`), the month before a day
_RANGE_HEAD = re.compile(r"\d+(?:[.年月日号]\d*)*\s*[-~～至—－]\s*$")
_YEAR_HEAD = re.compile(r"\d{4}年$")
_MONTH_HEAD = re.compile(r"\d{4}年\d{1,2}月$")
_MONTH = re.compile(r"\d{1,2}月")
_DAY = re.compile(r"\d{1,2}[日号]")
# a property and a value that repeats its word: `规范性` + `规范`, `准确性` + `准确无误`
_PROPERTY_VALUE = re.compile(r"([\u4e00-\u9fff]{2})[性度]\1[\u4e00-\u9fff]{0,4}$")


_CJK = re.compile(r"[\u4e00-\u9fff]+")
_DIGIT = re.compile(r"\d")


# (the helpers below test characters in code: a pattern over the CJK range costs milliseconds to compile)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


_RULE_WORD = re.compile("(?:严格)?(?:按照|参照|依照|依据)")
_MEASURE_WORDS = ("率", "情况")  # what a measure's name ends in, a rule never holds


def _rule_start(text: str) -> int:
    """Where a cost's rule printed as its value starts (`参照政府采购成本控制`, `严格按照预算标准…`)
    after a short name of four to ten characters; 0 when none. A rule is no measure: a rule word
    before a rate or a state (`资金支付按照合同执行率`, `…执行情况`) is the name's own."""
    m = _RULE_WORD.search(text, 4, 14)
    if m is None or m.start() > 10 or not _CJK.fullmatch(text, 0, m.start()):
        return 0
    if any(word in text[m.end() :] for word in _MEASURE_WORDS):
        return 0
    rest = text[m.end() : m.end() + 2]
    return m.start() if len(rest) == 2 and _is_cjk(rest[0]) and _is_cjk(rest[1]) else 0


_NATURE_CHARS = "、/"
# 定 ending a word before 性 (稳定性, 认定性), and 性 opening a word after 定 (定性质, 定性能)
_DING_WORDS = "稳鉴决确规特指固限认审法约判肯否界核测评裁制设选假"
_XING_WORDS = "质能别格状"


def _nature_start(text: str) -> int:
    """Where a value printed with its nature starts (`定性高中低`); not a property's 定性 (稳定性,
    确定性); 0 when none."""
    at = text.rfind("定性")
    if at < 2 or text[at - 1] in _DING_WORDS or text[at + 2 : at + 3] in _XING_WORDS:
        return 0
    tail = text[at + 2 :]
    return at if 1 <= len(tail) <= 6 and all(_is_cjk(ch) or ch in _NATURE_CHARS for ch in tail) else 0


def _boolean_start(text: str) -> int:
    """Where the grammar's boolean ending a name starts (`…需求是`; not `与否`, `是否`), or 无 (nothing
    to report; not `有无`); 0 when none."""
    if len(text) < 2 or not _is_cjk(text[-2]):
        return 0
    last, before = text[-1], text[-2]
    if (last in "是否" and before not in "与是或可") or (last == "无" and before not in "有或与毫全"):
        return len(text) - 1
    return 0


_BENEFITS = ("经济效益", "社会效益", "生态效益", "环境效益")
_FULL_STOPS = "。；;！!"


def _subject_start(text: str, start: int) -> int:
    """Where the subject of a judgement at `start` starts: the row's benefit category (经济效益良好)
    or what follows a full stop (。效果良好); `start` when none."""
    head = text[:start]
    if head.endswith(_BENEFITS):
        return start - 4
    k = max(head.rfind(c, 0, start) for c in _FULL_STOPS)
    if k >= 0 and 1 <= start - k - 1 <= 4 and _CJK.fullmatch(text, k + 1, start):
        return k + 1
    return start


_NUMERALS = "一二三四五六七八九十百千万第"


def _ocr_equals(text: str, start: int) -> bool:
    """Whether the character before a number at `start` is OCR's `=` read as 二 (no numeral stands
    before Arabic digits)."""
    return (
        start >= 2
        and text[start - 1] == "二"
        and _is_cjk(text[start - 2])
        and text[start - 2] not in _NUMERALS
    )


# where a name ends (a repeated value may open a character before its repeated words)
_NAME_END = re.compile(r"(?:情况|率|度|性)$")


def _repeated_tail(text: str) -> int:
    """Where a value that repeats the name's own words starts: the longest ending of two to four
    characters that the name (four or more characters) printed before; 0 when none. Only a short
    name of words (no numbers): a sentence repeats its words for other reasons."""
    if len(text) > 24 or _DIGIT.search(text):
        return 0
    for n in (4, 3, 2):
        at = len(text) - n
        if at >= 4 and _CJK.fullmatch(text[at:]) and text[at:] in text[:at]:
            if at >= 6 and _NAME_END.search(text, 0, at - 1) and not _NAME_END.search(text, 0, at):
                return at - 1  # the value opens a character before its repeated words (按计划实施)
            return at
    return 0


_COMPARATOR_CHARS = "≥≤><=＞＜＝﹦"


def _printed_twice(text: str, start: int) -> int:
    """Where a value found at `start` begins when the cell prints it twice (`=44,561 44,561`:
    the same number before it, with its comparator): else `start`."""
    core = text[start:].lstrip(_COMPARATOR_CHARS)
    head = text[:start].rstrip(_BLANK)
    if len(head) == start or not head.endswith(core):
        return start  # (the copies are apart by a space: a number is no name's own ending)
    j = len(head) - len(core)
    while j > 0 and head[j - 1] in _COMPARATOR_CHARS:
        j -= 1
    return j if j >= 2 else start


def _date_start(text: str, start: int) -> int:
    """Where a value found at `start` begins once the date or period it ends is taken whole."""
    while start > 2:
        head, value = text[:start], text[start:]
        m = _RANGE_HEAD.search(head)
        if not m:
            if _YEAR_HEAD.search(head) and _MONTH.match(value):
                m = _YEAR_HEAD.search(head)
            elif _MONTH_HEAD.search(head) and _DAY.match(value):
                m = _MONTH_HEAD.search(head)
        if not m or m.start() < 2:
            return start
        start = m.start()
    return start


def _split_name_value(text: str, words: bool = True) -> list[str]:
    """`农村义务教育学校改造覆盖率100%` → [`农村义务教育学校改造覆盖率`, `100%`]."""
    m = _VALUE_TAIL.search(text)
    if m and m.start() >= 2:
        # the comparator or the number starts the value; a unit word before the number stays in the name
        start = _date_start(text, m.start()) if text[m.start()].isdigit() else m.start()
        while text[start] in _BLANK:
            start += 1
        if text[start].isdigit() and _ocr_equals(text, start):
            start -= 1  # `二100%`: `=` read as 二 by OCR
        start = _printed_twice(text, start)
        return [text[:start].rstrip(_BLANK), text[start:]]
    if not words:
        return [text]
    rule = _rule_start(text)
    if rule:
        return [text[:rule], text[rule:]]  # a cost's rule (参照…, 严格按照…)
    half = len(text) // 2
    if half >= 2 and text[:half] == text[half:]:
        return [text[:half], text[half:]]  # one cell printed twice (a description and a value alike)
    p = _PROPERTY_VALUE.search(text)
    if p and p.start() >= 2:
        return [text[: p.start() + 3], text[p.start() + 3 :]]
    nature = _nature_start(text)
    if nature:
        return [text[:nature], text[nature:]]
    r = _repeated_tail(text)
    if r:
        return [text[:r], text[r:]]
    q = _QUALITATIVE_TAIL.search(text)
    start = q.start() if q else _boolean_start(text)
    if start >= 3:
        subject = _subject_start(text, start)
        if subject >= 4:
            start = subject  # the judgement's subject (经济效益良好, 。效果良好)
        return [text[:start], text[start:]]
    return [text]


_UNIT_TAIL = re.compile(r"[^\d.]*$")


# a prior year's status printed before the target value
_STATUS = re.compile(r"(?:已|未)(?:完成|达标|实现|达到)$")
_STATUS_BEFORE = re.compile(r"(?:已|未)(?:完成|达标|实现|达到)(?=[\u4e00-\u9fff]{2,6}$)")


def _prior_status(parts: list[str]) -> list[str] | None:
    """A prior year's status cut off the name: before the value cut off already, or before a short
    text that is the value."""
    text = parts[0]
    m = _STATUS_BEFORE.search(text) if len(parts) == 1 else _STATUS.search(text)
    if not m or m.start() < 2:
        return None
    return [text[: m.start()], m.group(0), text[m.end() :] if len(parts) == 1 else parts[1]]


def _prior_value(parts: list[str], nvals: int) -> list[str]:
    """Under a header of two value columns (`上年实际值 | 本年目标值`) the name's own tail may be the
    first value: cut where it starts with the second's comparator or ends in its unit, or where it
    is a status (已完成); a status before a short text marks the target value too."""
    if nvals < 2 or len(parts) > 2:
        return parts
    status = _prior_status(parts)
    if status or len(parts) < 2:
        return status or parts
    more = _split_name_value(parts[0], words=False)
    return [*more, parts[1]] if len(more) == 2 and _same_kind(more[1], parts[1]) else parts


def _same_kind(first: str, second: str) -> bool:
    """Whether two values are printed alike: the same comparator or the same unit."""
    if not first[0].isdigit() and first[0] == second[0]:
        return True
    unit = _UNIT_TAIL.search(second)
    return bool(unit and unit.group(0)) and first.endswith(unit.group(0) if unit else "")


# a description printed between the name and the value (`三级指标 | 指标解释 | 指标值`): a number with
# its bracketed basis (`100%(计划标准)`), or a text opening as descriptions open (反映…)
_DESC_NUMBER = re.compile(
    r"(?<![A-Za-z.\d])(?:[≥≤><=＞＜＝﹦]=?)?\d+(?:\.\d+)?(?:%|％|‰|[\u4e00-\u9fff]{0,3})"
    r"(?:[(（][^()（）]{1,10}[)）])?$"
)
_DESC_OPEN = re.compile(r"(?<=.)反映")


def _description(parts: list[str]) -> list[str]:
    """The name's tail cut off as the description column printed before the value."""
    if len(parts) != 2:
        return parts
    text = parts[0]
    m = _DESC_NUMBER.search(text)
    if m and m.start() >= 2:
        start = _date_start(text, m.start()) if text[m.start()].isdigit() else m.start()
        return [text[:start], text[start:], parts[1]]
    d = _DESC_OPEN.search(text)
    return [text[: d.start()], text[d.start() :], parts[1]] if d else parts


@dataclass(slots=True)
class _RunState:
    """What `run_together` has made of the lines so far."""

    out: list[Piece]
    values: list[tuple[int, tuple]]  # value pieces (index in out) under the last header, with its shape
    splits: int = 0  # lines cut into several cells
    prev_block: bool = False  # the line before was a key–value block run together
    shape: tuple[int, bool] = (0, False)  # the last header's value columns, whether a column follows
    desc: bool = False  # the last header prints a column between the name and the first value
    header: bool = False  # a header has been seen
    open_name: bool = False  # the line before ended a row on its name, without a value
    weight: bool = False  # the last header prints a weight (分值/权重) right after the value
    upper: list[str] | None = None  # the header words of the line before, where it printed only them

    def bare_level2(self, s: str) -> list[_Word]:
        """A level-2 label without 指标 opening a line of a table (`_bare_level2`)."""
        return _bare_level2(s) if self.header else []

    def note_header(self, head: list[int | None]) -> None:
        """The value columns of a header run together, whether a column follows them and whether
        one stands between the name and the first."""
        self.header = True
        last = max(c for c, k in enumerate(head) if k == VALUE) if VALUE in head else len(head)
        self.weight = last + 1 < len(head) and head[last + 1] == WEIGHT
        # the weight is cut off the row apart (`_weight_off`): a column after the values is one after it
        self.shape = (head.count(VALUE), last + self.weight < len(head) - 1)
        first = head.index(VALUE) if VALUE in head else 0
        self.desc = first > 1 and head[first - 1] == OTHER and NAME in head[:first]

    def tail(self, parts: list[str]) -> list[str]:
        """A row's name and value cut further by the header's columns between and before them."""
        return _description(parts) if self.desc else _prior_value(parts, self.shape[0])


def run_together(lines: list[str]) -> list[Piece] | None:
    """Cells printed with no separator, split at the vocabulary (level labels and header words
    anywhere, project-block labels where they open the line and another label follows); the text
    between two labels is a name and its value, split where the value grammar starts."""
    st = _RunState([], [])
    for i, raw in enumerate(lines):
        s = raw.strip(_BLANK)
        if not s:
            if raw and (i == 0 or not lines[i - 1]) and (i + 1 >= len(lines) or not lines[i + 1]) and st.out:
                st.out.append(Piece("", i + 1))  # a line of spaces between blank lines: an empty cell
            continue
        if " " in s:
            s = unspace_levels(s)
        if _BLANK_CHAR.search(s) and not (st.header and (_opens_with_level(s) or _blank_in_value(s))):
            st.out.append(Piece(s, i + 1))  # cells separated by spaces are the `spaces` strategy's
            continue
        s, matches, title = _line_words(s, st)
        if st.upper and not matches:  # the upper row of a two-row header: its cells
            st.out.extend(Piece(c, i + 1, ROW if k == 0 else FREE, k, False) for k, c in enumerate(st.upper))
            continue
        matches = matches or st.bare_level2(s)
        if (
            _TITLE.search(norm_key(s))
            or not matches
            or (len(matches) == 1 and matches[0].start() == 0 and matches[0].kind != "level")
        ):
            _uncut_line(s, i + 1, matches, st)
        else:
            _cut_line(s, i + 1, matches, title, st)
    if st.splits < 1:
        return None
    return _split_values(st.out, st.values)


def _opens_with_level(s: str) -> bool:
    """Whether a line opens with a level label (a table's row, whatever spaces it prints inside)."""
    words = _run_words(s)
    return bool(words) and words[0].a == 0 and words[0].kind == "level"


def _blank_in_value(s: str) -> bool:
    """Whether a line is a name and a value whose only spaces are inside the value (a value printed
    twice, `=44,561 44,561`) or inside brackets (a placeholder, `( ≥**个 )`): one row run together,
    not cells apart by spaces."""
    parts = _split_name_value(s, words=False)
    if len(parts) != 2:
        return False
    name = _BRACKET_GROUP.sub("", parts[0]) if _BRACKET_CHAR.search(parts[0]) else parts[0]
    return not _BLANK_CHAR.search(name) and (name != parts[0] or bool(_BLANK_CHAR.search(parts[1])))


_BRACKET_GROUP = re.compile(r"[(（][^()（）]*[)）]")


def _upper_row(s: str) -> list[str] | None:
    """A line of header words that is no header itself, as the upper row of a two-row header may
    be (`绩效指标指标值指标值确定依据`): its cells, the text before the words a block label."""
    run = _header_run(s) if len(s) <= 40 else ()
    if not run or run[-1].b != len(s):
        return None
    gap = s[: run[0].a].strip(_BLANK)
    if gap and not is_upper_header_cell(gap):
        return None
    return [gap, *(w.text for w in run)] if gap else [w.text for w in run]


def _head_kinds(s: str, found: list[_Word], texts: list[str], st: _RunState) -> list[int | None]:
    """The column kinds of a header line run together, merged with the line before where the
    header is printed over two rows (`merge_header_rows`: 绩效指标指标值指标值确定依据 above
    一级指标二级指标三级指标2023年实际值2024年目标值)."""
    upper, st.upper = st.upper, None
    if len(texts) == len(found):
        gap = s[: found[0].start()].strip(_BLANK)
        if not gap or is_upper_header_cell(gap):
            st.upper = [gap, *texts] if gap else texts
    merged = merge_header_rows(upper, texts) if upper else None
    return [header_kind(t) for t in merged or texts]


def _line_words(s: str, st: _RunState) -> tuple[str, list[_Word], re.Match[str] | None]:
    """The line (OCR specks inside a block's labels removed), the vocabulary words that cut it and
    the table title printed before a key–value block; notes a header's shape and a block."""
    found = _run_words(s)
    texts = [m.text for m in found if m.kind == "header"]
    if texts:
        st.note_header(_head_kinds(s, found, texts, st))
    else:
        st.upper = _upper_row(s) if st.header or len(s) <= 40 else None
    kv = [m for m in found if m.kind == "kv"]
    if len(kv) >= 3 and _OCR_STAR.search(s):
        s = _OCR_STAR.sub("", s)  # OCR specks inside a label (一*级项目名称) in a key–value block
        found = _run_words(s)
        kv = [m for m in found if m.kind == "kv"]
    # a key–value block run together: every project-block label splits (three or more of them)
    block = len(kv) >= 3 or (st.prev_block and len(kv) >= 1)
    st.prev_block = block
    block = block or _money_pair(s, kv)
    title = _TITLE_PREFIX.match(s) if block else None
    if title:
        found = [m for m in found if m.start() >= title.end()]
    return s, [m for m in found if block or m.kind != "kv" or m.start() == 0], title


_UNIT_GAP = re.compile(r"^[\u4e00-\u9fff]{0,4}[(（][^()（）]{1,4}[)）]$")
_AMOUNT = re.compile(r"^\d[\d,]*(?:\.\d+)?$")


def _money_pair(s: str, kv: list[_Word]) -> bool:
    """A money row of a block: a label with its unit, a sub-label and the amount
    (`年度预算安排（万元）资金总额704`)."""
    if len(kv) != 2 or kv[0].a != 0:
        return False
    return bool(_UNIT_GAP.match(s[kv[0].b : kv[1].a]) and _AMOUNT.match(s[kv[1].b :]))


def _bare_level2(s: str) -> list[_Word]:
    """A level-2 label printed without 指标 (`社会效益`) opening a line that no vocabulary word cuts,
    where the rest is a name and its value."""
    for k in range(min(8, len(s) - 4), 3, -1):
        if level_kind(s[:k] + "指标") & 2 and len(_split_name_value(s[k:])) > 1:
            return [_Word(0, k, s[:k], "level")]
    return []


# a weight printed right after the value, run together with it (`≥15项10`, `=100%5`): after a
# unit, a sign or a bracket, never inside a number
_WEIGHT_TAIL = re.compile(r"(?<=[^\d.,\s+-])\d{1,3}(?:\.\d{1,2})?$")


def _weight_off(text: str) -> tuple[str, str]:
    """A row's text without the weight run together after its value, and that weight ('' none)."""
    m = _WEIGHT_TAIL.search(text) if text and text[-1].isdigit() else None
    if m is None or m.start() < 3:
        return text, ""
    return text[: m.start()], m.group(0)


def _uncut_line(s: str, no: int, matches: list[_Word], st: _RunState) -> None:
    """A line no vocabulary word cuts: a short one may still be a name and its value (by the words
    of the value too where it is a row of a table, short as rows without their levels are)."""
    # (not after a row left without its value: the line goes on with its name, wrapped)
    words = st.header and not st.open_name and len(s) <= 24 and not _TITLE.search(norm_key(s))
    st.open_name = False
    weight = ""
    if st.header and len(matches) == 1 and matches[0].kind == "kv" and len(s) <= 40:
        # a name that opens with a block label's words (财政资金到位率=100%), not the label's value
        parts = _split_name_value(s, words=False)
        if len(parts) < 2 or len(parts[0]) < matches[0].b + 2:
            parts = [s]
    else:
        text, weight = _weight_off(s) if st.weight and st.header and not matches else (s, "")
        parts = _split_name_value(text, words=words) if len(s) <= 40 and not matches else [s]
    parts = st.tail(parts)
    if len(parts) > 1:
        st.splits += 1
        st.values.append((len(st.out) + len(parts) - 1, st.shape))
        if weight:
            parts.append(weight)
        st.out.extend(Piece(c, no, ROW if k == 0 else FREE, k, False) for k, c in enumerate(parts))
        return
    if st.shape[1] and not matches and len(s) <= 60:
        st.values.append((len(st.out), (st.shape[0], True, True)))  # a row without levels, uncut
    st.out.append(Piece(s, no))


def _cut_line(s: str, no: int, matches: list[_Word], title: re.Match[str] | None, st: _RunState) -> None:
    """A line cut at its vocabulary words; the text after the last level label is a name and its
    value."""
    cells, pos, after_level = _cells_at_words(s, matches, title)
    rest = s[pos:].strip(_BLANK)
    st.open_name = False
    rest, weight = _weight_off(rest) if st.weight and after_level else (rest, "")
    if rest:
        tail = st.tail(_split_name_value(rest)) if after_level else [rest]
        st.open_name = after_level and len(tail) == 1
        cells.extend(tail)
        if len(tail) > 1 and len(cells) > 1:
            st.values.append((len(st.out) + len(cells) - 1, st.shape))
        elif after_level and st.shape[1] and len(cells) > 1:
            # the name and its value uncut
            st.values.append((len(st.out) + len(cells) - 1, (st.shape[0], True, True)))
    if weight:
        cells.append(weight)
    if len(cells) > 1:
        st.splits += 1
        st.out.extend(Piece(c, no, ROW if k == 0 else FREE, k, False) for k, c in enumerate(cells))
    else:
        st.out.append(Piece(cells[0] if cells else s, no))


def _cells_at_words(s: str, matches: list[_Word], title: re.Match[str] | None) -> tuple[list[str], int, bool]:
    """The cells up to the last vocabulary word, where it ends, and whether it is a level label."""
    cells: list[str] = []
    pos = 0
    after_label = ""
    after_level = False
    if title:
        cells.append(title.group(1))  # the table's title printed before its first label
        pos = title.end()
    for m in matches:
        if m.start() < pos:
            continue
        word = m.group(0)
        gap = s[pos : m.start()].strip(_BLANK)
        if after_label and not gap and after_level and not vocab.is_level1(after_label):
            continue  # a name may start with a label's words (服务对象满意度 / 服务对象满意度%)
        if gap:
            cells.extend(_split_name_value(gap) if after_level else [gap])
        cells.append(word)
        pos = m.end()
        after_label = word
        after_level = m.kind == "level"
    return cells, pos, after_level


_SECOND_VALUE = re.compile(r"(?<=[\d%‰\u4e00-\u9fff])(?=[≥≤><=＞＜＝﹦])")
_CJK_TAIL = re.compile(r"[\u4e00-\u9fff]{2,6}$")


def _split_values(out: list[Piece], values: list[tuple[int, tuple]]) -> list[Piece]:
    """Values run together with the columns the header prints after them: a second value column
    (`≥1.1亿尾≥1.2亿尾` under `2022年实际 | 2023年目标`) is cut at its comparator; a column after
    the values (绩效标准, 指标值确定依据) is cut at the ending its cells repeat down the table
    (`≥42个计划标准`, `≥5%历史标准`: the longest ending that two rows or more print)."""
    todo = [(k, sh) for k, sh in values if sh[0] >= 2 or sh[1]]
    if not todo:
        return out
    ends = _value_endings(out, todo)
    lengths = [len(e) for e in ends.values() if e]
    modal = max(set(lengths), key=lengths.count) if lengths else 0
    cut: dict[int, list[str]] = {}
    for k, sh in todo:
        parts = _cut_value(out[k].text, sh, ends.get(k, ""), modal)
        if len(parts) > 1:
            cut[k] = parts
    if not cut:
        return out
    res: list[Piece] = []
    for k, p in enumerate(out):
        if k in cut:
            alone = p.alone and len(cut[k]) == 1
            res.extend(
                Piece(t, p.line, p.brk if j == 0 else FREE, p.col + j, alone) for j, t in enumerate(cut[k])
            )
        else:
            res.append(p)
    return res


def _value_endings(out: list[Piece], todo: list[tuple[int, tuple]]) -> dict[int, str]:
    """For each value piece followed by a column: the longest ending of its CJK tail that two
    value pieces or more print ('' when none)."""
    counts: dict[str, int] = {}
    for k, sh in todo:
        if sh[1]:
            m = _CJK_TAIL.search(out[k].text)
            if m:
                t = m.group(0)
                for n in range(2, len(t) + 1):
                    counts[t[-n:]] = counts.get(t[-n:], 0) + 1
    ends: dict[int, str] = {}
    for k, sh in todo:
        m = _CJK_TAIL.search(out[k].text) if sh[1] else None
        if m:
            t = m.group(0)
            ends[k] = next((t[-n:] for n in range(len(t), 1, -1) if counts.get(t[-n:], 0) >= 2), "")
    return ends


def _cut_value(text: str, sh: tuple, end: str, modal: int) -> list[str]:
    """One value piece cut into its columns: the ending column off, a second value at its
    comparator, a whole row's name and value apart."""
    nvals, after = sh[0], sh[1]
    parts = [text]
    # an ending two rows or more print: the row is the table's, a qualitative value may be cut
    sure = bool(end)
    if after:
        if end and len(end) < modal:
            tail = _CJK_TAIL.search(text)
            if tail and len(tail.group(0)) >= modal:
                end = tail.group(0)[-modal:]  # an ending printed once, as long as the others (行业标准)
        head = text[: -len(end)] if end else ""
        whole = len(sh) > 2
        if head and (len(_split_name_value(head, words=sure)) > 1 if whole else value_score(head) >= 3):
            parts = [head, end]
    if len(sh) > 2 and nvals >= 2 and len(parts) > 1:
        # a whole row under two value columns: the name and the target apart, then the prior value
        # off the name's tail (`_prior_value`)
        return [*_prior_value(_split_name_value(parts[0], words=sure), nvals), *parts[1:]]
    if nvals >= 2:
        m2 = _SECOND_VALUE.search(parts[0], 1)
        if m2 and any(ch.isdigit() for ch in parts[0][: m2.start()]):
            parts = [parts[0][: m2.start()], parts[0][m2.start() :], *parts[1:]]
    if len(sh) > 2:  # a whole row: the name and its value cut once the ending is off
        parts = [*_split_name_value(parts[0], words=sure), *parts[1:]] if len(parts) > 1 else parts
    return parts


_OCR_STAR = re.compile(r"(?<=[\u4e00-\u9fff])\*(?=[\u4e00-\u9fff])")
_TITLE_PREFIX = re.compile(
    r"^(.{4,40}?(?:绩效目标|目标|申报|批复|审批)表\s*(?:[(（]\s*\d{4}\s*年度?\s*[)）])?)"
)


# strategies whose separator also occurs in running text: outside a table a line stays text
_PROSE_SEPARATORS = frozenset({"spaces", "space-runs", "run-together"})
# strategies that cut at separators cells do not print (`|`, line breaks): when nearly all their
# rows are whole (a name and a value each, nothing misplaced) no later cut reads the tables better
_WHOLE_CUTS = frozenset({"pipes", "cell-lines"})

STRATEGIES: dict[str, Strategy] = {
    "pipes": pipes,
    "spaces": spaces,
    "space-runs": space_runs,
    "cell-lines": cell_lines,
    "run-together": run_together,
}


_SPACED = re.compile(r"\S \S \S")


def unspace_levels(s: str) -> str:
    """A line with its level labels printed with a space between the characters (`产 出 指 标`,
    as a PDF spreads a label over its cell) written without them; the rest as printed."""
    if _SPACED.search(s) is None:
        return s
    parts: list[str] = []
    last = 0
    n = len(s)
    k = s.find(" ")
    while k != -1:
        i = j = k - 1
        while j + 2 < n and s[j + 1] == " " and s[j + 2] != " ":
            j += 2
        if i >= last and s[i] != " ":
            # the longest spaced run from i that is a level label (`满 意 度 指 标 服务…`)
            j = next((e for e in range(j, i + 3, -2) if level_kind(s[i : e + 1 : 2])), i)
            if j > i:
                parts += (s[last:i], s[i : j + 1 : 2])
                last = j + 1
        k = s.find(" ", max(k + 1, last))
    return "".join(parts) + s[last:] if parts else s


# -- recognisers ---------------------------------------------------------------------------------

_BRACKETS = re.compile(r"\([^()]{0,24}\)")


@lru_cache(maxsize=32768)
def level_kind(text: str) -> int:
    """1 for a level-1 label, 2 for a level-2 label, 3 for one that can be either (成本指标,
    满意度指标), 0 otherwise."""
    if not text or len(text) > 40:
        return 0
    k = (1 if vocab.is_level1(text) else 0) | (2 if vocab.is_level2(text) else 0)
    return k


# header column kinds
L1, L2, NAME, VALUE, NATURE, DIRECTION, UNIT, WEIGHT, MONEY, OTHER, ORG, PROJECT = range(12)
# the shared header vocabulary's fields (`jixiao.ingest.header`) → the kinds the assembler fits;
# the project columns of a flat sheet (项目名称, 预算数 …) are block columns (`_block_kind`)
_FIELD_KIND = {
    "level1": L1,
    "level2": L2,
    "name": NAME,
    "value": VALUE,
    "nature": NATURE,
    "direction": DIRECTION,
    "measure_unit": UNIT,
    "weight": WEIGHT,
    "description": OTHER,
    "basis": OTHER,
    "remark": OTHER,
}
# a column group printed alone (`2023年预期`, `上年实际`): that group's value column
_GROUP_VALUE = re.compile(r"^(\d{4}年?度?|[上去前本当今]年度?)(实际|预期|预计|目标|计划)(值|数)?$")
# columns of the related forms (self-evaluation, monitoring) beside the indicator columns
_RELATED = re.compile(
    "|".join(re.escape(m) for m in (*vocab.SELF_EVAL_MARKS, *vocab.MONITOR_MARKS, "实际", "完成值", "原因"))
)


@lru_cache(maxsize=16384)
def header_field(text: str) -> tuple[int | None, float]:
    """The kind of indicator column a header cell names and how surely (None when it names none):
    the shared header vocabulary (`jixiao.ingest.header`, year and period groups included) decides."""
    s = norm_key(text)
    if not s or len(s) > 24:
        return None, 0.0
    _grp, scores = cell_scores(s)
    for fld, sc in scores:
        kind = _FIELD_KIND.get(fld)
        if kind is not None:
            return kind, sc
        if fld in ("project", "unit", "budget", "goal", "project_code"):
            return None, 0.0
    if _GROUP_VALUE.match(vocab.ascii_punct(s)):
        return VALUE, 0.8
    if len(s) <= 16 and _RELATED.search(s):
        return OTHER, 0.5
    return None, 0.0


@lru_cache(maxsize=65536)
def header_kind(text: str) -> int | None:
    """The kind of indicator column a header cell names, or None."""
    return header_field(text)[0]


def _resolve_kinds(texts: list[str]) -> list[int | None]:
    """Kinds of a header's cells, a level or name column named twice kept where it is named best
    (`指标` beside `三级指标`: the latter is the name column, the former a block label)."""
    got = [header_field(t) for t in texts]
    kinds = [k for k, _ in got]
    for kind in (L1, L2, NAME, VALUE):
        at = [c for c, k in enumerate(kinds) if k == kind]
        if len(at) > 1:
            best = max(at, key=lambda c: (got[c][1], c))
            for c in at:
                if c != best and got[c][1] < got[best][1]:
                    kinds[c] = OTHER
    return kinds


def is_header(kinds: list[int | None]) -> bool:
    return _is_header_t(tuple(kinds))


@lru_cache(maxsize=4096)
def _is_header_t(kinds: tuple[int | None, ...]) -> bool:
    found = [k for k in kinds if k is not None]
    levels = sum(1 for k in found if k in (L1, L2, NAME))
    return levels >= 2 or (levels >= 1 and VALUE in found and len(found) >= 3)


_COMPARATOR = re.compile(
    r"^(≥|≤|>=|<=|>|<|=|==|＞|＜|＝|﹦|≧|≦|定性|定量|大于等于|小于等于|大于|小于|等于|正向|反向)$"
)
_DIRECTION = re.compile(r"^(正向|反向|中性)(指标)?$|^(≥|≤|>=|<=|>|<|=|﹦)$")
_WEIGHT = re.compile(r"^\d{1,3}(\.\d+)?%?$")
_AMOUNT = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+(\.\d+)?(万元|元|万)?$")


_L2_STEM = re.compile(r"^(经济效益|社会效益|生态效益|环境效益|可持续影响|服务对象满意度)$")


@lru_cache(maxsize=65536)
def fit(kind: int, text: str, has_level2: bool = True) -> float:
    """How well a cell's text fits a column of `kind` (an empty cell fits anywhere): the level,
    name and value columns weigh the level label themselves; a level label fits no other column."""
    if not text:
        return 0.0
    lk = level_kind(text)
    labelled = _FIT_LABELLED.get(kind)
    if labelled is not None:
        return labelled(text, lk, has_level2)
    if lk:
        return -3.0
    plain = _FIT_PLAIN.get(kind)
    return plain(norm_key(text)) if plain is not None else 0.3


def _fit_l1(_text: str, lk: int, _has_level2: bool) -> float:
    return {1: 4.0, 3: 3.7, 2: -1.5}.get(lk, -6.0)


def _fit_l2(text: str, lk: int, _has_level2: bool) -> float:
    if not lk and _L2_STEM.match(norm_key(text)):
        return 2.5  # a level-2 label printed without 指标 (社会效益)
    return {2: 4.0, 3: 3.5, 1: -1.0}.get(lk, -5.0)


def _fit_name(text: str, lk: int, has_level2: bool) -> float:
    if lk:
        return 3.0 if (not has_level2 and lk & 2) else -3.0
    return -1.5 if value_score(text) >= 5 else 1.5


def _fit_value(text: str, lk: int, _has_level2: bool) -> float:
    if lk:
        return -4.0
    v = value_score(text)
    return 3.0 if v >= 5 else 2.0 if v >= 3 else 0.5 if v >= 0 else -1.0 if len(text) <= 30 else -2.0


def _fit_unit(s: str) -> float:
    return 1.5 if len(s) <= 6 and not any(ch.isdigit() for ch in s) else -1.5


def _fit_org(s: str) -> float:
    return 2.0 if _CODE_NAME.match(s) else -0.3  # a name without its code: the project column first


def _fit_project(s: str) -> float:
    return -1.0 if _CODE_NAME.match(s) or _AMOUNT.match(s) else 0.5


# columns that weigh a level label themselves: (text, level kind, has level 2) → fit
_FIT_LABELLED: dict[int, Callable[[str, int, bool], float]] = {
    L1: _fit_l1,
    L2: _fit_l2,
    NAME: _fit_name,
    VALUE: _fit_value,
}
# the other columns, by the comparison key of a text that is no level label
_FIT_PLAIN: dict[int, Callable[[str], float]] = {
    NATURE: lambda s: 2.5 if _COMPARATOR.match(s) else -2.5,
    DIRECTION: lambda s: 2.0 if _DIRECTION.match(s) else -2.0,
    UNIT: _fit_unit,
    WEIGHT: lambda s: 1.5 if _WEIGHT.match(s) else -1.5,
    MONEY: lambda s: 1.5 if _AMOUNT.match(s) else -0.5,
    ORG: _fit_org,
    PROJECT: _fit_project,
}


# -- header and table regions ---------------------------------------------------------------------


@dataclass
class _Header:
    start: int  # index of its first piece (a leading block label included)
    end: int  # index after its last piece
    kinds: list[int]  # one per column
    texts: list[str]
    lines: list[int] | None = None  # each column's line where two printed rows were merged


def _find_header(pieces: list[Piece], at: int) -> _Header | None:
    """The next indicator header at or after piece `at`: a run of header words (consecutive pieces
    or the cells of one line), with short non-vocabulary cells before it on the same line (a block
    label such as 绩效指标 or 年度绩效目标(90分), the project columns of a flat sheet)."""
    i = at
    n = len(pieces)
    while i < n:
        if header_kind(pieces[i].text) is None:
            i += 1
            continue
        head, j = _header_at(pieces, i, at)
        if head is not None:
            return head
        i = j
    return None


def _header_at(pieces: list[Piece], i: int, lo: int) -> tuple[_Header | None, int]:
    """The header whose vocabulary run starts at piece i (block labels back to `lo` at most), and
    the index after the run."""
    n = len(pieces)
    j = i
    while j < n and header_kind(pieces[j].text) is not None:
        j += 1
    run = _resolve_kinds([p.text for p in pieces[i:j]])
    if not is_header(run):
        return None, j
    while i < j - 1 and run[0] == OTHER and pieces[i].alone and header_field(pieces[i].text)[0] != OTHER:
        i += 1  # a block label named like a weaker header word (绩效指标 wrapped to 指标)
        run = run[1:]
    start = i
    p0 = pieces[i]
    if not p0.alone and p0.col > 0:
        k = i
        while (
            k > lo
            and pieces[k - 1].line == p0.line
            and not pieces[k - 1].alone
            and len(norm_key(pieces[k - 1].text)) <= 12
        ):
            k -= 1
        if pieces[k].col == 0:
            start = k
    # header cells may continue on the same line with words outside the vocabulary
    end = j
    while (
        end < n
        and not pieces[end].alone
        and pieces[end].line == pieces[j - 1].line
        and pieces[end].brk == SAME
    ):
        end += 1
    texts = [p.text for p in pieces[start:end]]
    lines = None
    two = _two_rows(pieces, start, end, lo)
    if two is not None:
        start, texts, lines = two
    all_kinds = [OTHER if k is None else k for k in _resolve_kinds(texts)]
    for c, t in enumerate(texts):
        if all_kinds[c] == OTHER:
            all_kinds[c] = _block_kind(t)
    return _Header(start, end, all_kinds, texts, lines), j


def _row_above(pieces: list[Piece], start: int, end: int, lo: int) -> tuple[int, list[str], list[int]] | None:
    """`_two_rows` for a header printed on one line under a line of column groups."""
    k = start
    line = pieces[start - 1].line if start > lo else -1
    while k > lo and pieces[k - 1].line == line and not pieces[k - 1].alone:
        k -= 1
    if k == start or pieces[k].brk == SAME:
        return None
    merged = merge_header_rows([p.text for p in pieces[k:start]], [p.text for p in pieces[start:end]])
    return None if merged is None else (k, merged, [pieces[start].line] * len(merged))


def _two_rows(pieces: list[Piece], start: int, end: int, lo: int) -> tuple[int, list[str], list[int]] | None:
    """A header printed over two rows (column groups above their columns: `绩效指标` | `指标值` over
    一级/二级/三级): (its first piece, the merged header texts, their lines), or None. Rows by line
    where a line prints a whole row; one cell per line, the upper row ends before the level columns
    that follow a cell which is not one."""
    head = pieces[start:end]
    if head[0].line == head[-1].line:
        return _row_above(pieces, start, end, lo)
    if not all(p.alone for p in head):
        first = [p.text for p in head if p.line == head[0].line]
        if len({p.line for p in head}) != 2 or len(first) < 1:
            return None
        merged = merge_header_rows(first, [p.text for p in head[len(first) :]])
        return None if merged is None else (start, merged, [head[-1].line] * len(merged))
    k = start
    while k > max(lo, start - 8) and pieces[k - 1].alone and is_upper_header_cell(pieces[k - 1].text):
        k -= 1  # the upper row's group cells, left out of the vocabulary run (`绩效指标`, `长期绩效指标`)
    start, head = k, pieces[k:end]
    texts = [p.text for p in head]
    kinds = [header_field(t)[0] for t in texts]
    for k in range(1, len(texts)):
        if kinds[k] in (L1, L2, NAME) and kinds[k - 1] not in (L1, L2, NAME):
            merged = merge_header_rows(texts[:k], texts[k:])
            if merged is not None:
                return start, merged, [head[-1].line] * len(merged)
    return None


_MONEY_WORD = re.compile(r"预算|金额|资金")
_ORG_WORD = re.compile(r"单位|部门")
_PROJECT_WORD = re.compile(r"项目(名称)?$")


def _block_kind(text: str) -> int:
    """Columns of a flat sheet beside the indicator columns: money, the unit, the project."""
    s = norm_key(text)
    if _MONEY_WORD.search(s):
        return MONEY
    if _ORG_WORD.search(s) and len(s) <= 8:
        return ORG
    if _PROJECT_WORD.search(s) and len(s) <= 8:
        return PROJECT
    return OTHER


_CODE_NAME = re.compile(r"^[\[(]?\d{3,15}[\])]?\s*[-－]?\s*(?![年月日])[\u4e00-\u9fff]")  # not a date

_TITLE = re.compile(r"(绩效|目标|申报|批复|审批|指标|评价)[^。,;]{0,16}表(\([^()]{0,24}\))?$")
_YEAR_LINE = re.compile(r"^\(?\d{4}年度?\)?$|^\(?\d{4}年度?\)$")
_TABLE_END = re.compile(r"^(注|说明|备注|填表说明)[:]|意见|盖章|签字|签名|填表人|填报人|填报日期|^附件")
_CHAPTER = re.compile(
    r"^(\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、|第[一二三四五六七八九十]+部分)"
)


@lru_cache(maxsize=16384)
def _is_form_footer(text: str) -> bool:
    """A note, a signature or approval field, a row of check boxes: no indicator."""
    s = norm_key(text)
    return bool(_TABLE_END.search(s)) or s.count("□") >= 2


# a heading that names a project and ends in a goal label of the block vocabulary (…项目年度绩效目标)
_GOAL_HEADING = re.compile(
    "(?:" + "|".join(sorted(map(re.escape, vocab.KV_LABELS["goal"]), key=len, reverse=True)) + ")(?:情况)?$"
)


@lru_cache(maxsize=32768)
def _ends_by_text(text: str, alone: bool, not_same: bool) -> tuple[bool, int]:
    """(whether the text itself ends the table, the length of its comparison key)."""
    s = norm_key(text)
    if not s:
        return False, 0
    if _is_form_footer(text) or _CHAPTER.match(s):
        return True, len(s)
    if _TITLE.search(s) and not level_kind(text):
        return True, len(s)
    if alone and len(s) >= 8 and _GOAL_HEADING.search(s):
        return True, len(s)  # the next project's heading (…项目绩效目标, …绩效目标情况)
    if not_same and vocab.kv_field(text) in ("name", "code", "unit", "goal") and alone:
        return True, len(s)
    return False, len(s)


# -- the assembler -------------------------------------------------------------------------------

_GAP = 1.2
_GAP_KEY = 2.5
_START_LATE = 2.0
_END_NO_VALUE = 3.0
_END_LABELS = 1.0
_CONT = 0.3  # a row that goes on in the next column (every cell printed, empty ones too)


# the bonus of a piece continuing its row / opening a new one, by its hint (FREE, ROW, SAME)
_SAME_BONUS = (0.0, -1.0, 0.0)
_NEW_BONUS = (0.0, 1.0, -4.0)


@lru_cache(maxsize=32768)
def _fits(kinds: tuple[int, ...], text: str, has_level2: bool) -> tuple[float, ...]:
    """How well a text fits each column of a header (`fit`, column by column)."""
    return tuple(fit(k, text, has_level2) for k in kinds)


@dataclass(slots=True)
class _Costs:
    """The costs of a header's columns for `_assign`: skipping columns inside a row (cumulative),
    opening a row late (after the name column), ending a row early (before the value)."""

    gap: list[float]
    start: list[float]
    end: list[float]


def _column_costs(kinds: list[int]) -> _Costs:
    ncol = len(kinds)
    name_col = next((c for c, k in enumerate(kinds) if k == NAME), None)
    if name_col is None:
        name_col = next((c for c, k in enumerate(kinds) if k not in (L1, L2, OTHER, MONEY)), ncol - 1)
    value_col = next((c for c, k in enumerate(kinds) if k == VALUE), None)
    key_cols = {name_col} | ({value_col} if value_col is not None else set())
    gap_cost = [0.0] * (ncol + 1)  # cumulative cost of skipping columns 0..c-1 inside a row
    for c in range(ncol):
        gap_cost[c + 1] = gap_cost[c] + (_GAP_KEY if c in key_cols else _GAP)
    start_cost = [(-_START_LATE * (c - name_col) if c > name_col else 0.0) for c in range(ncol)]
    end_cost = []
    for c in range(ncol):
        if value_col is not None and name_col <= c < value_col:
            end_cost.append(-_END_NO_VALUE)
        elif c < name_col:
            end_cost.append(-_END_LABELS)
        else:
            end_cost.append(0.0)
    return _Costs(gap_cost, start_cost, end_cost)


_NEG = float("-inf")


def _assign(body: list[Piece], kinds: list[int]) -> list[tuple[int, bool]]:
    """Column of every piece and whether it opens a row: the best-scoring path (Viterbi).

    `prev` holds the best score of each column for the piece before (the path with that piece in
    that column); each piece's step makes the next from it and notes, per column, where the path
    comes from (`back`): the column of the piece before on the best path, plus `ncol` when the
    piece opens a row there. An impossible score is -inf and stays -inf through every sum, so no
    comparison needs a guard: a path from it never wins. (The step is inlined: it runs for every
    piece of every reading.)"""
    ncol = len(kinds)
    has_level2 = L2 in kinds
    costs = _column_costs(kinds)
    gap_cost, start_cost, end_cost = costs.gap, costs.start, costs.end
    n = len(body)
    kinds_t = tuple(kinds)
    fits_of: dict[str, tuple[float, ...]] = {}  # the same texts recur: one lookup of `_fits` each
    first = _fits(kinds_t, body[0].text, has_level2)
    prev = [first[k] + start_cost[k] for k in range(ncol)]
    back: list[list[int]] = [[ncol - 1] * ncol]  # (the first piece opens a row, from nowhere)
    cols = range(ncol)
    gap_after = gap_cost[1:]
    cont_gain = _CONT
    # the best column to end a row in after the piece before (the first such column on a tie)
    end_best = _NEG
    end_from = 0
    for a in range(ncol):
        v = prev[a] + end_cost[a]
        if v > end_best:
            end_best, end_from = v, a
    for i in range(1, n):
        p = body[i]
        fits = fits_of.get(p.text)
        if fits is None:
            fits = fits_of[p.text] = _fits(kinds_t, p.text, has_level2)
        brk = p.brk
        same_bonus = _SAME_BONUS[brk]
        base_new = end_best + _NEW_BONUS[brk]  # a new row after the best end
        new_back = end_from + ncol
        end_best = _NEG
        end_from = 0
        row = [_NEG] * ncol
        brow = [0] * ncol
        # best "same row" predecessor of column k: max over a < k of prev[a] minus the gaps
        # between a and k, i.e. max(prev[a] + gap_cost[a + 1]) - gap_cost[k]
        run_best = _NEG
        run_from = -1
        before = _NEG  # prev[k - 1]
        for k in cols:
            cand_same = run_best - gap_cost[k] + same_bonus
            cont = before + same_bonus + cont_gain
            cand_new = base_new + start_cost[k]
            if cont > cand_same:
                if cont >= cand_new:
                    here = row[k] = cont + fits[k]
                    brow[k] = k - 1
                else:
                    here = row[k] = cand_new + fits[k]
                    brow[k] = new_back
            elif cand_same >= cand_new:
                here = row[k] = cand_same + fits[k]
                brow[k] = run_from
            else:
                here = row[k] = cand_new + fits[k]
                brow[k] = new_back
            v = here + end_cost[k]
            if v > end_best:
                end_best, end_from = v, k
            before = prev[k]
            g = before + gap_after[k]
            if g > run_best:
                run_best, run_from = g, k
        back.append(brow)
        prev = row
    path: list[tuple[int, bool]] = [(0, True)] * n
    k = end_from  # max(cols, key=prev[k] + end_cost[k]): the first best
    for i in range(n - 1, 0, -1):
        b = back[i][k]
        if b >= ncol:
            path[i] = (k, True)
            k = b - ncol
        else:
            path[i] = (k, False)
            k = b
    path[0] = (k, True)
    return path


@lru_cache(maxsize=4096)
def _line_loc(line: int) -> Location:
    """The location of a line (immutable: shared by every block of the line)."""
    return Location(line=line)


@lru_cache(maxsize=4096)
def _cell_locs(line: int, width: int) -> tuple[Location, ...]:
    """The locations of a line's cells, `col 1` … `col width` (immutable: shared by every cell)."""
    return tuple(Location(line=line, cell=f"col {c + 1}") for c in range(width))


def _rows_from(body: list[Piece], kinds: list[int], table: int) -> list[Row]:
    path = _assign(body, kinds)
    rows: list[Row] = []
    cur: list[Cell] | None = None
    ncol = len(kinds)
    line = -1
    locs: tuple[Location, ...] = ()
    for p, (col, new) in zip(body, path, strict=True):
        if p.line != line:  # the cells of a line share its locations
            line = p.line
            locs = _cell_locs(line, ncol)
        if new or cur is None:
            cur = list(_blank_cells(line, ncol))
            rows.append(Row(cur, tuple.__new__(Location, (line, None)), table))
        cur[col] = Cell(p.text, locs[col])
    return rows


@lru_cache(maxsize=4096)
def _blank_cells(line: int, width: int) -> tuple[Cell, ...]:
    """A row's blank cells (the cells the text does not print; never changed, so shared)."""
    return tuple(Cell("", loc) for loc in _cell_locs(line, width))


_HAS_SPACE = re.compile(r"\s")


def _joins(first: str, second: str) -> bool:
    if len(second) > 6 and not _HAS_SPACE.search(second):
        return False  # the second part of a wrapped label is short (`vocab.joins_level`)
    return _joins_cached(first, second)


@lru_cache(maxsize=16384)
def _joins_cached(first: str, second: str) -> bool:
    return vocab.joins_level(first, second)


def _join_wrapped_labels(pieces: list[Piece]) -> list[Piece]:
    """A level label wrapped over two cells (`经济效益` / `指标`) becomes one cell; so does one
    printed split around its row in a cell-per-line text (`社会公众或服务` `政策满意度` `≥90%`
    `对象满意度指标`: the merged cell's text centred on the row's lines)."""
    out: list[Piece] = []
    append = out.append
    drop: set[int] = set()
    n = len(pieces)
    space = _HAS_SPACE.search
    # where the second part of a label split around its row may be: a piece ending in 指标/值
    # (found when a piece that may start such a label is first met)
    ends: set[int] | None = None
    last = ""  # the text of the last piece out
    for i, p in enumerate(pieces):
        if drop and i in drop:
            continue
        text = p.text
        if not text:
            append(p)
            last = ""
            continue
        size = len(text)
        # the second part of a wrapped label is short (`_joins`): the test inlined
        if last and (size <= 6 or space(text) is not None) and _joins_cached(last, text):
            q = out[-1]
            last = q.text + text
            out[-1] = Piece(last, q.line, q.brk, q.col, q.alone)
            continue
        last = text
        if size > 10 or not p.alone or level_kind(text):
            append(p)
            continue
        if ends is None:
            ends = {
                j
                for j, q in enumerate(pieces)
                if q.alone and q.text.endswith(("指标", "值")) and len(q.text) <= 10
            }
        if i + 2 not in ends and i + 3 not in ends and i + 4 not in ends:
            append(p)
            continue
        nxt = pieces[i + 1].text if i + 1 < n else ""
        if not (nxt and _joins(text, nxt)):
            j = _label_rest(pieces, i, ends)
            if j is not None:
                p = Piece(p.text + pieces[j].text, p.line, p.brk, p.col, p.alone)
                last = p.text
                drop.add(j)
        append(p)
    return out


def _label_rest(pieces: list[Piece], i: int, ends: set[int]) -> int | None:
    """The piece two to four places after piece i that ends the level label piece i starts, with
    a value between them (a merged cell's text centred on its row's lines), or None. `ends`: the
    pieces that may end a label (alone, short, ending in 指标 or 值)."""
    p = pieces[i]
    for j in range(i + 2, min(i + 5, len(pieces))):
        if j not in ends:
            continue
        q = pieces[j]
        if (
            not level_kind(q.text)
            and level_kind(p.text + q.text)
            and not header_kind(q.text)
            and any(value_score(r.text) >= 3 for r in pieces[i + 1 : j])
        ):
            return j
    return None


def assemble(pieces: list[Piece], prose: list[str] | None = None) -> list[Block]:
    """Blocks from a strategy's pieces: indicator tables by their header, the rest as rows and
    paragraphs. With `prose` (the lines, for strategies whose separator also occurs in running
    text: spaces), a line outside a table's own block stays one paragraph as printed."""
    return _assemble_joined(_join_wrapped_labels(pieces), prose)


def _assemble_joined(pieces: list[Piece], prose: list[str] | None) -> list[Block]:
    """`assemble` of pieces whose wrapped level labels are joined already."""
    blocks: list[Block] = []
    table = 0
    pos = 0
    n = len(pieces)
    while pos < n:
        head = _find_header(pieces, pos)
        if head is None:
            blocks.extend(_plain_blocks(pieces[pos:], table + 1, open_table=False, prose=prose))
            break
        table += 1
        blocks.extend(_plain_blocks(pieces[pos : head.start], table, open_table=True, prose=prose))
        hp = pieces[head.start]
        blocks.append(
            Row(
                [
                    Cell(t, Location(line=line, cell=f"col {c + 1}"))
                    for c, (t, line) in enumerate(
                        zip(
                            head.texts,
                            head.lines or [p.line for p in pieces[head.start : head.end]],
                            strict=True,
                        )
                    )
                ],
                _line_loc(hp.line),
                table,
            )
        )
        end = head.end
        longest = 0
        while end < n:
            q = pieces[end]
            text = q.text
            ends, size = _ends_by_text(text, q.alone, q.brk != SAME)
            if ends or (q.alone and size > max(80, 2 * longest)):
                # a piece that cannot be part of the table (by its text; or a paragraph far longer
                # than any of its cells so far: running text after it)
                break
            if len(text) > longest:
                longest = len(text)
            if header_kind(text) is not None and _header_at(pieces, end, end)[0] is not None:
                break  # the next table's header (a header repeated after a page break included)
            end += 1
        if end < n and not pieces[end].alone:
            while end > head.end and pieces[end - 1].line == pieces[end].line and not pieces[end - 1].alone:
                end -= 1  # the whole line that cannot be part of the table
        body = pieces[head.end : end]
        while body and not body[-1].text:
            body.pop()
        if body:
            blocks.extend(_rows_from(body, head.kinds, table))
        pos = end
    return blocks


@lru_cache(maxsize=32768)
def _title_key(text: str) -> tuple[bool, int]:
    """(whether a text is a table's title, the length of its comparison key)."""
    s = norm_key(text)
    return bool(_TITLE.search(s)) and len(s) <= 60, len(s)


def _plain_blocks(
    pieces: list[Piece], table: int, open_table: bool, prose: list[str] | None = None
) -> list[Block]:
    """Lines outside an indicator table: several cells on a line → a Row; a single cell → a
    one-cell Row between the table's title and its header, else a Para."""
    out: list[Block] = []
    # where the table's own block starts: after its title (and year line), else after the last prose
    start = 0
    if open_table:
        start = len(pieces)
        for k in range(len(pieces) - 1, -1, -1):
            title, size = _title_key(pieces[k].text)
            if title:
                start = k + 1
                while start < len(pieces) and _YEAR_LINE.match(norm_key(pieces[start].text)):
                    start += 1
                break
            if pieces[k].alone and size > 120:
                start = k + 1
                break
            start = k
    k = 0
    while k < len(pieces):
        p = pieces[k]
        if p.alone:
            if p.text:
                if k >= start and open_table:
                    out.append(Row([Cell(p.text, _cell_locs(p.line, 1)[0])], _line_loc(p.line), table))
                else:
                    out.append(Para(p.text, _line_loc(p.line)))
            k += 1
            continue
        j = k + 1
        while j < len(pieces) and not pieces[j].alone and pieces[j].line == p.line and pieces[j].brk != ROW:
            j += 1
        if j - k > 1 and _TITLE.search(norm_key(p.text)) and not level_kind(p.text):
            out.append(Para(p.text, _line_loc(p.line)))  # a title run together with its table
            k += 1
            continue
        if not open_table and any(_is_form_footer(q.text) for q in pieces[k:j]):
            # a form's closing row after its table (审核意见 (盖章), 最近年度绩效评价情况 □…): text
            out.append(Para(" ".join(q.text for q in pieces[k:j]), _line_loc(p.line)))
            k = j
            continue
        if prose is not None and not (open_table and k >= start) and 0 < p.line <= len(prose):
            out.append(Para(prose[p.line - 1].strip(), _line_loc(p.line)))  # running text
            k = j
            continue
        locs = _cell_locs(p.line, j - k)
        cells = [
            Cell(q.text, locs[c] if q.line == p.line else Location(line=q.line, cell=f"col {c + 1}"))
            for c, q in enumerate(pieces[k:j])
        ]
        out.append(Row(cells, _line_loc(p.line), table))
        k = j
    return out


# -- choosing a strategy ---------------------------------------------------------------------------


@dataclass
class Fit:
    """How well a strategy's rows fit their indicator headers."""

    score: float = 0.0
    rows: int = 0  # rows scored (under a header, before the table ends)
    good: int = 0  # rows with a name and a value that reads as one
    whole: int = 0  # rows with a name and a value and no misplaced cell (the value may be text)

    @property
    def convincing(self) -> bool:
        """Nearly every row is a clean indicator row: no other cut of the text can do better."""
        return self.rows >= 8 and self.good >= 0.9 * self.rows

    @property
    def complete(self) -> bool:
        """Nearly every row has a name and a value and nothing misplaced (values printed as text,
        such as 效果显著, included): a cut that reads the tables whole."""
        return self.rows >= 3 and self.whole >= 0.9 * self.rows


_GOOD_ROW = 2.5
_WHOLE_ROW = 0.5  # a name and a value, nothing misplaced, even when the value does not read as one


@dataclass
class ScoreMemo:
    """What scoring found for each row of the candidates of one document (by the row's identity:
    the blocks outlive the memo), so that scoring the regions again reads it instead."""

    # header?, kinds, texts
    kinds: dict[int, tuple[bool, tuple[int | None, ...], tuple[str, ...]]] = field(default_factory=dict)
    opens: dict[int, bool] = field(default_factory=dict)  # opens a project block
    scores: dict[tuple[int, int], float] = field(default_factory=dict)  # (row, its header) → score


def score_blocks(blocks: list[Block], memo: ScoreMemo | None = None) -> Fit:
    """How well the rows under each indicator header fit it: a row scores when it has a name and a
    value that reads as one (a number with its unit, a date, a short word), loses when it has only
    one of them or a level label outside the level columns (the fragments of a wrong cut). A row
    that opens a project block (项目名称 …) ends the table."""
    if memo is None:
        memo = ScoreMemo()
    memo_kinds, memo_opens, memo_scores = memo.kinds, memo.opens, memo.scores
    score = 0.0
    rows = good = whole = 0
    kinds: tuple[int | None, ...] | None = None
    head = 0  # the identity of the header row of `kinds`
    table = None
    for b in blocks:
        if not isinstance(b, Row):
            continue
        key = id(b)
        facts = memo_kinds.get(key)
        if facts is None:
            facts = memo_kinds[key] = _row_facts(tuple([c.text for c in b.cells]))
        if facts[0]:
            kinds, table, head = facts[1], b.table, key
            score += 3.0
            continue
        if kinds is None or b.table != table:
            continue
        opens = memo_opens.get(key)
        if opens is None:
            first = next((c.text for c in b.cells if c.text), "")
            opens = memo_opens[key] = vocab.kv_field(first) is not None and not level_kind(first)
        if opens:
            kinds = None
            continue
        s = memo_scores.get((key, head))
        if s is None:
            s = memo_scores[(key, head)] = _row_score_of(facts[2], kinds)
        score += s
        rows += 1
        good += s >= _GOOD_ROW
        whole += s >= _WHOLE_ROW
    return Fit(score, rows, good, whole)


@lru_cache(maxsize=32768)
def _row_facts(texts: tuple[str, ...]) -> tuple[bool, tuple[int | None, ...], tuple[str, ...]]:
    """(whether a row of these texts is an indicator header, its cells' header kinds, the texts)."""
    hk = tuple([header_kind(t) for t in texts])
    return _is_header_t(hk), hk, texts


@lru_cache(maxsize=32768)
def _row_score_of(texts: tuple[str, ...], kinds: tuple[int | None, ...]) -> float:
    """`_row_score` by the row's texts (pure: the same rows recur in every candidate reading)."""
    has_level2 = L2 in kinds
    name = value = ""
    labels = misplaced = 0
    for c, text in enumerate(texts):
        if not text:
            continue
        k = kinds[c] if c < len(kinds) else None
        if "|" in text or "\t" in text:
            misplaced += 1  # a printed separator inside a cell: a cut that missed it
        lk = level_kind(text)
        if k in (L1, L2) or (k == NAME and not has_level2 and lk):
            if lk:
                labels += 1
            else:
                misplaced += 1
            if k == NAME and not name:
                name = text
            continue
        if lk:
            misplaced += 1
        elif k == NAME and not name:
            name = text
        elif k == VALUE and not value:
            value = text
    score = -1.5 * misplaced
    if name and value:
        score += 0.5 * min(labels, 2)
        v = value_score(value)
        named = value_score(name) < 5 and len(norm_key(name)) >= 2
        score += (2.0 if v >= 3 else -0.5) + (1.0 if named else -2.0)
    elif name and labels and not misplaced and len(norm_key(name)) >= 4 and value_score(name) < 5:
        score += 0.5  # an indicator printed without a value (a department table's described targets)
    elif name or value:
        score -= 2.0
    return score


@dataclass
class Candidate:
    """One strategy's reading of a document. A reading known to have no rows (the PDF-text
    regrouping of a text that prints no numbered table title) scores nothing: its blocks are only
    made (`later`) when they are wanted, `blocks` holds none of them until then."""

    name: str
    blocks: list[Block]
    fit: Fit
    later: Callable[[], list[Block]] | None = None

    def all_blocks(self) -> list[Block]:
        if self.later is not None:
            self.blocks, self.later = self.later(), None
        return self.blocks


def candidates(
    lines: list[str],
    fallback: Callable[[list[str]], list[Block]],
    first: tuple[str, list[Block]] | None = None,
    memo: ScoreMemo | None = None,
    fallback_titled: Callable[[list[str]], list[Block] | None] | None = None,
) -> list[Candidate]:
    """Every applicable strategy's blocks and fit: `first` (a reader's own reading, e.g. by tabs)
    if given, then the PDF-text regrouping (`fallback`) and the strategies here in `_order`. When a
    candidate's rows are convincing (nearly all clean indicator rows) the rest are not tried: the
    reader's own and the PDF-text reading are then kept outright, a strategy's when it leaves no
    header unread (else a later strategy may read a table printed another way).
    `fallback_titled`: `fallback`'s reading, or None when it finds no table in the lines (its
    reading is then all paragraphs, made by `fallback` only if it is chosen)."""
    out: list[Candidate] = []
    if first is not None:
        out.append(Candidate(first[0], first[1], score_blocks(first[1], memo)))
        if out[0].fit.convincing:
            return out
    for name in _order(lines):
        if name == "pdf-text":
            found = fallback(lines) if fallback_titled is None else fallback_titled(lines)
            if found is None:
                out.append(Candidate(name, [], Fit(), later=lambda: fallback(lines)))
                continue  # paragraphs only: no fit, never convincing
            blocks = found
            out.append(Candidate(name, blocks, score_blocks(blocks, memo)))
            if out[-1].fit.convincing:
                return out
            continue
        pieces = STRATEGIES[name](lines)
        if pieces:
            joined = _join_wrapped_labels(pieces)
            prose = lines if name in _PROSE_SEPARATORS else None
            if not _may_head(joined):
                # no header can be read: no fit (rows are scored under a header only), never
                # convincing; its blocks are made only if a region picks it
                out.append(Candidate(name, [], Fit(), later=partial(_assemble_joined, joined, prose)))
                continue
            blocks = _assemble_joined(joined, prose)
            out.append(Candidate(name, blocks, score_blocks(blocks, memo)))
            fit = out[-1].fit
            if (fit.complete if name in _WHOLE_CUTS else fit.convincing) and not _unread_header(blocks):
                return out  # no later cut reads more: the regions are chosen among these
    return out


def _may_head(pieces: list[Piece]) -> bool:
    """Whether an indicator header may be among the pieces: a header is a run of consecutive
    pieces naming header columns (`_find_header`), or a row of one line's cells that names two
    (`score_blocks`); pieces with neither can only give paragraphs and rows that score nothing."""
    prev = False
    lines: set[int] = set()
    for p in pieces:
        named = header_kind(p.text) is not None
        if named:
            if prev or p.line in lines:
                return True
            lines.add(p.line)
        prev = named
    return False


_USUAL = ("pdf-text", *STRATEGIES)
_CELLS_FIRST = ("pdf-text", "pipes", "cell-lines", "spaces", "space-runs", "run-together")
_PIPES_FIRST = ("pipes", "pdf-text", "spaces", "space-runs", "cell-lines", "run-together")


def _order(lines: list[str]) -> tuple[str, ...]:
    """The order the readings are tried in: `pipes` first when nearly every printed line prints a
    `|`; `cell-lines` right after `pipes` when most lines are followed by a blank line (a cell per
    line); else the PDF-text regrouping, then `STRATEGIES` in turn. A reading tried early whose
    rows are whole then ends the search before the cuts that cannot win are made."""
    printed = len(lines) - lines.count("")
    if printed < 8:
        return _USUAL
    if sum(map(str.__contains__, lines, repeat("|"))) >= 0.8 * printed:  # lines printing a `|`
        return _PIPES_FIRST
    # a printed line followed by a blank one: a character, its line break, then another or the end
    spaced = len(_BEFORE_BLANK.findall("\n".join(lines)))
    return _CELLS_FIRST if spaced >= 0.8 * printed else _USUAL


_BEFORE_BLANK = re.compile(r"[^\n]\n(?=\n|\Z)")


def _unread_header(blocks: list[Block]) -> bool:
    """Whether a reading leaves an indicator header unread: a paragraph or a row that is no header
    but prints several header words (`一级指标 二级指标 …` of a table printed another way, which a
    later strategy may read: the document mixes layouts)."""
    hint = _HEADER_HINT.search
    for b in blocks:
        if isinstance(b, Para):
            text = b.text
        else:
            cells = b.cells
            text = cells[0].text if len(cells) == 1 else "\n".join([c.text for c in cells])
        m = hint(text)
        if m is None or hint(text, m.end()) is None:
            continue  # fewer than two header words
        if isinstance(b, Para) or len(b.cells) == 1 or not _row_facts(tuple([c.text for c in b.cells]))[0]:
            return True
    return False


def _best(cands: list[Candidate]) -> Candidate:
    """The best fit; an earlier candidate wins ties (and near-ties)."""
    best = cands[0]
    for c in cands[1:]:
        if c.fit.score > best.fit.score + 0.5:
            best = c
    return best


def _table_starts(blocks: list[Block]) -> list[int]:
    """The first line of every indicator table's own block (title, key–value block, header) after
    the first: where one table's region ends and the next one's begins."""
    starts: list[int] = []
    seen: set[int | None] = set()
    headed: set[int | None] = set()
    first: dict[int | None, int] = {}
    for b in blocks:
        if isinstance(b, Row):
            first.setdefault(b.table, b.loc.line or 0)
            if b.table not in headed and _row_facts(tuple([c.text for c in b.cells]))[0]:
                headed.add(b.table)
    for b in blocks:
        if isinstance(b, Row) and b.table in headed and b.table not in seen:
            seen.add(b.table)
            starts.append(first[b.table])
    return sorted(starts)[1:]


def find_blocks(
    lines: list[str],
    fallback: Callable[[list[str]], list[Block]],
    first: tuple[str, list[Block]] | None = None,
    fallback_titled: Callable[[list[str]], list[Block] | None] | None = None,
) -> tuple[list[Block], str]:
    """The blocks of the strategy whose rows fit the indicator header best, with its name.

    A document may print its tables in different ways: the regions between the tables' own blocks
    (as the best strategy overall finds them) are chosen one by one, and the layout is then named
    after every strategy used (`pipes+spaces`)."""
    memo = ScoreMemo()  # rows are scored once, for the whole text and again by region
    cands = candidates(lines, fallback, first, memo, fallback_titled)
    best = _best(cands)
    cuts = _table_starts(best.all_blocks())
    if len(cands) == 1 or not cuts:
        return best.blocks, best.name
    # every candidate's rows by region (one pass each: regions are line ranges); a region's fit
    # is its rows' (`score_blocks` reads no paragraph), its paragraphs are wanted only below (a
    # reading not made yet has no rows)
    regions = [_by_region(c.blocks, cuts, rows_only=True) for c in cands]
    picks: list[int] = []
    names: list[str] = []
    order = sorted(range(len(cands)), key=lambda k: cands[k].name != best.name)  # the best wins ties
    for r in range(len(cuts) + 1):
        part = [Candidate(cands[k].name, regions[k][r], score_blocks(regions[k][r], memo)) for k in order]
        chosen = _best(part)
        pick = next(order[j] for j, c in enumerate(part) if c is chosen)
        if cands[pick].name not in names:
            names.append(cands[pick].name)
        picks.append(pick)
    if len(names) == 1:
        return best.blocks, best.name  # one strategy throughout: its blocks as they are
    whole = {k: _by_region(cands[k].all_blocks(), cuts, rows_only=False) for k in set(picks)}
    out: list[Block] = []
    for r, k in enumerate(picks):
        for b in whole[k][r]:
            if isinstance(b, Row) and b.table is not None:
                b = Row(b.cells, b.loc, b.table + r * 100000)  # tables of different regions stay apart
            out.append(b)
    return out, "+".join(names)


def _by_region(blocks: list[Block], cuts: list[int], rows_only: bool) -> list[list[Block]]:
    """The blocks (or only the rows) of each region between the lines `cuts`, in order."""
    parts: list[list[Block]] = [[] for _ in range(len(cuts) + 1)]
    for b in blocks:
        if not rows_only or isinstance(b, Row):
            parts[bisect.bisect_right(cuts, b.loc.line or 0)].append(b)
    return parts
