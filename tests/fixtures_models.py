"""Fictional disclosures modelled on the real samples, for building documents in tests.

The unit is the demo unit 示例市市场监督管理局 (fictional division code 139901); projects, budgets
and indicators imitate ../shared/seeds: several projects, 6–15 indicators, level1/level2 groups
carried over several rows, blank 指标值确定依据 cells, a project with other funds, a table
without a 指标值确定依据 column, and a project without a 项目编码 or spending plan.
"""

from __future__ import annotations

import copy
import re
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from jixiao.model import Disclosure, Indicator, Project, SubGoal

UNIT_CODE = "901001"
UNIT_NAME = "示例市市场监督管理局本级"
PLAN = {"3月底": "25%", "6月底": "50%", "10月底": "75%", "12月底": "100%"}

OUT, EFFECT, SAT = "产出指标", "效益指标", "满意度指标"
QTY, QUAL, TIME, COST = "数量指标", "质量指标", "时效指标", "成本指标"
SOC, ECO, SUS, USER = "社会效益指标", "经济效益指标", "可持续影响指标", "服务对象满意度指标"


def I(l1: str, l2: str, name: str, desc: str | None, value: str, basis: str | None) -> Indicator:  # noqa: E743
    return Indicator(level1=l1, level2=l2, name=name, description=desc, value=value, basis=basis)


def _project(
    seq: int,
    name: str,
    code: str | None,
    total: str | None,
    fiscal: str | None,
    other: str | None,
    purpose: str | None,
    plan: dict[str, str] | None,
    goal: str,
    inds: list[Indicator],
    unit: tuple[str | None, str | None] = (UNIT_CODE, UNIT_NAME),
) -> Project:
    return Project(
        seq=seq,
        title=f"{name}绩效目标表",
        name=name,
        code=code,
        unit_code=unit[0],
        unit_name=unit[1],
        budget_total=Decimal(total) if total else None,
        budget_fiscal=Decimal(fiscal) if fiscal else None,
        budget_other=Decimal(other) if other else None,
        purpose=purpose,
        spending_plan=dict(plan) if plan else None,
        goal=goal,
        indicators=inds,
    )


def vehicle_insurance(seq: int = 1) -> Project:
    """6 indicators, one per level2, every basis filled (seed 001 style)."""
    return _project(
        seq,
        "公务用车保险费",
        "13990124P00LDLE10006G",
        "6.80",
        "6.80",
        None,
        "缴纳单位公务用车保险",
        PLAN,
        "1.缴纳车辆保险，保障公务用车的正常运行。",
        [
            I(OUT, QUAL, "公车保险缴纳率", "按时缴纳公务用车保险的比例", "≥95%", "年度工作计划"),
            I(OUT, QTY, "管理车辆数（辆）", "单位管理车辆数目", "17辆", "年度工作计划"),
            I(
                OUT,
                TIME,
                "按项目计划完成工作",
                "按照工作要求按时完成预定计划",
                "2024年12月31日前",
                "年度工作计划",
            ),
            I(OUT, COST, "项目控制预算数", "不超过财政支持经费", "≤6.80万元", "年度工作计划"),
            I(EFFECT, ECO, "提高工作效率", "使用公车是否能提高工作效率", "是", "年度工作计划"),
            I(
                SAT,
                USER,
                "使用对象满意率",
                "调查中单位人员满意和较满意的人数占调查总人数的比率",
                "≥95%",
                "年度工作计划",
            ),
        ],
    )


def product_sampling(seq: int = 2) -> Project:
    """12 indicators: several per level2 (carried down), blank basis cells, other funds, a 2-line goal."""
    return _project(
        seq,
        "产品质量监督抽查经费",
        "13990124P00LDLE10011K",
        "85.50",
        "80.00",
        "5.50",
        "委托检验机构开展产品质量监督抽查，支付检验费、样品费",
        PLAN,
        "1.完成年度产品质量监督抽查任务，及时处置不合格产品。\n"
        "2.督促企业落实质量主体责任，提升产品质量总体水平。",
        [
            I(OUT, QTY, "监督抽查批次", "全年完成产品质量监督抽查批次数", "≥320批次", "部门工作计划"),
            I(OUT, QTY, "抽查产品类别", "覆盖电动自行车、儿童用品、建材等类别", "≥12类", None),
            I(OUT, QTY, "不合格产品后处理户数", "对抽查不合格企业开展后处理", "100%", "上级考核要求"),
            I(OUT, QUAL, "抽查完成率", "完成抽查批次占计划批次的比例", "≥95%", "部门工作计划"),
            I(OUT, QUAL, "检验报告合格率", "检验机构出具报告符合规范的比例", "100%", None),
            I(OUT, TIME, "抽查结果公布时间", "按时公布监督抽查结果", "≤3 月份前", "省局考核要求"),
            I(OUT, COST, "单批次检验成本", "平均每批次检验费用", "≤2500元/批次", "市场询价"),
            I(EFFECT, SOC, "产品质量安全事故", "因抽查产品引发的质量安全事故", "=0起", None),
            I(EFFECT, SOC, "企业质量意识", "企业落实质量主体责任情况", "明显提升", None),
            I(EFFECT, SUS, "质量监管长效机制", "形成抽查、处置、公开闭环", "长期", "部门工作计划"),
            I(SAT, USER, "企业满意度", "被抽查企业对抽查工作的满意程度", "≥90%", "问卷调查"),
            I(SAT, USER, "消费者满意度", None, "≥85%", "问卷调查"),
        ],
    )


def food_safety(seq: int = 3) -> Project:
    """15 indicators (long enough to break across a page), including 1-2批次 ranges and 约 hedges."""
    inds = [
        I(OUT, QTY, "食品抽检批次", "全年完成食品安全监督抽检批次", "≥1800批次", "省局下达任务"),
        I(OUT, QTY, "快检批次", "农贸市场、商超快速检测批次", "≥6000批次", "省局下达任务"),
        I(OUT, QTY, "专项检查次数", "节假日、重大活动专项检查", "1-2次/季度", "部门工作计划"),
        I(OUT, QTY, "培训食品从业人员", "食品从业人员食品安全培训人数", "约500人", None),
        I(OUT, QUAL, "抽检计划完成率", "完成抽检批次占计划的比例", "≥95%", "省局考核要求"),
        I(OUT, QUAL, "不合格食品核查处置率", "不合格食品核查处置完成比例", "100%", "省局考核要求"),
        I(OUT, QUAL, "问题食品召回率", None, "≥98%", None),
        I(OUT, TIME, "抽检任务完成时间", "年度抽检任务完成时限", "2024年11月30日前", "省局考核要求"),
        I(OUT, TIME, "核查处置时限", "收到不合格报告后完成核查处置", "≤3个月", "法定时限"),
        I(OUT, COST, "抽检经费", "全年食品抽检经费", "≤120.00万元", "预算批复"),
        I(EFFECT, SOC, "重大食品安全事故", "全市发生重大食品安全事故起数", "=0", None),
        I(EFFECT, SOC, "食品安全知晓率", "群众食品安全知识知晓率", "≥80%", "问卷调查"),
        I(EFFECT, SUS, "食品安全监管能力", "监管能力持续提升", "持续向好", None),
        I(SAT, USER, "群众食品安全满意度", "群众对食品安全状况的满意度", "≥85%", "问卷调查"),
        I(SAT, USER, "经营者满意度", "被检查经营者对监管服务的满意度", "≥90%", "问卷调查"),
    ]
    return _project(
        seq,
        "食品安全抽检监测经费",
        "13990124P00LDLE10023A",
        "120.00",
        "120.00",
        None,
        "开展食品安全监督抽检、风险监测和快速检测",
        PLAN,
        "1.完成食品安全监督抽检和风险监测任务；2.及时核查处置不合格食品，守住不发生重大食品安全事故的底线。",
        inds,
    )


def unit_full() -> Disclosure:
    """Overall and sub goals, three projects (6, 12 and 15 indicators)."""
    return Disclosure(
        source="unit_full",
        unit_code=UNIT_CODE,
        unit_name=UNIT_NAME,
        year=2024,
        overall_goal=(
            "围绕建设统一大市场，深化“放管服”改革，营造公平竞争的市场环境。\n"
            "守住食品、药品、特种设备和产品质量安全底线，全年不发生重大安全事故。"
        ),
        sub_goals=[
            SubGoal("市场主体登记与监管", "强化信用监管，提升登记便利度。", "市场主体公示信息抽查检查率≥90%"),
            SubGoal("食品安全监管", "确保不发生重大食品安全事故。", "食品抽检计划完成率≥95%"),
            SubGoal("产品质量监督管理", "提升重点产品质量水平。", "质量监管计划完成率≥90%"),
        ],
        projects=[vehicle_insurance(1), product_sampling(2), food_safety(3)],
    )


def unit_no_basis() -> Disclosure:
    """Seed 003 style: 项目名称 only (no code), no spending plan, a 5-column table without 指标值确定依据."""
    p1 = _project(
        1,
        "抽验检查工作经费（特种设备、产品质检等）",
        None,
        "80.00",
        "80.00",
        None,
        "抽检、宣传等",
        None,
        "1.开展特种设备安全监督检查；2.聘请专家参与检查；3.开展产品质量抽检。",
        [
            I(OUT, QTY, "特种设备生产单位检查户数", "聘请专家参与特种设备生产单位检查户数", "预计10家", None),
            I(OUT, QTY, "特种设备使用单位检查户数", "聘请专家参与特种设备使用单位检查户数", "预计25家", None),
            I(
                OUT,
                QTY,
                "电动自行车配件抽查批次数",
                "电动自行车配件产品质量监督抽查批次数",
                "预计1-2批次",
                None,
            ),
            I(OUT, QUAL, "检查覆盖率", "重点单位检查覆盖比例", "≥90%", None),
            I(OUT, TIME, "完成时间", "年度检查完成时间", "2024 年底前", None),
            I(OUT, COST, "经费控制", "项目经费控制在预算内", "≤80万元", None),
            I(EFFECT, SOC, "安全事故发生率", "特种设备安全事故发生情况", "＜0.36百分比", None),
            I(SAT, USER, "被检查单位满意度", "被检查单位满意程度", "≥90%", None),
        ],
        unit=("355901", "示例市河西区市场监督管理局"),
    )
    p2 = _project(
        2,
        "知识产权专利经费",
        None,
        "12.00",
        "12.00",
        None,
        "专利资助、知识产权宣传",
        None,
        "1.资助发明专利申请；2.开展知识产权宣传周活动。",
        [
            I(OUT, QTY, "资助发明专利件数", "资助发明专利申请件数", "预计30件", None),
            I(OUT, QTY, "宣传活动次数", "知识产权宣传活动", "预计3次", None),
            I(OUT, QUAL, "资助资金发放准确率", "资助资金发放准确", "100%", None),
            I(OUT, TIME, "资金发放时间", "资助资金发放完成时间", "12月底", None),
            I(EFFECT, SOC, "知识产权保护意识", "企业和群众知识产权保护意识", "提升", None),
            I(SAT, USER, "企业满意度", "受资助企业满意程度", "≥90%", None),
        ],
        unit=("355901", "示例市河西区市场监督管理局"),
    )
    return Disclosure(
        source="unit_no_basis",
        unit_code="355901",
        unit_name="示例市河西区市场监督管理局",
        year=2024,
        projects=[p1, p2],
    )


def unit_subordinate() -> Disclosure:
    """A bureau's disclosure holding a subordinate unit's table: that project keeps its own unit."""
    doc = Disclosure(
        source="unit_subordinate",
        unit_code=UNIT_CODE,
        unit_name=UNIT_NAME,
        year=2024,
        projects=[vehicle_insurance(1), product_sampling(2)],
    )
    doc.projects[1].unit_code = "901002"
    doc.projects[1].unit_name = "示例市产品质量监督检验所"
    return doc


def all_fixtures() -> dict[str, Disclosure]:
    return {"full": unit_full(), "no_basis": unit_no_basis(), "subordinate": unit_subordinate()}


# ---------------------------------------------------------------- comparing a parse with its model

_WS = re.compile(r"\s+")


def model_dict(doc: Disclosure, *, squash_spaces: bool = False) -> dict[str, Any]:
    """Every field of the model, without locations, warnings, the source name and the budget year
    each indicator carries for its dates (the document's year, compared once at the top).

    squash_spaces: drop all whitespace from strings (the truth comparison rule: a PDF cannot say
    where a wrapped line had a space or a paragraph break).
    """
    d = asdict(copy.deepcopy(doc))
    d.pop("source", None)
    d.pop("warnings", None)

    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            indicator = "level1" in v
            return {k: clean(x) for k, x in v.items() if k != "location" and not (indicator and k == "year")}
        if isinstance(v, list):
            return [clean(x) for x in v]
        if isinstance(v, Decimal):
            return v.normalize()
        if isinstance(v, str) and squash_spaces:
            return _WS.sub("", v)
        return v

    return clean(d)
