"""The review catalogue (绩效目标审核规则): one small function per rule.

Codes are stable. JX1xx 完整性 (completeness), JX2xx 可行性 — measurability, JX3xx 相关性 — does the
value fit the indicator, JX4xx consistency of money and dates, JX5xx wording, JX6xx 适当性 — ambition.
Each rule's docstring carries 检查什么 / 为什么 / 示例与改法; `jixiao rules` prints the catalogue
and docs/rules.md is generated from it.

Both indicator frameworks are reviewed: the older one (成本 under 产出) and the 2021 national one
(成本 as level 1) — a cost indicator is found under either, and neither is asked for the other's
layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from itertools import pairwise

from jixiao import taxonomy as tx
from jixiao.numbers import plain
from jixiao.review.facts import (
    BENEFIT_CATS,
    CATEGORY_ZH,
    COST,
    ECONOMIC,
    EMPTY_MARKERS,
    HEDGE,
    MEASURED_CATS,
    OUTPUT_CATS,
    QUALITY,
    QUANTITY,
    SATISFACTION,
    TIME_EXPR,
    TIMELINESS,
    UNKNOWN,
    VAGUE,
    Context,
    DocumentFacts,
    IndicatorFacts,
    ProjectFacts,
    name_key,
    parsed,
    percent_of,
    repeats,
    squash,
    to_decimal,
)
from jixiao.review.findings import APPROPRIATENESS, COMPLETENESS, FEASIBILITY, RELEVANCE
from jixiao.review.registry import (
    GUIDE_CORE_2021,
    GUIDE_EVAL_2020,
    GUIDE_TARGETS_2015,
    TABLE_ARITHMETIC,
    Hit,
    rule,
)

_MONTH = re.compile(r"(\d{1,2})\s*月")


def q(text: object) -> str:
    """Quote a printed text the way Chinese memos do."""
    return f"「{text}」"


def _pct(v: Decimal) -> str:
    return f"{plain(v)}%"


# ---------------------------------------------------------------------------------------------
# JX1xx 完整性: every part of the table is there
# ---------------------------------------------------------------------------------------------


@rule(
    "JX101",
    "missing-output",
    "缺少产出指标",
    severity="error",
    heading=COMPLETENESS,
    scope="project",
    sources=(GUIDE_CORE_2021, GUIDE_TARGETS_2015),
    fix="补充产出指标：数量指标、质量指标、时效指标，写明可核验的目标值。",
)
def missing_output(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：项目的绩效指标中没有任何产出指标（数量、质量、时效指标）。
    为什么：产出指标反映预算资金预期提供的公共产品和服务，是绩效目标的主体；没有产出指标，
    就无法判断钱花出去做成了什么，年底自评也无从打分。
    示例与改法：只列了“社会效益：营造良好环境”和“满意度≥90%”的项目，应补充如
    “数量指标：食品抽检批次 ≥650批次”“质量指标：抽检任务完成率 100%”“时效指标：2024年12月底前完成”。
    """
    if p.indicators and tx.OUTPUT not in p.level1s and not any(c in p.categories for c in OUTPUT_CATS):
        yield Hit(f"项目{q(p.label)}没有产出指标（数量、质量、时效指标均缺）。")


@rule(
    "JX102",
    "missing-benefit",
    "缺少效益指标",
    severity="error",
    heading=COMPLETENESS,
    scope="project",
    sources=(GUIDE_CORE_2021, GUIDE_TARGETS_2015),
    fix="补充效益指标（经济、社会、生态效益或可持续影响），说明项目实施带来的效果。",
)
def missing_benefit(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：项目没有效益指标（旧表也写作“效果指标”）。
    为什么：效益指标反映产出对经济、社会、生态等方面带来的影响，是判断项目“值不值”的依据；
    核心绩效指标应同时包括产出和效益。
    示例与改法：只有产出和满意度的“计量业务经费”，应补充如“社会效益指标：计量器具检定合格率 ≥95%”。
    """
    if p.indicators and tx.BENEFIT not in p.level1s and not any(c in p.categories for c in BENEFIT_CATS):
        yield Hit(f"项目{q(p.label)}没有效益指标（经济、社会、生态效益或可持续影响指标）。")


@rule(
    "JX103",
    "missing-satisfaction",
    "缺少满意度指标",
    severity="warning",
    heading=COMPLETENESS,
    scope="project",
    sources=(GUIDE_CORE_2021, GUIDE_EVAL_2020),
    fix="补充服务对象满意度指标，写明调查对象和目标值（如“服务对象满意度 ≥90%”）。",
)
def missing_satisfaction(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：项目没有满意度指标（服务对象或社会公众满意度）。
    为什么：满意度指标反映服务对象或受益群体对项目实施效果的认可程度，是一级指标之一，
    绩效评价也按满意度计分；缺了它，服务对象的感受无从衡量。
    示例与改法：“质量安全监管专项经费”只有产出和效益指标，应补充“服务对象满意度指标：
    受检企业满意度 ≥90%（问卷调查）”。
    """
    if p.indicators and tx.SATISFACTION not in p.level1s and SATISFACTION not in p.categories:
        yield Hit(f"项目{q(p.label)}没有满意度指标。")


@rule(
    "JX104",
    "incomplete-output",
    "产出指标不全",
    severity="warning",
    heading=COMPLETENESS,
    scope="project",
    sources=(GUIDE_CORE_2021,),
    fix="产出指标应覆盖数量、质量、时效三个方面，各设置至少一个指标。",
)
def incomplete_output(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：有产出指标，但数量指标、质量指标、时效指标中缺了某一类。
    为什么：数量、质量、时效从“做多少、做多好、何时做完”三个方面界定产出，缺一类就留下评价盲区。
    示例与改法：只设“抽检批次 ≥50批次”的项目，补充“质量指标：抽检任务完成率 100%”和
    “时效指标：2024年12月底前完成”。
    """
    if not p.indicators or not any(c in p.categories for c in OUTPUT_CATS):
        return
    missing = [
        zh
        for c, zh in ((QUANTITY, "数量指标"), (QUALITY, "质量指标"), (TIMELINESS, "时效指标"))
        if c not in p.categories
    ]
    if missing:
        yield Hit(f"项目{q(p.label)}的产出指标缺少{'、'.join(missing)}。")


@rule(
    "JX105",
    "missing-cost",
    "缺少成本指标",
    severity="warning",
    heading=COMPLETENESS,
    scope="project",
    sources=(GUIDE_CORE_2021,),
    fix="补充成本指标：旧表列在产出指标下，2021年指引列为一级指标（经济成本指标），写明金额上限，如“≤30万元”。",
)
def missing_cost(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：项目既没有产出指标下的成本指标（旧框架），也没有一级成本指标（2021年框架）。
    为什么：成本指标约束完成产出所花的钱，是把资金规模与目标挂钩的指标；2021年核心指标指引
    把成本指标列为一级指标。
    示例与改法：补充“成本指标：单批次抽检成本 ≤5300元/批次”或“项目总成本 ≤50万元”。
    """
    if p.indicators and COST not in p.categories:
        yield Hit(f"项目{q(p.label)}没有成本指标。")


@rule(
    "JX106",
    "missing-goal",
    "未填写绩效目标",
    severity="error",
    heading=COMPLETENESS,
    scope="project",
    sources=(GUIDE_TARGETS_2015,),
    fix="填写项目年度绩效目标：用一两句话写明要完成的主要任务、达到的产出和效果。",
)
def missing_goal(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：项目的“绩效目标”（年度目标）栏为空。
    为什么：绩效目标是指标的来源，指标是对目标的细化和量化；没有目标，指标是否相关无从判断。
    示例与改法：写成“完成全年食品安全抽检650批次，抽检不合格食品核查处置率100%，保障群众饮食安全”。
    """
    goal = (p.project.goal or "").strip()
    if not goal or goal in EMPTY_MARKERS:
        yield Hit(f"项目{q(p.label)}没有填写绩效目标。")


@rule(
    "JX107",
    "missing-basis",
    "指标值确定依据空白",
    severity="warning",
    heading=COMPLETENESS,
    scope="indicator",
    sources=(GUIDE_CORE_2021,),
    fix="写明指标值的来源：计划标准、行业标准、历史标准或其他依据（如“年度抽检计划”“上年实际完成值”）。",
)
def missing_basis(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：表格有“指标值确定依据”一栏，但这一行没有填写。
    为什么：指标值应当有据可查——依据计划标准、行业标准、历史标准等测算；没有依据的目标值
    难以判断高低是否合理。
    示例与改法：“成本控制 ≤300万元”的依据栏空白，应填“按年度工作计划和往年支出测算”。
    """
    if p.has_basis_column and not (f.ind.basis or "").strip():
        return Hit(f"指标{q(f.label)}没有填写指标值确定依据。")
    return None


@rule(
    "JX108",
    "missing-value",
    "指标值空白",
    severity="error",
    heading=COMPLETENESS,
    scope="indicator",
    sources=(GUIDE_TARGETS_2015,),
    fix="填写指标值：数值加单位和比较符（如“≥90%”“≤30万元”“12月31日前”）。",
)
def missing_value(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：三级指标有名称，但指标值为空（或只有“-”“/”）。
    为什么：没有目标值的指标无法监控，也无法在年底评价是否完成。
    示例与改法：“抽检批次”的指标值空白，应填“≥650批次”。
    """
    if f.value in EMPTY_MARKERS and f.name:
        return Hit(f"指标{q(f.label)}没有填写指标值。")
    return None


@rule(
    "JX109",
    "missing-name",
    "三级指标名称空白",
    severity="error",
    heading=COMPLETENESS,
    scope="indicator",
    sources=(GUIDE_TARGETS_2015,),
    fix="填写三级指标名称，说明衡量的是什么（如“食品抽检批次”）。",
)
def missing_name(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：一行指标有指标值，但三级指标名称为空。
    为什么：不知道衡量什么，指标值就没有意义，评价时也无法对应实际完成值。
    示例与改法：名称空白、指标值“≥95%”的一行，应写明“抽检合格率 ≥95%”。
    """
    if not f.name and f.value not in EMPTY_MARKERS:
        if (f.ind.name or "").strip() and to_decimal(f.target.value) == 0:
            # 「0｜0.00%」: an unused row of the form printed with zeros
            return Hit(
                f"第{f.index + 1}个指标是未使用的空行（名称{q(f.ind.name)}，指标值{q(f.value)}）。",
                hint="删去未使用的模板行。",
                severity="warning",
            )
        return Hit(f"第{f.index + 1}个指标（指标值{q(f.value)}）没有三级指标名称。")
    return None


@rule(
    "JX110",
    "level-mismatch",
    "二级指标归错一级指标",
    severity="error",
    heading=COMPLETENESS,
    scope="indicator",
    sources=(GUIDE_CORE_2021, GUIDE_EVAL_2020),
    fix="把指标放回所属的一级指标下：数量/质量/时效归产出指标，经济/社会/生态效益和可持续影响归效益指标。",
)
def level_mismatch(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：二级指标与其一级指标不配套，如“产出指标—社会效益指标”“效果指标—质量指标”。
    成本指标列在产出指标下（旧框架）或列为一级指标（2021年框架）都是正确的；满意度列在效益
    指标下（《项目支出绩效评价管理办法》的框架）也接受。
    为什么：指标归类决定了它怎样被审核、监控和计分；归错类往往说明表格错行或照抄模板。
    示例与改法：“产出指标｜社会效益指标｜成品油检测能力提升”应移到“效益指标｜社会效益指标”下。
    """
    r1, r2 = f.l1_read, f.l2_read
    if r1 is None or r2 is None:
        return None
    parent = _L2_PARENTS.get(r2)
    if parent is None or r1 in parent:
        return None
    return Hit(f"指标{q(f.label)}的二级指标{q(f.ind.level2)}不属于一级指标{q(f.ind.level1)}。")


_L2_PARENTS: dict[str, tuple[str, ...]] = {
    tx.QUANTITY: (tx.OUTPUT,),
    tx.QUALITY: (tx.OUTPUT,),
    tx.TIMELINESS: (tx.OUTPUT,),
    tx.COST: (tx.OUTPUT, tx.COST),
    tx.ECONOMIC_COST: (tx.COST, tx.OUTPUT),
    tx.SOCIAL_COST: (tx.COST, tx.OUTPUT),
    tx.ECO_COST: (tx.COST, tx.OUTPUT),
    tx.ECONOMIC: (tx.BENEFIT,),
    tx.SOCIAL: (tx.BENEFIT,),
    tx.ECOLOGICAL: (tx.BENEFIT,),
    tx.SUSTAINABLE: (tx.BENEFIT,),
    tx.SERVICE_SATISFACTION: (tx.SATISFACTION, tx.BENEFIT),
}


@rule(
    "JX111",
    "unknown-level",
    "指标类别无法识别",
    severity="warning",
    heading=COMPLETENESS,
    scope="indicator",
    sources=(GUIDE_CORE_2021,),
    fix="一级指标用产出、效益、满意度（2021年框架另有成本）指标，二级指标用指引规定的名称。",
)
def unknown_level(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：一级、二级指标都认不出属于哪一类（产出、成本、效益、满意度），或者填了二级指标
    却不是框架中的名称（如“效益指标｜效益指标”“产出指标｜其他指标”）。
    为什么：类别不明的指标无法按框架审核和计分，通常是一级/二级指标栏漏填或填了自创名称。
    示例与改法：一级、二级指标栏都空白的“抽检批次”，应补上“产出指标｜数量指标”。
    """
    if f.category == UNKNOWN:
        l1, l2 = q(f.ind.level1 or "空白"), q(f.ind.level2 or "空白")
        return Hit(f"指标{q(f.label)}的类别无法识别（一级{l1}，二级{l2}）。")
    if f.l2_read is None and (f.ind.level2 or "").strip() and f.category != SATISFACTION:
        return Hit(f"指标{q(f.label)}的二级指标{q(f.ind.level2 or '空白')}不是指标框架中的名称。")
    return None


@rule(
    "JX112",
    "no-indicators",
    "没有绩效指标",
    severity="error",
    heading=COMPLETENESS,
    scope="project",
    sources=(GUIDE_TARGETS_2015, GUIDE_CORE_2021),
    fix="按产出、效益、满意度（及成本）指标填写绩效指标表。",
)
def no_indicators(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：项目有绩效目标表，但一个绩效指标也没有。
    为什么：绩效目标要通过指标细化、量化，没有指标就无法审核、监控和评价。
    示例与改法：只写了“保障工作正常运转”的项目，应补充数量、质量、时效、成本、效益和满意度指标。
    """
    if not p.indicators:
        yield Hit(f"项目{q(p.label)}没有任何绩效指标。")


# ---------------------------------------------------------------------------------------------
# JX2xx 可行性: values that can be measured
# ---------------------------------------------------------------------------------------------


@rule(
    "JX201",
    "placeholder-value",
    "指标值是未填写的模板占位",
    severity="error",
    heading=FEASIBILITY,
    scope="indicator",
    kinds=("boolean", "text"),
    sources=(GUIDE_CORE_2021,),
    fix="把“是/否”“文字描述”等模板文字换成真实目标值：数值、比率、日期，或可判断的具体状态。",
)
def placeholder_value(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：指标值是模板里的占位文字，如“是/否”“文字描述”“定性”，即没有真正填写。
    为什么：占位文字不是目标，年底无法判断是否完成；这类指标等于没有设置。
    示例与改法：“成本指标｜项目控制预算数｜是/否”应改为“≤6.8万元”；
    “时效指标｜按项目计划完成工作｜是/否”应改为“2022年12月31日前”。
    """
    if not f.placeholder:
        return None
    msg = f"{category_label(f)}{q(f.label)}的指标值{q(f.value)}是模板占位，没有填写真实目标值。"
    budget, year = p.project.budget_total, ctx.year
    if f.category == COST and budget is not None:
        return Hit(
            msg, hint=f"成本指标写金额上限，如“≤{budget.normalize():f}万元”（本项目预算数）或分项成本。"
        )
    if f.category == TIMELINESS:
        return Hit(msg, hint=f"时效指标写完成时限，如“{year or 'XXXX'}年12月31日前”。")
    return Hit(msg)


@rule(
    "JX202",
    "unmeasurable-output",
    "产出或成本指标不可衡量",
    severity="error",
    heading=FEASIBILITY,
    scope="indicator",
    categories=MEASURED_CATS,
    kinds=("text", "boolean"),
    sources=(GUIDE_CORE_2021, GUIDE_TARGETS_2015),
    fix="数量、质量指标写数值或比率，时效指标写完成时限，成本指标写金额上限。",
)
def unmeasurable_output(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：数量、质量、时效、成本指标的指标值是文字（如“提升”“及时”“按要求支出”）或
    “是”“否”，而不是数值、比率、日期或时长。时效指标写“12月底前”“每月25日前”等时限可以；
    质量、数量指标写“合格”“达标”“全覆盖”等可判定的状态另见 JX205。
    为什么：产出和成本指标应当定量，才能在监控和自评时与实际完成值比较；“及时”“提升”无法核验。
    示例与改法：“时效指标｜及时性｜及时”改为“2021年12月31日前完成”；“质量指标｜质量关注度｜提升”
    改为“企业质量培训覆盖率 ≥90%”。
    """
    kind = f.target.kind
    if f.placeholder or f.value in EMPTY_MARKERS:
        return None
    if kind == "text":
        if f.category == TIMELINESS and TIME_EXPR.search(f.value):
            return None
        if _EMBEDDED_QUANTITY.search(f.value):
            return None  # 「按预算标准1000元/人兑付」「二100百分比」: a figure is there, only not alone
        if f.category in (QUANTITY, QUALITY) and PASS_STATE.search(f.value) and not VAGUE.search(f.value):
            return None  # JX205
    elif kind != "boolean":
        return None
    return Hit(f"{category_label(f)}{q(f.label)}的指标值{q(f.value)}不是可衡量的数值、比率或时限。")


PASS_STATE = re.compile(r"合格|达标|符合|通过|验收|全覆盖|全部|全面完成|无重大|零事故|未发生|不发生|优良")
# a figure with its unit inside a sentence: the value can be checked, even if not written alone
_EMBEDDED_QUANTITY = re.compile(r"\d+(?:\.\d+)?\s*(?:万?元|%|％|百分比|个百分点|天|日|小时|个工作日|月)")


@rule(
    "JX205",
    "pass-state-output",
    "产出指标写成达标状态",
    severity="hint",
    heading=FEASIBILITY,
    scope="indicator",
    categories=(QUANTITY, QUALITY),
    kinds=("text",),
    sources=(GUIDE_CORE_2021,),
    fix="把“合格”“全覆盖”写成比率或数量，如“验收合格率 100%”“覆盖乡镇 12个”。",
)
def pass_state_output(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：数量、质量指标的指标值是“合格”“达标”“全覆盖”“符合国家标准”等可以判定、
    但没有量化的状态。
    为什么：这类目标能判断达成与否，但无法反映完成程度；写成比率或数量，监控和自评才有刻度。
    示例与改法：“质量指标｜设备验收｜合格”改为“设备验收合格率 100%”。
    """
    if PASS_STATE.search(f.value) and not VAGUE.search(f.value) and not f.placeholder:
        return Hit(f"{category_label(f)}{q(f.label)}的指标值{q(f.value)}是达标状态，没有量化。")
    return None


def category_label(f: IndicatorFacts) -> str:
    """The indicator's category in Chinese for messages (数量指标, 成本指标 …)."""
    return CATEGORY_ZH.get(f.category, "指标")


@rule(
    "JX203",
    "vague-benefit",
    "效益指标表述空泛",
    severity="warning",
    heading=FEASIBILITY,
    scope="indicator",
    categories=BENEFIT_CATS,
    kinds=("text",),
    sources=(GUIDE_CORE_2021,),
    fix="效益指标尽量量化（如“案件办结率 ≥90%”“重大安全事故 0起”）；"
    "确需定性的，写明可判断达成与否的具体状态。",
)
def vague_benefit(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：效益指标的指标值是“日益提高”“效果明显”“持续向好”“长期”之类的空泛说法，
    或者只是把指标名称再写一遍。
    为什么：效益指标可以定性，但定性也要能判断达成、部分达成还是未达成；空泛的说法年年都能
    “达成”，起不到约束作用。
    示例与改法：“社会效益指标｜市场监管工作水平｜日益提高”改为“投诉举报按时办结率 ≥95%”；
    “可持续影响指标｜可持续性｜可持续性”改为“执法装备使用年限 ≥5年”。
    """
    if f.target.kind != "text" or f.placeholder or f.value in EMPTY_MARKERS:
        return None
    if f.key and name_key(f.value) == f.key:
        return Hit(f"{category_label(f)}{q(f.label)}的指标值只是重复指标名称，没有写出目标。")
    if VAGUE.search(f.value):
        return Hit(f"{category_label(f)}{q(f.label)}的指标值{q(f.value)}表述空泛，无法据以评价。")
    return None


@rule(
    "JX204",
    "satisfaction-not-percent",
    "满意度指标值不是百分比",
    severity="error",
    heading=FEASIBILITY,
    scope="indicator",
    categories=(SATISFACTION,),
    kinds=("number", "date", "boolean", "text"),
    sources=(GUIDE_CORE_2021, GUIDE_EVAL_2020),
    fix="满意度写成调查满意比例的目标，如“≥90%”，并在依据栏写明调查方式。",
)
def satisfaction_not_percent(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：满意度指标的指标值不是百分比（例如写成“满意”“提升”“5人”）。没写单位的 0–100
    之间的数（表头或名称已注明“%”的常见写法）和测评得分（“≥90分”）不在此列。
    为什么：满意度通过问卷等调查取得，结果是满意人数占被调查人数的比例；不是百分比的目标
    无法与调查结果比较。
    示例与改法：“群众满意度｜满意”改为“≥90%”。表格自带的定性选项（四川表式的“定性｜高中低”）
    是表式的标准写法，只作警告。
    """
    if f.percent or f.placeholder or f.value in EMPTY_MARKERS:
        return None
    if f.number:
        unit = f.target.unit or ""
        v = to_decimal(f.target.value)
        if unit == "分" or (not unit and v is not None and 0 <= v <= 100):
            return None
    if _qualitative_option(f):
        return Hit(
            f"满意度指标{q(f.label)}用了表格的定性选项{q(f.value)}，宜写成调查满意比例（如“≥90%”）。",
            severity="warning",
        )
    return Hit(f"满意度指标{q(f.label)}的指标值{q(f.value)}不是百分比。")


# ---------------------------------------------------------------------------------------------
# JX3xx 相关性: the value fits what the indicator measures
# ---------------------------------------------------------------------------------------------


@rule(
    "JX301",
    "rate-not-percent",
    "比率指标的值不是百分比",
    severity="error",
    heading=RELEVANCE,
    scope="indicator",
    kinds=("number",),
    sources=(GUIDE_CORE_2021,),
    fix="名称是“…率”的指标，指标值写百分比（如“≥95%”）；若要考核人数、件数，就把名称改成“…人数”“…数量”。",
)
def rate_not_percent(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：名称以“率”表示比率（完成率、合格率、准确率、覆盖率……）的指标，指标值却是带
    计量单位的数量，如“7人”“≥5辆”“≤150万元”。“件/万人”这类每单位比率可以。
    为什么：名称与指标值对不上，说明填错行或照抄了其他指标的值，年底无法评价。
    示例与改法：“质量指标｜工资及保险发放准确率｜7人”改为“100%”；“质量指标｜精准率｜≥5 辆”
    改为“≥98%”。
    """
    if not f.is_rate or f.category == SATISFACTION or not f.number:
        return None
    unit = f.target.unit or ""
    if not unit or "/" in unit or "／" in unit or "每" in unit:
        return None
    return Hit(f"比率指标{q(f.label)}的指标值{q(f.value)}是数量（{unit}），不是百分比。")


@rule(
    "JX302",
    "count-as-percent",
    "数量类指标的值是百分比",
    severity="error",
    heading=RELEVANCE,
    scope="indicator",
    kinds=("percent",),
    sources=(GUIDE_CORE_2021,),
    fix="名称是“…数量”“…次数”“…批次”的指标写绝对数（如“≥110户”）；要考核比例就把名称改成“…率”。",
)
def count_as_percent(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：名称表示数量（数量、次数、批次、户数、人数……）的指标，指标值却是百分比。
    为什么：“检查数量 ≥95%”不知是多少的95%，年底无法核对；名称与指标值必须是同一种量。
    示例与改法：“数量指标｜检查数量｜≥95%”改为“≥120家”，或改名“重点企业检查覆盖率 ≥95%”。
    """
    if f.is_count and f.percent:
        return Hit(f"指标{q(f.label)}按名称是数量，指标值{q(f.value)}却是百分比。")
    return None


@rule(
    "JX303",
    "quantity-percent",
    "数量指标使用比率",
    severity="hint",
    heading=RELEVANCE,
    scope="indicator",
    categories=(QUANTITY,),
    kinds=("percent",),
    sources=(GUIDE_CORE_2021,),
    fix="数量指标宜写计划完成的绝对数量（次、批次、户、人）；完成比例类指标归入质量指标。",
)
def quantity_percent(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：数量指标下的指标值是百分比（如“工程量完成率 100%”“支出完成率 ≥95%”）。
    为什么：数量指标反映提供产品和服务的多少，宜用绝对数；比例更适合放在质量指标，
    否则“做多少”这一项实际上没有目标。
    示例与改法：“数量指标｜支出完成率｜≥95%”改为“数量指标｜执法装备配备数量｜20台（套）”。
    """
    if f.percent and not f.is_count:
        return Hit(f"数量指标{q(f.label)}的指标值{q(f.value)}是比率，没有给出绝对数量。")
    return None


@rule(
    "JX304",
    "cost-not-money",
    "成本指标的值不是金额",
    severity="error",
    heading=RELEVANCE,
    scope="indicator",
    categories=(COST,),
    kinds=("number", "percent", "date"),
    sources=(GUIDE_CORE_2021,),
    fix="成本指标写金额（万元或元，可带“≤”），单位成本写“元/批次”“元/人”等。",
)
def cost_not_money(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：成本指标（产出指标下的成本指标，或2021年框架的一级成本指标）的指标值是数量、
    日期或与成本无关的比率，而不是金额。
    为什么：成本指标用来约束花多少钱，必须是货币量（总成本或单位成本）；“≤5辆”“≥95%”
    无法与预算和实际支出比较。名称为“…率”的比率（如“成本节约率”）和没写单位的数不在此列。
    示例与改法：“成本指标｜成本控制｜≥95%”改为“≤150万元”。
    """
    kind = f.target.kind
    if f.money or kind in ("text", "boolean") or f.placeholder or not f.name:
        return None
    if kind == "percent" and f.is_rate:
        return None
    if kind == "number" and not f.target.unit:
        return None  # the unit may sit in the table header (单位：万元)
    if kind not in ("number", "percent", "date"):
        return None
    unit = f.target.unit or ""
    if kind == "number" and "/" in unit and _FEE_NAME.search(f.name):
        # 「差旅费 470人/天」: a per-diem standard whose 元 was left out — a slip of the unit
        per = unit.split("/", 1)[1]
        return Hit(
            f"成本指标{q(f.label)}的指标值{q(f.value)}单位没有写“元”，应为“元/{per}”之类。",
            hint="单位成本写全单位，如“≤470元/人·天”。",
            severity="warning",
        )
    return Hit(f"成本指标{q(f.label)}的指标值{q(f.value)}不是金额。")


_FEE_NAME = re.compile(r"费|成本|资金|经费|补助|补贴|标准")


@rule(
    "JX305",
    "timeliness-not-time",
    "时效指标的值不是时限",
    severity="error",
    heading=RELEVANCE,
    scope="indicator",
    categories=(TIMELINESS,),
    kinds=("number",),
    sources=(GUIDE_CORE_2021,),
    fix="时效指标写完成时限（“12月31日前”“12月底前”）或时长（“≤90天”“24小时内”）。",
)
def timeliness_not_time(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：时效指标的指标值是与时间无关的数量或金额，如“≥5辆”“≤150万元”。
    频次（“每月1次”“2次/季度”）不在此列。
    为什么：时效指标反映完成的及时程度，应是日期或时长；填了数量或金额，多半是错行。
    示例与改法：“时效指标｜及时性｜≤150万元”改为“2021年12月31日前”。
    """
    unit = f.target.unit or ""
    if f.number and not f.duration and unit and "/" not in unit and "每" not in f.value:
        return Hit(f"时效指标{q(f.label)}的指标值{q(f.value)}不是日期或时长。")
    return None


@rule(
    "JX306",
    "timeliness-percent",
    "时效指标用了比例",
    severity="warning",
    heading=RELEVANCE,
    scope="indicator",
    categories=(TIMELINESS,),
    kinds=("percent",),
    sources=(GUIDE_CORE_2021,),
    fix="时效指标写完成时限（如“12月31日前”）；要考核比例，写成“…及时率 ≥95%”。",
)
def timeliness_percent(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：时效指标的指标值是百分比，而名称不是“…及时率”“…完成率”之类的比率。
    为什么：“按项目计划完成工作 100%”说不清何时完成；时效指标应给出时限，或明确是及时率。
    示例与改法：“时效指标｜按项目计划完成工作｜100百分比”改为“2022年12月31日前完成”。
    """
    if f.percent and not f.is_rate:
        return Hit(f"时效指标{q(f.label)}的指标值{q(f.value)}是比例，没有给出完成时限。")
    return None


@rule(
    "JX307",
    "money-under-benefit",
    "效益指标填了金额",
    severity="error",
    heading=RELEVANCE,
    scope="indicator",
    categories=tuple(c for c in BENEFIT_CATS if c != ECONOMIC),
    kinds=("number",),
    sources=(GUIDE_CORE_2021,),
    fix="资金金额属于成本指标；效益指标写项目带来的社会、生态效果或可持续影响（如“重大事故 0起”）。",
)
def money_under_benefit(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：社会效益、生态效益、可持续影响指标的指标值是金额上限或定额（如“≤150万元”
    “50万元”）。经济效益指标和“≥”的增收、节支金额不在此列。
    为什么：花多少钱是成本，不是效益；把金额填进效益指标，效益实际上没有目标。
    示例与改法：“社会效益指标｜成品油检测能力提升｜≤150万元”把金额移到成本指标，效益改为
    “基层成品油快检覆盖率 100%”。
    """
    if f.money and f.target.op not in (">=", ">"):
        return Hit(f"{category_label(f)}{q(f.label)}的指标值{q(f.value)}是金额，金额应列在成本指标。")
    return None


@rule(
    "JX308",
    "money-as-output",
    "产出指标填了资金额",
    severity="warning",
    heading=RELEVANCE,
    scope="indicator",
    categories=(QUANTITY, QUALITY),
    kinds=("number",),
    sources=(GUIDE_CORE_2021,),
    fix="产出指标写提供的产品和服务（次数、批次、人数、合格率）；资金额写在成本指标。",
)
def money_as_output(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：数量或质量指标的指标值是资金金额（如“发放补助资金 ≥100万元”）。
    为什么：资金投入不是产出；用“花了多少钱”代替“做了多少事”，产出就没有目标。
    示例与改法：“数量指标｜补助资金发放额｜100万元”改为“数量指标｜补助发放人数｜113人”。
    """
    if f.money and not f.per_unit_money:
        return Hit(f"{category_label(f)}{q(f.label)}的指标值{q(f.value)}是资金额，不是产出。")
    return None


@rule(
    "JX309",
    "rate-over-100",
    "比率目标超过100%",
    severity="error",
    heading=RELEVANCE,
    scope="indicator",
    kinds=("percent",),
    sources=(GUIDE_CORE_2021,),
    fix="完成率、合格率、覆盖率、满意度等比率的目标不超过100%。",
)
def rate_over_100(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：比率或满意度的目标值超过100%（如“合格率 ≥120%”）。
    增长率、增幅等可以超过100%的比率除外。
    为什么：合格率、覆盖率、满意度最多100%，超过100%的目标不可能达到，说明单位或数字填错。
    示例与改法：“抽检合格率 ≥120%”改为“≥98%”。
    """
    v = _rate_target(f)
    if v is not None and v > 100:
        return Hit(f"指标{q(f.label)}的目标{q(f.value)}超过100%。")
    return None


def _rate_target(f: IndicatorFacts) -> Decimal | None:
    if not f.percent or not (f.is_rate or f.category == SATISFACTION) or _GROWTH.search(f.name):
        return None
    return to_decimal(f.target.high if f.target.op == "range" else f.target.value)


_GROWTH = re.compile(r"增|涨|提高率|提升率|上升率")


@rule(
    "JX310",
    "at-least-100",
    "比率目标写成“≥100%”",
    severity="hint",
    heading=RELEVANCE,
    scope="indicator",
    kinds=("percent",),
    sources=(GUIDE_CORE_2021,),
    fix="直接写“100%”（或“=100%”）；达不到全部完成的，按实际可达水平写“≥98%”等。",
)
def at_least_100(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：比率或满意度的目标写成“≥100%”“>100%”。
    为什么：比率不会超过100%，“≥100%”只能理解为“=100%”；写法含糊，也常是照抄的结果。
    示例与改法：“不合格食品核查处置率 ≥100%”改为“100%”。
    """
    v = _rate_target(f)
    if v is not None and v == 100 and f.target.op in (">=", ">"):
        return Hit(f"指标{q(f.label)}的目标{q(f.value)}：比率不会超过100%，“≥100%”即“100%”。")
    return None


# ---------------------------------------------------------------------------------------------
# JX4xx consistency of money and dates
# ---------------------------------------------------------------------------------------------


@rule(
    "JX401",
    "budget-sum",
    "预算数与资金来源不符",
    severity="error",
    heading=APPROPRIATENESS,
    scope="project",
    sources=(TABLE_ARITHMETIC, GUIDE_TARGETS_2015),
    thresholds={"budget_sum_tolerance": 0.005},
    applies=lambda p, ctx: p.project.budget_total is not None and p.project.budget_fiscal is not None,
    fix="核对预算数、财政资金和其他资金，使预算数 = 财政资金 + 其他资金。",
)
def budget_sum(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：预算数（万元）不等于“财政资金 + 其他资金”（相差超过 budget_sum_tolerance 万元）。
    为什么：绩效目标必须与预算资金对应；三个数对不上，说明表格填错或资金口径不一致。
    示例与改法：预算数 80、财政资金 70、其他资金空白——补填“其他资金 10”，或改正预算数。
    """
    pr = p.project
    total, fiscal, other = pr.budget_total, pr.budget_fiscal, pr.budget_other
    if total is None or fiscal is None:
        return
    s = fiscal + (other or Decimal(0))
    if abs(s - total) > Decimal(str(ctx.t["budget_sum_tolerance"])):
        if other is None and fiscal < total:
            # other sources (非税收入, 上年结转) may be printed in lines the table does not name 其他资金
            yield Hit(
                f"项目{q(p.label)}预算数{total}万元，财政资金{fiscal}万元，相差{total - fiscal}万元，"
                "其他资金没有列明。",
                severity="warning",
                hint="在“其他资金”栏列明财政资金以外的来源（非税收入、上年结转等）。",
            )
            return
        yield Hit(
            f"项目{q(p.label)}预算数{total}万元，而财政资金{fiscal}万元 + 其他资金{other or 0}万元"
            f" = {s}万元，两者不等。"
        )


@rule(
    "JX402",
    "spending-plan",
    "资金支出计划不合理",
    severity="error",
    heading=FEASIBILITY,
    scope="project",
    sources=(GUIDE_TARGETS_2015,),
    applies=lambda p, ctx: bool(p.project.spending_plan),
    fix="支出计划按时间累计，逐期不减少，年底（12月底）达到100%。",
)
def spending_plan(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：资金支出计划（累计进度，如 3月底25%、6月底50%、10月底75%、12月底100%）
    出现后一期低于前一期、超过100%，或到最后一期仍不到100%。写成小数（0.25…1）或累计金额
    （最后一期等于预算数）的也按同样的要求检查。表中列出、数值却空白（或只填“/”“—”）的节点
    单独指出（警告）。
    为什么：支出计划是运行监控判断执行进度的基准；不递增或不到100%的计划无法作为基准；
    节点空白，监控时只能按时间平均推算，“前松后紧”的支出看不出来。
    示例与改法：“6月底 60%、10月底 50%”应改为累计数“6月底 50%、10月底 75%、12月底 100%”；
    “3月底 空白、12月底 100%”应填写 3月底 的累计进度。
    """
    plan = p.project.spending_plan
    if not plan:
        return
    blank = [k for k, v in plan.items() if squash(v) in EMPTY_MARKERS]
    filled = {k: v for k, v in plan.items() if k not in blank}
    # a blank last milestone: the plan may well reach 100% there
    wrong = _plan_defect(p, filled, open_end=list(plan)[-1] in blank) if filled else None
    if wrong is not None:
        yield Hit(wrong + (f"另有{'、'.join(blank)}空白。" if blank else ""))
    elif blank:
        only_end = [_month(k) for k in filled] == [12]
        yield Hit(
            f"项目{q(p.label)}的资金支出计划{'、'.join(blank)}空白"
            + ("，只填了年底进度。" if only_end else "。"),
            severity="warning",
            hint="填写每个节点的累计支出进度（如 3月底25%、6月底50%、10月底75%、12月底100%）。",
        )


def _month(key: str) -> int | None:
    m = _MONTH.search(key)
    return int(m.group(1)) if m else None


def _plan_defect(p: ProjectFacts, plan: dict[str, str], *, open_end: bool = False) -> str | None:
    """What is wrong with the filled milestones of a spending plan (`spending_plan`), or None;
    `open_end`: the plan's last milestone is blank (then falling short of 100% is not known)."""
    points: list[tuple[int, str, Decimal]] = []
    for i, (k, v) in enumerate(plan.items()):
        pct = percent_of(v)
        if pct is None:
            return None
        month = _month(k)
        points.append((month if month is not None else 100 + i, k, pct))
    points.sort(key=lambda t: t[0])
    printed_pct = any(c in v for v in plan.values() for c in ("%", "％", "百分"))
    last = points[-1][2]
    if not printed_pct:
        budget = p.project.budget_total
        if budget is not None and last == budget and budget != 100:
            return None  # cumulative amounts in 万元 ending at 预算数: fine (not a share)
        if 0 < last <= 1:
            points = [(m, k, v * 100) for m, k, v in points]  # fractions: 0.25 … 1
    for (_, k0, v0), (_, k1, v1) in pairwise(points):
        if v1 < v0:
            return f"项目{q(p.label)}的支出计划{k1}（{_pct(v1)}）低于{k0}（{_pct(v0)}），累计进度不应减少。"
    over = [(k, v) for _, k, v in points if v > 100]
    if over:
        return f"项目{q(p.label)}的支出计划{over[0][0]}为{_pct(over[0][1])}，超过100%。"
    if points[-1][2] < 100 and not open_end:
        return f"项目{q(p.label)}的支出计划到{points[-1][1]}只有{_pct(points[-1][2])}，没有达到100%。"
    return None


@rule(
    "JX403",
    "cost-over-budget",
    "成本指标合计超过预算数",
    severity="error",
    heading=APPROPRIATENESS,
    scope="project",
    sources=(GUIDE_CORE_2021, GUIDE_TARGETS_2015),
    thresholds={"cost_budget_tolerance": 0.01},
    applies=lambda p, ctx: p.project.budget_total is not None and COST in p.categories,
    fix="核对各项成本指标：整体成本合计不应超过项目预算数；单位成本（每批次、每人）请在名称中写明。",
)
def cost_over_budget(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：整项成本指标（金额，不含“单个”“每…”“人均”等单位成本）的合计超过项目预算数
    （超出比例大于 cost_budget_tolerance）。同时列出总成本和分项成本的（最大一项等于其余之和，
    或名称含“总”“合计”“全年”），按总成本比较。
    为什么：成本指标是预算资金的分解，合计超过预算说明成本测算或预算填报有误，目标与资金不匹配。
    示例与改法：预算数 40万元，成本指标“聘请律师 ≤16万元”“执法装备 ≤30万元”合计 46万元——
    按预算重新测算分项成本。
    """
    budget = p.project.budget_total
    if budget is None or budget <= 0:
        return
    amounts = []
    for f in p.by_category.get(COST, ()):
        if f.is_per_item or f.target.op in (">=", ">"):
            continue
        w = f.money_wan()
        if w is not None:
            amounts.append((f, w))
    if not amounts:
        return
    total = sum((w for _, w in amounts), Decimal(0))
    biggest_f, biggest = max(amounts, key=lambda t: t[1])
    rest = total - biggest
    if len(amounts) > 1 and (abs(biggest - rest) <= tol_abs(biggest) or _TOTAL_NAME.search(biggest_f.name)):
        total = biggest  # a project total given beside its breakdown
    if total > budget * (1 + Decimal(str(ctx.t["cost_budget_tolerance"]))):
        names = "、".join(q(f.label) for f, _ in amounts[:5]) + ("等" if len(amounts) > 5 else "")
        yield Hit(
            f"项目{q(p.label)}的成本指标{names}合计{total.normalize():f}万元，超过预算数{budget}万元。",
            indicator=amounts[0][0].index if len(amounts) == 1 else None,
        )


_TOTAL_NAME = re.compile(r"总|合计|全年|整体|全部")


def tol_abs(v: Decimal) -> Decimal:
    return max(Decimal("0.01"), abs(v) * Decimal("0.005"))


@rule(
    "JX404",
    "deadline-outside-year",
    "完成时限不在预算年度内",
    severity="warning",
    heading=FEASIBILITY,
    scope="indicator",
    categories=(TIMELINESS,),
    kinds=("date",),
    sources=(GUIDE_TARGETS_2015,),
    fix="年度绩效目标的完成时限落在预算年度内；跨年项目在依据栏说明分年安排。",
)
def deadline_outside_year(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：时效指标的日期不在本预算年度内（早于年初或晚于年底）。
    为什么：年度绩效目标考核的是本年度完成的事；时限落在往年说明照抄了旧表，落在以后年度则
    本年度无法评价。
    示例与改法：2024年预算的“抽检完成时间 2023年12月”改为“2024年12月”。
    """
    if ctx.year is None or f.target.kind != "date" or not isinstance(f.target.value, str):
        return None
    y = f.target.value[:4]
    if y.isdigit() and int(y) != ctx.year:
        return Hit(f"时效指标{q(f.label)}的时限{q(f.value)}不在{ctx.year}预算年度内。")
    return None


# ---------------------------------------------------------------------------------------------
# JX5xx wording
# ---------------------------------------------------------------------------------------------


@rule(
    "JX501",
    "description-repeats-name",
    "指标描述只重复名称",
    severity="warning",
    heading=COMPLETENESS,
    scope="indicator",
    sources=(GUIDE_CORE_2021,),
    fix="指标描述写明口径：统计什么、怎么算（如“抽检合格批次占全部抽检批次的比例”）、数据从哪来。",
)
def description_repeats_name(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：“绩效指标描述”只是把三级指标名称再写一遍（前后加“反映”“情况”也算）。
    为什么：描述要交代指标的含义和计算口径，年底才能按同一口径取实际值；只重复名称等于没写。
    示例与改法：“派出机构数量｜派出机构数量”改为“派出机构数量｜本项目保障运转的基层派出机构个数”。
    """
    if repeats(f.ind.description, f.ind.name):
        return Hit(f"指标{q(f.label)}的描述只重复了指标名称。")
    return None


@rule(
    "JX502",
    "duplicate-indicator",
    "同一指标重复出现",
    severity="warning",
    heading=COMPLETENESS,
    scope="project",
    sources=(GUIDE_CORE_2021,),
    fix="合并重复的指标；确实是不同对象的，用名称区分（如“广告监督员满意度”“价格检查单位满意度”）。",
)
def duplicate_indicator(p: ProjectFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：同一项目中，名称相同的三级指标出现了两次以上。
    为什么：重复指标会重复计分，或两个目标值互相矛盾，评价时无法确定以哪个为准。
    示例与改法：两行“活动开展次数 ≥3次”“活动开展次数 ≥3个”只保留一行。
    """
    seen: dict[str, IndicatorFacts] = {}
    for f in p.indicators:
        if not f.key:
            continue
        first = seen.get(f.key)
        if first is None:
            seen[f.key] = f
        else:
            yield Hit(
                f"指标{q(f.label)}在项目中重复出现（第{first.index + 1}、{f.index + 1}个指标）。",
                indicator=f.index,
            )


@rule(
    "JX503",
    "hedged-value",
    "指标值含估计用语",
    severity="warning",
    heading=FEASIBILITY,
    scope="indicator",
    sources=(GUIDE_CORE_2021,),
    fix="删去“预计”“约”“左右”，写确定的目标值和比较符（如“≥10家”）。",
)
def hedged_value(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：指标值带“预计”“约”“左右”“力争”等估计用语。
    为什么：目标是承诺，不是估计；带估计用语的目标年底无法判断是否完成。
    示例与改法：“特种设备使用单位检查户数｜预计25家”改为“≥25家”。
    """
    if f.target.approx or (f.target.kind != "text" and HEDGE.search(f.value)):
        return Hit(f"指标{q(f.label)}的指标值{q(f.value)}带估计用语，不是确定的目标。")
    return None


@rule(
    "JX504",
    "range-value",
    "指标值是区间",
    severity="warning",
    heading=FEASIBILITY,
    scope="indicator",
    kinds=("number", "percent"),
    sources=(GUIDE_CORE_2021, GUIDE_EVAL_2020),
    fix="把区间改成一个目标值加比较符，如“1-2批次”改为“≥1批次”或“2批次”。",
)
def range_value(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：指标值是一个区间（如“1-2批次”）。
    为什么：区间目标在评价时不知按下限还是上限计分；目标应是单一值加比较符。
    示例与改法：“电动自行车配件产品质量监督抽查批次数｜预计1-2批次”改为“≥2批次”。
    """
    if f.target.op == "range":
        return Hit(f"指标{q(f.label)}的指标值{q(f.value)}是区间，不是单一目标。")
    return None


@rule(
    "JX505",
    "copied-indicator-set",
    "指标与其他项目雷同",
    severity="warning",
    heading=RELEVANCE,
    scope="document",
    sources=(GUIDE_TARGETS_2015, GUIDE_CORE_2021),
    thresholds={"copied_set_similarity": 0.75, "copied_set_min_indicators": 4},
    fix="按本项目的资金用途和任务重新设置指标，体现本项目特有的产出和效果，不要套用其他项目的指标表。",
)
def copied_indicator_set(d: DocumentFacts, ctx: Context) -> Iterator[Hit]:
    """
    检查什么：同一单位的两个不同项目，三级指标名称的重合度达到 copied_set_similarity
    （按名称集合的交集除以并集计算），即整套指标基本照搬。
    为什么：不同项目的资金用途和任务不同，指标应与项目相关；照搬的指标表反映不出本项目
    的产出和效果，审核时无法判断资金与目标是否匹配。
    示例与改法：“办公楼运维费”和“基层‘星级所’建设经费”都用“派出机构数量 10个、正常使用率
    ≥95%、市场监管工作水平 日益提高……”——各自按资金用途重设，如运维费用“电梯年检合格率 100%”。
    """
    sim = float(ctx.t["copied_set_similarity"])
    min_n = int(ctx.t["copied_set_min_indicators"])
    cands = [p for p in d.projects if len(p.name_keys) >= min_n]
    twins: dict[int, list[ProjectFacts]] = {}
    for i, a in enumerate(cands):
        na = len(a.name_keys)
        for b in cands[i + 1 :]:
            if a.unit_key != b.unit_key or a.label_key == b.label_key:
                continue
            nb = len(b.name_keys)
            if min(na, nb) < sim * max(na, nb):
                continue
            inter = len(a.name_keys & b.name_keys)
            if inter >= sim * (na + nb - inter):
                twins.setdefault(a.index, []).append(b)
                twins.setdefault(b.index, []).append(a)
    for p in d.projects:
        others = twins.get(p.index)
        if others:
            listed = "、".join(q(o.label) for o in others[:4]) + ("等" if len(others) > 4 else "")
            yield Hit(f"项目{q(p.label)}的指标与{listed}基本相同，没有体现本项目的特点。", project=p)


# ---------------------------------------------------------------------------------------------
# JX6xx 适当性: ambitious and proportionate
# ---------------------------------------------------------------------------------------------


@rule(
    "JX601",
    "satisfaction-100",
    "满意度目标定为100%",
    severity="warning",
    heading=APPROPRIATENESS,
    scope="indicator",
    categories=(SATISFACTION,),
    kinds=("percent",),
    sources=(GUIDE_CORE_2021, GUIDE_TARGETS_2015),
    thresholds={"satisfaction_unrealistic_at": 100},
    fix="按往年调查结果和同类项目水平设定满意度目标，一般为“≥85%”“≥90%”。",
)
def satisfaction_100(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：满意度指标的目标达到 satisfaction_unrealistic_at（默认100%）。
    为什么：抽样调查几乎不可能人人满意，100%的满意度目标不切实际，年底要么“完不成”，
    要么调查流于形式。
    示例与改法：“企业满意度｜100%”改为“≥90%”。
    """
    if not f.percent:
        return None
    v = to_decimal(f.target.value)
    if v is not None and Decimal(100) >= v >= Decimal(str(ctx.t["satisfaction_unrealistic_at"])):
        return Hit(f"满意度指标{q(f.label)}的目标{q(f.value)}不切实际。")
    return None


@rule(
    "JX602",
    "satisfaction-low",
    "满意度目标偏低",
    severity="hint",
    heading=APPROPRIATENESS,
    scope="indicator",
    categories=(SATISFACTION,),
    kinds=("percent",),
    sources=(GUIDE_CORE_2021,),
    thresholds={"satisfaction_low_below": 80},
    fix="参照往年调查结果设定满意度目标，通常不低于80%。",
)
def satisfaction_low(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：满意度目标低于 satisfaction_low_below（默认80%）。
    为什么：目标过低起不到激励作用；目标应有一定挑战性。
    示例与改法：“群众满意度 ≥60%”改为“≥85%”，或在依据栏说明为何只能达到60%。
    """
    if not f.percent or f.target.op in ("<=", "<"):
        return None
    v = to_decimal(f.target.value)
    if v is not None and v < Decimal(str(ctx.t["satisfaction_low_below"])):
        return Hit(f"满意度指标{q(f.label)}的目标{q(f.value)}偏低。")
    return None


@rule(
    "JX603",
    "below-last-year",
    "目标低于上年实际",
    severity="warning",
    heading=APPROPRIATENESS,
    scope="indicator",
    kinds=("number", "percent"),
    applies=lambda p, ctx: ctx.history is not None,
    sources=(GUIDE_CORE_2021, GUIDE_TARGETS_2015),
    fix="参照上年实际完成值设定目标：越高越好的指标不低于上年实际，越低越好的（成本、事故数）不高于上年实际。",
)
def below_last_year(f: IndicatorFacts, p: ProjectFacts, ctx: Context) -> Hit | None:
    """
    检查什么：有上年实际完成值时（`--history`），本年目标低于上年实际（越低越好的指标——
    “≤”、成本——则是高于上年实际）。
    为什么：历史标准是确定指标值的主要依据之一；低于已经达到的水平，目标就没有挑战性。
    示例与改法：上年食品抽检完成 700 批次，今年目标“≥650批次”——改为“≥700批次”，或在依据栏说明原因。
    """
    h = ctx.history
    if h is None or not f.key:
        return None
    actual = h.actual(p.project.code, p.project.name, f.key)
    if actual is None:
        return None
    t = f.target
    a = parsed(actual.strip(), ctx.year)
    if t.kind not in ("number", "percent") or a.kind != t.kind or (t.unit or "") != (a.unit or ""):
        return None
    tv, av = to_decimal(t.value), to_decimal(a.value)
    if tv is None or av is None:
        return None
    lower_better = t.op in ("<=", "<") or f.category == COST
    if (lower_better and tv > av) or (not lower_better and tv < av):
        return Hit(f"指标{q(f.label)}的目标{q(f.value)}不如上年实际完成的{q(actual)}。")
    return None


def _qualitative_option(f: IndicatorFacts) -> bool:
    from jixiao.review.rules_expert import qualitative_option

    return qualitative_option(f)


from jixiao.review import rules_expert as _expert  # noqa: E402,F401  (registers the rules it adds)
