"""Read published monitoring pages (项目支出绩效运行监控表) into their own model.

The page arrives as the cell stream every reader gives (`read_cells`) and is walked as the
self-evaluation reader walks a 自评表 (`jixiao.ingest.selfeval`: its tokens, its key–value block,
its budget block, its level labels); what differs is the form's vocabulary:

- the title (…运行监控表, …监控情况表) with its year, the period the data run to (`1-7月`,
  `截至7月底`), the money unit;
- the budget block: 年初预算数 / 全年预算数 / 1-7月执行数 / 1-7月执行率 / 全年预计执行数, and the
  偏差原因 text printed after a row's figures;
- 年度总体目标: the annual goal and its 执行情况;
- the indicator header: 一级/二级/三级指标, 年度指标值, 1-X月执行情况 (截至X月完成值, 实际完成值),
  全年预计完成情况, 偏差原因分析 (one text column, or tick columns 经费保障 … 其他 printed on the
  row below), 完成目标可能性 (one column, or tick columns 确定能 / 有可能 / 完全不可能), 备注 or
  整改措施;
- indicator rows: a grid row as wide as the header is read by position (a tick under a column
  names the reason or the likelihood); other rows (text layouts drop blank cells) are fitted by
  content: values in the order of the value columns, then the reason and likelihood words, then
  the texts. A tick whose column cannot be known is left unread rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from jixiao.ingest.cells import CellStream
from jixiao.ingest.selfeval import (
    BUDGET_ROW,
    IND_HEAD,
    NOTE,
    FormReader,
    Token,
    is_figure,
    label_field,
    level_at,
    normalise,
    starts_value,
    tokens_of,
)
from jixiao.ingest.vocab import is_level1, is_level2
from jixiao.model import Location

REASON_CATEGORIES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
LIKELIHOODS = ("确定能", "有可能", "完全不可能")


@dataclass
class MonitoringIndicator:
    """One indicator row of a published 监控表, every cell as printed."""

    level1: str | None
    level2: str | None
    name: str | None
    target: str | None = None  # 年度指标值
    actual: str | None = None  # 1-X月执行情况 / 截至X月完成值
    forecast: str | None = None  # 全年预计完成情况
    reason_category: str | None = None  # the ticked (or printed) 偏差原因 category
    reason: str | None = None  # 偏差原因分析 text
    likelihood: str | None = None  # 完成目标可能性: 确定能 / 有可能 / 完全不可能
    remarks: str | None = None  # 备注 / 整改措施
    loc: Location | None = None


@dataclass
class MonitoringTable:
    """A published 项目支出绩效运行监控表 as printed."""

    source: str
    title: str | None = None
    year: int | None = None
    project_name: str | None = None
    department: str | None = None  # 主管部门
    implementing_unit: str | None = None  # 实施单位
    money_unit: str | None = None  # 万元 / 元
    period: str | None = None  # what the data run to, as printed: 1-7月, 截至7月底
    budget_columns: list[str] = field(default_factory=list)
    budget_rows: dict[str, dict[str, str]] = field(default_factory=dict)
    goal_target: str | None = None  # 年度总体目标
    goal_progress: str | None = None  # its 执行情况
    indicators: list[MonitoringIndicator] = field(default_factory=list)
    loc: Location | None = None

    @property
    def month(self) -> int | None:
        """The last month the data cover (`1-7月` → 7), or None where no period is printed."""
        found = re.findall(r"(\d{1,2})月", self.period or "")
        m = int(found[-1]) if found else None
        return m if m is not None and 1 <= m <= 12 else None

    def to_dict(self) -> dict[str, Any]:
        inds = []
        for ind in self.indicators:
            d = asdict(ind)
            d.pop("loc", None)
            inds.append(d)
        return {
            "kind": "monitor",
            "source": self.source,
            "title": self.title,
            "year": self.year,
            "project_name": self.project_name,
            "department": self.department,
            "implementing_unit": self.implementing_unit,
            "money_unit": self.money_unit,
            "period": self.period,
            "budget": {
                "columns": list(self.budget_columns),
                "rows": {k: dict(v) for k, v in self.budget_rows.items()},
            },
            "annual_goal": {"target": self.goal_target, "progress": self.goal_progress},
            "indicators": inds,
            "location": self.loc.zh() if self.loc else None,
        }


class NoMonitoring(ValueError):
    """A document in which no 监控表 could be read."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.message = message
        super().__init__(f"{source}: {message}")

    def __reduce__(self) -> tuple[type[NoMonitoring], tuple[str, str]]:
        return (type(self), (self.source, self.message))


# ----------------------------------------------------------------------------------- vocabulary

_MONTH = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份|底|末)?"
_PERIOD = re.compile(r"(?:1|一)[-—–~～至到]" + _MONTH + r"|截[至止](?:\d{4}年)?" + _MONTH)
_TITLE = re.compile(r"(运行)?监控(情况)?表|绩效运行监控")
_BUDGET_COL = re.compile(
    r"年初预算数|全年预算数|调整后?预算数|预算数|"
    r"(?:" + _PERIOD.pattern + r")?(?:预算)?执行(?:数|金额)|(?:" + _PERIOD.pattern + r")?(?:预算)?执行率|"
    r"全年预计执行(?:数|率)|预计全年执行(?:数|率)|偏差原因(?:分析)?|完成目标可能性|备注"
)
# indicator columns in printed order (the header's joined text)
_MON_COL = re.compile(
    r"(?P<level1>一级指标)|(?P<level2>二级指标)|(?P<name>三级指标|指标名称|具体指标)|"
    r"(?P<forecast>全年预计(?:完成|执行)?(?:情况|值|数)?|预计全年(?:完成|执行)?(?:情况|值)?)|"
    r"(?P<likelihood>完成目标可能性|目标完成可能性)|"
    r"(?P<actual>(?:" + _PERIOD.pattern + r")(?:实际)?(?:执行|完成)?(?:情况|值|数)?|实际完成(?:值|情况)|"
    r"累计完成(?:值|情况)?)|"
    r"(?P<target>(?:年度|全年)?(?:指标值|目标值))|"
    r"(?P<reason>偏差原因(?:分析)?(?:及(?:改进|整改)措施)?|原因分析)|"
    r"(?P<cat>经费保障|制度保障|人员保障|硬件条件保障|其他(?:原因)?)|"
    r"(?P<lik>确定能|有可能|完全不可能)|"
    r"(?P<remarks>备注|整改措施|纠偏措施|改进措施)"
)
_GOAL_LABEL = re.compile(r"^(年度)?(总体)?目标$|^年度总体目标$")
_GOAL_HEADS = re.compile(
    r"^(全年目标|年初设定目标|预期目标|年度目标|总体目标)$|^(\d{1,2}月(份|底|末)?)?(执行|完成)情况$|^(1|一)[-—–~～至到]$"
)
_PERIOD_START = re.compile(r"(1|一)[-—–~～至到]")  # a period cut from its column word (`1-` / `7月执行情况`)
_PERIOD_END = re.compile(r"\d{1,2}月(份|底|末)?(实际)?(执行|完成)(情况|值|数)?")
_TICK_WORDS = frozenset((*REASON_CATEGORIES, *LIKELIHOODS))
_TICK = re.compile(r"^[√✓✔☑●■]$|^是$")
_END = re.compile(r"^(填报人|填表人|联系电话|填报日期|审核人|单位负责人)")
_VALUE_COLS = ("target", "actual", "forecast")


def _is_tick(n: str) -> bool:
    return bool(_TICK.match(n))


def _is_word(n: str) -> bool:
    """A tick or a printed likelihood / reason category."""
    return _is_tick(n) or n in LIKELIHOODS or n in REASON_CATEGORIES


def _value_like(n: str) -> bool:
    return is_figure(n) or starts_value(n) or len(n) <= 8


def _ends_word(before: str, n: str) -> bool:
    """n ends a column word begun before it (`全年预计` / `完成值`)."""
    whole = before[-30:] + n
    cut = len(whole) - len(n)
    return any(m.start() < cut < m.end() == len(whole) for m in _MON_COL.finditer(whole))


def _header_word(n: str) -> bool:
    """A header cell, or header cells run together (most of the text column words)."""
    if not n or len(n) > 120 or is_level2(n):
        return False
    if len(n) <= 30:
        return _MON_COL.search(n) is not None
    return sum(m.end() - m.start() for m in _MON_COL.finditer(n)) >= 0.8 * len(n)


# ------------------------------------------------------------------------------------- reading


class _Head(FormReader):
    """The self-evaluation reader's title, key–value and budget walking with the 监控表's words."""

    title_pat = _TITLE
    title_word = r"(运行)?监控(情况)?表"
    budget_col = _BUDGET_COL

    def read_head(self) -> None:
        self._title()
        self._key_values()
        self._budget()

    def _budget_tail(self, j: int, row: dict[str, str], cols: list[str]) -> int:
        """A 偏差原因 (or 完成目标可能性, 备注) text after a row's figures, in its column."""
        texts = [c for c in cols if re.match(r"偏差原因|完成目标可能性|备注", c) and c not in row]
        toks = self.toks
        if not texts or j >= len(toks) or is_figure(toks[j].norm):
            return j
        n = toks[j].norm
        if BUDGET_ROW.match(n) or _GOAL_LABEL.match(n) or IND_HEAD.search(n) or label_field(n):
            return j
        if n in LIKELIHOODS:
            col = next((c for c in texts if "可能" in c), None)
        else:
            col = texts[0]
        if col is None:
            return j
        row[col] = toks[j].text.strip()
        return j + 1


def read_monitoring(stream: CellStream) -> list[MonitoringTable]:
    """Every 监控表 printed in the stream, in order (empty when none)."""
    toks = tokens_of(stream)
    starts = _table_starts(toks)
    out: list[MonitoringTable] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(toks)
        t = _Reader(stream.source, toks[start:end], toks[:start] if k == 0 else []).read()
        if t.indicators or t.budget_rows:
            out.append(t)
    return out


def read_monitoring_bytes(data: bytes, name: str) -> list[MonitoringTable]:
    """Every 监控表 of a document given as bytes (any format the importer reads). Raises
    `ReadError` for a file that cannot be read and `NoMonitoring` (in Chinese) when no 监控表
    with indicators is in it."""
    from jixiao.ingest import read_cells

    tables = [t for t in read_monitoring(read_cells(data, name)) if t.indicators]
    if not tables:
        raise NoMonitoring(name, NOT_FOUND)
    return tables


NOT_FOUND = (
    "未找到已公开的运行监控表（没有可识别的监控表指标表头：三级指标、年度指标值、1-7月执行情况"
    "或截至某月完成值、全年预计完成情况、完成目标可能性）"
)
SELFEVAL_GIVEN = "这是自评表，不是运行监控表；已公开的自评表请在“自评表复核”中按评分办法复核"
TARGETS_GIVEN = "这是绩效目标表，不是运行监控表；绩效目标表请在“导入文件”中导入（或用命令 jixiao import）"


def read_monitoring_page(data: bytes, name: str) -> list[MonitoringTable]:
    """Every 监控表 of an uploaded page, as `read_monitoring_bytes` (the page 监控表复核 runs it in
    its bounded child). Where none is in it, `NoMonitoring` says what the page is instead when it
    can tell, and where that is read: a 自评表 (read as `jixiao.ingest.selfeval` reads one) or a
    绩效目标表 (read as the importer reads one); else `NOT_FOUND`."""
    from jixiao.ingest import read_cells
    from jixiao.ingest.cells import ReadError
    from jixiao.ingest.interpret import interpret
    from jixiao.ingest.selfeval import read_selfeval

    stream = read_cells(data, name)
    tables = [t for t in read_monitoring(stream) if t.indicators]
    if tables:
        return tables
    if any(t.indicators for t in read_selfeval(stream)):
        raise NoMonitoring(name, SELFEVAL_GIVEN)
    try:
        doc = interpret(stream)
    except ReadError:  # neither: no target table either
        raise NoMonitoring(name, NOT_FOUND) from None
    if any(p.indicators for p in doc.projects):
        raise NoMonitoring(name, TARGETS_GIVEN)
    raise NoMonitoring(name, NOT_FOUND)


def _table_starts(toks: list[Token]) -> list[int]:
    """Each table begins at its 项目名称 (the title just before it belongs to it)."""
    starts = [0]
    seen_header = False
    for i, t in enumerate(toks):
        if IND_HEAD.search(t.norm) and len(t.norm) < 80:
            seen_header = True
        elif seen_header and t.width == 1 and _TITLE.search(t.norm) and len(t.norm) <= 40:
            starts.append(i)  # the next table's title
            seen_header = False
        elif seen_header and label_field(t.norm) == "project_name":
            j = i
            while (
                j > starts[-1] + 1
                and i - j < 3
                and (_TITLE.search(toks[j - 1].norm) or "年度" in toks[j - 1].norm)
            ):
                j -= 1
            starts.append(j)
            seen_header = False
    return starts


@dataclass
class _Header:
    start: int  # first token after the header
    row: int  # the header's first row
    cols: list[tuple[str, str]]  # (field, printed word) in printed order, groups opened into ticks
    # the header's cells sit at their columns' positions (a grid, tab rows with blank cells kept):
    # a data row narrower than the header (its trailing blank cells dropped) is still read by position
    true_pos: bool


class _Reader:
    def __init__(self, source: str, toks: list[Token], before: list[Token]) -> None:
        self.toks = toks
        self.before = before
        self.t = MonitoringTable(source=source, loc=toks[0].loc if toks else None)
        self.level1: str | None = None
        self.level2: str | None = None

    def read(self) -> MonitoringTable:
        head = _Head(self.t.source, self.toks, self.before)
        head.read_head()
        h = head.t
        t = self.t
        t.title, t.year, t.project_name = h.title, h.year, h.project_name
        t.department, t.implementing_unit, t.money_unit = h.department, h.implementing_unit, h.money_unit
        t.budget_columns, t.budget_rows = h.budget_columns, h.budget_rows
        if t.project_name is None:
            # a line above glued to the label by a text layout (`金额单位：元项目名称`)
            for k, tok in enumerate(self.toks[:40]):
                if (
                    tok.norm.endswith("项目名称")
                    and k + 1 < len(self.toks)
                    and not label_field(self.toks[k + 1].norm)
                ):
                    t.project_name = self.toks[k + 1].text.strip()
                    break
        self._period()
        self._goal()
        self._indicators()
        return t

    def _period(self) -> None:
        texts = [c for c in self.t.budget_columns] + [t.norm for t in self.toks[:400] if len(t.norm) <= 30]
        for s in texts:
            m = _PERIOD.search(s)
            if m:
                self.t.period = m.group(0)
                return

    def _goal(self) -> None:
        toks = self.toks
        for i, tok in enumerate(toks[:300]):
            if not _GOAL_LABEL.match(tok.norm):
                continue
            texts: list[Token] = []
            for nxt in toks[i + 1 : i + 8]:
                n = nxt.norm
                if IND_HEAD.search(n):
                    break
                if _GOAL_HEADS.match(n) or (_PERIOD.search(n) and len(n) <= 16):
                    continue
                texts.append(nxt)
                if len(texts) == 2:
                    break
            if texts:
                self.t.goal_target = texts[0].text.strip()
                if len(texts) > 1:
                    self.t.goal_progress = texts[1].text.strip()
            return

    # -- indicators -----------------------------------------------------------------------------
    def _header(self) -> _Header | None:
        toks = self.toks
        for i, tok in enumerate(toks):
            if not (IND_HEAD.search(tok.norm) and len(tok.norm) < 120):
                continue
            j = i
            joined = ""
            while j < len(toks) and j < i + 40:
                n = toks[j].norm
                if j > i and not (
                    _header_word(n)
                    or _PERIOD_START.fullmatch(n)
                    or _PERIOD_END.fullmatch(n)
                    or _ends_word(joined, n)
                ):
                    break
                joined += n
                j += 1
            found = [(m.lastgroup, m.group(0)) for m in _MON_COL.finditer(joined) if m.lastgroup]
            # a 监控表's own columns: progress to a month, a forecast, the likelihood (a 自评表 has
            # 实际完成值 too, but no period)
            own = [
                f
                for f, w in found
                if f in ("forecast", "likelihood", "lik") or (f == "actual" and _PERIOD.search(w))
            ]
            if "name" not in {f for f, _ in found} or not own:
                continue
            cols = _open_groups(found)
            # judged on the tick columns' row where groups were opened (the row above has merged cells)
            opened = len(cols) != len(found) - sum(1 for f, _ in found if f in ("cat", "lik"))
            placed = [
                t
                for t in toks[i:j]
                if t.width > 1 and _MON_COL.fullmatch(t.norm) and (not opened or t.norm in _TICK_WORDS)
            ]
            true_pos = bool(placed) and all(t.col < len(cols) and cols[t.col][1] == t.norm for t in placed)
            return _Header(j, tok.row, cols, true_pos)
        return None

    def _indicators(self) -> None:
        head = self._header()
        if head is None:
            return
        self.cols = head.cols
        self.true_pos = head.true_pos
        toks = self.toks
        i = head.start
        while i < len(toks):
            tok = toks[i]
            n = tok.norm
            if NOTE.match(n) or _END.match(n):
                break
            if IND_HEAD.search(n) and tok.row != head.row and len(n) < 40:
                i += 1
                while i < len(toks) and _header_word(toks[i].norm) and not is_level1(toks[i].norm):
                    i += 1  # a header repeated after a page break
            elif self._positional(tok):
                i = self._grid_row(i)
            elif level_at(toks, i)[0] is not None:
                i = self._level(i)
            elif is_figure(n) or _is_tick(n) or len(n) > 200:
                i += 1
            else:
                i = self._text_row(i)

    def _positional(self, tok: Token) -> bool:
        n = len(self.cols)
        return 1 < tok.width <= n and tok.col < n and (tok.width == n or self.true_pos)

    def _level(self, i: int) -> int:
        label, used = level_at(self.toks, i)
        assert label is not None
        if is_level1(label) and (not is_level2(label) or level_at(self.toks, i + used)[0] is not None):
            self.level1, self.level2 = label, None
        else:
            self.level2 = label
        return i + used

    def _grid_row(self, i: int) -> int:
        """A row as wide as the header: every cell by its column."""
        toks = self.toks
        row = toks[i].row
        j = i
        cells: dict[str, Token] = {}
        ticks: list[tuple[str, str]] = []
        while j < len(toks) and toks[j].row == row:
            fld, word = self.cols[toks[j].col] if toks[j].col < len(self.cols) else ("", "")
            if fld in ("cat", "lik"):
                ticks.append((fld, word if _is_tick(toks[j].norm) else toks[j].text.strip()))
            elif fld:
                cells.setdefault(fld, toks[j])
            j += 1
        if "level1" in cells:
            self.level1, self.level2 = cells["level1"].text.strip(), None
        if "level2" in cells:
            self.level2 = cells["level2"].text.strip()
        name = cells.get("name")
        if name is None:
            return j
        ind = MonitoringIndicator(self.level1, self.level2, name.text.strip(), loc=name.loc)
        for fld in (*_VALUE_COLS, "reason", "likelihood", "remarks"):
            if fld in cells:
                n = cells[fld].norm
                if fld not in _VALUE_COLS and n in LIKELIHOODS:
                    ind.likelihood = n  # blank cells dropped before it: the word says its column
                elif fld not in _VALUE_COLS and n in REASON_CATEGORIES:
                    ind.reason_category = n
                else:
                    setattr(ind, fld, cells[fld].text.strip())
        for fld, word in ticks:
            if fld == "lik":
                ind.likelihood = word
            elif ind.reason_category is None:
                ind.reason_category = word
        _split_words(ind)
        self._add(ind)
        return j

    def _text_row(self, i: int) -> int:
        """A name and the cells after it: its row's (a row of fewer cells than the header) or, one
        cell per line, until the next row starts."""
        toks = self.toks
        name, glued = _unglue(toks[i])
        if glued:  # a row whose cells run together; a layout may have cut it after a value
            nvals = sum(1 for f, _ in self.cols if f in _VALUE_COLS)
            k = i + 1
            while k < len(toks) and toks[k].row == name.row:
                more, got = _pieces(toks[k].text.strip(), 0, nvals - len(glued))
                if not got or len(glued) >= nvals:
                    break
                glued += [Token(v, normalise(v), name.row, name.width, name.col, name.loc) for v in more]
                k += 1
            ind = _fit(name, glued, self.cols)
            ind.level1, ind.level2 = self.level1, self.level2
            self._add(ind)
            return k
        j = i + 1
        cells: list[Token] = []
        while name.width > 1 and j < len(toks) and toks[j].row == name.row:
            cells.append(toks[j])
            j += 1
        # the row's cells may go on over the next lines (one cell per line; a row regrouped short)
        j, after = self._line_cells(j, sum(1 for c in cells if not _is_word(c.norm)))
        cells += after
        ind = _fit(name, cells, self.cols)
        if ind.target or ind.actual or ind.forecast:
            ind.level1, ind.level2 = self.level1, self.level2
            self._add(ind)
        return j

    def _line_cells(self, j: int, values: int) -> tuple[int, list[Token]]:
        """The cells after the `values` read so far until the next row starts: values while value
        columns are left, ticks and words, then texts (reason, remarks) unless a text is followed by
        two values (the next row's name)."""
        toks = self.toks
        cells: list[Token] = []
        nvals = sum(1 for f, _ in self.cols if f in _VALUE_COLS)
        while j < len(toks) and not self._positional(toks[j]):
            n = toks[j].norm
            if level_at(toks, j)[0] is not None or NOTE.match(n) or _END.match(n) or IND_HEAD.search(n):
                break
            value = _value_like(n)
            if _is_word(n):
                pass
            elif values < nvals and (value or values == 0):
                values += 1
            elif values < 2 or self._name_at(j):
                break
            cells.append(toks[j])
            j += 1
        return j, cells

    def _name_at(self, j: int) -> bool:
        """Token j starts a row: two values follow it."""
        toks = self.toks
        return j + 2 < len(toks) and all(
            _value_like(toks[k].norm) and not _is_word(toks[k].norm) and level_at(toks, k)[0] is None
            for k in (j + 1, j + 2)
        )

    def _add(self, ind: MonitoringIndicator) -> None:
        if ind.target or ind.actual or ind.forecast:
            self.t.indicators.append(ind)


_COMPARATORS = "≥≤><=＞＜＝﹦"
_DASHES = "—－-"
_WORD_STARTS = (*LIKELIHOODS, *REASON_CATEGORIES[:4])
_WORD_SPLIT = re.compile("(" + "|".join(_WORD_STARTS) + ")")
_UNIT_MAX = 6  # characters of a unit after a glued value's number (`万元`, `公里`, `座次`)


def _unglue(tok: Token) -> tuple[Token, list[Token]]:
    """A row whose cells run together (`名称12处7处12处√`): the name, then up to three values cut at
    each number's end (a comparator or digit starts a value; its unit runs to the next digit,
    comparator or tick, at most a few characters), the ticks, and the text left (the reason or
    remarks). The token unchanged, with no cells, where fewer than two values can be cut: one scan,
    no search."""
    s = tok.text.strip()
    p = next((k for k, ch in enumerate(s) if k >= 2 and (ch.isdigit() or ch in _COMPARATORS)), None)
    if p is None:
        return tok, []
    pieces, nvals = _pieces(s, p, 3)
    if nvals < 2:
        return tok, []
    name = Token(s[:p], normalise(s[:p]), tok.row, tok.width, tok.col, tok.loc)
    return name, [Token(v, normalise(v), tok.row, tok.width, tok.col, tok.loc) for v in pieces]


def _pieces(s: str, q: int, most: int) -> tuple[list[str], int]:
    """The cells of a run from q: up to `most` values, then ticks, words and texts; and how many
    values were cut."""
    values: list[str] = []
    while q < len(s) and len(values) < most:
        start = q
        if s[q] in _DASHES and not s[q + 1 : q + 2].isdigit():
            values.append(s[q])
            q += 1
            continue
        while q < len(s) and q - start < 2 and s[q] in _COMPARATORS:
            q += 1
        if q >= len(s) or not s[q].isdigit():
            q = start
            break
        while q < len(s) and (s[q].isdigit() or s[q] in ".,"):
            q += 1
        u = q
        while (
            q < len(s)
            and q - u < _UNIT_MAX
            and not (s[q].isdigit() or s[q] in _COMPARATORS or _is_tick(s[q]))
        ):
            if (s[q] in _DASHES and q > u) or s.startswith(_WORD_STARTS, q):
                break
            q += 1
            if s[q - 1] in "年月" and s[q : q + 1].isdigit():  # a date goes on: 2023年11月底前
                while q < len(s) and s[q].isdigit():
                    q += 1
                u = q
        values.append(s[start:q])
    rest = [*values]
    while q < len(s) and _is_tick(s[q]):
        rest.append(s[q])
        q += 1
    # the text left: a reason, a likelihood or category word, remarks (`…数据有可能加强…`)
    rest += [part for part in _WORD_SPLIT.split(s[q:]) if part and part.strip()]
    return rest, len(values)


def _open_groups(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The header's columns with a 偏差原因分析 / 完成目标可能性 group replaced by its tick columns
    (printed on the row below) where they are printed."""
    cats = [(f, w) for f, w in found if f == "cat"]
    liks = [(f, w) for f, w in found if f == "lik"]
    out: list[tuple[str, str]] = []
    for f, w in found:
        if f in ("cat", "lik"):
            continue
        if f == "reason" and cats:
            out += cats
        elif f == "likelihood" and liks:
            out += liks
        else:
            out.append((f, w))
    return out


def _split_words(ind: MonitoringIndicator) -> None:
    """A reason printed as `经费保障：…` gives its category."""
    if ind.reason and ind.reason_category is None:
        m = re.match(r"^(经费保障|制度保障|人员保障|硬件条件保障)[:：\s]", ind.reason)
        if m:
            ind.reason_category = m.group(1)


def _fit(name: Token, cells: list[Token], cols: list[tuple[str, str]]) -> MonitoringIndicator:
    """Cells after a name whose blank cells were dropped: values fill the value columns in order;
    a likelihood or category word goes to its column; texts after the values to the reason and
    remarks columns in order. Ticks are kept only where their column is the only one left."""
    ind = MonitoringIndicator(None, None, name.text.strip(), loc=name.loc)
    vcols = [f for f, _ in cols if f in _VALUE_COLS]
    tcols = [f for f, _ in cols if f in ("reason", "remarks")]
    ticks = [(f, w) for f, w in cols if f in ("cat", "lik")]
    rest: list[Token] = []
    k = 0
    for c in cells:
        n = c.norm
        if k < len(vcols) and not (n in LIKELIHOODS or n in REASON_CATEGORIES or _is_tick(n)):
            if k == 0 or is_figure(n) or starts_value(n) or len(n) <= 16 or not tcols:
                setattr(ind, vcols[k], c.text.strip())
                k += 1
                continue
        rest.append(c)
    texts = list(tcols)
    nticks = [c for c in rest if _is_tick(c.norm)]
    for c in rest:
        n = c.norm
        if n in LIKELIHOODS:
            ind.likelihood = n
        elif n in REASON_CATEGORIES and ind.reason_category is None:
            ind.reason_category = n
        elif _is_tick(n):
            if len(ticks) == len(nticks) == 1:
                f, w = ticks[0]
                setattr(ind, "likelihood" if f == "lik" else "reason_category", w)
        elif texts:
            setattr(ind, texts.pop(0), c.text.strip())
    _split_words(ind)
    return ind
