"""The interpreter: one state machine over the cell stream of any format → `Disclosure`.

It recognises, in document order: the unit's overall and sub goals (部门整体绩效目标), table
titles (…绩效目标表, …目标申报表(2023年度), or none: a project block or an indicator header opens
a table too), the unit line (单位编码+名称, 单位：万元), the project block read by field synonyms
(`jixiao.ingest.vocab`: 项目名称/项目支出名称/二级项目名称, 主管部门/预算单位/单位信息, 资金总额/
财政拨款/其他资金, 年度目标/中期目标 …) with each value to the right of its label, on the row
below, or run together with it in one cell, the indicator header (best match per column,
`jixiao.ingest.header`) and the indicator rows, each row's cells fitted under the header when the
layout dropped blank or merged cells. 一级/二级 are carried down from the row above when blank.

A page break that repeats the top block (项目名称 … 绩效目标 rows and the header, as Word does for
rows marked to repeat) continues the same project with its levels carried across. A flat sheet
of several projects names each project on its first row. A 部门整体支出绩效目标表 becomes the
unit-year's own table (`Project.kind == "department"`). Self-evaluation (自评表) and monitoring
(监控表) tables are recognised and said to be such; a document with no target table at all is a
`NoTargetTable` error. Every table row or cell that is not used is a located warning in Chinese.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import pairwise

from jixiao.ingest.cells import Block, Cell, CellStream, Para, ReadError, Row, match_unit_line, squash
from jixiao.ingest.header import (
    cell_score,
    fit_row,
    fitted_score,
    header_kind,
    header_map_texts,
    may_be_header,
    merge_header_rows,
    positional_score,
)
from jixiao.ingest.header import header_map as _header_map
from jixiao.ingest.noise import is_noise_line as _is_noise_line
from jixiao.ingest.noise import strip_noise as _strip_noise
from jixiao.ingest.overview import extract_budget_overview
from jixiao.ingest.vocab import (
    DEPARTMENT_TITLE,
    GENERIC_UNIT_LABELS,
    GOAL_GROUP_HEADS,
    GOAL_RANK,
    KV_LABELS,
    MONEY_SCALE,
    UNIT_RANK,
    ascii_punct,
    is_level1,
    is_level2,
    joins_level,
    kv_field,
    norm_label,
    parse_money_text,
    split_label_runs,
    split_unit,
)
from jixiao.model import Disclosure, Indicator, Location, ParseWarning, Project, SubGoal
from jixiao.regions import division_of_project_code, region_name
from jixiao.taxonomy import canonical_level1, canonical_levels


class NoTargetTable(ReadError):
    """A document from which no performance-target table (绩效目标表) can be read. Its message
    names the whole document (`FILE: 未找到绩效目标表…`) unless a self-evaluation or monitoring
    table was found in its place (then the message says where)."""

    whole_document = True
    other_kind: str | None = None  # 自评表 or 监控表 when one was found in the target table's place


# ---------------------------------------------------------------------------------------------
# titles, money units, page furniture

_MONEY_UNIT = re.compile(r"(?:金额)?单位[:：]\s*(万元|元|千元|亿元)")


def _money_unit(text: str) -> re.Match[str] | None:
    """`_MONEY_UNIT` searched in a text without whitespace (most texts, without 单位, at once)."""
    return _MONEY_UNIT.search(text) if "单位" in text else None


_TITLE_NUM = re.compile(
    r"^\s*(?:(?P<num>\d{1,3})\s*[.、．,，]\s*(?:(?!\d)|(?=20\d{2}\s*年))|[（(](?P<cnum>\d{1,3})[）)]\s*"
    r"|(?P<cn>[一二三四五六七八九十]{1,3})\s*[、.．]\s*|[（(](?P<cn2>[一二三四五六七八九十]{1,3})[）)]\s*"
    r"|附?表\s*(?:\d{1,3}\s*[-－—]\s*)?(?P<tnum>\d{1,3})\s*[:：.、．]?\s*)(?P<rest>\S.*)$"
)
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# a table title: …绩效目标表, …目标申报表, …部门专项(绩效目标)申报表2021年度, with an optional
# bracketed year or category after it
_TITLE_CORE = r"(?:目标(?:申报|批复|审批|审核)?表|绩效目标\)?申报表|(?:绩效目标)?(?:申报|批复)表)"
_TITLE_SUFFIX = re.compile(_TITLE_CORE + r"\s*(?:[（(][^（）()]{1,20}[)）])?\s*(?:\d{4}\s*年度?)?\s*[)）]?$")
_TITLE_STRIP = re.compile(
    r"(项目)?(支出)?绩效目标(申报|批复|审批)?表$|项目(支出)?目标(申报|批复)?表$"
    r"|(项目)?(支出)?绩效目标$"
)
_YEAR_SUFFIX = re.compile(r"\s*[（(]\s*(20\d{2})\s*年度?\s*[)）]\s*$")
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}\s*(页)?[-—–\s]*(/\s*\d+\s*(页)?)?$|^\d+\s*/\s*\d+$")
_DOTS = re.compile(r"\.{4,}")
_CODE_YEAR = re.compile(r"^\d{6}(\d{2})[A-Z]")
_PLAN_LABEL = re.compile(r"^(资金)?支出(进度)?计划")
_MILESTONE = re.compile(
    r"^(\d{1,2}月(底|末|份|前)?|第[一二三四1-4]季度|[一二三四1-4]季度末?|上半年|下半年|全年|年底)$"
)
# a milestone with its value run into one cell ('3月底25%'): a PDF reader joined the row of values
# to the milestones' row when a page break fell between them
_MILESTONE_VALUE = re.compile(r"^(?P<key>.+?[月底末份前度年])(?P<value>\d+(?:\.\d+)?\s*%?)$")
# a unit line whose unit name wrapped in its cell: the wrapped piece printed after the money unit
_WRAPPED_UNIT_LINE = re.compile(
    r"^(?P<head>\d{3,15}\s*\S.*?)\s*(?P<unit>(?:金额)?单位[:：]\s*(?:万元|元|千元|亿元))\s*(?P<tail>[\u4e00-\u9fff（）()]{1,8})$"
)
_PLAN_LABELS = ("资金支出计划", "资金支出进度计划", "支出计划", "支出进度计划")
_PAGE = re.compile(r"^page (\d+) ")
_CHAPTER = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十]+部分|[（(][一二三四五六七八九十]+[）)])"
)
# a cell that only names the indicator part of the table (a merged row label)
_ROW_LABEL = re.compile(r"^(本年度|年度|项目)?(绩效指标|绩效目标指标|指标)$")
# a caption under a heading that names the project, not a title of its own
# a caption inside a project ('项目具体目标表', '绩效指标明细表'): only generic words, one of them
# naming a part of the targets, none naming the form (申报, 批复, 支出)
_CAPTION = re.compile(r"^(?:项目|绩效|具体|明细|分项|细化|年度|目标|指标|情况|一览|清单)*表$")
_CAPTION_PART = re.compile(r"具体|明细|分项|细化|指标|一览|清单")
# a project's heading that names it: '<name>(项目)(支出)绩效目标' (a name repeated 项目 included)
_HEADING_TITLE = re.compile(r"^(?![^,。;:]*[,。;:])(.{2,40}?)(?:项目)*(?:支出)?绩效目标$")
_GENERIC_HEADING = re.compile(
    r"^(20\d{2}\s*年度?)?(省级|市级|县级|区级)?(部门|单位)?(整体|总体|年度|中长期|长期|中期|实施期|分项|具体|本)*"
    r"(预算)?(项目)?(支出)?的?$"
)
_CJK_PIECE = re.compile(r"[\u4e00-\u9fff()（）]+")
_LABEL_VALUE = re.compile(r"^[^\d:,。;]{2,16}:\s*[\d.,]+\s*(万元|万|元)?$")
_PROSE_INDICATOR = re.compile(r"^([^:：,，。]{2,14}?(?:指标|值))\s*[:：]\s*(\S.*)$")
_SELF_EVAL_COLS = re.compile(r"实际完成值|全年实际值|实际值|得分|完成情况|偏差原因|执行数")
_MONITOR_COLS = re.compile(r"1-\d+月|执行进度|预计.*完成|完成目标可能性|监控")
_OTHER_WORD = re.compile(r"自评|监控")
_SELF_EVAL_TEXT = re.compile(r"自评(表|报告)|绩效自评|自评得分")
_SELF_EVAL_WORD = re.compile(r"全年|实际|得分|执行数")
_MONITOR_TEXT = re.compile(r"监控(情况)?表|运行监控")

_sq = lru_cache(maxsize=65536)(squash)  # labels, levels and values recur on every row
_GENERIC_TITLE = re.compile(r"(20\d{2}\s*年度?)?(省级|市级|县级|区级)?(部门)?(预算)?(项目)?(支出)?")
_ALL_LABELS = tuple(lab for labs in KV_LABELS.values() for lab in labs if len(lab) >= 4)
_GRID_LAYOUTS = frozenset({"docx", "xlsx", "html", "pdf", "tabbed"})
_MONEY_SCALE = {"万元": Decimal(1), "元": Decimal("0.0001"), "千元": Decimal("0.1"), "亿元": Decimal(10000)}


def header_map(cells: list[Cell], year: int | None = None) -> dict[int, str] | None:
    """Column index → indicator field, when this row is an indicator header row (best match per
    column: see `jixiao.ingest.header.header_map`)."""
    return _header_map(cells, year)


@lru_cache(maxsize=16384)
def _is_money_unit(text: str) -> bool:
    """A short '单位：万元' line."""
    s = _sq(text)
    return len(s) < 24 and bool(_money_unit(s))


@lru_cache(maxsize=16384)
def split_title(text: str) -> tuple[int | None, str]:
    """'3、质量强市提升经费绩效目标表' → (3, '质量强市提升经费绩效目标表')."""
    m = _TITLE_NUM.match(text)
    if m:
        num = m.group("num") or m.group("cnum") or m.group("tnum")
        if num:
            return int(num), m.group("rest").strip()
        return chinese_number(m.group("cn") or m.group("cn2")), m.group("rest").strip()
    return None, text.strip()


def chinese_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23 (numbering up to 99)."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + _CN_DIGITS.get(ones, 0)


def name_from_title(title: str) -> str | None:
    """'车辆保险费绩效目标表' → '车辆保险费'; a form's generic title ('项目支出绩效目标申报表') names no
    project → None."""
    t = _YEAR_SUFFIX.sub("", title).strip()
    t = re.sub(r"(?<=表)\s*[（(][^（）()]{1,20}[)）]\s*$", "", t)
    rest = _TITLE_STRIP.sub("", t).strip()
    if not rest or _GENERIC_TITLE.fullmatch(rest):
        return None
    return rest


@lru_cache(maxsize=16384)
def _title_is_table(text: str) -> bool:
    s = _sq(ascii_punct(text))
    return (
        len(s) <= 90
        and bool(_TITLE_SUFFIX.search(s))
        and "……" not in s
        and not _DOTS.search(s)
        and not (_CAPTION.match(s) and _CAPTION_PART.search(s))
    )


@lru_cache(maxsize=16384)
def _is_label_piece(text: str) -> bool:
    s = _sq(text)
    return len(s) >= 2 and not _kv(s) and any(s in lab for lab in _ALL_LABELS)


@lru_cache(maxsize=16384)
def _unglue(text: str) -> str | None:
    """'资金用途效益指标' → '效益指标': a label (project block or level) with a piece of a merged
    label cell glued before it, as a PDF's layout leaves it after a page break; else None."""
    s = _sq(text)
    if len(s) > 24 or len(s) < 4:
        return None
    for k in range(2, len(s) - 1):
        head, tail = s[:k], s[k:]
        if (_kv(tail) or is_level1(tail) or is_level2(tail)) and any(head in lab for lab in _ALL_LABELS):
            return tail
    return None


def _unbalanced(text: str) -> bool:
    s = ascii_punct(text)
    return s.count("(") != s.count(")")


@lru_cache(maxsize=16384)
def _goes_on(text: str) -> bool:
    """A line that can continue a goal: a sentence, not a heading, a caption or a row label."""
    s = _sq(text)
    return (
        (len(s) >= 10 or s.endswith(("。", ";", "；")))
        and not _CHAPTER.match(text.strip())
        and not s.endswith("表")
        and not s.startswith(("绩效指标", "年度绩效指标"))
        and not _title_is_table(s)
        and not _is_heading_title(s)
    )


@lru_cache(maxsize=16384)
def _is_heading_title(text: str) -> bool:
    """A project's heading that names it ('3岁以下婴幼儿照护服务项目项目绩效目标'): a title when an
    indicator table follows."""
    s = _sq(ascii_punct(text))
    m = _HEADING_TITLE.match(s)
    return m is not None and not _CHAPTER.match(text.strip()) and not _GENERIC_HEADING.match(m.group(1))


@lru_cache(maxsize=16384)
def _kv(text: str) -> str | None:
    return kv_field(text)


@lru_cache(maxsize=16384)
def _is_row_label(text: str) -> bool:
    """A row label (绩效指标, 年度指标) left in an indicator row: no cell of its own."""
    return bool(_ROW_LABEL.match(_sq(text)))


@lru_cache(maxsize=65536)
def _has_label(text: str) -> bool:
    """Whether a cell is a block label or opens with one (labels run together with their values)."""
    return bool(kv_field(text) or split_label_runs(text))


# ---------------------------------------------------------------------------------------------


_UNIT_PREFIX = re.compile(
    r"^\s*((?:金额|货币)?单位\s*[:：]\s*(?:万元|元|千元|亿元))\s*(?P<rest>[\u4e00-\u9fff].*)$", re.S
)


def _unglue_money_units(blocks: list[Block]) -> list[Block]:
    """A money-unit line (`金额单位：元`) run together with the label after it (a text layout joins
    a line with no cell border to the next one): the unit becomes its own line, the label stays."""
    out: list[Block] = []
    for b in blocks:
        text = b.text if isinstance(b, Para) else (b.cells[0].text if b.cells else "")
        m = _UNIT_PREFIX.match(text) if "单位" in text else None
        if not m or _MONEY_UNIT.search(m.group("rest")):
            out.append(b)
            continue
        out.append(Para(m.group(1), b.loc))
        if isinstance(b, Para):
            out.append(Para(m.group("rest"), b.loc))
        else:
            out.append(Row([Cell(m.group("rest"), b.cells[0].loc), *b.cells[1:]], b.loc, b.table))
    return out


@dataclass
class _ProjectState:
    project: Project
    columns: Mapping[int, str] | None = None  # shared by equal header rows: never changed
    fields: list[str | None] = field(default_factory=list)  # the header's columns in order
    header_width: int = 0
    level1: str | None = None
    level2: str | None = None
    expect_purpose: bool = False
    plan_keys: list[str] | None = None
    plan_cols: list[int] = field(default_factory=list)  # the column of each milestone
    money_scale: Decimal = Decimal(1)  # 单位：元 → 1/10000
    pending_paras: list[Para] = field(default_factory=list)
    goal_rank: int = -1
    unit_rank: int = -1
    title_year: int | None = None
    from_column: bool = False  # opened by a flat sheet's 项目名称 column
    after_repeat: bool = False  # a repeated top block or header after a page break was just read
    prose: bool = False  # indicators printed as prose lines ('质量指标:…') under a level-1 label
    block_again: bool = False  # a project block's labels printed again inside the indicator table


_MONEY_FIELDS = ("total", "fiscal", "other")


def _value_fits(f: str, value: str) -> bool:
    """Whether a value can be a label's: an amount for the money labels, and only for them; a
    unit printed with its code for the unit labels."""
    amount = bool(re.search(r"\d", value)) and parse_money_text(value) is not None
    if f in _MONEY_FIELDS:
        return amount
    if amount and len(value) <= 20:
        return False
    if f in ("name", "goal", "purpose") and split_unit(value)[0] is not None:
        return False
    return True


def _align_labels(labels: list[tuple[str, str, Cell]], values: list[str]) -> list[tuple[str, str, Cell]]:
    """Labels printed one per line with fewer values after them (a blank value is dropped by a
    text layout): the labels before the first one the first value fits printed none."""
    k = next((k for k, x in enumerate(labels) if _value_fits(x[0], values[0])), None)
    return labels[k:] if k is not None else labels


def _label_value(cells: list[Cell], kinds: list[str | None], i: int, k: str) -> tuple[str | None, int]:
    """The value of the label in cells[i] (of field k) and how many cells label and value take:
    the next cell (blank in a grid: no value) unless that is a label or there is none (then the
    value is on the row below); a goal split over several cells takes all of them up to a label."""
    nxt = cells[i + 1] if i + 1 < len(cells) and kinds[i + 1] is None else None
    if nxt is not None and nxt.text.strip() and split_label_runs(nxt.text):
        nxt = None
    if nxt is None:
        return None, 1
    value = nxt.text
    step = 2
    if k in ("goal", "purpose"):
        # a goal split over several cells by a text layout: all of them, up to a label
        while (
            i + step < len(cells)
            and kinds[i + step] is None
            and cells[i + step].text.strip()
            and not split_label_runs(cells[i + step].text)
        ):
            value = f"{value} {cells[i + step].text}"
            step += 1
    return value, step


def _continued_parts(row: Row, fields: list[str | None], value: bool = False) -> dict[str, str]:
    """The name, description and basis a row continues (empty when a cell falls elsewhere); with
    `value` (a PDF, whose page break cuts a cell mid-text: '≤4030' | '元/人') the value too."""
    goes_on = ("name", "description", "basis", "value") if value else ("name", "description", "basis")
    parts: dict[str, str] = {}
    overflow = False
    for k, c in enumerate(row.cells):
        t = c.text.strip()
        if not t:
            continue
        fld = fields[k] if k < len(fields) else None
        if k == 0 and (_kv(t) or _unglue(t) is not None or _is_label_piece(t)):
            overflow = True
            continue  # a piece of the block's merged label cell, left in the first column
        if fld is None or fld not in goes_on:
            return {}
        parts[fld] = t
    if "value" in parts and "name" in parts and not overflow:
        # a name and a value: an indicator row of its own, unless the row is the one just below
        # the block repeated on the new page (the overflow of its label says so) without levels
        return {}
    return parts


def _page(loc: Location) -> int | None:
    """The page a PDF block is printed on (None for other formats)."""
    m = _PAGE.match(loc.cell) if loc.cell else None
    return int(m.group(1)) if m else None


def _unit_line_unwrapped(text: str) -> tuple[str, str] | None:
    """The unit line of a PDF whose unit name wrapped in its cell, the wrapped piece read after
    the money unit ('355301 某某支 单位：万元队'): the piece put back on the name."""
    m = _WRAPPED_UNIT_LINE.match(text.strip())
    if not m:
        return None
    return match_unit_line(f"{m.group('head')}{m.group('tail')} {m.group('unit')}")


def _title_text(b: Block) -> str | None:
    """The text a block offers as a title: a paragraph's, or a row's single short cell that reads
    as a table title, a project heading or (in the first column) a numbered title."""
    if isinstance(b, Para):
        return b.text
    one: Cell | None = None  # the row's only non-empty cell
    for c in b.cells:
        if c.text and not c.text.isspace():
            if one is not None:
                return None
            one = c
    if (
        one is not None
        and len(_sq(one.text)) < 80
        and (
            _title_is_table(one.text)
            or _is_heading_title(one.text)
            or (one is b.cells[0] and split_title(one.text)[0] is not None)
        )
    ):
        return one.text
    return None


_Item = tuple[str, str, Cell, str | None]  # (field, label as printed, label cell, value or None)


_Tail = tuple[str, int | None, int, int, int, int]
"""(field, table id, page, cells, value column, block index) of a name, goal or purpose that ended
a PDF block row: a page break may carry the rest of its cell over to the next page."""


@dataclass
class _Pending:
    """Labels printed without a value beside them: their values are on the row below."""

    labels: list[tuple[str, str, Cell]]  # (field, label as printed, label cell)
    alone: bool = False  # each label was alone on its row (one cell per line): a run may follow


class _Interpreter:
    def __init__(self, stream: CellStream, year: int | None) -> None:
        self.stream = stream
        self.source = stream.source
        self.blocks = stream.blocks
        self.year = year
        self.doc = Disclosure(source=stream.source)
        self.state: _ProjectState | None = None
        self.unit_lines: list[tuple[str, str]] = []
        self.unit_cands: list[tuple[int, str | None, str]] = []  # (rank, code, name) from the block
        self.doc_money_scale = Decimal(1)
        self.pending: _Pending | None = None
        self.other_tables: list[tuple[str, Location]] = []  # (自评表/监控表, where)
        self.skip_table: int | None = None  # the table id of a self-evaluation/monitoring table
        self.skipping = False
        self.years: Counter[int] = Counter()
        self.header_seen = False
        self.frags: list[str] = []  # pieces of a label printed one character group per line
        self.goal_open = False  # the goal just read may go on over the next lines (text layouts)
        self.at = 0  # the index of the block being read
        self.tail: _Tail | None = None  # a cell a PDF page break may have cut (see `_Tail`)
        self.seen_rows: dict[int | None, set[tuple[str, ...]]] = {}  # a PDF's rows, by table
        self.plan_label_cut = False  # the plan's label went on in the first cell of the values' row
        # header rows are asked about again and again (titles, the table after a heading, the
        # year): each row's texts are matched against the header vocabulary once per document
        self.hmaps: dict[tuple[tuple[str, ...], int | None], Mapping[int, str] | None] = {}

    def _hmap(self, cells: list[Cell], year: int | None = None) -> Mapping[int, str] | None:
        """`header_map` of a row's cells, once per texts and year in this document (the mapping
        is shared: nobody changes it)."""
        texts = [c.text for c in cells]
        if not may_be_header("".join(texts)):
            return None  # most rows: no header word at all
        key = (tuple(texts), year)
        try:
            return self.hmaps[key]
        except KeyError:
            got = self.hmaps[key] = header_map_texts(texts, year)
            return got

    # -- warnings -------------------------------------------------------------------------
    def warn(self, loc: Location, message: str) -> None:
        self.doc.warnings.append(ParseWarning(self.source, loc, message))

    # -- entry ------------------------------------------------------------------------------
    def run(self) -> Disclosure:
        self.blocks = _unglue_money_units(self.blocks)
        titles = self._find_titles()
        self.other_kind = None if titles else self._other_kind()
        first_title = min(titles) if titles else self._first_table_block()
        self._read_unit_goals(self.blocks[:first_title])
        for i, block in enumerate(self.blocks):
            self.at = i
            if i in titles:
                self._title(titles[i], block.loc)
                continue
            if isinstance(block, Para):
                self._para(block)
            else:
                self._row(block)
        self._end_project()
        self._finish()
        self.doc.budget_overview = extract_budget_overview(self.blocks)
        self._check_found()
        return self.doc

    def _other_kind(self) -> str | None:
        """自评表 or 监控表 when the document says it is one (its title, its columns) and no
        target-table title is printed."""
        selfeval = monitor = 0
        for b in self.blocks[:400]:
            texts = [b.text] if isinstance(b, Para) else [c.text for c in b.cells]
            if isinstance(b, Row) and self._hmap(b.cells):
                hkind = header_kind(texts, self.year)
                selfeval += 2 if hkind == "自评表" else 0
                monitor += 2 if hkind == "监控表" else 0
                texts = [t for t in texts if _OTHER_WORD.search(t)]  # judged on the whole header
            for t in texts:
                s = _sq(t)
                if len(s) > 200:
                    continue
                if "自评" in s and _SELF_EVAL_TEXT.search(s):
                    selfeval += 2
                if _SELF_EVAL_COLS.search(s) and _SELF_EVAL_WORD.search(s):
                    selfeval += 1
                if "监控" in s and _MONITOR_TEXT.search(s):
                    monitor += 2
        if monitor >= 2 and monitor >= selfeval:
            return "监控表"
        return "自评表" if selfeval >= 2 else None

    def _first_table_block(self) -> int:
        for i, b in enumerate(self.blocks):
            if isinstance(b, Row) and (
                self._hmap(b.cells) or any(_kv(c.text) in ("name", "code") for c in b.cells[:4])
            ):
                return i
        return len(self.blocks)

    # -- titles ------------------------------------------------------------------------------
    def _find_titles(self) -> dict[int, str]:
        """Block index → title text for every block that starts a table."""
        titles: dict[int, str] = {}
        for i, b in enumerate(self.blocks):
            text = _title_text(b)
            if not text:
                continue
            s = _sq(text)
            if len(s) > 90 or _PAGE_NUMBER.match(text):
                continue
            title = self._title_at(i, b, text)
            if title is not None:
                titles[i] = title
        # several title lines before one table (a page heading, then the form's own title): the
        # one nearest the table counts
        keys = sorted(titles)
        for a, b2 in pairwise(keys):
            between = self.blocks[a + 1 : b2]
            if not any(
                isinstance(x, Row) and (self._hmap(x.cells) or self._has_kv(x)) for x in between
            ) and not any(isinstance(x, Para) and _kv(x.text) in ("name", "code") for x in between):
                del titles[a]
        return titles

    def _title_at(self, i: int, b: Block, text: str) -> str | None:
        """The title block i prints, or None: a table's title before its table, a project's
        heading before an indicator header, a numbered line before a project's table."""
        if _title_is_table(text):
            if isinstance(b, Row) or self._table_follows(i):
                return self._wrapped_title(i) if isinstance(b, Para) else text.strip()
            return None
        if _is_heading_title(text) and self._header_within(i, 16):
            return text.strip()
        num, _ = split_title(text)
        if num is None:
            return None
        nxt = self._next_nonempty(i)
        next_is_table = isinstance(nxt, Row) and not self._is_title_row(nxt)
        reach = 1 if isinstance(b, Row) else 12
        if next_is_table and self._table_looks_like_project(i, reach):
            return text.strip()
        return None

    def _wrapped_title(self, i: int) -> str:
        """A title wrapped over several lines ('天津市…专项(畜禽粪污' / '资源化利用…项目)2022年' /
        '中央预算内投资计划绩效目标表'): the lines right above it whose brackets only close in it."""
        b = self.blocks[i]
        assert isinstance(b, Para)  # titles are paragraphs
        text = b.text.strip()
        k = i - 1
        line = b.loc.line
        while k >= 0 and i - k <= 3:
            prev = self.blocks[k]
            if not isinstance(prev, Para) or line is None or prev.loc.line != line - 1:
                break
            t = prev.text.strip()
            if not t or len(t) > 30 or re.search(r"[。；;:：,，]$", t) or not _unbalanced(t):
                break
            text, line, k = t + text, prev.loc.line, k - 1
        return text

    def _header_within(self, i: int, reach: int) -> bool:
        for b in self.blocks[i + 1 : i + 1 + reach]:
            if isinstance(b, Row) and self._hmap(b.cells):
                return True
        return False

    def _has_kv(self, row: Row) -> bool:
        return any(_kv(c.text) in ("name", "code", "total", "goal", "unit") for c in row.cells[:6]) or any(
            (r := split_label_runs(c.text)) is not None and len(r) >= 1 for c in row.cells[:2]
        )

    def _table_follows(self, i: int) -> bool:
        """Within a few blocks after a title: a table row, a project-block label or a header."""
        seen = 0
        for b in self.blocks[i + 1 : i + 14]:
            if isinstance(b, Row):
                return not self._is_title_row(b)
            t = b.text.strip()
            if not t:
                continue
            seen += 1
            if _kv(t) or split_label_runs(t) or self._hmap([Cell(x, b.loc) for x in t.split()]):
                return True
            if seen > 6:
                return False
        return False

    def _is_title_row(self, row: Row) -> bool:
        ne = row.nonempty()
        return len(ne) == 1 and _title_is_table(ne[0].text)

    def _next_nonempty(self, i: int) -> Block | None:
        """The next block that is not blank and not the unit line under a title."""
        for b in self.blocks[i + 1 : i + 5]:
            if isinstance(b, Para) and (
                not b.text.strip() or match_unit_line(b.text) or _is_money_unit(b.text)
            ):
                continue
            return b
        return None

    def _table_looks_like_project(self, i: int, reach: int = 12) -> bool:
        """The next `reach` rows after block i include a project label or an indicator header."""
        rows = 0
        for b in self.blocks[i + 1 : i + 12]:
            if isinstance(b, Row):
                rows += 1
                if rows > reach:
                    return False
            if isinstance(b, Para):
                if b.text.strip() and not match_unit_line(b.text) and not _is_money_unit(b.text):
                    return False
                continue
            for c in b.cells[:3]:
                if _kv(c.text) in ("code", "name", "goal", "section", "total") or match_unit_line(c.text):
                    return True
            if self._hmap(b.cells):
                return True
        return False

    def _title(self, text: str, loc: Location) -> None:
        self.skipping = False
        s = _sq(text)
        if re.search(r"自评(表|报告)?$|评价表$", s):
            self._end_project()
            self.other_tables.append(("自评表", loc))
            self.skipping = True
            return
        if re.search(r"监控(情况)?表$", s):
            self._end_project()
            self.other_tables.append(("监控表", loc))
            self.skipping = True
            return
        self._start_project(text, loc)

    # -- projects ------------------------------------------------------------------------------
    def _start_project(self, title_text: str, loc: Location) -> None:
        self._end_project()
        num, title = split_title(title_text)
        seq = num if num is not None else len(self.doc.projects) + 1
        title = title.strip()
        ty = None
        m = _YEAR_SUFFIX.search(title)
        if m:
            ty = int(m.group(1))
            title = title[: m.start()].strip()
        elif (m := re.search(r"(20\d{2})\s*年度|^(20\d{2})\s*年", title)) is not None:
            ty = int(m.group(1) or m.group(2))
        if ty:
            self.years[ty] += 3
        project = Project(seq=seq, title=title, name=None, location=loc)
        if DEPARTMENT_TITLE.search(_sq(ascii_punct(title))):
            project.kind = "department"
        self.state = _ProjectState(project=project, money_scale=self.doc_money_scale, title_year=ty)
        self.pending = None

    def _ensure_project(self, loc: Location) -> _ProjectState:
        if self.state is None:
            project = Project(seq=len(self.doc.projects) + 1, title=None, name=None, location=loc)
            self.state = _ProjectState(project=project, money_scale=self.doc_money_scale)
        return self.state

    def _end_project(self) -> None:
        st = self.state
        if st is None:
            return
        p = st.project
        for para in st.pending_paras:
            if para.text.strip() and not _is_noise_line(para.text):
                self.warn(para.loc, f"项目{p.seq}表格之后的文字未使用：{para.text[:40]!r}")
        if p.name is None and p.title and p.kind != "department":
            p.name = name_from_title(p.title)
        if p.title is None and st.from_column:
            p.title = p.name
        if (
            p.indicators
            or st.columns is not None
            or p.code
            or p.budget_total is not None
            or (p.kind == "department")
            or (p.name and p.title is None and (p.goal or p.unit_name))
        ):
            p.seq = len(self.doc.projects) + 1 if p.seq <= len(self.doc.projects) else p.seq
            self.doc.projects.append(p)
        self.state = None
        self.pending = None

    def _para(self, para: Para) -> None:
        text = para.text.strip()
        if not text:
            return
        unit = match_unit_line(text) or (_unit_line_unwrapped(text) if self.stream.layout == "pdf" else None)
        if unit and self.pending is None:
            self._unit_line(unit, text)
            return
        m = _money_unit(_sq(text))
        if m and len(_sq(text)) < 24:
            self._set_money_unit(m.group(1))
            return
        if self.skipping:
            return
        if self._line(text, para.loc):
            return
        st = self.state
        # the form's labels and values one per line (a table converted to text)
        if self._block_line(text) and self._kv_any(Row([Cell(text, para.loc)], para.loc)):
            return
        if st is not None and _CHAPTER.match(text) and (st.columns is not None or st.project.indicators):
            self._end_project()
            return
        if st is not None and (st.project.indicators or st.columns is not None):
            # text inside or after a table: keep it until we know whether the table goes on
            st.pending_paras.append(para)
            if len(st.pending_paras) > 3:
                self._end_project()
        elif st is not None:
            ym = _YEAR_SUFFIX.match(text) or re.match(r"^\s*[（(]?\s*(20\d{2})\s*年度?\s*[)）]?\s*$", text)
            if ym:
                self.years[int(ym.group(1))] += 3

    def _block_line(self, text: str) -> bool:
        """Whether a paragraph may be a line of the project block (a label, a label with its value,
        or the value a label waits for): inside a project, or a project's name or code outside one;
        inside an indicator table only what a label waits for, a name, a code or a goal."""
        if not (self.pending is not None or _kv(text) or split_label_runs(text)):
            return False
        st = self.state
        if not (
            st is not None
            or _kv(text) in ("name", "code")
            or ((r := split_label_runs(text)) and any(_kv(lab) in ("name", "code") for lab, _ in r))
        ):
            return False
        return (
            st is None
            or st.columns is None
            or not st.project.indicators
            or self.pending is not None
            or _kv(text) in ("name", "code", "goal")
        )

    def _line(self, text: str, loc: Location) -> bool:
        """One line of text (a paragraph or a one-cell row) before the indicator table: a prose
        indicator, a piece of a label printed vertically, or the goal going on. True if used."""
        st = self.state
        s = _sq(text)
        if st is not None and s and _is_noise_line(text):
            return True  # a page number or running header between the block's lines
        if st is None or st.columns is not None or not s or st.plan_keys is not None or st.expect_purpose:
            self.goal_open = False
            return False
        if is_level1(s) and len(s) <= 12 and self.pending is None:
            st.level1, st.level2, st.prose = text.strip(), None, True
            self.goal_open = False
            self.frags.clear()
            return True
        if st.prose and (m := _PROSE_INDICATOR.match(text.strip())) and is_level2(m.group(1)):
            st.project.indicators.append(
                Indicator(level1=st.level1, level2=m.group(1).strip(), name=m.group(2).strip(), location=loc)
            )
            return True
        if (
            self.pending is None
            and len(s) <= 4
            and _CJK_PIECE.fullmatch(s)
            and not _kv(s)
            and not is_level2(s)
        ):
            self.goal_open = False
            self.frags = [*self.frags[-5:], s]
            for k in range(len(self.frags) - 1):
                joined = "".join(self.frags[k:])
                if _kv(joined):
                    self.frags.clear()
                    self._kv_any(Row([Cell(joined, loc)], loc))
                    return True
            return True
        self.frags.clear()
        if (
            self.goal_open
            and self.pending is None
            and _goes_on(text)
            and not _kv(s)
            and not split_label_runs(text)
            and not self._hmap([Cell(text, loc)])
            and st.project.goal
        ):
            st.project.goal = st.project.goal + "\n" + text.strip()
            return True
        self.goal_open = False
        return False

    def _unit_line(self, unit: tuple[str, str], text: str) -> None:
        self.unit_lines.append(unit)
        if self.state is not None and not self.state.project.indicators:
            self.state.project.unit_code, self.state.project.unit_name = unit
        m = _money_unit(_sq(text))
        if m:
            self._set_money_unit(m.group(1))

    def _set_money_unit(self, unit: str) -> None:
        scale = _MONEY_SCALE[unit]
        if self.state is not None:
            self.state.money_scale = scale
        self.doc_money_scale = scale

    # -- rows ---------------------------------------------------------------------------------
    def _row(self, row: Row) -> None:
        ne = row.nonempty()
        if not ne:
            return
        if self.stream.layout == "pdf" and self._goes_on_over_break(row, ne):
            return
        if self.skipping and self.skip_table is not None and row.table != self.skip_table:
            self.skipping = False
        if len(ne) <= 2 and self._unit_row(ne):
            return
        st = self.state
        if st is not None and st.pending_paras:
            for para in st.pending_paras:
                if not _is_noise_line(para.text):
                    self.warn(para.loc, f"项目{st.project.seq}表格中的文字未使用：{para.text[:40]!r}")
            st.pending_paras.clear()
        year = self.year or (st.title_year if st else None)
        hmap = self._hmap(row.cells, year)
        if self.stream.layout == "pdf":
            row, hmap = self._label_overflow(row, hmap, year)
        if hmap:
            row, hmap = self._two_row_header(row, hmap, year)
            self._header_row(row, hmap, year)
            return
        if self.skipping:
            return
        if len(ne) == 1 and self._line(ne[0].text, row.loc):
            return
        self.goal_open = False
        if st is not None and st.after_repeat and st.columns is not None and st.project.indicators:
            if self._continued_row(row):
                return
        if self.stream.layout == "pdf" and self._plan_label_cut(row, ne):
            return
        if self._kv_any(row):
            return
        self._body_row(row, ne, st)

    def _two_row_header(
        self, row: Row, hmap: Mapping[int, str], year: int | None
    ) -> tuple[Row, Mapping[int, str]]:
        """A header printed over two rows (`绩效指标` | `指标值` above 一级/二级/三级 | blank,
        `长期绩效指标` | `年度绩效指标` above repeated columns): the row above merged into it."""
        prev = self.blocks[self.at - 1] if self.at > 0 else None
        if not isinstance(prev, Row) or prev.table != row.table or self._hmap(prev.cells, year):
            return row, hmap
        texts = merge_header_rows(prev.texts, row.texts)
        if texts is None:
            return row, hmap
        got = header_map_texts(texts, year)
        if got is None or len(set(got.values())) < len(set(hmap.values())):
            return row, hmap
        locs = [c.loc for c in row.cells]
        cells = [Cell(t, locs[min(k, len(locs) - 1)]) for k, t in enumerate(texts)]
        return Row(cells, row.loc, row.table), got

    def _label_overflow(
        self, row: Row, hmap: Mapping[int, str] | None, year: int | None
    ) -> tuple[Row, Mapping[int, str] | None]:
        """A PDF row under a block repeated on a new page, whose first cell got the rest of the
        block's merged label ('预算规模及' | … then '资金用途一级指标' or '资金用途' | 数量指标 | …):
        that piece dropped, from the header's first cell or from an indicator row's."""
        cells = row.cells
        first = _sq(cells[0].text) if cells else ""
        if not first or is_level1(first):
            return row, hmap
        if hmap and 0 not in hmap:
            for k in range(2, len(first) - 1):
                if _is_label_piece(first[:k]) or _kv(first[:k]):
                    fixed = [Cell(first[k:], cells[0].loc), *cells[1:]]
                    if (h := self._hmap(fixed, year)) and 0 in h:
                        return Row(fixed, row.loc, row.table), h
            return row, hmap
        st = self.state
        if (
            hmap
            or st is None
            or st.columns is None
            or st.fields[:1] != ["level1"]
            or not (_is_label_piece(first) or _kv(first))
            or len(cells) != len(st.fields)
        ):
            return row, hmap
        by = {f: _sq(c.text) for f, c in zip(st.fields, cells, strict=True) if f}
        # a row of its own: one that prints its level 2, or the project's first (a row without
        # them may be the rest of the row the page break cut)
        own = is_level2(by.get("level2") or "") or (not by.get("level2") and not st.project.indicators)
        if by.get("name") and by.get("value") and own:
            parent = canonical_levels(None, by.get("level2"))[0]
            if parent and canonical_level1(st.level1) not in (None, parent):
                # the level 1 cell held the overflow: its own level 1 (another than the one carried
                # down, by its level 2) is printed below, on the rows it heads
                st.level1 = None
            return Row([Cell("", cells[0].loc), *cells[1:]], row.loc, row.table), hmap
        return row, hmap

    def _plan_label_cut(self, row: Row, ne: list[Cell]) -> bool:
        """The milestones' row of a PDF whose label a page break cut ('资金支出计' | 3月底 | …, the
        rest '划（%）' beside the values below): read as the plan's header."""
        st = self.state
        first = _sq(ne[0].text)
        if (
            st is None
            or st.columns is not None
            or ne[0] is not row.cells[0]
            or len(ne) < 2
            or len(first) < 2
            or not any(lab.startswith(first) for lab in _PLAN_LABELS)
            or not all(_MILESTONE.match(_sq(c.text)) for c in ne[1:])
        ):
            return False
        self._plan_header(row, ne[0])
        self.plan_label_cut = True
        return True

    def _goes_on_over_break(self, row: Row, ne: list[Cell]) -> bool:
        """A PDF row that is the rest of a goal or purpose cut by the page break (True: read); a
        row repeated on the new page keeps that goal waiting for its rest."""
        tail, self.tail = self.tail, None
        seen = self.seen_rows.setdefault(row.table, set())
        texts = tuple(c.text for c in row.cells)
        if tail is not None and texts not in seen and self._tail_goes_on(tail, row, ne):
            return True
        if texts in seen or any(
            len(t) == len(texts) > 1 and t[1:] == texts[1:] and t[0].startswith(texts[0]) for t in seen
        ):
            # the block repeated on the new page (its merged label perhaps cut, '预算规模及', or
            # moved down): the goal's rest comes after it
            self.tail = tail
        seen.add(texts)
        return False

    def _tail_goes_on(self, tail: _Tail, row: Row, ne: list[Cell]) -> bool:
        """A goal or purpose cell that a page break cut: the first row of the next page, in the same
        table, with the label column blank and text only under the value: its text goes on the
        field (the reader joins a soft wrap itself; what is left here begins a new line)."""
        f, table, page, width, col, at = tail
        st = self.state
        rpage = _page(row.loc)
        if st is None or rpage is None or rpage <= page or len(row.cells) != width:
            return False
        if row.table != table and self.at != at + 1:
            return False  # another table, unless the very next block (the reader kept no table id)
        first = ne[0].text.strip()
        seen = self.seen_rows.get(table, set())
        if (
            ne[0] is row.cells[0]
            and col > 0
            and any(t[0].endswith(first) and (t[0] != first or len(t) != width) for t in seen)
        ):
            # the overflow of the repeated block's merged label ('资金用途'), or its whole text moved
            # down from a row of another shape ('预算规模及资金用途' | 预算数 | …)
            ne = ne[1:]
        if len(ne) != 1 or ne[0] is not row.cells[col] or _kv(ne[0].text) or self._hmap(row.cells):
            return False
        p = st.project
        old = getattr(p, f)
        if not old:
            return False
        # a name is one line cut mid-text; the rest of a goal or purpose begins a new line
        setattr(p, f, old + ("" if f == "name" else "\n") + ne[0].text.strip())
        self.tail = (f, table, rpage, width, col, self.at)
        return True

    def _set_block_field(self, f: str, label: str, value: str, cell: Cell, row: Row) -> None:
        """`_set_field` for a label of a block row, noting a name, goal or purpose ending the row."""
        st = self.state
        before = (st.project.goal, st.project.purpose, st.project.name) if st is not None else None
        self._set_field(f, label, value, cell)
        st = self.state
        now = (st.project.goal, st.project.purpose, st.project.name) if st is not None else None
        if f in ("goal", "purpose", "name") and now != before:
            k = next((j for j, c in enumerate(row.cells) if c is cell), -1)
            if 0 <= k < len(row.cells) - 1:
                self._note_tail(f, row, row.cells[k + 1])

    def _note_tail(self, f: str, row: Row, cell: Cell) -> None:
        """Remember a PDF block row that ends with the value of a name, goal or purpose (`tail`)."""
        page = _page(row.loc)
        if page is None or cell is not row.nonempty()[-1]:
            return
        self.tail = (
            f,
            row.table,
            page,
            len(row.cells),
            next(k for k, c in enumerate(row.cells) if c is cell),
            self.at,
        )

    def _unit_row(self, ne: list[Cell]) -> bool:
        """A row of one or two cells that is the unit line (`414001 某局 单位：万元`) or only the
        money unit: read, True."""
        first = ne[0].text
        unit = match_unit_line(first)
        if unit and self.pending is None:
            st = self.state
            if st is not None and st.project.indicators:
                self._end_project()
            self._unit_line(unit, " ".join(c.text for c in ne))
            return True
        units = [_money_unit(_sq(c.text)) for c in ne]
        if all(units) and units[0] is not None and len(_sq(first)) < 24:
            self._set_money_unit(units[0].group(1))
            return True
        return False

    def _header_row(self, row: Row, hmap: Mapping[int, str], year: int | None) -> None:
        """An indicator header: the columns of the project's table, or the start of a
        self-evaluation or monitoring table that is skipped."""
        cells = row.cells
        st = self.state
        self.pending = None
        hkind = header_kind([c.text for c in cells], year)
        if self.other_kind or hkind != "target":
            kind = self.other_kind or hkind
            if st is not None and not st.project.indicators:
                self.state = None
            else:
                self._end_project()
            self.other_tables.append((kind, row.loc))
            self.skipping, self.skip_table = True, row.table
            return
        self.skipping = False
        self.header_seen = True
        st = self._ensure_project(row.loc)
        st.block_again = False
        if st.columns is None or not st.project.indicators:
            st.columns = hmap
            st.header_width = len(cells)
            st.fields = [hmap.get(k) for k in range(len(cells))]
        else:
            st.after_repeat = True
        # a repeated header after a page break: keep the first mapping, carry levels on

    def _body_row(self, row: Row, ne: list[Cell], st: _ProjectState | None) -> None:
        """A row that is neither a header nor the project block: the purpose or spending plan
        after their labels, an indicator row, or a row left unused (warned). `st`: the project's
        state as the row began."""
        if st is not None and st.expect_purpose and st.columns is None:
            st.expect_purpose = False
            text = "\n".join(c.text for c in ne)
            if st.project.purpose is None:
                st.project.purpose = text
                if len(ne) == 1:
                    self._note_tail("purpose", row, ne[0])
            return
        if st is not None and st.plan_keys is not None and st.columns is None:
            self._plan_values(row)
            return
        if st is not None and st.columns is None and (hmap := self._guess_columns(row)):
            st.columns = hmap  # a table without a header row
            st.fields = [hmap.get(k) for k in range(max(hmap) + 1)]
            st.header_width = len(st.fields)
        if st is not None and st.columns is not None:
            self._indicator_row(row)
            return
        if st is None and (hmap := self._guess_columns(row)):
            st = self._ensure_project(row.loc)
            st.columns = hmap
            st.fields = [hmap.get(k) for k in range(max(hmap) + 1)]
            st.header_width = len(st.fields)
            self._indicator_row(row)
            return
        if st is not None:
            self.warn(row.loc, f"项目{st.project.seq}的表格行未使用：{' | '.join(c.text for c in ne)[:60]!r}")
        # rows outside any project (other tables of the document) are left to other extractors

    def _guess_columns(self, row: Row) -> dict[int, str] | None:
        """Columns of an indicator row in a table printed without its header: the level labels
        open the row, the 指标值 is the cell that reads as a value."""
        from jixiao.values import parse_value

        texts = [c.text.strip() for c in row.cells]
        if len(texts) < 4:
            return None
        l1 = is_level1(texts[0]) and _sq(texts[0]).endswith("指标")
        l2 = is_level2(texts[1])
        if not (l2 and (l1 or not texts[0])):
            return None
        rest = len(texts) - 2
        valued = [k for k in range(3, len(texts)) if parse_value(texts[k]).kind != "text"]
        if rest >= 4:
            names = ["name", "description", "value", "basis"]
        elif rest == 3:
            with_basis = bool(valued) and valued[0] == 3
            names = ["name", "value", "basis"] if with_basis else ["name", "description", "value"]
        else:
            names = ["name", "value"]
        return {0: "level1", 1: "level2", **{2 + k: n for k, n in enumerate(names)}}

    # -- the project block ----------------------------------------------------------------------
    def _kv_items(self, row: Row) -> list[_Item]:
        """(field, label, label cell, value or None) for every label of the row, in order. A
        label's value is the next cell when that is not itself a label, or the text run together
        with it in the same cell."""
        items: list[_Item] = []
        cells = row.cells
        kinds = [_kv(c.text) for c in cells]
        if not any(kinds) and not any(split_label_runs(c.text) for c in cells):
            return [("", c.text, c, None) for c in cells]  # no label at all (an indicator row)
        if cells and kinds[0] is None and (glued := _unglue(cells[0].text)) is not None and _kv(glued):
            cells = [Cell(glued, cells[0].loc), *cells[1:]]  # '资金用途绩效目标': a merged label's piece
            kinds[0] = _kv(glued)
        elif cells and kinds[0] is None and any(kinds[1:]) and _is_label_piece(cells[0].text):
            kinds[0] = "section"  # '预算规模及' | 预算数 …: the rest of a merged label cut by a page break
        i = 0
        while i < len(cells):
            c = cells[i]
            k = kinds[i]
            if k == "plan":
                items.append((k, c.text, c, None))
                break
            if k is not None:
                value, step = _label_value(cells, kinds, i, k)
                items.append((k, c.text, c, value))
                i += step
                continue
            runs = split_label_runs(c.text) if c.text.strip() else None
            if runs and self._runs_ok(runs):
                items.extend((_kv(lab) or "other_kv", lab, c, val or None) for lab, val in runs)
            else:
                items.append(("", c.text, c, None))  # not a label
            i += 1
        return items

    def _runs_ok(self, runs: list[tuple[str, str]]) -> bool:
        """Labels run together with values: every amount reads as one, and inside an indicator
        table only a new project's name or code counts ('预算资金当年下达率' is an indicator)."""
        st = self.state
        for lab, val in runs:
            f = _kv(lab)
            if f in ("total", "fiscal", "other") and val and parse_money_text(val) is None:
                return False
            if st is not None and st.columns is not None and f not in ("name", "code"):
                return False
        return True

    def _kv_any(self, row: Row) -> bool:
        """Read a project-block row (labels with values beside them or on the row below); False
        when the row is not one."""
        if self.pending is None and not any(map(_has_label, [c.text for c in row.cells])):
            return False  # no label in the row (an indicator row): nothing to read here
        items = self._kv_items(row)
        if self.state is None:  # generic labels (单位名称) head other tables too: not outside a project
            items = [
                ("", lab, c, v) if f == "unit" and norm_label(lab) in GENERIC_UNIT_LABELS else (f, lab, c, v)
                for f, lab, c, v in items
            ]
        labels = [it for it in items if it[0]]
        if not labels:
            if self.pending is not None:
                values = [it[1] for it in items if it[1].strip()]
                return self._fill_pending(values, row)
            return False
        if not self._is_block_row(row, items, labels):
            return False
        st = self._block_project(row, labels)
        waiting: list[tuple[str, str, Cell]] = []
        purpose_next = False
        for f, label, cell, value in items:
            if not f:
                continue
            if f == "plan":
                self._plan_header(row, cell)
                continue
            if f == "section" and value and re.search(r"\d", value) and parse_money_text(value) is not None:
                f = "total"  # 资金情况 | 1280.5: a heading with the amount beside it is the total
            if f == "section":
                if "用途" in label:
                    purpose_next = True
                continue
            if value is None:
                waiting.append((f, label, cell))
                continue
            self._set_block_field(f, label, value, cell, row)
        self._wait_for_values(row, labels, waiting)
        if purpose_next and st.columns is None:
            st.expect_purpose = True
        return True

    def _is_block_row(self, row: Row, items: list[_Item], labels: list[_Item]) -> bool:
        """Whether a row with block labels is the project block (inside an indicator table only a
        new or repeated block counts; another table's header is not one)."""
        st = self.state
        present = {it[0] for it in labels}
        in_table = st is not None and st.columns is not None and bool(st.project.indicators)
        if (
            in_table
            and st is not None
            and not st.block_again
            and not (present & {"goal", "code", "name", "section", "plan", "total", "unit"})
        ):
            return False
        if in_table and st is not None and present & {"code", "name"}:
            st.block_again = True  # the block again (a page break, or the next project): its labels go on
        if any(not f and lab.strip() for f, lab, _, _ in items) and not any(v for _, _, _, v in labels):
            return False  # labels mixed with unrelated text and no value: another table's header
        has_value = any(v for f, _, _, v in labels if f != "plan")
        if self.state is None and not (present & {"name", "code", "total", "unit"}):
            return False  # a goal label alone (部门整体 goals) opens no project
        if not has_value and self.state is None and len(row.nonempty()) > 1:
            return False  # another table's header (项目名称 | 预算资金 | …), not a project block
        return True

    def _block_project(self, row: Row, labels: list[_Item]) -> _ProjectState:
        """The project a block row belongs to: the current one (its top block repeated on a new
        page), or a new one when the block names another project inside an indicator table."""
        st = self._ensure_project(row.loc)
        p = st.project
        if not (st.columns is not None and p.indicators and {it[0] for it in labels} & {"code", "name"}):
            return st
        newname = next((v for f, _, _, v in labels if f == "name" and v), None)
        newcode = next((v for f, _, _, v in labels if f == "code" and v), None)
        same = (newname is not None and _sq(newname) == _sq(p.name or "")) or (
            newcode is not None and _sq(newcode) == _sq(p.code or "")
        )
        if same:
            st.after_repeat = True  # the top block repeated on a new page: the same project
        if not same and (newname or newcode):
            # a new project block without a title (e.g. a flat sheet of several projects)
            title, kind, scale = p.title, p.kind, st.money_scale
            self._end_project()
            st = self._ensure_project(row.loc)
            st.money_scale = scale
            p = st.project
            if title and name_from_title(title) is None:
                p.title, p.kind = title, kind
        return st

    def _wait_for_values(self, row: Row, labels: list[_Item], waiting: list[tuple[str, str, Cell]]) -> None:
        """Labels printed without a value wait for the row below (with the labels already waiting
        when each label stands alone on its row)."""
        alone = len(waiting) == 1 and len(row.nonempty()) == 1 and len(labels) == 1
        if (
            waiting
            and self.pending is not None
            and all(v is None for f, _, _, v in labels if f)
            and (all(x[0] == "goal" for x in self.pending.labels + waiting) or (alone and self.pending.alone))
        ):
            # labels one per row (项目名称 / 主管部门 / 实施单位, or 总体目标 / 年度目标), their values
            # after them in the same order: they wait together
            self.pending = _Pending(self.pending.labels + waiting, alone)
        else:
            self.pending = _Pending(waiting, alone) if waiting else None

    def _fill_pending(self, values: list[str], row: Row) -> bool:
        """The row below labels printed without values: the values in order, left to right;
        labels left over wait for the next row (one cell per line gives one value a row)."""
        pend = self.pending
        assert pend is not None
        labels = list(pend.labels)
        if not values:
            return True
        if len(values) == 1 and labels:
            # a label wrapped over two lines ('主管部门' / '及编码', '资金情况' / '(万元)')
            f, lab, cell = labels[-1]
            joined = _sq(lab) + _sq(values[0])
            if len(values[0]) <= 8 and not re.search(r"\d", values[0]) and _kv(joined):
                labels[-1] = (_kv(joined) or f, joined, cell)
                self.pending = _Pending(labels)
                return True
        if len(labels) > len(values):
            heads = [x for x in labels if norm_label(x[1]) in GOAL_GROUP_HEADS or x[0] in ("section",)]
            if len(labels) - len(heads) >= 1:
                labels = [x for x in labels if x not in heads]
        if any(_LABEL_VALUE.match(ascii_punct(v.strip())) for v in values):
            self.pending = None  # '基本支出:622' is a label with its own value, not ours
            return False
        if pend.alone and len(labels) > 1:
            # labels one per line, then values one per line: a run of values as long as the run
            # of labels pairs with it in order; a shorter one belongs to the labels nearest it
            # (the ones before printed no value); either way from the first label the first
            # value fits (a run may count a heading below as a value)
            run = self._value_run(len(labels))
            labels = _align_labels(labels if run >= len(labels) else labels[-max(run, 1) :], values)
        take = labels[: len(values)]
        if len(values) > len(take) and take and take[-1][0] in ("goal", "purpose"):
            values = [*values[: len(take) - 1], "\n".join(values[len(take) - 1 :])]
        # an amount must read as one, else the row below is not this label's value
        if any(
            f in ("total", "fiscal", "other") and parse_money_text(v) is None
            for (f, _, _), v in zip(take, values, strict=False)
        ):
            self.pending = None
            return False
        for (f, label, cell), value in zip(take, values, strict=False):
            if f in ("name", "code"):
                self._same_or_next_project(f, value, row.loc)
            self._set_field(f, label, value, cell)
        rest = labels[len(take) :]
        self.pending = _Pending(rest) if rest else None
        return True

    def _same_or_next_project(self, f: str, value: str, loc: Location) -> None:
        """A name or code read below its label inside an indicator table: the same project's top
        block repeated after a page break, or the next project's block."""
        st = self.state
        if st is None or st.columns is None or not st.project.indicators:
            return
        p = st.project
        old = p.name if f == "name" else p.code
        if old is None or _sq(old) == _sq(value):
            st.after_repeat = True
            return
        title, kind, scale = p.title, p.kind, st.money_scale
        self._end_project()
        st = self._ensure_project(loc)
        st.money_scale = scale
        if title and name_from_title(title) is None:
            st.project.title, st.project.kind = title, kind

    def _value_run(self, limit: int) -> int:
        """How many lines from the current one on are values (not labels, headers or titles), up
        to `limit`."""
        n = 0
        for b in self.blocks[self.at : self.at + 3 * limit]:
            texts = [b.text] if isinstance(b, Para) else [c.text for c in b.cells if c.text.strip()]
            if not texts or not "".join(texts).strip():
                continue
            t = texts[0]
            if len(texts) > 1 or _kv(t) or split_label_runs(t) or _title_is_table(_sq(t)):
                break
            n += 1
            if n >= limit:
                break
        return n

    def _set_field(self, f: str, label: str, value: str, cell: Cell) -> None:
        st = self._ensure_project(cell.loc)
        p = st.project
        value = _strip_noise(value.strip()) if value else value
        if not value:
            return
        lab = norm_label(label)
        if f == "code":
            if p.code is None:
                p.code = _sq(value)
        elif f == "name":
            if p.name is None and p.kind != "department":
                p.name = value
        elif f == "unit":
            rank = UNIT_RANK.get(lab, 1)
            code, name = split_unit(value)
            if rank > st.unit_rank and name:
                st.unit_rank = rank
                p.unit_code, p.unit_name = code, name
                self.unit_cands.append((rank, code, name))
        elif f in ("total", "fiscal", "other"):
            parsed = parse_money_text(value)
            if parsed is None:
                if re.search(r"\d", value):
                    self.warn(cell.loc, f"{_sq(label)}：不是金额：{value[:30]!r}")
                return
            num, unit = parsed
            try:
                amount = Decimal(num)
            except InvalidOperation:
                return
            if unit:
                amount = amount * Decimal(str(MONEY_SCALE[unit]))
            elif st.money_scale != 1:
                amount = amount * st.money_scale
            attr = {"total": "budget_total", "fiscal": "budget_fiscal", "other": "budget_other"}[f]
            if getattr(p, attr) is None:
                setattr(p, attr, amount)
        elif f == "purpose":
            if p.purpose is None:
                p.purpose = value
            st.expect_purpose = False
        elif f == "goal":
            rank = GOAL_RANK.get(lab, 2)
            # a page break may repeat the goal row: the first copy counts
            if rank > st.goal_rank:
                st.goal_rank = rank
                p.goal = value
                self.goal_open = self.stream.layout not in _GRID_LAYOUTS and st.columns is None
        elif f == "unit_code":
            if p.unit_code is None and re.fullmatch(r"[0-9A-Za-z\-]{2,20}", _sq(value)):
                p.unit_code = _sq(value)
                self.unit_cands = [(r, c or _sq(value), n) for r, c, n in self.unit_cands]

    def _plan_header(self, row: Row, label: Cell) -> None:
        st = self._ensure_project(row.loc)
        if st.project.purpose is not None:
            st.expect_purpose = False  # a 资金用途 label repeated on a new page: its purpose was read
        i = next(k for k, c in enumerate(row.cells) if c is label)
        keyed = [(k, _sq(c.text)) for k, c in enumerate(row.cells) if k > i and _sq(c.text)]
        glued = [_MILESTONE_VALUE.match(t) for _, t in keyed]
        if (
            self.stream.layout == "pdf"
            and any(glued)
            and all(
                _MILESTONE.match(t) or (m and _MILESTONE.match(m.group("key")))
                for (_, t), m in zip(keyed, glued, strict=True)
            )
        ):
            # the values' row joined to the milestones' (a page break between them): read both
            plan = {
                m.group("key") if m else t: m.group("value") if m else ""
                for (_, t), m in zip(keyed, glued, strict=True)
            }
            st.project.spending_plan = plan
            st.plan_keys = None
        elif keyed and all(_MILESTONE.match(t) for _, t in keyed):
            st.plan_keys = [t for _, t in keyed]
            st.plan_cols = [k for k, _ in keyed]
        else:
            st.plan_keys, st.plan_cols = [], []

    def _plan_values(self, row: Row) -> None:
        """The row under the milestones: values paired in order when there is one per milestone,
        else by column (merged cells leave blanks between milestones)."""
        st = self.state
        assert st is not None
        keys = st.plan_keys or []
        filled = [(k, c.text.strip()) for k, c in enumerate(row.cells) if c.text.strip()]
        if self.plan_label_cut and filled and filled[0][0] == 0:
            filled = filled[1:]  # '划（%）': the rest of the label (see `_plan_label_cut`)
        self.plan_label_cut = False
        plan: dict[str, str] = {}
        if len(filled) == len(keys):
            plan = {key: v for key, (_, v) in zip(keys, filled, strict=True)}
        else:
            cols = st.plan_cols or list(range(1, len(keys) + 1))
            by_col = dict(filled)
            # a milestone whose cell is blank is kept as "" (the review reports it, the JSON omits it)
            plan = {key: by_col.get(col, "") for key, col in zip(keys, cols, strict=False)}
            used = {col for col in cols if col in by_col}
            for k, v in filled:
                if k not in used:
                    self.warn(row.cells[k].loc, f"资金支出计划中没有对应时间节点的数值：{v!r}")
        if any(plan.values()):
            st.project.spending_plan = plan
        st.plan_keys = None

    # -- indicator rows -------------------------------------------------------------------------
    def _place(self, row: Row, fields: list[str | None]) -> list[tuple[int, Cell]]:
        """(column, cell) for each non-empty cell: by position in a grid, else fitted."""
        # the non-empty cells; a level label wrapped over two cells: one cell
        merged: list[tuple[int, Cell]] = []
        short = False
        for k, c in enumerate(row.cells):
            text = c.text
            if not text or text.isspace():
                continue
            if len(text) <= 8:
                short = True
                if merged and joins_level(merged[-1][1].text, text):
                    pk, pc = merged[-1]
                    merged[-1] = (pk, Cell(_sq(pc.text) + _sq(text), pc.loc))
                    continue
            merged.append((k, c))
        if short:
            # a row label (绩效指标, 年度指标) ends in 标: other cells are kept without the test
            cells = [
                (k, c)
                for k, c in merged
                if len(c.text) > 12
                or "标" not in c.text
                or not _is_row_label(c.text)
                or fields[k : k + 1] == [None]
            ]
        else:
            cells = merged
        if not cells:
            return []
        # a row with a cell for every named column is read by position (a grid, or text that
        # kept its blank cells), unless fitting by content reads it much better
        if self.stream.layout in _GRID_LAYOUTS:
            return cells  # a grid row: every cell under its own column (merged ones blank)
        cols = _fitted_columns(tuple([(k, c.text) for k, c in cells]), tuple(fields), len(row.cells))
        if cols is None:
            return cells
        return [(j, c) for j, (_, c) in zip(cols, cells, strict=True)]

    def _continued_row(self, row: Row) -> bool:
        """The first row after a repeated top block: when it has no value and no level label of
        its own, it is the rest of the row the page break cut (its cells go on the row before)."""
        st = self.state
        assert st is not None
        fields = st.fields
        if any(_kv(c.text) for c in row.cells[1:]):
            return False  # more of the repeated top block
        prev = st.project.indicators[-1]
        cells = self._mend_levels(row, prev)
        if cells != list(row.cells):
            row = Row(cells, row.loc, row.table)
            if any(c.text.strip() for c in cells[1:]) and any(
                (fields[k] if k < len(fields) else None) == "value" and c.text.strip()
                for k, c in enumerate(cells)
            ):
                st.after_repeat = False
                self._indicator_row(row)
                return True
        parts = _continued_parts(row, fields, self.stream.layout == "pdf")
        st.after_repeat = False
        if not parts or ("name" in parts and len(parts) == 1):
            return False
        sep = "" if self.stream.layout == "pdf" else "\n"
        for fld, t in parts.items():
            old = getattr(prev, fld)
            setattr(prev, fld, f"{old}{sep}{t}" if old else t)
        return True

    def _mend_levels(self, row: Row, prev: Indicator) -> list[Cell]:
        """The row's cells with the rest of a merged level cell that the page break cut put back
        on the level above (on every indicator that carries it): that cell left blank."""
        st = self.state
        assert st is not None
        fields = st.fields
        cells = list(row.cells)
        for k, c in enumerate(cells):
            fld = fields[k] if k < len(fields) else None
            t = _sq(c.text)
            if fld not in ("level1", "level2") or not t or is_level1(t) or is_level2(t):
                continue
            old = getattr(prev, fld) or ""
            if is_level1(old + t) or is_level2(old + t):
                for ind in st.project.indicators:
                    if getattr(ind, fld) == old and ind.level1 == prev.level1:
                        setattr(ind, fld, old + t)
                setattr(st, fld, old + t)
                cells[k] = Cell("", c.loc)
        return cells

    def _indicator_row(self, row: Row) -> None:
        st = self.state
        assert st is not None and st.columns is not None
        st.block_again = False
        fields = st.fields or [st.columns.get(k) for k in range(max(st.columns) + 1)]
        placed = self._place(row, fields)
        rec, order, extra = _record(placed, fields)
        if not _PROJECT_COLUMNS.isdisjoint(rec):  # most tables have no project column
            st = self._project_columns(rec, row)
        st.after_repeat = False
        inds = st.project.indicators
        late = self.stream.layout == "pdf" and bool(inds) and inds[-1].level1 is None
        prev_l2 = st.level2
        l1, l2 = self._carry_levels(rec.get("level1"), rec.get("level2"))
        if l1 and late:
            self._late_level1(inds, l2, prev_l2)
        if not _has_payload(rec):
            self._unused_row(row, rec, placed, extra, bool(l1 or l2))
            return
        for c in extra:
            self.warn(c.loc, f"项目{st.project.seq}指标列之外的单元格未使用：{c.text[:40]!r}")
        nature, direction, order = _nature_and_direction(rec.get("nature"), rec.get("direction"), order)
        split = bool(rec.get("nature") or rec.get("measure_unit"))  # the value printed in parts
        joined: str | None
        if split:
            joined = "".join([t for _, f, t in sorted(order) if f in _VALUE_PARTS and t])
        else:
            joined = rec.get("value")
        ind = Indicator(
            level1=st.level1,
            level2=st.level2,
            name=rec.get("name"),
            description=rec.get("description"),
            value=joined or None,
            basis=rec.get("basis"),
            nature=nature,
            measure_unit=rec.get("measure_unit"),
            weight=rec.get("weight"),
            location=row.loc,
            target_text=rec.get("value") if split else None,
            direction=direction,
        )
        st.project.indicators.append(ind)

    def _late_level1(self, inds: list[Indicator], l2: str | None, prev_l2: str | None) -> None:
        """A merged level cell whose text a page break pushed below its first row: the rows above
        it (read without a level 1) get it, and their level 2 goes on."""
        st = self.state
        assert st is not None
        for ind in reversed(inds):
            if ind.level1 is not None:
                break
            ind.level1 = st.level1
        if not l2:
            st.level2 = prev_l2

    def _unused_row(
        self,
        row: Row,
        rec: dict[str, str | None],
        placed: list[tuple[int, Cell]],
        extra: list[Cell],
        levels: bool,
    ) -> None:
        """A row with no indicator field (`_PAYLOAD`): its cells outside the columns, or its
        texts when it sets no level, project, weight or unit either, said unused."""
        st = self.state
        assert st is not None
        if extra:
            unused = " | ".join(c.text for c in extra)
            self.warn(row.loc, f"项目{st.project.seq}的表格行未使用：{unused[:60]!r}")
        elif not (levels or rec.get("project") or rec.get("weight")):
            texts = " | ".join(c.text for _, c in placed)
            if texts and not rec.get("unit"):
                self.warn(row.loc, f"项目{st.project.seq}的表格行未使用：{texts[:60]!r}")

    def _project_columns(self, rec: dict[str, str | None], row: Row) -> _ProjectState:
        """The project columns of a flat sheet's indicator row (project name or code, unit, budget,
        goal): a new project opens, its fields are set. The state of the row's project."""
        if "project" in rec or "project_code" in rec:
            self._switch_project(rec.get("project"), rec.get("project_code"), row.loc)
        st = self.state
        assert st is not None
        if rec.get("unit") and (rec.get("project") or any(rec.get(f) for f in ("name", "value"))):
            code, name = split_unit(rec["unit"] or "")
            if st.unit_rank < 2:
                st.unit_rank = 2
                st.project.unit_code, st.project.unit_name = code, name
                self.unit_cands.append((2, code, name))
        if rec.get("budget") and (rec.get("project") or st.project.name):
            self._set_field("total", "预算数", rec["budget"] or "", row.cells[0])
        if rec.get("goal") and (rec.get("project") or st.project.name):
            self._set_field("goal", "年度目标", rec["goal"] or "", row.cells[0])
        return st

    def _carry_levels(self, l1: str | None, l2: str | None) -> tuple[str | None, str | None]:
        """Set the levels a row prints (carried down to the rows below); the row's own levels."""
        st = self.state
        assert st is not None
        if l1 and not is_level1(l1) and (glued := _unglue(l1)) is not None:
            l1 = glued  # a merged label's piece glued to the level label by a PDF's layout
        elif l1 and not is_level1(l1) and self.stream.layout == "pdf":
            s = _sq(l1)
            head = next(
                (
                    s[:k]
                    for k in range(4, len(s) - 1)
                    if is_level1(s[:k]) and (_is_label_piece(s[k:]) or _kv(s[k:]))
                ),
                None,
            )
            l1 = head or l1  # the piece glued after it ('产出指标预算规模及资金用途')
        if l1:
            l1 = _sq(l1) if "\n" in l1 else l1
            if l1 != st.level1:
                st.level2 = None
            st.level1 = l1
        if l2:
            st.level2 = l2  # level 1 carried down even across categories, as printed (seed 000 p28)
        return l1, l2

    def _switch_project(self, name: str | None, code: str | None, loc: Location) -> None:
        """A flat sheet names the project on its first row: a new name opens a new project."""
        st = self.state
        assert st is not None
        p = st.project
        if not name and not code:
            return
        if (p.name is None and p.code is None) and not p.indicators:
            p.name, p.code = name, _sq(code) if code else None
            st.from_column = True
            return
        if (name and name != p.name) or (code and _sq(code) != p.code):
            columns, fields, width, scale = st.columns, st.fields, st.header_width, st.money_scale
            title, kind = p.title, p.kind
            unit = (p.unit_code, p.unit_name, st.unit_rank)
            self._end_project()
            new = self._ensure_project(loc)
            new.columns, new.fields, new.header_width, new.money_scale = columns, fields, width, scale
            new.project.name, new.project.code = name, _sq(code) if code else None
            new.project.title, new.project.kind = title, kind
            new.from_column = True
            new.project.unit_code, new.project.unit_name, new.unit_rank = unit

    # -- unit, year, goals ---------------------------------------------------------------------
    def _read_unit_goals(self, blocks: list[Block]) -> None:
        from jixiao.ingest.goals import read_unit_goals

        paras: list[Para] = []
        for b in blocks:
            if isinstance(b, Para):
                paras.append(b)
            elif len(ne := b.nonempty()) == 1:
                # a sheet or page that prints running text as one-cell rows
                paras.extend(Para(line, ne[0].loc) for line in ne[0].text.split("\n") if line.strip())
        overall, subs = read_unit_goals(paras, self.stream.layout)
        self.doc.overall_goal = overall
        self.doc.sub_goals = [SubGoal(title=t, goal=g, indicators=i) for t, g, i in subs]

    def _finish(self) -> None:
        doc = self.doc
        # the unit: the one most tables name, else the project block's best-ranked unit label
        if self.unit_lines:
            (code, name), _ = Counter(self.unit_lines).most_common(1)[0]
            doc.unit_code, doc.unit_name = code, name
        elif self.unit_cands:
            _rank, cand_code, cand_name = max(self.unit_cands, key=lambda x: x[0])
            doc.unit_code, doc.unit_name = cand_code, cand_name
        else:
            doc.unit_name = self._unit_from_title()
        doc.year = self.year or self._guess_year()
        regions: Counter[str] = Counter()
        for p in doc.projects:
            for ind in p.indicators:
                ind.year = doc.year
            p.region = region_name(division_of_project_code(p.code))
            if p.region:
                regions[p.region] += 1
            if p.kind == "department" and doc.overall_goal is None and p.goal:
                doc.overall_goal = p.goal
        if regions:
            doc.region = regions.most_common(1)[0][0]

    def _check_found(self) -> None:
        doc = self.doc
        if any(p.indicators or p.kind == "department" for p in doc.projects) or (
            not self.other_kind
            and any(p.name and (p.goal or p.budget_total is not None) for p in doc.projects)
        ):
            for kind, loc in self.other_tables:
                self.warn(loc, f"这是{kind}（不是绩效目标表），未读取")
            return
        if not self.other_tables and self.other_kind:
            self.other_tables.append((self.other_kind, Location()))
        if self.other_tables:
            kind, loc = self.other_tables[0]
            err = NoTargetTable(  # where it was found is the error's location (`ReadError.where`)
                self.source,
                f"未找到绩效目标表：这是{kind}，不是绩效目标表；"
                + (
                    "已公开的自评表可在“自评表复核”中按评分办法复核"
                    if kind == "自评表"
                    else "已公开的运行监控表可在“监控表复核”中查看红黄绿灯与缺漏"
                ),
                loc,
            )
            err.other_kind = kind
            raise err
        if doc.budget_overview is not None or doc.overall_goal or doc.sub_goals:
            return  # a budget disclosure without target tables: what it has is read
        raise NoTargetTable(self.source, "未找到绩效目标表（没有可识别的指标表头或项目信息）", Location())

    def _unit_from_title(self) -> str | None:
        for b in self.blocks[:10]:
            if isinstance(b, Para):
                m = re.match(
                    r"^\s*(.+?(局|院|委员会|中心|办公室|厅|部|所|站|队)(（本级）|\(本级\)|本级)?)\s*"
                    r"(20\d{2})\s*年",
                    b.text,
                )
                if m:
                    return m.group(1).strip()
        return None

    def _guess_year(self) -> int | None:
        stated = self._stated_year()
        if stated is not None:
            return stated
        # no title says it: a year group of the indicator header (2023年目标值), the project's
        # name or title, a year label (预算年度 | 2023), the lines before the first table; an
        # indicator's value or a goal (a deadline 2024年12月) only when none of these names one
        counts = self._printed_years()
        if not counts:
            # nothing else says it: the year the indicators' deadlines name (the seeds' truth
            # takes a page's 2024年12月 deadlines as its year when no other year is printed)
            for b in self.blocks:
                for t in [b.text] if isinstance(b, Para) else [c.text for c in b.cells]:
                    for y in _YEAR_WORD.findall(t):
                        counts[int(y)] += 1
        return counts.most_common(1)[0][0] if counts else None

    def _stated_year(self) -> int | None:
        """The budget year a heading states (2023年部门预算 …), else the year the titles say
        (`self.years`), else the one the project codes carry."""
        for b in self.blocks[:15]:
            if isinstance(b, Para):
                m = _BUDGET_YEAR.search(b.text)
                if m:
                    return int(m.group(1))
        if self.years:
            return self.years.most_common(1)[0][0]
        years: Counter[int] = Counter()
        for p in self.doc.projects:
            if p.code:
                m = _CODE_YEAR.match(p.code)
                if m:
                    years[2000 + int(m.group(1))] += 1
        return years.most_common(1)[0][0] if years else None

    def _printed_years(self) -> Counter[int]:
        """Years printed where a year means the budget year, weighed by how surely."""
        counts: Counter[int] = Counter()
        for b in self.blocks:
            if isinstance(b, Row) and self._hmap(b.cells):
                ys = [int(y) for c in b.cells for y in _YEAR_WORD.findall(c.text)]
                if ys:
                    counts[max(ys)] += 3
        for p in self.doc.projects:
            for t in (p.name, p.title):
                for y in _YEAR_WORD.findall(t or ""):
                    counts[int(y)] += 2
        first = self._first_table_block()
        for b in self.blocks:
            if isinstance(b, Row):
                cells = [c.text for c in b.cells if c.text.strip()]
                for k in range(len(cells) - 1):
                    # a year label has 年, which normalising neither adds nor removes
                    if "年" in cells[k] and _YEAR_LABEL.fullmatch(norm_label(cells[k])):
                        m = _LEADING_YEAR.match(cells[k + 1])
                        if m:
                            counts[int(m.group(1))] += 2
        for b in self.blocks[: first + 1]:
            for t in [b.text] if isinstance(b, Para) else [c.text for c in b.cells]:
                if len(t) < 60:
                    for y in _YEAR_WORD.findall(t):
                        counts[int(y)] += 1
        return counts


# the fields that make an indicator row (a row with none of them only carries levels or a project)
_PAYLOAD = ("name", "description", "value", "basis", "nature", "measure_unit")


def _has_payload(rec: dict[str, str | None]) -> bool:
    """Whether an indicator row's record holds any of `_PAYLOAD` (written out: a row at a time)."""
    return bool(
        rec.get("name")
        or rec.get("value")
        or rec.get("description")
        or rec.get("basis")
        or rec.get("nature")
        or rec.get("measure_unit")
    )


# the fields `_project_columns` reads
_PROJECT_COLUMNS = frozenset({"project", "project_code", "unit", "budget", "goal"})
# the fields a value printed in parts is joined from, in their printed order
_VALUE_PARTS = ("nature", "value", "measure_unit")
_DIRECTION_WORD = re.compile(r"^(正向|反向|中性)")


@lru_cache(maxsize=16384)
def _fitted_columns(
    placed: tuple[tuple[int, str], ...], fields: tuple[str | None, ...], width: int
) -> tuple[int, ...] | None:
    """The columns of a row's non-empty cells (column, text) when fitting them by content reads
    the row much better than their positions, else None (the cells stay where printed). A row with
    a cell for every named column is read by position unless fitting reads it much better."""
    texts = [t for _, t in placed]
    cols = fit_row(texts, list(fields))
    if cols is None:
        return None
    named = max((k for k, f in enumerate(fields) if f and f != "remark"), default=len(fields) - 1) + 1
    if width >= named:
        ps = positional_score(list(placed), list(fields))
        if ps >= fitted_score(texts, cols, list(fields)) - 4.0:
            return None
    return tuple(cols)


def _record(
    placed: list[tuple[int, Cell]], fields: list[str | None]
) -> tuple[dict[str, str | None], list[tuple[int, str, str]], list[Cell]]:
    """An indicator row's cells by field (cells of one field joined by lines), the (column, field,
    text) order they were printed in, and the cells under no named column."""
    rec: dict[str, str | None] = {}
    order: list[tuple[int, str, str]] = []
    extra: list[Cell] = []
    for idx, c in placed:
        fld = fields[idx] if idx < len(fields) else None
        text = c.text.strip()
        if fld is None:
            if text:
                extra.append(c)
            continue
        if fld.startswith("skip:"):
            continue
        if prev := rec.get(fld):
            rec[fld] = prev + "\n" + text
        else:
            rec[fld] = text or None
        order.append((idx, fld, text))
    return rec, order, extra


def _nature_and_direction(
    nature: str | None, direction: str | None, order: list[tuple[int, str, str]]
) -> tuple[str | None, str | None, list[tuple[int, str, str]]]:
    """指标性质 holding 正向/反向 and 指标方向 holding the comparator: the content decides (the two
    columns swapped, in the printed order too)."""
    if nature and _DIRECTION_WORD.match(_sq(nature)):
        comparator = direction if direction and cell_score(direction, "nature") > 2 else None
        nature, direction = comparator, nature
        swap = {"nature": "direction", "direction": "nature"}
        order = [(i, swap.get(f, f), t) for i, f, t in order]
    return nature, direction, order


_BUDGET_YEAR = re.compile(r"(20\d{2})\s*年(度)?\s*(单位|部门)?(预算|绩效|项目支出)")
_YEAR_WORD = re.compile(r"(20\d{2})\s*年")
_YEAR_LABEL = re.compile(r"(预算|项目|申报|编制|实施)?年度|年份")
_LEADING_YEAR = re.compile(r"^\s*(20\d{2})")


def interpret(stream: CellStream, year: int | None = None) -> Disclosure:
    """Turn a cell stream into the domain model. Odd content gives warnings; a document with no
    target table at all raises `NoTargetTable` (a `ReadError`)."""
    return _Interpreter(stream, year).run()
