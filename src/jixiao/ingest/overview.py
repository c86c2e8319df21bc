"""The unit budget overview (单位预算公开: 收支预算, 机关运行经费, “三公”经费, 政府采购, 国有资产).

A 单位预算公开 document explains the unit's budget before (or instead of) its performance tables:

- prose sentences: “2021年预算收入9901.74万元，其中：一般公共预算收入9484.91万元，基金预算收入0万元，
  财政专户核拨收入0万元，其他来源收入0万元。上年结转416.83万元。”, “2021年支出预算9901.74万元，其中
  基本支出5876.83万元，包括人员类项目经费5232.84万元和运转类公用项目经费643.99万元；…项目支出
  4024.91万元”, “机关运行经费共计安排643.99万元”, “财政拨款“三公”经费预算安排88.6万元。其中，因公出国
  （境）费0万元；公务用车购置及运维费84.12万元（其中：公务用车购置费为0万元，公务用车运维费84.12万元）；
  公务接待费4.48万元”, “安排政府采购预算1058.00万元”;
- tables: the 政府采购预算 table (采购项目/项目名称, 采购物品名称/品目, 政府采购目录序号/编码, 金额),
  the 固定资产占用情况表 (a 资产总额 row), and where given a “三公”经费 table or 收支总表 rows
  (a label cell followed by an amount cell).

Every amount is read as printed with its unit (元, 万元, 亿元) and returned in 万元 as `Decimal`.
A list stated “A、B和C分别为x、y、z万元” gives each name its amount. Sentences about changes
(较上年减少…, 增加, 持平) are not amounts of this year and are skipped, as are thresholds (单价在20
万元以上的设备); prose under a heading of the performance part (绩效) is not read until the next
budget heading (政府采购, 国有资产 …). The
first statement of a figure wins; prose comes before tables for the same field, except 资产总额
where the asset table is the authority.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from jixiao.ingest.cells import Block, Para, Row
from jixiao.model import BudgetOverview, ProcurementItem, ThreePublic

__all__ = ["extract_budget_overview", "to_wan_yuan"]

_WAN = Decimal(10_000)

# ---------------------------------------------------------------------------------------------
# text helpers

_FULL_WIDTH: dict[int, int | str] = {i: i - 0xFEE0 for i in range(0xFF10, 0xFF1A)}  # ０-９
_FULL_WIDTH.update({0xFF0E: ".", 0xFF0C: "，", 0xFF05: "%", 0x3000: " "})
_SPACE = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


_NEEDS_FOLD = re.compile("[\uff10-\uff19\uff0e\uff05\u3000]")  # （，stays ，: no fold needed）


@lru_cache(maxsize=65536)
def _squash(text: str) -> str:
    """Drop every whitespace character and conversion mark (`**`); fold full-width digits."""
    if _NEEDS_FOLD.search(text):
        text = text.translate(_FULL_WIDTH)
    return _SPACE.sub("", text).replace("**", "")


def _clean_cell(text: str) -> str | None:
    """A table cell as printed, with line-wrap gaps between Chinese characters closed."""
    s = _CJK_GAP.sub("", text.replace("**", "")).strip()
    return s or None


def to_wan_yuan(number: str, unit: str) -> Decimal | None:
    """An amount printed as `number` `unit` (元, 万元, 亿元; commas allowed) in 万元."""
    try:
        value = Decimal(number.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    if unit == "元":
        return value / _WAN
    if unit == "亿元":
        return value * _WAN
    return value


_PLAIN_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def _cell_amount(text: str, unit: str) -> Decimal | None:
    s = _squash(text)
    return to_wan_yuan(s, unit) if _PLAIN_AMOUNT.fullmatch(s) else None


# ---------------------------------------------------------------------------------------------
# prose

_AMOUNT = re.compile(r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<unit>万元|亿元|元)")
_BOUNDARY = re.compile(r"[，,。；;：:]")
# a change against last year is not this year's amount
_DELTA = re.compile(r"增加|减少|增长|下降|降低|增减|持平|压减|节约|上涨|减幅|增幅|同比|比上年|较上年|相比")
_NOT_AN_AMOUNT_AFTER = re.compile(r"^(?:以上|以下|以内|左右)|^的")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]|第[一二三四五六七八九十]+部分)"
)

_TOPICS: list[tuple[str, re.Pattern[str]]] = [
    ("three_public", re.compile(r"三公|因公出国|公务接待|公务用车")),
    ("operating", re.compile(r"机关运行经费|机关运行费")),
    ("procurement", re.compile(r"政府采购")),
    ("assets", re.compile(r"资产")),
    ("both", re.compile(r"收支")),
    ("revenue", re.compile(r"收入")),
    ("expenditure", re.compile(r"支出")),
    ("performance", re.compile(r"绩效")),  # the performance part: no overview figures there
]

_THREE_PUBLIC_LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("abroad", re.compile(r"因公出国")),
    ("vehicles", re.compile(r"公务用车(?:购置)?(?:及|和|与)运[行维]|公务用车费|公务用车购置及运")),
    ("vehicle_purchase", re.compile(r"(?:公务用车|车辆)购置")),
    ("vehicle_running", re.compile(r"(?:公务用车|车辆)运[行维]")),
    ("reception", re.compile(r"公务接待")),
    ("total", re.compile(r"三公")),
]
_REVENUE_SUBTYPES = re.compile(
    r"一般公共|基金|专户|其他|事业|经营|附属|上级补助|非税|结转|结余|财政拨款|国有资本|单位资金|自有"
)
_EXPENDITURE_SUBTYPES = re.compile(r"基本|项目|人员|公用|工资|福利|商品和服务|资本性|对个人和家庭")
_ASSETS = re.compile(r"资产总额|资产总计|资产合计|资产总值|国有资产|固定资产(?:金额|总额|原值|总值|账面)")
_ASSETS_NOT = re.compile(r"购置|拟|新增|处置|出租|出借|报废")


_OPERATING = re.compile(r"机关运行经费|机关运行费")
_CARRYOVER = re.compile(r"上年结转|年初结转|结转结余|结转资金")
# parts of the revenue and of the expenditure, by what the label names (the first that matches)
_REVENUE_PARTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"一般公共预算"), "revenue_general"),
    (re.compile(r"政府性基金|基金预算"), "revenue_fund"),
    (re.compile(r"财政专户"), "revenue_special_account"),
    (re.compile(r"其他(?:来源)?收入|其他资金"), "revenue_other"),
]
_EXPENDITURE_PARTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"基本支出"), "expenditure_basic"),
    (re.compile(r"人员|工资福利"), "expenditure_personnel"),
    (re.compile(r"公用"), "expenditure_public"),
    (re.compile(r"项目支出|项目经费|特定目标|项目预算"), "expenditure_project"),
]
# the single-figure topics: a label that names nothing states the topic's figure
_TOPIC_FIGURES: dict[str, tuple[re.Pattern[str], str]] = {
    "three_public": (re.compile(r"安排|预算|共计|合计|总额"), "three_public.total"),
    "operating": (re.compile(r"安排|预算|共计|合计"), "operating_costs"),
    "procurement": (re.compile(r"安排|预算|共计|合计"), "procurement_total"),
}
_ENUMERATING = re.compile(r"其中|包括|分别")


_THREE_PUBLIC_PARTS = [(rx, name) for name, rx in _THREE_PUBLIC_LABELS]


def _first_named(label: str, table: list[tuple[re.Pattern[str], str]]) -> str | None:
    return next((fld for rx, fld in table if rx.search(label)), None)


def _classify(label: str, topic: str | None) -> list[str]:
    """The overview fields an amount with this label (the clause before the number) states."""
    named = _named_figure(label)
    if named is not None:
        return named
    has_rev, has_exp = "收入" in label or "拨款" in label, "支出" in label
    if _CARRYOVER.search(label) and not has_exp:
        return ["carryover"]
    if has_rev and not has_exp and (part := _first_named(label, _REVENUE_PARTS)):
        return [part]
    in_expenditure = has_exp or (topic == "expenditure" and not has_rev)
    if in_expenditure and (part := _first_named(label, _EXPENDITURE_PARTS)):
        return [part]
    return _totals(label, topic, has_rev, has_exp)


def _named_figure(label: str) -> list[str] | None:
    """The figure a label names outright (a “三公” part, 机关运行经费, 政府采购, the assets; [] for an
    asset figure that is not the total), or None."""
    three = _first_named(label, _THREE_PUBLIC_PARTS)
    if three:
        return ["three_public." + three]
    if _OPERATING.search(label):
        return ["operating_costs"]
    if "政府采购" in label:
        return ["procurement_total"]
    if _ASSETS.search(label):
        return [] if _ASSETS_NOT.search(label) else ["assets_total"]
    if "资产" in label:
        return []
    return None


def _totals(label: str, topic: str | None, has_rev: bool, has_exp: bool) -> list[str]:
    """The totals a label states (收支, revenue or expenditure without a part), else the figure of
    its sentence's single-figure topic."""
    if "收支" in label:
        return ["revenue_total", "expenditure_total"]
    if has_rev and not has_exp and not _REVENUE_SUBTYPES.search(label):
        return ["revenue_total"]
    if has_exp and not has_rev and not _EXPENDITURE_SUBTYPES.search(label):
        return ["expenditure_total"]
    if not has_rev and not has_exp and not _ENUMERATING.search(label) and topic in _TOPIC_FIGURES:
        rx, fld = _TOPIC_FIGURES[topic]
        if rx.search(label):
            return [fld]
    return []


def _sentences(paras: Iterable[str]) -> list[tuple[str, bool]]:
    """Paragraphs joined (a PDF or Word line wrap splits sentences) and cut into sentences.

    Returns (sentence, is_heading) pairs; a numbered heading (“三、机关运行经费安排情况”) is its own
    sentence."""
    out: list[tuple[str, bool]] = []
    buf = ""
    for raw in paras:
        text = _squash(raw)
        if not text:
            continue
        if _HEADING.match(text) and len(text) <= 40 and "。" not in text:
            if buf:
                out.extend((s, False) for s in _split_sentences(buf))
                buf = ""
            out.append((text, True))
            continue
        buf += text
    if buf:
        out.extend((s, False) for s in _split_sentences(buf))
    return out


def _split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？!?])", text) if s]


def _topic(text: str) -> str | None:
    for name, rx in _TOPICS:
        if rx.search(text):
            return name
    return None


@dataclass
class _Figures:
    values: dict[str, Decimal] = field(default_factory=dict)

    def put(self, name: str, value: Decimal | None, override: bool = False) -> None:
        if value is not None and (override or name not in self.values):
            self.values[name] = value


def _read_prose(paras: list[str], figures: _Figures) -> None:
    section: str | None = None  # the topic of the last numbered heading
    topic: str | None = None  # the topic of the sentence, else of the sentence before
    unread: list[str] = []  # sentences since `topic` was last brought up to date
    for sentence, heading in _sentences(paras):
        if heading:
            heading_topic = _topic(sentence)
            if heading_topic or section != "performance":
                section = topic = heading_topic
                unread.clear()
            continue
        if section == "performance":
            continue  # 绩效目标 and their goals: no budget figures there
        unread.append(sentence)
        if "元" not in sentence:
            continue  # no amount (every amount ends in 元): its topic matters only to a later one
        # the topic of the latest sentence that names one, else the one before them
        topic = next((t for t in map(_topic, reversed(unread)) if t), topic)
        unread.clear()
        last = 0
        pending: list[str] = []  # names of “A、B、C分别为x、y、z” still waiting for their amount
        for m in _AMOUNT.finditer(sentence):
            start = last
            for b in _BOUNDARY.finditer(sentence, last, m.start()):
                start = b.end()
            label = sentence[start : m.start()]
            last = m.end()
            respectively = re.search(r"分别(?:为|是|安排|预算)?(?:了)?$", label)
            if respectively:
                pending = _split_names(label[: respectively.start()])
            elif pending and re.fullmatch(r"[、和及与,，]?", label):
                pass  # the next amount of a 分别 list
            else:
                pending = []
            if pending:
                label = pending.pop(0)
            if _DELTA.search(label) or _NOT_AN_AMOUNT_AFTER.match(sentence[m.end() :]):
                continue
            value = to_wan_yuan(m.group("num"), m.group("unit"))
            for name in _classify(label, topic):
                figures.put(name, value)


def _split_names(text: str) -> list[str]:
    """“因公出国（境）费、公务用车购置及运行费和公务接待费” → the three names."""
    text = re.sub(r"^(?:其中|包括)", "", text)
    parts = [p for p in re.split(r"、|和(?=[^、]*$)", text) if p]
    return parts if len(parts) > 1 else []


# ---------------------------------------------------------------------------------------------
# tables


_UNIT_LINE = re.compile(r"单位[:：](万元|亿元|元)")
_HEADER_UNIT = re.compile(r"单位[:：]?(万元|亿元|元)|[（(](万元|亿元|元)[）)]")


def _tables(blocks: list[Block]) -> list[tuple[list[Row], str]]:
    """Consecutive rows of one table, each with the money unit named just before it (单位：元)."""
    tables: list[tuple[list[Row], str]] = []
    current: list[Row] = []
    unit = "万元"
    recent_unit: str | None = None  # from a “单位：万元” line since the last table
    for block in blocks:
        if isinstance(block, Row):
            if current and block.table is not None and current[-1].table != block.table:
                tables.append((current, unit))
                current = []
            if not current:
                unit = recent_unit or "万元"
            current.append(block)
            continue
        if current:
            tables.append((current, unit))
            current = []
            recent_unit = None
        m = _UNIT_LINE.search(_squash(block.text))
        if m:
            recent_unit = m.group(1)
    if current:
        tables.append((current, unit))
    return tables


def _header_unit(cells: Iterable[str], default: str) -> str:
    for text in cells:
        m = _HEADER_UNIT.search(_squash(text))
        if m:
            return m.group(1) or m.group(2)
    return default


_TOTAL_ROW = re.compile(r"^(?:合计|总计|小计)$|小计$|合计$|总计$")


def _column_headers(rows: list[Row]) -> tuple[list[str], int]:
    """The header text of each column (header rows joined) and the index of the first data row."""
    n = max(len(r.cells) for r in rows)
    headers = [""] * n
    first_data = 0
    for i, row in enumerate(rows):
        texts = [_squash(t) for t in row.texts]
        if i > 0 and any(_cell_amount(t, "万元") is not None for t in texts if t):
            break
        if i > 3:
            break
        for k, t in enumerate(texts):
            headers[k] += t
        first_data = i + 1
    return headers, first_data


def _find_col(
    headers: list[str], pattern: str, exclude: frozenset[int] | set[int] = frozenset()
) -> int | None:
    rx = re.compile(pattern)
    for k, h in enumerate(headers):
        if k not in exclude and rx.search(h):
            return k
    return None


def _read_procurement(rows: list[Row], unit: str) -> tuple[list[ProcurementItem], Decimal | None] | None:
    headers, first_data = _column_headers(rows)
    joined = "".join(headers)
    if "采购" not in joined or first_data == 0:
        return None
    item_col = _find_col(
        headers, r"物品名称|品目名称|采购品目|采购物品|货物名称|采购内容|采购项目名称|服务名称|品目"
    )
    code_col = _find_col(headers, r"目录序号|目录编码|目录代码|品目编码|品目代码|品目序号|目录编号|编码")
    used = {c for c in (item_col, code_col) if c is not None}
    project_col = _find_col(headers, r"项目名称|项目来源|预算项目|采购项目", used)
    if project_col is not None:
        used.add(project_col)
    amount_col = (
        _find_col(headers, r"采购金额.*合计|采购预算.*合计", used)
        if re.search(r"采购金额.*合计|采购预算.*合计", joined)
        else None
    )
    if amount_col is None:
        amount_col = _find_col(headers, r"采购金额|采购预算|金额|合计|预算数|预算金额", used)
    if amount_col is None or (item_col is None and code_col is None):
        return None  # a procurement table names what is bought (品目) or its catalogue code
    unit = _header_unit(headers, unit)
    items: list[ProcurementItem] = []
    total: Decimal | None = None
    project: str | None = None
    for row in rows[first_data:]:
        texts = row.texts

        def cell(k: int | None, texts: list[str] = texts) -> str:
            return texts[k] if k is not None and k < len(texts) else ""

        amount = _cell_amount(cell(amount_col), unit)
        first = next((_squash(t) for t in texts if _squash(t)), "")
        if _TOTAL_ROW.search(first):
            if total is None and re.fullmatch(r"合计|总计", first):
                total = amount
            continue
        if amount is None:
            continue
        if project_col is not None and _clean_cell(cell(project_col)):
            project = _clean_cell(cell(project_col))
        item = _clean_cell(cell(item_col)) if item_col is not None else None
        code = _squash(cell(code_col)) or None
        items.append(ProcurementItem(project=project, item=item, catalog_code=code, amount=amount))
    return items, total


_ASSETS_ROW = re.compile(r"(?:国有)?资产(?:总额|总计|合计|总值)")


def _read_assets(rows: list[Row], unit: str) -> Decimal | None:
    # the 资产总额 rows first: most tables have none, and then their headers are not needed
    totals = [row for row in rows if row.cells and _ASSETS_ROW.fullmatch(_squash(row.cells[0].text))]
    if not totals:
        return None
    headers, _first = _column_headers(rows)
    value_col = _find_col(headers, r"价值|金额|账面|原值")
    unit = _header_unit(headers, unit)
    for row in totals:
        texts = row.texts
        if value_col is not None and value_col < len(texts):
            value = _cell_amount(texts[value_col], unit)
            if value is not None:
                return value
        for t in reversed(texts[1:]):
            value = _cell_amount(t, unit)
            if value is not None:
                return value
    return None


def _read_three_public_table(rows: list[Row], unit: str, figures: _Figures) -> None:
    headers, first_data = _column_headers(rows)
    joined = "".join(headers)
    if not ("因公出国" in joined and "公务接待" in joined) or first_data >= len(rows):
        return
    unit = _header_unit(headers, unit)
    cols: dict[str, int] = {}
    for k, h in enumerate(headers):
        names = [name for name, rx in _THREE_PUBLIC_LABELS if rx.search(h)]
        if names and names[0] not in cols:
            cols[names[0]] = k
        elif re.fullmatch(r"合计|总计|小计|“?三公”?经费(?:合计)?", h) and "total" not in cols:
            cols["total"] = k
    # a 公务用车 column whose own header says 小计 under a 购置及运行 parent
    if "vehicles" not in cols:
        vk = _find_col(headers, r"公务用车.*小计")
        if vk is not None:
            cols["vehicles"] = vk
    for row in rows[first_data:]:
        texts = row.texts
        values = {name: _cell_amount(texts[k], unit) if k < len(texts) else None for name, k in cols.items()}
        if any(v is not None for v in values.values()):
            for name, v in values.items():
                figures.put("three_public." + name, v)
            return


_PAIR_FIELDS: list[tuple[str, re.Pattern[str]]] = [
    ("revenue_total", re.compile(r"^(?:本年)?收入(?:总计|合计)$|^收入预算(?:总计|合计)$")),
    ("expenditure_total", re.compile(r"^(?:本年)?支出(?:总计|合计)$|^支出预算(?:总计|合计)$")),
    ("revenue_general", re.compile(r"一般公共预算(?:拨款)?(?:收入)?$")),
    ("revenue_fund", re.compile(r"政府性基金(?:预算)?(?:拨款)?(?:收入)?$")),
    ("revenue_special_account", re.compile(r"财政专户(?:管理资金|核拨)?(?:收入)?$")),
    ("revenue_other", re.compile(r"^(?:[一二三四五六七八九十\d]+[、.．])?其他(?:来源)?收入$")),
    ("carryover", re.compile(r"上年结转(?:结余)?$")),
    ("expenditure_basic", re.compile(r"^(?:[一二三四五六七八九十\d]+[、.．])?基本支出$")),
    ("expenditure_project", re.compile(r"^(?:[一二三四五六七八九十\d]+[、.．])?项目支出$")),
]


# every label of `_PAIR_FIELDS` has one of these words
_PAIR_WORDS = ("收入", "支出", "一般公共预算", "政府性基金", "财政专户", "上年结转")
# any label of `_PAIR_FIELDS` (each pattern whole, anchors included)
_ANY_PAIR_LABEL = re.compile("|".join(f"(?:{rx.pattern})" for _, rx in _PAIR_FIELDS))


def _read_pairs(rows: list[Row], unit: str, figures: _Figures) -> None:
    """收支总表-like rows: a label cell followed by its amount (only labels that name one field)."""
    names_field = _ANY_PAIR_LABEL.search
    if not any(names_field(_squash(c.text)) for r in rows for c in r.cells[:-1]):
        return  # no cell with a cell after it names a field: nothing to read (most tables)
    headers, _first = _column_headers(rows)
    if "指标" in "".join(headers):
        return  # a performance-indicator table: its numbers are targets, not the budget
    unit = _header_unit(headers, unit)
    for row in rows:
        texts = [_squash(t) for t in row.texts]
        for k in range(len(texts) - 1):
            label = texts[k]
            if not label or _cell_amount(label, unit) is not None:
                continue
            value = _cell_amount(texts[k + 1], unit)
            if value is None:
                continue
            for name, rx in _PAIR_FIELDS:
                if rx.search(label):
                    figures.put(name, value)
                    break


# ---------------------------------------------------------------------------------------------
# tables that a PDF-to-text conversion left as lines of space-separated cells

_CATALOG_CODE = re.compile(r"^[ABC]\d{2,12}$")  # 政府采购品目分类目录: A 货物, B 工程, C 服务
_NUMBER_TOKEN = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_UNIT_SPEC = re.compile(r"单位[:：]?(万元|亿元|元)|[（(](万元|亿元|元)[）)]")


def _join_tokens(tokens: list[str]) -> str | None:
    """Cell text split by a line wrap: join the pieces (no space between Chinese characters)."""
    return _clean_cell(" ".join(tokens)) if tokens else None


@dataclass
class _LineTables:
    procurement: list[ProcurementItem] = field(default_factory=list)
    procurement_total: Decimal | None = None
    assets_total: Decimal | None = None


def _read_table_lines(paras: list[Para]) -> _LineTables:
    """Procurement rows and the 资产总额 row printed as lines (`产品质量抽检经费  66.00  技术测试和分
    析服务  C0901  年  1  66.00  66.00`): the catalogue code anchors a procurement row; the cells
    before the first number are the project, those between it and the code the item, and the
    largest number after the code is the amount (the 合计 column holds the sum of the others)."""
    out = _LineTables()
    unit = "万元"
    in_procurement = False
    for para in paras:
        text = para.text.replace("**", "").strip()
        squashed = _squash(text)
        if not squashed:
            continue
        spec = _UNIT_SPEC.search(squashed) if "元" in squashed else None
        if spec:
            unit = spec.group(1) or spec.group(2)
        tokens = text.split()
        code_at = (
            next((k for k, t in enumerate(tokens) if _CATALOG_CODE.match(t)), None)
            if "A" in text or "B" in text or "C" in text  # every catalogue code starts with one
            else None
        )
        if code_at is None:
            if _HEADING.match(squashed) and len(squashed) <= 40:
                in_procurement = False  # the next part of the document
                unit = (spec.group(1) or spec.group(2)) if spec else "万元"
                continue
            if "采购" in squashed and _CATALOG_WORD.search(squashed):
                in_procurement = True  # the procurement table's header
                continue
            if in_procurement and _procurement_total_line(tokens, unit, out):
                continue
        elif in_procurement:
            _procurement_line(tokens, code_at, unit, out)
            continue
        if out.assets_total is None:
            out.assets_total = _assets_line(tokens, unit)
    return out


_CATALOG_WORD = re.compile(r"目录|品目|物品")
_GRAND_TOTAL = re.compile(r"合计|总计")
_ASSETS_TOTAL = re.compile(r"(?:国有)?资产(?:总额|总计|合计|总值)")


def _procurement_total_line(tokens: list[str], unit: str, out: _LineTables) -> bool:
    """A 合计 line of the procurement table (its first number is the total); False for another line."""
    words = [t for t in tokens if not _NUMBER_TOKEN.match(t)]
    numbers = [t for t in tokens if _NUMBER_TOKEN.match(t)]
    if not numbers or not _GRAND_TOTAL.fullmatch(_squash("".join(words))):
        return False
    if out.procurement_total is None:
        out.procurement_total = to_wan_yuan(numbers[0], unit)
    return True


def _procurement_line(tokens: list[str], code_at: int, unit: str, out: _LineTables) -> None:
    """A procurement row anchored on its catalogue code (see `_read_table_lines`)."""
    after = [to_wan_yuan(t, unit) for t in tokens[code_at + 1 :] if _NUMBER_TOKEN.match(t)]
    amounts = [x for x in after if x is not None]
    before = tokens[:code_at]
    if not amounts or not before:
        return
    first_number = next((k for k, t in enumerate(before) if _NUMBER_TOKEN.match(t)), None)
    if first_number is not None:
        project, item = _join_tokens(before[:first_number]), _join_tokens(before[first_number + 1 :])
    else:
        project, item = None, _join_tokens(before)
    if project is None and out.procurement:
        project = out.procurement[-1].project  # a merged project cell
    out.procurement.append(ProcurementItem(project, item, tokens[code_at], max(amounts)))


def _assets_line(tokens: list[str], unit: str) -> Decimal | None:
    """The 资产总额 line's amount (its last number), or None for another line."""
    if not _ASSETS_TOTAL.fullmatch(tokens[0]):
        return None
    numbers = [t for t in tokens[1:] if _NUMBER_TOKEN.match(t)]
    return to_wan_yuan(numbers[-1], unit) if numbers else None


# ---------------------------------------------------------------------------------------------


_TARGET_TABLE = re.compile(r"一级指标|二级指标|三级指标|绩效目标|绩效指标")


def _is_target_table(rows: list[Row]) -> bool:
    return any(_TARGET_TABLE.search(c.text) for r in rows[:12] for c in r.cells[:4])


def extract_budget_overview(blocks: list[Block]) -> BudgetOverview | None:
    """Read the unit budget overview (预算收支, 机关运行经费, “三公”经费, 政府采购, 国有资产) from the
    blocks of one document, or None when the document discloses none of it. Amounts are in 万元."""
    figures = _Figures()
    _read_prose([b.text for b in blocks if isinstance(b, Para)], figures)

    procurement: list[ProcurementItem] = []
    assets_from_table = False
    for rows, unit in _tables(blocks):
        if _is_target_table(rows):
            continue  # a 绩效目标表: no overview figures there
        # each reader needs its words (采购, 资产, 因公出国/公务接待, a 收支 label): a table that
        # does not print every character of them anywhere is not read again by each reader
        chars: set[str] = set().union(*[c.text for r in rows for c in r.cells])
        found = _read_procurement(rows, unit) if chars.issuperset("采购") else None
        if found and found[0] and not procurement:
            procurement, total = found
            figures.put("procurement_total", total)
            continue
        assets = _read_assets(rows, unit) if chars.issuperset("资产") else None
        if assets is not None:
            # the asset table is the authority over a prose figure (上年末固定资产金额)
            figures.put("assets_total", assets, override=not assets_from_table)
            assets_from_table = True
            continue
        if chars.issuperset("因公出国公务接待"):
            _read_three_public_table(rows, unit, figures)
        if any(chars.issuperset(w) for w in _PAIR_WORDS):
            _read_pairs(rows, unit, figures)

    lines = _read_table_lines([b for b in blocks if isinstance(b, Para)])
    if not procurement and lines.procurement:
        procurement = lines.procurement
        figures.put("procurement_total", lines.procurement_total)
    if not assets_from_table and lines.assets_total is not None:
        figures.put("assets_total", lines.assets_total, override=True)

    v = figures.values
    anchors = ("revenue_total", "expenditure_total", "operating_costs", "procurement_total", "assets_total")
    if not procurement and not any(k in v for k in anchors) and not any(k.startswith("three_") for k in v):
        return None  # a lone 上年结转 or 人员经费 figure in a goal text is not a budget overview
    three = {k.split(".", 1)[1]: x for k, x in v.items() if k.startswith("three_public.")}
    return BudgetOverview(
        revenue_total=v.get("revenue_total"),
        revenue_general=v.get("revenue_general"),
        revenue_fund=v.get("revenue_fund"),
        revenue_special_account=v.get("revenue_special_account"),
        revenue_other=v.get("revenue_other"),
        carryover=v.get("carryover"),
        expenditure_total=v.get("expenditure_total"),
        expenditure_basic=v.get("expenditure_basic"),
        expenditure_personnel=v.get("expenditure_personnel"),
        expenditure_public=v.get("expenditure_public"),
        expenditure_project=v.get("expenditure_project"),
        operating_costs=v.get("operating_costs"),
        three_public=ThreePublic(**three) if three else None,
        procurement_total=v.get("procurement_total"),
        procurement=procurement,
        assets_total=v.get("assets_total"),
    )
