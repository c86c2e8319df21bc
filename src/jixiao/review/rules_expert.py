"""Rules an expert reviewer adds to the catalogue: what hand-made defect lists of real target tables
found that the first catalogue missed (issue 11).

Same conventions as `jixiao.review.rules`: one small function per rule, registered with `@rule`,
a docstring in three parts (检查什么 / 为什么 / 示例与改法), stable codes within the families
JX1xx 完整性, JX2xx 可行性, JX3xx 相关性, JX4xx money and dates, JX5xx wording.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from jixiao import taxonomy as tx
from jixiao.review.facts import (
    BENEFIT_CATS,
    CACHE_LIMIT,
    COST,
    EMPTY_MARKERS,
    QUANTITY,
    SATISFACTION,
    TIMELINESS,
    Context,
    IndicatorFacts,
    ProjectFacts,
    name_key,
    parsed,
    rule_cache,
    squash,
    to_decimal,
)
from jixiao.review.findings import APPROPRIATENESS, COMPLETENESS, FEASIBILITY, RELEVANCE
from jixiao.review.registry import GUIDE_CORE_2021, GUIDE_EVAL_2020, GUIDE_TARGETS_2015, Hit, rule
from jixiao.review.rules import category_label, q

# ---------------------------------------------------------------------------------------------
# JX11x 完整性: names and bases that are not filled in
# ---------------------------------------------------------------------------------------------

_NAME_PLACEHOLDER = re.compile(r"\*{2,}|＊{2,}|[Xx×]{2,}|[（(][≥≤><=]?[*＊]+%?[)）]")
# a character each placeholder above has: a scan for it is 4× cheaper than trying the four branches
_PLACEHOLDER_CHAR = re.compile(r"[*＊Xx×]")


@rule(
    "JX113",
    "placeholder-name",
    "指标名称含模板占位",
    severity="error",
    heading=COMPLETENESS,
    scope="indicator",
    sources=(GUIDE_CORE_2021,),
    fix="把名称里的“**”“XX”等占位换成真实内容，写明衡量的对象（如“食品抽检合格率”）。",
)
def placeholder_name(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：三级指标名称里留着模板的占位符，如“资金到位率（≥**%）”“XX项目完成率”“XX”。
    为什么：名称里的占位说明模板没有按本项目填写，指标衡量什么、目标是多少都不清楚；
    这样的指标无法审核，也无法在年底取实际值。
    示例与改法：“XX工程验收合格率（≥**%）”改为“农村道路工程验收合格率”，指标值填“100%”。
    """
    name = f.ind.name or ""
    if name and _PLACEHOLDER_CHAR.search(name) and _NAME_PLACEHOLDER.search(name):
        return Hit(f"指标名称{q(name)}含有模板占位，没有按本项目填写。")
    return None


_LEVEL_LABELS = frozenset(
    name_key(x)
    for x in (
        tx.OUTPUT,
        tx.BENEFIT,
        tx.SATISFACTION,
        tx.COST,
        tx.QUANTITY,
        tx.QUALITY,
        tx.TIMELINESS,
        tx.ECONOMIC,
        tx.SOCIAL,
        tx.ECOLOGICAL,
        tx.SUSTAINABLE,
        tx.SERVICE_SATISFACTION,
        tx.ECONOMIC_COST,
        tx.SOCIAL_COST,
        tx.ECO_COST,
        "效果指标",
        "产出",
        "效益",
        "效果",
        "成本",
        "数量",
        "质量",
        "时效",
        "经济效益",
        "社会效益",
        "生态效益",
        "可持续影响",
        "社会公众满意度指标",
        "可持续影响力指标",
    )
)


@rule(
    "JX114",
    "category-as-name",
    "三级指标名称只是类别名",
    severity="warning",
    heading=COMPLETENESS,
    scope="indicator",
    sources=(GUIDE_CORE_2021,),
    fix="三级指标写具体衡量的内容（如“食品抽检批次”“群众投诉办结率”），不要照抄一级、二级指标的类别名。",
)
def category_as_name(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：三级指标名称只是一级或二级指标的类别名，如“数量指标”“社会效益指标”“满意度”。
    为什么：类别名不说明衡量什么，年底无法对应实际完成值；通常是模板没有填写或错行。
    示例与改法：“产出指标｜数量指标｜数量指标｜≥10次”改为“产出指标｜数量指标｜培训场次｜≥10次”。
    """
    if f.key and f.key in _LEVEL_LABELS:
        return Hit(f"指标名称{q(f.label)}只是指标类别名，没有写明衡量的内容。")
    return None


_BARE_BASIS = re.compile(
    r"^(?:根据|依据|按照|按|参照|参考)?(?:上级|相关|有关|文件|政策|规定|要求|部门|单位|工作|实际|情况|精神|的|及|和|、)*"
    r"(?:文件|规定|要求|政策|精神|情况)(?:规定|要求|精神)?(?:确定|执行|测算|制定)?$"
)
_BASIS_PUNCT = re.compile("[：:。.，,；;]")  # a regex: str.translate is slow on Chinese text
_BASIS_HEADER = frozenset({"指标值确定依据", "确定依据", "指标值设定依据", "依据", "指标值依据", "设定依据"})


@rule(
    "JX115",
    "vague-basis",
    "指标值确定依据没有实际内容",
    severity="warning",
    heading=COMPLETENESS,
    scope="indicator",
    sources=(GUIDE_CORE_2021,),
    fix="写明依据的具体来源：文件名和文号、计划名称、行业标准、上年实际完成值或测算方法。",
)
def vague_basis(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：“指标值确定依据”填了，但没有实际内容：只写“根据文件规定”“根据上级文件”“按要求”，
    不说是哪个文件；把表头“指标值确定依据”原样留在栏里；或者只把指标值再写一遍（“≥650批次”）。
    为什么：依据要让审核人能够核对目标值从何而来（计划标准、行业标准、历史标准）；
    不点名的文件和重复的指标值都无法核对。
    示例与改法：“根据上级文件”改为“《2024年食品安全抽检监测计划》（冀市监〔2024〕5号）”；
    “≥650批次”改为“上年完成620批次，按5%增长测算”。
    """
    basis, verdict = _basis_verdict(f.ind.basis, f.value)
    if verdict == _HEADER:
        return Hit(f"指标{q(f.label)}的依据栏填的是表头{q(basis)}，没有写依据。")
    if verdict == _BARE:
        return Hit(f"指标{q(f.label)}的依据{q(basis)}没有指明是哪个文件或标准。")
    if verdict == _VALUE_AGAIN:
        return Hit(f"指标{q(f.label)}的依据{q(basis)}只是重复了指标值。")
    return None


_HEADER, _BARE, _VALUE_AGAIN = 1, 2, 3
_BASIS_VERDICTS = rule_cache()


def _basis_verdict(raw: str | None, value: str) -> tuple[str, int]:
    """(the basis squashed, what is wrong with it: 0 nothing, `_HEADER`, `_BARE` or `_VALUE_AGAIN`)
    for a basis and the indicator's value (squashed), memoised: the same few bases recur."""
    key = (raw, value)
    got = _BASIS_VERDICTS.get(key)
    if got is not None:
        return got  # type: ignore[no-any-return]
    basis = squash(raw)
    verdict = 0
    if basis and basis not in EMPTY_MARKERS:
        bare = _BASIS_PUNCT.sub("", basis)
        if bare in _BASIS_HEADER:
            verdict = _HEADER
        elif _BARE_BASIS.match(bare) and "《" not in basis and "号" not in basis:
            verdict = _BARE
        elif value and value not in EMPTY_MARKERS and name_key(basis) == name_key(value):
            verdict = _VALUE_AGAIN
    if len(_BASIS_VERDICTS) >= CACHE_LIMIT:
        _BASIS_VERDICTS.clear()
    _BASIS_VERDICTS[key] = got = (basis, verdict)
    return got


_SURVEY_DONE = re.compile(r"调查|问卷|测评|回访|访谈|抽样|调研|评议|打分")
_SURVEY = re.compile(r"调查|问卷|测评|回访|访谈|抽样|调研|评议|评价|走访|征求|反馈|统计|打分|满意度")


@rule(
    "JX116",
    "satisfaction-basis-not-survey",
    "满意度依据不是调查",
    severity="warning",
    heading=COMPLETENESS,
    scope="indicator",
    categories=(SATISFACTION,),
    sources=(GUIDE_EVAL_2020,),
    fix="满意度的依据写明调查方式：问卷调查、电话回访、第三方测评等，以及调查对象。",
)
def satisfaction_basis_not_survey(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：满意度指标填了依据，但依据不是调查（问卷、回访、测评等），如“工作计划”“上级要求”，
    指标描述也没有说明调查方式。
    为什么：满意度只能通过调查取得；依据写“工作计划”，年底就没有办法得到实际值。
    示例与改法：“群众满意度 ≥90%｜工作计划”的依据改为“向服务对象发放问卷调查”。
    """
    basis = squash(f.ind.basis)
    if not basis or basis in EMPTY_MARKERS or _SURVEY.search(basis):
        return None
    if _SURVEY_DONE.search(squash(f.ind.description)):
        return None  # the description says how it is measured: 「抽样调查群众对…的满意度」
    return Hit(f"满意度指标{q(f.label)}的依据{q(basis)}不是调查，无法取得满意度的实际值。")


# ---------------------------------------------------------------------------------------------
# JX2xx 可行性: values that can be checked
# ---------------------------------------------------------------------------------------------


@rule(
    "JX206",
    "bare-yes-benefit",
    "效益指标只填“是”",
    severity="warning",
    heading=FEASIBILITY,
    scope="indicator",
    categories=BENEFIT_CATS,
    kinds=("boolean",),
    sources=(GUIDE_CORE_2021,),
    fix="效益指标写可以判断达成程度的目标，如“群众投诉量较上年下降 ≥10%”“重大食品安全事故 =0起”。",
)
def bare_yes_benefit(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：效益指标的指标值只是“是”或“否”。
    为什么：“是”只说项目会有效果，不说有多少效果；年底只能答“是”，起不到约束作用。
    示例与改法：“社会效益指标｜改善群众生活条件｜是”改为“受益群众 ≥1200户”。
    """
    if isinstance(f.target.value, bool):
        return Hit(f"{category_label(f)}{q(f.label)}的指标值只是{q(f.value)}，没有写出效益的程度。")
    return None


@rule(
    "JX207",
    "value-without-unit",
    "指标值没有单位",
    severity="warning",
    heading=FEASIBILITY,
    scope="indicator",
    kinds=("number",),
    sources=(GUIDE_CORE_2021,),
    fix="在数字后写明计量单位（次、批次、人、天、万元），时效指标写日期（如“2024年12月31日前”）。",
)
def value_without_unit(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：指标值只有一个数字，没有单位，也没有单独的“度量单位”栏，如“完成时限｜1”
    “召开会议｜2”。满意度和名称为“…率”的指标（0–100 之间的数常省略“%”）、成本指标（单位常在
    表头）不在此列。
    为什么：没有单位的数不知道是次、天、月还是个，年底无法与实际值比较；时效指标的“1”更可能是
    “1个月”“1月份”还是“1天”，无法判断。
    示例与改法：“时效指标｜完成时限｜1”改为“2024年12月31日前”；“数量指标｜召开会议｜2”改为“2次”。
    """
    if f.target.unit or f.ind.measure_unit or f.is_rate or f.category in (COST, SATISFACTION):
        return None
    v = to_decimal(f.target.value)
    if v is None or f.target.op == "range":
        return None
    return Hit(f"{category_label(f)}{q(f.label)}的指标值{q(f.value)}只有数字，没有单位。")


@rule(
    "JX208",
    "zero-without-comparator",
    "零目标没有写“=0”",
    severity="hint",
    heading=FEASIBILITY,
    scope="indicator",
    kinds=("number",),
    sources=(GUIDE_EVAL_2020,),
    fix="“没有发生”的目标写成“=0起”“=0件”，写明越少越好。",
)
def zero_without_comparator(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：数量目标是 0 而没有比较符（“0起”“0件”“0次”）。
    为什么：自评和监控把它读作“=0”（越少越好）；写成“=0起”，读表的人和系统都不会误解为
    “至少0起”。
    示例与改法：“重大安全事故｜0起”改为“=0起”。
    """
    if f.target.op is None and to_decimal(f.target.value) == 0:
        return Hit(f"指标{q(f.label)}的目标{q(f.value)}是零，宜写成“=0”，表明越少越好。")
    return None


_QUALITATIVE_OPTIONS = frozenset(
    {
        "高中低",
        "定性高中低",
        "好中差",
        "定性好中差",
        "优良中差",
        "定性优良中差",
        "高/中/低",
        "好/中/差",
        "优/良/中/差",
        "达成/部分达成/未达成",
    }
)


def qualitative_option(f: IndicatorFacts) -> bool:
    """The standard qualitative option of a form (the Sichuan form's 「定性 高中低」)."""
    return squash(f.ind.value) in _QUALITATIVE_OPTIONS or f.value in _QUALITATIVE_OPTIONS


# ---------------------------------------------------------------------------------------------
# JX31x 相关性: the value fits what the name says
# ---------------------------------------------------------------------------------------------


@rule(
    "JX311",
    "upper-bound-quantity",
    "数量指标写成上限",
    severity="warning",
    heading=RELEVANCE,
    scope="indicator",
    categories=(QUANTITY,),
    kinds=("number",),
    sources=(GUIDE_CORE_2021,),
    fix="数量指标写要完成的量，用“≥”或不写比较符（如“≥237人”）；要约束的上限放到成本指标。",
)
def upper_bound_quantity(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：数量指标的目标写成上限“≤…”“<…”，如“≤237人”“≤10台”“≤8小时/天”。
    为什么：数量指标说的是要提供多少产品和服务，越多（至少达到）越好；写成上限，完成 0 也算达标，
    目标失去意义。
    示例与改法：“制服配发人员数量｜≤237人”改为“237人”或“≥237人”。
    """
    if f.target.op in ("<=", "<") and not f.money:
        return Hit(f"数量指标{q(f.label)}的目标{q(f.value)}是上限，完成得越少越“达标”。")
    return None


# the counter a name ends with → units that count the same thing
_COUNTERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("批次数", frozenset({"批次", "批"})),
    ("批次", frozenset({"批次", "批"})),
    ("人次数", frozenset({"人次"})),
    ("人次", frozenset({"人次"})),
    ("场次", frozenset({"场", "场次", "次"})),
    ("次数", frozenset({"次", "场", "场次", "期", "轮", "趟"})),
    ("件数", frozenset({"件"})),
    ("户数", frozenset({"户", "家", "户次"})),
    ("家数", frozenset({"家", "户", "个"})),
    ("人数", frozenset({"人", "名", "位"})),
    ("台数", frozenset({"台", "台套", "台件", "套"})),
)
_COUNT_UNITS = frozenset(
    {
        "批次",
        "批",
        "次",
        "人次",
        "件",
        "户",
        "家",
        "人",
        "名",
        "台",
        "个",
        "项",
        "场",
        "场次",
        "期",
        "份",
        "起",
        "例",
        "套",
    }
)


@rule(
    "JX312",
    "unit-not-counter",
    "单位与名称的计数对象不符",
    severity="warning",
    heading=RELEVANCE,
    scope="indicator",
    kinds=("number",),
    sources=(GUIDE_CORE_2021,),
    fix="单位与名称一致：“…次数”写“次”，“…批次”写“批次”，“…件数”写“件”；数的是别的东西就改名称。",
)
def unit_not_counter(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：名称说数的是一种东西，单位却是另一种，如“抽检次数｜≥650批次”“检查次数｜≥110件”
    “抽检批次｜≥5次”。
    为什么：次数、批次、件数是不同的统计口径（一次检查可抽多个批次）；名称与单位不符，
    年底不知道按哪个口径取实际值。
    示例与改法：“食品抽检次数｜≥650批次”改为“食品抽检批次｜≥650批次”。
    """
    unit = f.target.base_unit or f.target.unit or ""
    if unit not in _COUNT_UNITS:  # 台/件, 次/年: not one counter
        return None
    name = f.key
    for counter, units in _COUNTERS:
        if name.endswith(counter):
            if unit not in units:
                return Hit(f"指标{q(f.label)}按名称数的是“{counter}”，指标值{q(f.value)}的单位却是“{unit}”。")
            return None
    return None


_PER_POPULATION = re.compile(r"万人|每万|十万|千人|每千|百万人|万户|每百")


@rule(
    "JX313",
    "per-population-as-percent",
    "每万人比率写成百分比",
    severity="warning",
    heading=RELEVANCE,
    scope="indicator",
    kinds=("percent",),
    sources=(GUIDE_CORE_2021,),
    fix="按名称的口径写单位，如“≥5.5件/万人”“≤0.3起/万人”；要写百分比就把名称改成“…率”。",
)
def per_population_as_percent(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：名称是每万人（每千人、每十万人）的比率，指标值却写成百分比，如“万人发明专利拥有量
    ｜≥5.5%”“每万人口执业医师数｜2.8%”。
    为什么：每万人的量与百分比差一百倍，写成百分比目标就错了量级，年底无法与统计数比较。
    示例与改法：“万人有效发明专利拥有量｜≥5.5%”改为“≥5.5件/万人”。
    """
    if _PER_POPULATION.search(f.name):
        return Hit(f"指标{q(f.label)}是每万人（千人）的比率，指标值{q(f.value)}却是百分比。")
    return None


_SPENDING_RATE = re.compile(
    r"(?:资金|预算|经费|款|财政)[\u4e00-\u9fff]{0,4}?(?:支付|执行|拨付|支出|到位)(?:及时)?(?:率|进度)|"
    r"支出(?:完成)?(?:率|进度)|预算执行率"
)


@rule(
    "JX314",
    "spending-rate-as-indicator",
    "用资金支付率作绩效指标",
    severity="warning",
    heading=RELEVANCE,
    scope="indicator",
    sources=(GUIDE_EVAL_2020, GUIDE_CORE_2021),
    fix="预算执行率在自评中单独计分（10分），不作绩效指标；改为反映产出或效果的指标。",
)
def spending_rate_as_indicator(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：把资金支付率、预算执行率、资金到位率、支出进度等作为绩效指标。
    为什么：钱花出去不等于事做成了；预算执行率在绩效自评中已单独计10分，再作绩效指标是
    重复计分，也挤占了反映产出和效果的指标。
    示例与改法：“质量指标｜资金支付率｜100%”改为“质量指标｜抽检任务完成率｜100%”。
    """
    name = f.name
    if f.category == SATISFACTION or ("率" not in name and "进度" not in name):
        return None  # every pattern of _SPENDING_RATE ends in 率 or 进度
    if not _SPENDING_RATE.search(name):
        return None
    return Hit(f"指标{q(f.label)}衡量的是资金支付或执行进度，不是项目的产出或效果。")


# names that a percentage fits: rates, shares, degrees, coverage
_RATE_LIKE = re.compile(
    r"率|度|比例|比重|占比|覆盖|百分|%|％|份额|水平|指数|增长|增幅|降幅|下降|提高|提升|"
    r"减少|节约|达标|合格|完成|到位|覆盖面|满意"
)


@rule(
    "JX315",
    "percent-on-non-rate",
    "名称不是比率却写百分比",
    severity="warning",
    heading=RELEVANCE,
    scope="indicator",
    kinds=("percent",),
    sources=(GUIDE_CORE_2021,),
    fix="百分比目标配“…率”“…比例”的名称（如“社会矛盾纠纷化解率 ≥95%”）；否则写数量、日期或可判断的状态。",
)
def percent_on_non_rate(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：名称不是比率（没有“率”“比例”“覆盖”“占比”“程度”等），指标值却是百分比，如
    “维护社会稳定｜≥95%”“教学条件改善｜=100%”。
    为什么：“社会稳定的95%”不知是什么的95%，年底无法统计；百分比必须有分子分母。
    示例与改法：“维护社会稳定｜≥95%”改为“矛盾纠纷调处化解率｜≥95%”。
    """
    if f.is_rate or f.category == SATISFACTION or f.category == TIMELINESS or f.is_count:
        return None  # timeliness percentages: JX306; counts: JX302
    if _RATE_LIKE.search(f.name):
        return None
    return Hit(f"指标{q(f.label)}的名称不是比率，指标值{q(f.value)}却是百分比，说不清是什么的比例。")


# ---------------------------------------------------------------------------------------------
# JX4xx money and dates
# ---------------------------------------------------------------------------------------------

_MONTH = re.compile(r"(\d{1,2})\s*月")


def _has_plan(p: ProjectFacts, ctx: Context) -> bool:
    return bool(p.project.spending_plan)


@rule(
    "JX405",
    "spending-plan-blank",
    "资金支出计划节点空白",
    severity="warning",
    heading=FEASIBILITY,
    scope="project",
    sources=(GUIDE_TARGETS_2015,),
    applies=_has_plan,
    fix="填写每个节点的累计支出进度（如 3月底25%、6月底50%、10月底75%、12月底100%）。",
)
def spending_plan_blank(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：资金支出计划只列了年底（12月底100%）一个节点，或标准的四个节点（3月底、6月底、
    9月或10月底、12月底）少列了一个——年中的节点没有列出（数据来自省略空白单元格的 JSON、
    数据集或早先导入的表）。表中列出而数值空白的节点由 JX402 逐个指出，这里不再重复。
    为什么：运行监控按支出计划判断执行进度；年中节点空白，监控时只能按时间平均推算，
    “前松后紧”的支出看不出来。
    示例与改法：“3月底 空白、6月底 空白、10月底 空白、12月底 100%”改为“3月底25%、6月底50%、
    10月底75%、12月底100%”（按实际付款安排）。
    """
    plan = p.project.spending_plan or {}
    if any(squash(v) in EMPTY_MARKERS for v in plan.values()):
        return  # milestones printed blank: JX402 names them
    months: dict[int, str] = {}
    for k in plan:
        m = _MONTH.search(k)
        if not m:
            return  # quarters or other milestones: not read here
        months[int(m.group(1))] = k
    if 12 not in months:
        return
    # the in-year quarters without any milestone
    gaps = [
        name
        for name, lo, hi in (("3月底", 1, 3), ("6月底", 4, 6), ("9月或10月底", 7, 11))
        if not any(lo <= m <= hi for m in months)
    ]
    # only year-end left, or three of the standard four (3/6/9–10/12) with one dropped
    if gaps and (len(months) == 1 or (len(months) == 3 and set(months) <= {3, 6, 9, 10, 12})):
        yield Hit(
            f"项目{q(p.label)}的资金支出计划{'、'.join(gaps)}空白，只填了年底进度。"
            if len(months) == 1
            else f"项目{q(p.label)}的资金支出计划{'、'.join(gaps)}空白。"
        )


_YEAR_ONLY = re.compile(
    r"^(?:(?:19|20)\d{2}年度?|年度内|年内|本年度?内?|当年度?内?|全年|年度)(?:内|以内|之内|完成)?$"
)


@rule(
    "JX406",
    "deadline-year-only",
    "完成时限只写到年度",
    severity="warning",
    heading=FEASIBILITY,
    scope="indicator",
    categories=(TIMELINESS,),
    kinds=("date",),
    sources=(GUIDE_CORE_2021,),
    fix="写明具体的完成时限（如“2024年10月31日前完成验收”“每季度末前报送”）。",
)
def deadline_year_only(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：时效指标的时限只写“年度内”“年内”“2024年”，即预算年度本身。
    为什么：年度绩效目标本来就要在年内完成；只写“年度内”等于没有时效要求，监控时也无法判断
    进度是否滞后。
    示例与改法：“监督抽查信息公开｜年度内”改为“抽查结束后20个工作日内公开”或“2024年11月30日前”。
    """
    if _YEAR_ONLY.match(f.value):
        return Hit(f"时效指标{q(f.label)}的时限{q(f.value)}只是预算年度本身，没有具体时限。")
    return None


def _has_budget(p: ProjectFacts, ctx: Context) -> bool:
    return p.project.budget_total is not None and p.project.budget_total > 0


@rule(
    "JX407",
    "unit-cost-over-budget",
    "单位成本乘数量超过预算",
    severity="warning",
    heading=APPROPRIATENESS,
    scope="project",
    sources=(GUIDE_CORE_2021, GUIDE_TARGETS_2015),
    applies=_has_budget,
    thresholds={"unit_cost_budget_tolerance": 0.05},
    fix="核对单位成本和数量目标：单位成本 × 数量不应超过项目预算数；超出的，降低单价标准或数量目标。",
)
def unit_cost_over_budget(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：成本指标给出单位成本（如“≤5300元/批次”），数量指标给出同一单位的数量（“≥650批次”），
    两者相乘超过项目预算数（超出比例大于 unit_cost_budget_tolerance）。
    为什么：单价和数量都按目标完成时，钱不够；说明单价、数量或预算至少有一个测算有误。
    示例与改法：预算数 300万元，“抽检批次 ≥650批次”“单批次成本 ≤5300元/批次”（合计 344.5万元）——
    按预算调整单价或批次。
    """
    budget = p.project.budget_total
    if budget is None or budget <= 0:
        return
    tol = Decimal(str(ctx.t["unit_cost_budget_tolerance"]))
    quantities: dict[str, list[IndicatorFacts]] = {}
    for f in p.by_category.get(QUANTITY, ()):
        t = f.target
        if t.kind == "number" and t.base_value is not None and t.op in (None, ">=", ">", "="):
            quantities.setdefault((t.base_unit or t.unit or "").strip(), []).append(f)
    for c in p.by_category.get(COST, ()):
        t = c.target
        unit = t.base_unit or t.unit or ""
        if not c.per_unit_money or t.base_value is None or t.op in (">=", ">", "range"):
            continue
        money, _, per = unit.partition("/")
        if money != "元" or not per or per not in quantities:
            continue
        for qf in quantities[per][:1]:
            qv = qf.target.base_value
            assert qv is not None
            total = t.base_value * qv / Decimal(10_000)
            if total > budget * (1 + tol):
                yield Hit(
                    f"项目{q(p.label)}的单位成本{q(c.value)}乘以{q(qf.label)}{q(qf.value)}为"
                    f"{total.quantize(Decimal('0.01')).normalize():f}万元，超过预算数{budget}万元。",
                    indicator=c.index,
                )


# ---------------------------------------------------------------------------------------------
# JX50x wording: descriptions and goals
# ---------------------------------------------------------------------------------------------


_STARTS_WITH_NUMBER = re.compile(r"^(?:[≥≤><=＞＜＝]|不低于|不少于|不超过|达到)?\d")


@rule(
    "JX506",
    "description-restates-value",
    "指标描述只写了指标值",
    severity="warning",
    heading=COMPLETENESS,
    scope="indicator",
    kinds=("number", "percent"),
    sources=(GUIDE_CORE_2021,),
    fix="指标描述写明口径：统计什么、怎么算、数据从哪来；目标值只写在指标值栏。",
)
def description_restates_value(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：“绩效指标描述”只是把指标值再写一遍，如“河北省地方标准｜7项省地标｜≥7项”。
    为什么：描述要交代指标的含义和计算口径；只写目标值，等于没有说明统计什么、怎么统计。
    示例与改法：“7项省地标”改为“年度内经省市场监管局批准发布、由本单位主导制修订的省级地方标准数量”。
    """
    desc = squash(f.ind.description)
    if not desc or len(desc) > 16 or not _STARTS_WITH_NUMBER.match(desc):
        return None  # 每完成1项资助不超过5万元: a scope, not the value again
    d = parsed(desc, ctx.year)
    t = f.target
    if d.kind != t.kind or not isinstance(d.value, Decimal) or d.value != t.value:
        return None
    if (t.unit or "") and not (d.unit or "").startswith(t.unit or ""):
        return None
    return Hit(f"指标{q(f.label)}的描述{q(f.ind.description)}只写了指标值，没有说明口径。")


_SENTENCE = re.compile(r"[。；;！!\n]|(?:^|(?<=[。；;，,]))\s*[（(]?\d{1,2}[.、)）]")
_GOAL_NUMBER = re.compile(
    r"(\d+(?:\.\d+)?)\s*(批次|人次|场次|批|次|件|户|家|人|名|台|项|场|期|份|个|所|套|辆|篇)"
)


def _goal_text(p: ProjectFacts) -> str:
    return (p.project.goal or "").strip()


def _has_goal(p: ProjectFacts, ctx: Context) -> bool:
    return bool(_goal_text(p))


@rule(
    "JX507",
    "goal-figure-differs",
    "绩效目标与指标值的数字不一致",
    severity="warning",
    heading=RELEVANCE,
    scope="project",
    sources=(GUIDE_TARGETS_2015,),
    applies=_has_goal,
    fix="统一绩效目标与指标表中的数字：目标写“完成抽检650批次”，指标值也写“≥650批次”。",
)
def goal_figure_differs(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：绩效目标文字里写了一个数量（如“完成食品抽检650批次”），而指标表中唯一一个同单位
    的数量指标目标却是另一个数（“≥600批次”）。
    为什么：指标是目标的细化，两处数字不一致，说明其中一处没有随修改更新，审核和自评不知以哪个为准。
    示例与改法：目标“培训执法人员300人次”、指标“培训人次 ≥200人次”——核实后统一为一个数。
    """
    goal = _goal_text(p)
    mentioned: dict[str, set[Decimal]] = {}
    for num, unit in _GOAL_NUMBER.findall(goal.replace(" ", "")):
        mentioned.setdefault(unit, set()).add(Decimal(num))
    if not mentioned:
        return
    by_unit: dict[str, list[IndicatorFacts]] = {}
    for f in p.indicators:
        t = f.target
        if f.category == QUANTITY and t.kind == "number" and isinstance(t.value, Decimal) and t.unit:
            by_unit.setdefault(t.unit, []).append(f)
    for unit, nums in mentioned.items():
        fs = by_unit.get(unit, [])
        if len(nums) != 1 or len(fs) != 1:
            continue
        [n] = nums
        f = fs[0]
        if f.target.value != n and f.target.op != "range":
            yield Hit(
                f"项目{q(p.label)}的绩效目标写“{n.normalize():f}{unit}”，指标{q(f.label)}的目标却是"
                f"{q(f.value)}。",
                indicator=f.index,
            )


@rule(
    "JX508",
    "goal-repeated-sentence",
    "绩效目标重复同一句话",
    severity="warning",
    heading=COMPLETENESS,
    scope="project",
    sources=(GUIDE_TARGETS_2015,),
    applies=_has_goal,
    fix="删去重复的句子，把年度目标写成要完成的几项主要任务和效果，各写一次。",
)
def goal_repeated_sentence(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：绩效目标文字中，同一句话（8个字以上）出现了两次。
    为什么：重复的句子通常是复制粘贴留下的，说明目标没有认真撰写，也可能漏掉了本该写的内容。
    示例与改法：“1.保障执法工作正常开展；2.保障执法工作正常开展”改为“1.全年办结案件≥120件；
    2.执法装备配备率100%”。
    """
    goal = _goal_text(p)
    if len(goal) < 16:
        return  # two sentences of 8 characters or more do not fit
    seen: set[str] = set()
    for part in _SENTENCE.split(goal):
        if len(part) < 8:
            continue  # name_key only takes characters away
        key = name_key(part)
        if len(key) < 8:
            continue
        if key in seen:
            yield Hit(f"项目{q(p.label)}的绩效目标重复了“{(part or '').strip()[:30]}”。")
            return
        seen.add(key)


def _similar_at_least(a: str, b: str, threshold: float) -> bool:
    """SequenceMatcher's ratio of a and b is at least `threshold`; its two cheap upper bounds are
    tried first (two texts of very different lengths or letters are never similar), computed as
    `real_quick_ratio` and `quick_ratio` compute them but without building the matcher, whose index
    of b costs more than both."""
    from difflib import SequenceMatcher

    length = len(a) + len(b)
    if not length:
        return 1.0 >= threshold
    if 2.0 * min(len(a), len(b)) / length < threshold:  # real_quick_ratio
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if short in long_:
        # the longest matching block is the whole shorter text and nothing is left beside it to
        # match: the ratio is exactly the real_quick_ratio bound just passed
        return True
    if 2.0 * (Counter(a) & Counter(b)).total() / length < threshold:  # quick_ratio: letters in common
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= threshold


@rule(
    "JX509",
    "goal-copies-purpose",
    "绩效目标照抄资金用途",
    severity="warning",
    heading=RELEVANCE,
    scope="project",
    sources=(GUIDE_TARGETS_2015,),
    applies=_has_goal,
    thresholds={"goal_purpose_similarity": 0.85},
    fix="绩效目标写钱花出去要达到的产出和效果（做多少、做多好、带来什么），不要照抄资金用途。",
)
def goal_copies_purpose(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：绩效目标与“资金用途”的文字基本相同（相似度不低于 goal_purpose_similarity）。
    为什么：资金用途说钱用在哪里，绩效目标说用了以后达到什么；照抄资金用途，目标就没有产出和效果。
    示例与改法：资金用途和目标都写“用于支付办公楼物业费”——目标改为“保障办公楼 5292㎡ 物业服务，
    设施故障4小时内修复，干部职工满意度 ≥90%”。
    """
    goal, purpose = name_key(_goal_text(p)), name_key(p.project.purpose)
    if len(goal) < 6 or len(purpose) < 6:
        return
    if goal == purpose or _similar_at_least(goal, purpose, float(ctx.t["goal_purpose_similarity"])):
        yield Hit(
            f"项目{q(p.label)}的绩效目标与资金用途{q((p.project.purpose or '')[:30])}基本相同，"
            "没有写出产出和效果。"
        )
