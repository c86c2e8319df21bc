"""The interpreter: one state machine over the cell stream of any format → `Disclosure`.

It recognises, in document order: the unit's overall and sub goals (部门整体绩效目标), project
titles (…绩效目标表), the unit line (单位编码+名称, 单位：万元), the project block (项目编码, 项目名称,
预算数, 其中：财政资金, 其他资金, 资金用途, 资金支出计划, 绩效目标), the indicator header row and
the indicator rows (一级/二级 carried down from the row above when blank). A page break that
repeats the 绩效目标 row and the header inside one project is skipped. Every table row inside a
project that is not used becomes a located warning.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from jixiao import taxonomy
from jixiao.ingest.cells import Block, Cell, CellStream, Para, Row, match_unit_line, squash
from jixiao.ingest.overview import extract_budget_overview
from jixiao.model import Disclosure, Indicator, Location, ParseWarning, Project, SubGoal
from jixiao.regions import division_of_project_code, region_name


def _label(text: str) -> str:
    s = squash(text)
    return s.rstrip(":：")


# ---------------------------------------------------------------------------------------------
# labels of the project block

_CODE_LABELS = {"项目编码", "项目代码", "项目编号", "项目ID"}
_NAME_LABELS = {"项目名称"}
_TOTAL_LABELS = {"预算数", "预算金额", "项目预算", "年度预算数", "预算资金", "资金总额", "年度资金总额",
                 "项目资金", "预算总额", "年度预算", "预算金额（万元）", "预算数（万元）"}
_FISCAL_LABELS = {"其中：财政资金", "其中:财政资金", "财政资金", "其中财政资金", "财政拨款", "其中：财政拨款",
                  "其中:财政拨款", "其中：财政拨款资金", "财政拨款资金", "其中：当年财政拨款"}
_OTHER_LABELS = {"其他资金", "其中：其他资金", "其中:其他资金", "其他来源资金"}
_PURPOSE_LABELS = {"资金用途", "主要用途", "项目资金用途"}
_SECTION_LABELS = {"预算规模及资金用途", "预算规模", "资金规模及用途", "项目资金情况", "资金情况"}
_GOAL_LABELS = {"绩效目标", "年度绩效目标", "项目绩效目标", "年度目标", "总体目标", "项目年度绩效目标"}
_OTHER_KV_LABELS = {"主管部门", "实施单位", "项目负责人", "项目属性", "项目类型", "联系电话", "项目期",
                    "预算单位", "单位名称", "部门名称"}

_MONEY_SUFFIX = re.compile(r"(万元|元)$")
_TOTAL_RE = re.compile(r"^(年度)?预算(数|金额|资金)(（万元）|\(万元\))?$")
_FISCAL_RE = re.compile(r"^其中[:：]?财政")
_OTHER_RE = re.compile(r"^(其中[:：]?)?其他资金")
_DOTS = re.compile(r"\.{4,}")
_CODE_YEAR = re.compile(r"^\d{6}(\d{2})[A-Z]")
_PLAN_LABEL = re.compile(r"^(资金)?支出(进度)?计划")
_MILESTONE = re.compile(
    r"^(\d{1,2}月(底|末|份|前)?|第[一二三四1-4]季度|[一二三四1-4]季度末?|上半年|下半年|全年|年底)$")

_MONEY_UNIT = re.compile(r"(?:金额)?单位[:：]\s*(万元|元|千元|亿元)")

_TITLE_NUM = re.compile(
    r"^\s*(?:(?P<num>\d{1,3})\s*[.、．,，]\s*(?!\d)|[（(](?P<cnum>\d{1,3})[）)]\s*"
    r"|(?P<cn>[一二三四五六七八九十]{1,3})\s*[、.．]\s*|[（(](?P<cn2>[一二三四五六七八九十]{1,3})[）)]\s*"
    r"|附?表\s*(?:\d{1,3}\s*[-－—]\s*)?(?P<tnum>\d{1,3})\s*[:：.、．]?\s*)(?P<rest>\S.*)$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_TITLE_SUFFIX = re.compile(r"(项目)?(支出)?绩效目标(申报|批复)?表$")
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}\s*(页)?[-—–\s]*(/\s*\d+\s*(页)?)?$|^\d+\s*/\s*\d+$")

_MONEY_SCALE = {"万元": Decimal(1), "元": Decimal("0.0001"), "千元": Decimal("0.1"), "亿元": Decimal(10000)}
_CHAPTER = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十]+部分|[（(][一二三四五六七八九十]+[）)])")

_HEADER_FIELDS: list[tuple[str, re.Pattern[str]]] = [
    ("project", re.compile(r"^项目名称$")),
    ("project_code", re.compile(r"^项目(编码|代码)$")),
    ("level1", re.compile(r"^一级指标|^一级$")),
    ("level2", re.compile(r"^二级指标|^二级$")),
    ("name", re.compile(r"^(三级指标|指标名称|具体指标|三级$)")),
    ("description", re.compile(r"(指标)?描述|指标解释|指标内容|指标说明|^指标定义")),
    ("basis", re.compile(r"确定依据|依据|指标值来源|数据来源")),
    ("nature", re.compile(r"指标性质|^性质$|比较符|^符号$")),
    ("measure_unit", re.compile(r"度量单位|计量单位|^单位$")),
    ("weight", re.compile(r"分值|权重|^分数$")),
    ("value", re.compile(r"指标值|目标值|年度指标值|指标目标值|^标准$|^目标$|期望值")),
]


def _parse_money(text: str) -> Decimal | None:
    s = squash(text).replace(",", "").replace("，", "")
    s = _MONEY_SUFFIX.sub("", s)
    if not s or s in ("-", "—", "/", "无"):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


@lru_cache(maxsize=16384)
def _is_kv_label(text: str) -> str | None:
    """The project-block field a label cell names, or None."""
    if len(text) > 30:
        return None
    s = _label(text)
    if len(s) > 14:
        return None
    if not s:
        return None
    if s in _CODE_LABELS:
        return "code"
    if s in _NAME_LABELS:
        return "name"
    if s in _TOTAL_LABELS or _TOTAL_RE.match(s):
        return "total"
    if s in _FISCAL_LABELS or _FISCAL_RE.match(s):
        return "fiscal"
    if s in _OTHER_LABELS or _OTHER_RE.match(s):
        return "other"
    if s in _PURPOSE_LABELS:
        return "purpose"
    if s in _SECTION_LABELS:
        return "section"
    if _PLAN_LABEL.match(s):
        return "plan"
    if s in _GOAL_LABELS:
        return "goal"
    if s in _OTHER_KV_LABELS:
        return "other_kv"
    return None


_HEADER_HINT = re.compile(r"一\s*级|二\s*级|三\s*级|指标名称|具体指标")


def header_map(cells: list[Cell]) -> dict[int, str] | None:
    """Column index → indicator field, when this row is an indicator header row."""
    if not _HEADER_HINT.search("".join([c.text for c in cells])):
        return None  # cheap precheck; the cells are matched one by one below
    found: dict[int, str] = {}
    used: set[str] = set()
    for i, c in enumerate(cells):
        s = squash(c.text)
        if not s or len(s) > 20:
            continue
        for fld, pat in _HEADER_FIELDS:
            if fld in used:
                continue
            if pat.search(s):
                found[i] = fld
                used.add(fld)
                break
    levels = {"level1", "level2", "name"} & used
    if len(levels) >= 2 or (levels and "value" in used and len(used) >= 3):
        return found
    return None


def _is_money_unit(text: str) -> bool:
    """A short '单位：万元' line."""
    s = squash(text)
    return len(s) < 20 and bool(_MONEY_UNIT.search(s))


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


def name_from_title(title: str) -> str:
    return _TITLE_SUFFIX.sub("", title).strip() or title.strip()


# ---------------------------------------------------------------------------------------------


@dataclass
class _ProjectState:
    project: Project
    columns: dict[int, str] | None = None
    level1: str | None = None
    level2: str | None = None
    expect_purpose: bool = False
    plan_keys: list[str] | None = None
    plan_cols: list[int] = field(default_factory=list)  # the column of each milestone
    money_scale: Decimal = Decimal(1)  # 单位：元 → 1/10000
    pending_paras: list[Para] = field(default_factory=list)


class _Interpreter:
    def __init__(self, stream: CellStream, year: int | None) -> None:
        self.stream = stream
        self.source = stream.source
        self.blocks = stream.blocks
        self.year = year
        self.doc = Disclosure(source=stream.source)
        self.state: _ProjectState | None = None
        self.unit_lines: list[tuple[str, str]] = []
        self.doc_money_scale = Decimal(1)

    # -- warnings -------------------------------------------------------------------------
    def warn(self, loc: Location, message: str) -> None:
        self.doc.warnings.append(ParseWarning(self.source, loc, message))

    # -- entry ------------------------------------------------------------------------------
    def run(self) -> Disclosure:
        titles = self._find_titles()
        first_title = min(titles) if titles else len(self.blocks)
        self._read_unit_goals(self.blocks[:first_title])
        for i, block in enumerate(self.blocks):
            if i in titles:
                self._start_project(titles[i], block.loc)
                continue
            if isinstance(block, Para):
                self._para(block)
            else:
                self._row(block)
        self._end_project()
        self._finish()
        self.doc.budget_overview = extract_budget_overview(self.blocks)
        return self.doc

    # -- titles ------------------------------------------------------------------------------
    def _find_titles(self) -> dict[int, str]:
        """Block index → title text for every block that starts a project table."""
        titles: dict[int, str] = {}
        blocks = self.blocks
        for i, b in enumerate(blocks):
            text = b.text if isinstance(b, Para) else None
            if isinstance(b, Row):
                ne = b.nonempty()
                if len(ne) == 1 and len(squash(ne[0].text)) < 80 and (
                        _TITLE_SUFFIX.search(squash(ne[0].text))
                        or (ne[0] is b.cells[0] and split_title(ne[0].text)[0] is not None)):
                    # a title printed in the sheet's first column (or a merged title row)
                    text = ne[0].text
            if not text:
                continue
            s = squash(text)
            if len(s) > 90 or _PAGE_NUMBER.match(text):
                continue
            nxt = self._next_nonempty(i)
            next_is_table = isinstance(nxt, Row) and not self._is_title_row(nxt)
            if _TITLE_SUFFIX.search(s) and "……" not in s and not _DOTS.search(s):
                if next_is_table or isinstance(b, Row):
                    titles[i] = text.strip()
                continue
            num, _ = split_title(text)
            # a numbered line is a title when a project table follows; for a one-cell row (a sheet
            # that prints everything in rows) the very next row must open that table
            reach = 1 if isinstance(b, Row) else 12
            if num is not None and next_is_table and self._table_looks_like_project(i, reach):
                titles[i] = text.strip()
        return titles

    def _is_title_row(self, row: Row) -> bool:
        ne = row.nonempty()
        return len(ne) == 1 and bool(_TITLE_SUFFIX.search(squash(ne[0].text)))

    def _next_nonempty(self, i: int) -> Block | None:
        """The next block that is not blank and not the unit line under a title."""
        for b in self.blocks[i + 1 : i + 5]:
            if isinstance(b, Para) and (
                    not b.text.strip() or match_unit_line(b.text) or _is_money_unit(b.text)):
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
                if (_is_kv_label(c.text) in ("code", "name", "goal", "section", "total")
                        or match_unit_line(c.text)):
                    return True
            if header_map(b.cells):
                return True
        return False

    # -- projects ------------------------------------------------------------------------------
    def _start_project(self, title_text: str, loc: Location) -> None:
        self._end_project()
        num, title = split_title(title_text)
        seq = num if num is not None else len(self.doc.projects) + 1
        title = title.strip()
        project = Project(seq=seq, title=title, name=None, location=loc)
        self.state = _ProjectState(project=project, money_scale=self.doc_money_scale)

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
            if para.text.strip() and not _PAGE_NUMBER.match(para.text):
                self.warn(para.loc, f"text after the table of project {p.seq} not used: {para.text[:40]!r}")
        if p.name is None and p.title:
            p.name = name_from_title(p.title)
        if p.title is None and p.name:
            p.title = p.name
        if p.name or p.indicators or p.code:
            self.doc.projects.append(p)
        self.state = None

    def _para(self, para: Para) -> None:
        text = para.text.strip()
        if not text:
            return
        unit = match_unit_line(text)
        if unit:
            self._unit_line(unit, text)
            return
        m = _MONEY_UNIT.search(squash(text))
        if m and len(squash(text)) < 20:
            self._set_money_unit(m.group(1))
            return
        if self.state is not None and _CHAPTER.match(text):
            self._end_project()
            return
        if self.state is not None:
            # text inside or after a table: keep it until we know whether the table goes on
            self.state.pending_paras.append(para)
            if len(self.state.pending_paras) > 3:
                self._end_project()

    def _unit_line(self, unit: tuple[str, str], text: str) -> None:
        self.unit_lines.append(unit)
        if self.state is not None and not self.state.project.indicators:
            self.state.project.unit_code, self.state.project.unit_name = unit
        m = _MONEY_UNIT.search(squash(text))
        if m:
            self._set_money_unit(m.group(1))

    def _set_money_unit(self, unit: str) -> None:
        scale = _MONEY_SCALE[unit]
        if self.state is not None:
            self.state.money_scale = scale
        else:
            self.doc_money_scale = scale

    def _row(self, row: Row) -> None:
        cells = row.cells
        ne = row.nonempty()
        if not ne:
            return
        st = self.state
        first = ne[0].text
        # unit line / money unit inside the table
        if len(ne) <= 2:
            unit = match_unit_line(first)
            if unit:
                if st is not None and st.project.indicators:
                    self._end_project()
                self._unit_line(unit, " ".join(c.text for c in ne))
                return
            units = [_MONEY_UNIT.search(squash(c.text)) for c in ne]
            if all(units) and units[0] is not None:
                self._set_money_unit(units[0].group(1))
                return
        if st is not None and st.pending_paras:
            for para in st.pending_paras:
                if not _PAGE_NUMBER.match(para.text):
                    self.warn(para.loc, f"text inside the table of project {st.project.seq} not used: "
                                        f"{para.text[:40]!r}")
            st.pending_paras.clear()
        hmap = header_map(cells)
        if hmap:
            st = self._ensure_project(row.loc)
            if st.columns is None or not st.project.indicators:
                st.columns = hmap
            # a repeated header after a page break: keep the first mapping, carry levels on
            return
        kinds = [_is_kv_label(c.text) for c in cells]
        if (any(k not in (None, "other_kv") for k in kinds[:3])
                and (st is None or st.columns is None or self._kv_row_ok(kinds))
                and self._kv_row(row, kinds)):
            return
        if st is not None and st.expect_purpose and st.columns is None:
            st.expect_purpose = False
            text = "\n".join(c.text for c in ne)
            if st.project.purpose is None:
                st.project.purpose = text
            return
        if st is not None and st.plan_keys is not None and st.columns is None:
            self._plan_values(row)
            return
        if st is not None and st.columns is None and (hmap := self._guess_columns(row)):
            st.columns = hmap  # a table without a header row
        if st is not None and st.columns is not None:
            self._indicator_row(row)
            return
        if st is None and (hmap := self._guess_columns(row)):
            st = self._ensure_project(row.loc)
            st.columns = hmap
            self._indicator_row(row)
            return
        if st is not None:
            self.warn(row.loc, f"table row not used (project {st.project.seq}): "
                               f"{' | '.join(c.text for c in ne)[:60]!r}")
        # rows outside any project (other tables of the document) are left to other extractors

    def _guess_columns(self, row: Row) -> dict[int, str] | None:
        """Columns of an indicator row in a table printed without its header: the level labels
        open the row, the 指标值 is the cell that reads as a value."""
        from jixiao.values import parse_value

        texts = [c.text.strip() for c in row.cells]
        if len(texts) < 4:
            return None
        l1 = taxonomy.is_level1_label(texts[0]) and squash(texts[0]).endswith("指标")
        l2 = taxonomy.is_level2_label(texts[1])
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

    def _kv_row_ok(self, kinds: list[str | None]) -> bool:
        """Inside an indicator table only a repeated 绩效目标 row or a new project block counts."""
        present = {k for k in kinds if k}
        return bool(present & {"goal", "code", "name", "section", "plan", "total"})

    def _kv_pairs(self, row: Row, kinds: list[str | None]) -> list[tuple[str, Cell, Cell | None]]:
        """(field, label cell, value cell) for each label in the row; a label's value is the next
        cell when that cell is not itself a label."""
        pairs: list[tuple[str, Cell, Cell | None]] = []
        cells = row.cells
        for i, kind in enumerate(kinds):
            if kind is None or kind in ("section", "other_kv"):
                continue
            nxt = cells[i + 1] if i + 1 < len(cells) and kinds[i + 1] is None else None
            pairs.append((kind, cells[i], nxt))
            if kind == "plan":
                break
        return pairs

    def _kv_row(self, row: Row, kinds: list[str | None]) -> bool:
        """Read a project-block row; False when the row is not one (e.g. another table's header)."""
        pairs = self._kv_pairs(row, kinds)
        has_value = any(v is not None and v.text.strip() for k, _, v in pairs if k != "plan")
        plan_keys: list[str] | None = None
        plan_cols: list[int] = []
        if any(k == "plan" for k, _, _ in pairs):
            i = next(i for i, k in enumerate(kinds) if k == "plan")
            keyed = [(k, squash(c.text)) for k, c in enumerate(row.cells) if k > i and squash(c.text)]
            if keyed and all(_MILESTONE.match(t) for _, t in keyed):
                plan_keys = [t for _, t in keyed]
                plan_cols = [k for k, _ in keyed]
            else:
                plan_keys, plan_cols = [], []
        if not has_value and plan_keys is None and self.state is None:
            return False
        st = self._ensure_project(row.loc)
        p = st.project
        present = {k for k, _, _ in pairs}
        if st.columns is not None and p.indicators and present & {"code", "name"}:
            # a new project block without a title (e.g. a flat sheet of several projects)
            self._end_project()
            st = self._ensure_project(row.loc)
            p = st.project
        for kind, label, value_cell in pairs:
            value = value_cell.text.strip() if value_cell is not None else ""
            if kind == "plan":
                st.plan_keys, st.plan_cols = plan_keys, plan_cols
            elif kind == "code":
                if value and p.code is None:
                    p.code = squash(value)
            elif kind == "name":
                if value and p.name is None:
                    p.name = value
            elif kind in ("total", "fiscal", "other"):
                amount = _parse_money(value) if value else None
                if amount is not None and st.money_scale != 1:
                    amount = amount * st.money_scale
                if amount is None and value:
                    self.warn(value_cell.loc if value_cell else row.loc,
                              f"{squash(label.text)}: not an amount: {value!r}")
                attr = {"total": "budget_total", "fiscal": "budget_fiscal", "other": "budget_other"}[kind]
                if getattr(p, attr) is None:
                    setattr(p, attr, amount)
                st.expect_purpose = True
            elif kind == "purpose":
                if value and p.purpose is None:
                    p.purpose = value
                st.expect_purpose = False
            elif kind == "goal":
                # a page break may repeat the goal row: the first copy counts
                if value and p.goal is None:
                    p.goal = value
        return True

    def _plan_values(self, row: Row) -> None:
        """The row under the milestones: values paired in order when there is one per milestone,
        else by column (merged cells leave blanks between milestones)."""
        st = self.state
        assert st is not None
        keys = st.plan_keys or []
        filled = [(k, c.text.strip()) for k, c in enumerate(row.cells) if c.text.strip()]
        plan: dict[str, str] = {}
        if len(filled) == len(keys):
            plan = {key: v for key, (_, v) in zip(keys, filled, strict=True)}
        else:
            cols = st.plan_cols or list(range(1, len(keys) + 1))
            by_col = dict(filled)
            plan = {key: by_col[col] for key, col in zip(keys, cols, strict=False) if col in by_col}
            used = {col for col in cols if col in by_col}
            for k, v in filled:
                if k not in used:
                    self.warn(row.cells[k].loc, f"spending plan value without a milestone: {v!r}")
        if plan:
            st.project.spending_plan = plan
        st.plan_keys = None

    def _indicator_row(self, row: Row) -> None:
        st = self.state
        assert st is not None and st.columns is not None
        cols = st.columns
        rec: dict[str, str | None] = {}
        extra: list[Cell] = []
        for idx, c in enumerate(row.cells):
            fld = cols.get(idx)
            text = c.text.strip()
            if fld is None:
                if text:
                    extra.append(c)
                continue
            rec[fld] = text or None
        if "project" in rec or "project_code" in rec:
            self._switch_project(rec.get("project"), rec.get("project_code"), row.loc)
            st = self.state
            assert st is not None
        l1, l2 = rec.get("level1"), rec.get("level2")
        if l1:
            if l1 != st.level1:
                st.level2 = None
            st.level1 = l1
        if l2:
            st.level2 = l2
        payload = [rec.get(f) for f in ("name", "description", "value", "basis")]
        if not any(payload):
            if extra:
                self.warn(row.loc, f"table row not used: {' | '.join(c.text for c in extra)[:60]!r}")
            return
        for c in extra:
            self.warn(c.loc, f"cell outside the indicator columns not used: {c.text[:40]!r}")
        ind = Indicator(
            level1=st.level1,
            level2=st.level2,
            name=rec.get("name"),
            description=rec.get("description"),
            value=rec.get("value"),
            basis=rec.get("basis"),
            nature=rec.get("nature"),
            measure_unit=rec.get("measure_unit"),
            weight=rec.get("weight"),
            location=row.loc,
        )
        st.project.indicators.append(ind)

    def _switch_project(self, name: str | None, code: str | None, loc: Location) -> None:
        """A flat sheet names the project on its first row: a new name opens a new project."""
        st = self.state
        assert st is not None
        p = st.project
        if not name and not code:
            return
        if (p.name is None and p.code is None) and not p.indicators:
            p.name, p.code = name, squash(code) if code else None
            return
        if (name and name != p.name) or (code and squash(code) != p.code):
            columns, scale = st.columns, st.money_scale
            self._end_project()
            new = self._ensure_project(loc)
            new.columns, new.money_scale = columns, scale
            new.project.name, new.project.code = name, squash(code) if code else None

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
        # the unit: the one most tables name, else the first code+name line
        if self.unit_lines:
            (code, name), _ = Counter(self.unit_lines).most_common(1)[0]
            doc.unit_code, doc.unit_name = code, name
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
        if regions:
            doc.region = regions.most_common(1)[0][0]

    def _unit_from_title(self) -> str | None:
        for b in self.blocks[:10]:
            if isinstance(b, Para):
                m = re.match(r"^\s*(.+?(局|院|委员会|中心|办公室|厅|部|所|站|队)(（本级）|\(本级\)|本级)?)\s*"
                             r"(20\d{2})\s*年", b.text)
                if m:
                    return m.group(1).strip()
        return None

    def _guess_year(self) -> int | None:
        for b in self.blocks[:15]:
            if isinstance(b, Para):
                m = re.search(r"(20\d{2})\s*年(度)?\s*(单位|部门)?(预算|绩效|项目支出)", b.text)
                if m:
                    return int(m.group(1))
        years = Counter()
        for p in self.doc.projects:
            if p.code:
                m = _CODE_YEAR.match(p.code)
                if m:
                    years[2000 + int(m.group(1))] += 1
        if years:
            return years.most_common(1)[0][0]
        counts: Counter[int] = Counter()
        for b in self.blocks:
            texts = [b.text] if isinstance(b, Para) else [c.text for c in b.cells]
            for t in texts:
                for y in re.findall(r"(20\d{2})\s*年", t):
                    counts[int(y)] += 1
        return counts.most_common(1)[0][0] if counts else None


def interpret(stream: CellStream, year: int | None = None) -> Disclosure:
    """Turn a cell stream into the domain model; never raises on odd content (warnings instead)."""
    return _Interpreter(stream, year).run()
