"""Held-out pages of the national 项目支出绩效目标申报表/批复表 form family, with reference extractions.

Nothing here is copied from a field page's text: every page is *built* from a page specification
(projects, indicators, printed labels and layout options) and printed as a grid, then rendered as
text in one of the layouts real pages arrive in, or as .docx, .xlsx or .html. The reference
extraction (`../shared/truth/SCHEMA.md` shape) is computed from the same specification, following
the schema's rules (blank level cells carry down, money in 万元, value parts joined as printed, the
annual group of a 长期|年度 table, a department table as one project with `name` null).

Families:
  relayout   the field pages' reference contents re-laid in every text layout;
  synonyms   new projects (several provinces) with label/header synonyms, money and code forms, titles;
  structure  levels once/every row, wrapped levels, 值 level names, 长期|年度 groups, split value
             columns, several projects in one flat sheet, page breaks, department tables, furniture,
             ASCII vs full-width punctuation;
  binary     structure and synonym pages as .docx, .xlsx and .html;
  fieldforms forms of other provinces: 分值/权重 and 备注 columns, points and spaces in level names,
             labels written down narrow cells, headers over two rows (绩效指标 over 一级/二级/三级,
             长期绩效指标 | 年度绩效指标, 指标值 over 2022年实际值 | 2023年目标值), page markers and
             running headers between rows, a notice in prose before the table, comparators in words,
             成本指标 as a level 1 (2022 template), 满意度 under 效益 (Hunan), two-level tables,
             template rows and placeholders, department tables with a 年度履职目标 sub-table.

    python tests/heldout/make_pages.py OUTDIR      # writes NAME.{txt,docx,xlsx,html} + NAME.json
"""

from __future__ import annotations

import copy
import io
import json
import random
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

FIELD = Path(__file__).resolve().parents[3] / "shared" / "field"

TEXT_LAYOUTS = ("tabs", "pipes", "pipes_inner", "spaces", "cells", "cells_pipe", "run")
BINARY_LAYOUTS = ("docx", "xlsx", "html")

UP = "\x00UP"  # the cell is covered by the cell above (vertical merge)
LEFT = "\x00LEFT"  # the cell is covered by the cell to its left (horizontal merge)


# -- content ------------------------------------------------------------------------------------


@dataclass
class Ind:
    level1: str | None
    level2: str | None
    name: str
    cmp: str = ""  # 指标性质 / comparator: ≥ ≤ = ＞ ＜ 定性, or "" where none is printed
    num: str = ""
    unit: str = ""
    basis: str | None = None
    desc: str | None = None
    weight: str = "10"
    direction: str = "正向指标"
    whole: str | None = None  # the printed value where it is not cmp+num+unit (field contents)

    @property
    def value(self) -> str | None:
        if self.whole is not None:
            return self.whole or None
        if self.cmp == "定性":
            return self.num + self.unit or None
        return self.cmp + self.num + self.unit or None

    @property
    def value_joined(self) -> str | None:
        """The value as the schema joins separate 指标性质/指标值/度量单位 cells."""
        if self.whole is not None:
            return self.whole or None
        return self.cmp + self.num + self.unit or None


@dataclass
class Proj:
    name: str | None
    title: str | None
    unit_name: str | None
    unit_code: str | None
    impl: str | None
    total: float | None
    fiscal: float | None
    other: float | None
    goal: str | None
    inds: list[Ind]
    purpose: str | None = None
    mid_goal: str | None = None
    kind: str = "project"  # or "department"
    basic: float | None = None  # department tables: 基本支出 / 项目支出
    project_spend: float | None = None


def ind(l1, l2, name, cmp="", num="", unit="", basis=None, desc=None, weight="10"):
    return Ind(l1, l2, name, cmp, num, unit, basis, desc, weight)


# New indicator sets, written for these tests in the style of real provinces' forms.
CONTENT: dict[str, Proj] = {
    "guangdong": Proj(
        "2024年驻镇帮镇扶村资金",
        "2024年驻镇帮镇扶村资金绩效目标表",
        "广东省农业农村厅",
        "126001",
        "韶关市乳源瑶族自治县人民政府",
        3600.0,
        3600.0,
        0.0,
        "完成帮扶镇村基础设施项目42个，带动联农带农经营主体增收，帮扶镇村人居环境持续改善。",
        [
            ind("产出指标", "数量指标", "帮扶镇村基础设施项目完成数", "≥", "42", "个", "计划标准"),
            ind("产出指标", "数量指标", "新建或改造农村公路里程", "≥", "18.5", "公里", "计划标准"),
            ind("产出指标", "质量指标", "项目（工程）验收合格率", "=", "100", "%", "行业标准"),
            ind("产出指标", "时效指标", "资金支出进度", "≥", "90", "%", "历史标准"),
            ind("产出指标", "成本指标", "镇均帮扶资金", "≤", "600", "万元", "计划标准"),
            ind("效益指标", "经济效益指标", "村集体经济收入增长率", "≥", "5", "%", "历史标准"),
            ind("效益指标", "社会效益指标", "受益脱贫人口数", "≥", "2300", "人", "计划标准"),
            ind("效益指标", "生态效益指标", "农村生活污水治理率", "≥", "60", "%", "行业标准"),
            ind("效益指标", "可持续影响指标", "帮扶项目长效管护机制", "定性", "建立健全", "", "其他标准"),
            ind("满意度指标", "服务对象满意度指标", "帮扶对象满意度", "≥", "90", "%", "历史标准"),
        ],
    ),
    "jiangsu": Proj(
        "中小学校舍安全维修",
        "项目支出绩效目标申报表",
        "南京市江宁区教育局",
        "301002",
        "南京市江宁区教育基建办公室",
        1280.5,
        1180.5,
        100.0,
        "完成全区23所中小学校舍维修加固，消除C级危房，保障师生在校安全。",
        [
            ind("产出指标", "数量指标", "维修加固校舍面积", "≥", "46000", "平方米"),
            ind("产出指标", "数量指标", "维修学校数量", "=", "23", "所"),
            ind("产出指标", "质量指标", "维修工程质量验收合格率", "=", "100", "%"),
            ind("产出指标", "时效指标", "暑期施工完成率", "≥", "95", "%"),
            ind("产出指标", "成本指标", "每平方米维修成本", "≤", "278", "元"),
            ind("效益指标", "社会效益指标", "C级及以上危房消除率", "=", "100", "%"),
            ind("效益指标", "可持续影响指标", "校舍安全使用年限", "≥", "15", "年"),
            ind("满意度指标", "服务对象满意度指标", "师生及家长满意度", "≥", "95", "%"),
        ],
    ),
    "henan": Proj(
        "2023年农村供水工程维修养护",
        "2023年农村供水工程维修养护项目绩效目标表",
        "周口市水利局",
        "211001",
        "周口市农村供水管理站",
        745.0,
        745.0,
        None,
        "对全市农村供水工程进行维修养护，保障312处工程正常运行，农村自来水普及率保持在93%以上。",
        [
            ind("产出指标", "数量指标", "维修养护农村供水工程", "≥", "312", "处"),
            ind("产出指标", "数量指标", "更换老化管网", "≥", "86", "公里"),
            ind("产出指标", "质量指标", "水质检测合格率", "≥", "92", "%"),
            ind("产出指标", "时效指标", "维修养护完成时间", "", "2023年11月底前", ""),
            ind("产出指标", "成本指标", "单处工程维修养护成本", "≤", "2.4", "万元"),
            ind("效益指标", "社会效益指标", "农村自来水普及率", "≥", "93", "%"),
            ind("效益指标", "社会效益指标", "受益农村人口", "≥", "128", "万人"),
            ind("效益指标", "可持续影响指标", "工程良性运行机制", "定性", "持续完善", ""),
            ind("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%"),
        ],
    ),
    "shaanxi": Proj(
        "秦岭生态环境保护专项",
        "秦岭生态环境保护专项绩效目标表",
        "西安市生态环境局",
        "158001",
        "西安市秦岭生态环境保护执法支队",
        520.0,
        520.0,
        0.0,
        "开展秦岭北麓西安段生态环境巡查监测，完成12个点位自动监测站运维，违法问题整改到位。",
        [
            ind("产出指标", "数量指标", "生态环境巡查次数", "≥", "240", "次"),
            ind("产出指标", "数量指标", "自动监测站点运维数量", "=", "12", "个"),
            ind("产出指标", "质量指标", "监测数据有效率", "≥", "90", "%"),
            ind("产出指标", "时效指标", "问题整改按期完成率", "≥", "95", "%"),
            ind("产出指标", "成本指标", "单站年运维费用", "≤", "18", "万元"),
            ind("效益指标", "生态效益指标", "秦岭区域森林覆盖率", "≥", "69.5", "%"),
            ind("效益指标", "生态效益指标", "地表水考核断面水质优良比例", "=", "100", "%"),
            ind("效益指标", "社会效益指标", "生态破坏违法案件查处率", "=", "100", "%"),
            ind("满意度指标", "服务对象满意度指标", "周边群众满意度", "≥", "85", "%"),
        ],
    ),
    "yunnan": Proj(
        "边境地区医疗卫生服务能力提升",
        "项目支出绩效目标表",
        "德宏傣族景颇族自治州卫生健康委员会",
        "433001",
        "德宏州人民医院",
        1865.32,
        1665.32,
        200.0,
        "提升边境县乡两级医疗机构服务能力，完成边境乡镇卫生院设备配置，边民就近就医率提高。",
        [
            ind("产出指标", "数量指标", "配置医疗设备的边境乡镇卫生院", "≥", "28", "个"),
            ind("产出指标", "数量指标", "培训基层医务人员", "≥", "650", "人次"),
            ind("产出指标", "质量指标", "设备安装验收合格率", "=", "100", "%"),
            ind("产出指标", "时效指标", "设备采购完成时限", "", "2024年9月30日前", ""),
            ind("产出指标", "成本指标", "人均培训成本", "≤", "1200", "元/人次"),
            ind("效益指标", "社会效益指标", "边民就近就医率", "≥", "85", "%"),
            ind("效益指标", "社会效益指标", "县域内住院率", "≥", "90", "%"),
            ind("满意度指标", "服务对象满意度指标", "就诊边民满意度", "≥", "88", "%"),
        ],
    ),
    "guizhou": Proj(
        "农村公路养护补助资金",
        "农村公路养护补助资金绩效目标申报表",
        "遵义市交通运输局",
        "118001",
        "遵义市公路管理局",
        4210.0,
        3910.0,
        300.0,
        "完成全市农村公路日常养护8600公里，实施养护工程320公里，优良中等路率达到80%。",
        [
            ind("产出指标", "数量指标", "农村公路日常养护里程", "≥", "8600", "公里"),
            ind("产出指标", "数量指标", "养护工程实施里程", "≥", "320", "公里"),
            ind("产出指标", "质量指标", "优良中等路率", "≥", "80", "%"),
            ind("产出指标", "时效指标", "资金拨付及时率", "=", "100", "%"),
            ind("产出指标", "成本指标", "县道养护补助标准", "=", "10000", "元/公里·年"),
            ind("产出指标", "成本指标", "乡道养护补助标准", "=", "5000", "元/公里·年"),
            ind("效益指标", "经济效益指标", "沿线群众出行成本降低", "定性", "明显降低", ""),
            ind("效益指标", "社会效益指标", "农村公路列养率", "=", "100", "%"),
            ind("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥", "90", "%"),
        ],
    ),
    "jiangxi": Proj(
        "非物质文化遗产保护专项资金",
        "非物质文化遗产保护专项资金绩效目标表",
        "赣州市文化广电新闻出版旅游局",
        "410001",
        "赣州市非物质文化遗产保护中心",
        166.8,
        166.8,
        0.0,
        "开展客家非遗项目记录与传承人培训，举办非遗展演活动，扩大赣南客家文化影响力。",
        [
            ind("产出指标", "数量指标", "非遗项目数字化记录", "≥", "15", "项"),
            ind("产出指标", "数量指标", "举办非遗展演活动场次", "≥", "12", "场"),
            ind("产出指标", "数量指标", "培训非遗传承人", "≥", "200", "人次"),
            ind("产出指标", "质量指标", "记录成果验收通过率", "=", "100", "%"),
            ind("产出指标", "时效指标", "项目完成时间", "", "2024年12月", ""),
            ind("效益指标", "社会效益指标", "非遗展演观众人次", "≥", "3", "万人次"),
            ind("效益指标", "可持续影响指标", "传承人队伍稳定性", "定性", "稳定", ""),
            ind("满意度指标", "服务对象满意度指标", "观众满意度", "≥", "92", "%"),
        ],
    ),
    "liaoning": Proj(
        "城市燃气老旧管网更新改造",
        "城市燃气老旧管网更新改造项目绩效目标表",
        "沈阳市住房和城乡建设局",
        "201003",
        "沈阳燃气有限公司",
        9800.0,
        6800.0,
        3000.0,
        "完成老旧燃气管网更新改造215公里，消除重大安全隐患，保障冬季供气安全。",
        [
            ind("产出指标", "数量指标", "更新改造燃气管网长度", "≥", "215", "公里"),
            ind("产出指标", "数量指标", "改造庭院立管户数", "≥", "38000", "户"),
            ind("产出指标", "质量指标", "工程质量一次验收合格率", "=", "100", "%"),
            ind("产出指标", "时效指标", "主体工程完工时间", "", "2023年10月31日前", ""),
            ind("产出指标", "成本指标", "每公里改造成本", "≤", "45.6", "万元"),
            ind("效益指标", "社会效益指标", "燃气安全事故发生起数", "=", "0", "起"),
            ind("效益指标", "经济效益指标", "管网漏损率下降", "≥", "1.5", "个百分点"),
            ind("满意度指标", "服务对象满意度指标", "改造小区居民满意度", "≥", "90", "%"),
        ],
    ),
    "fujian": Proj(
        "海洋渔业资源增殖放流",
        "海洋渔业资源增殖放流项目支出绩效目标表",
        "宁德市海洋与渔业局",
        "227001",
        "宁德市水产技术推广站",
        236.0,
        236.0,
        0.0,
        "在三都澳海域放流大黄鱼等苗种1.2亿尾，恢复近海渔业资源，增加渔民收入。",
        [
            ind("产出指标", "数量指标", "增殖放流苗种数量", "≥", "1.2", "亿尾"),
            ind("产出指标", "数量指标", "放流活动场次", "≥", "6", "场"),
            ind("产出指标", "质量指标", "苗种检验检疫合格率", "=", "100", "%"),
            ind("产出指标", "时效指标", "放流完成时间", "", "2024年8月底前", ""),
            ind("效益指标", "经济效益指标", "渔民人均增收", "≥", "800", "元"),
            ind("效益指标", "生态效益指标", "放流海域渔业资源量", "定性", "逐步恢复", ""),
            ind("满意度指标", "服务对象满意度指标", "渔民群众满意度", "≥", "90", "%"),
        ],
    ),
    "central": Proj(
        "国家级地面气象观测站运行维持",
        "二级项目支出绩效目标表",
        "中国气象局气象探测中心",
        "152017",
        "各省（区、市）气象局",
        12436.75,
        12436.75,
        0.0,
        "保障2423个国家级地面气象观测站稳定运行，观测数据及时上传，数据可用率保持在99%以上。",
        [
            ind("产出指标", "数量指标", "维持运行的国家级地面观测站", "=", "2423", "个"),
            ind("产出指标", "数量指标", "备品备件储备种类", "≥", "36", "种"),
            ind("产出指标", "质量指标", "观测数据可用率", "≥", "99", "%"),
            ind("产出指标", "质量指标", "设备故障修复率", "≥", "98", "%"),
            ind("产出指标", "时效指标", "观测数据上传及时率", "≥", "99.5", "%"),
            ind("产出指标", "成本指标", "单站年运行维持费", "≤", "5.13", "万元"),
            ind("效益指标", "社会效益指标", "气象预报准确率提升", "定性", "有所提升", ""),
            ind("效益指标", "可持续影响指标", "观测站网运行保障机制", "定性", "长期有效", ""),
            ind("满意度指标", "服务对象满意度指标", "气象服务用户满意度", "≥", "85", "%"),
        ],
    ),
}


# -- layout options ------------------------------------------------------------------------------


@dataclass
class Opts:
    layout: str = "pipes"
    year: int = 2023
    title: str = "year_line"  # year_line | year_suffix | numbered | none
    name_label: str = "项目名称"
    unit_label: str = "主管部门"
    impl_label: str | None = "实施单位"
    funds_label: str = "资金情况（万元）"
    total_label: str = "年度资金总额："
    fiscal_label: str = "其中：财政拨款"
    other_label: str = "其他资金"
    goal_label: str = "年度目标"
    goal_group: str | None = "总体目标"  # the merged left label over 中期/年度目标
    lead: str | None = "绩效指标"  # the merged column left of the indicator table
    l1: str = "一级指标"
    l2: str = "二级指标"
    l3: str = "三级指标"
    val: str = "指标值"
    basis: str = "指标值确定依据"
    desc: str = "指标解释"
    money: str = "wan"  # wan | wan_suffix | wan_short | yuan
    code: str = "bracket"  # bracket | dash | space | none
    levels: str = "once"  # once | every
    wrap: bool = False  # level names wrapped over two lines in their cell
    zhi: bool = False  # level names ending in 值
    long_annual: bool = False
    year_groups: int = 0  # 1-3: an actual-value column of the prior year beside the budget year's target
    category: str | None = None  # a category in brackets after the title: 绩效目标申报表（基础设施建设类）
    level_map: dict[str, str] | None = None  # non-standard level names (项目完成指标, 预期产出指标)
    split: bool = False  # 指标性质 | 指标值 | 度量单位 | 权重 | 指标方向性
    kv_below: bool = False  # labels on one row, their values on the row below
    furniture: bool = False
    punct: str = "full"  # full | ascii
    page_break: int | None = None  # break the indicator table after this row
    repeat_top: bool = True  # the top block is printed again after the break (w:tblHeader)
    basis_col: bool | None = None  # None: where the content has a basis
    desc_col: bool | None = None
    flat: bool = False  # several projects in one flat sheet
    mid_goal: bool = False
    goal_break: bool = False  # a page number printed inside the goal text
    carry: bool = True  # the reference carries blank levels down (False: the field reference's nulls kept)
    weight_col: str | None = None  # a 分值/权重 column after the value (the value is whole)
    note_col: bool = False  # a 备注 column at the end of the indicator table
    vertical: bool = False  # narrow label cells written one character per line (`绩` `效` `指` `标`)
    group_header: bool = False  # the indicator header over two rows (绩效指标 over 一级/二级/三级)
    table_noise: bool = False  # page footers and a running header printed on top of every page
    notice: bool = False  # a finance notice in prose before the table (附件)
    dept_duties: bool = False  # department tables: 部门预算编码 and a 年度履职目标 sub-table


ZHI = {
    "产出指标": "产出值",
    "效益指标": "效益值",
    "满意度指标": "满意度值",
    "数量指标": "数量值",
    "质量指标": "质量值",
    "时效指标": "时效值",
    "成本指标": "成本值",
    "经济效益指标": "经济效益值",
    "社会效益指标": "社会效益值",
    "生态效益指标": "生态效益值",
    "可持续影响指标": "可持续影响值",
    "服务对象满意度指标": "服务对象满意度值",
}

FULL2ASCII = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "！": "!", "？": "?"})

FURNITURE_BEFORE = [
    "索 引 号：11{code}/2023-00{n}    发布日期：2023-02-1{n}",
    "发布机构：{unit}    有 效 性：有效",
    "字号：[大] [中] [小]    浏览次数：{n}28",
]
FURNITURE_AFTER = [
    "附件：",
    "扫一扫在手机打开当前页",
    "[打印本页] [关闭窗口]",
    "主办单位：{unit}  网站标识码：45{n}0000031",
]


def punct(s: str | None, mode: str) -> str | None:
    if s is None or mode == "full":
        return s
    return s.translate(FULL2ASCII)


def fmt_money(v: float | None, mode: str) -> str:
    if v is None:
        return ""
    if mode == "yuan":
        return f"{v * 10000:,.2f}"
    txt = f"{v:.4f}".rstrip("0").rstrip(".")
    if mode == "wan_suffix":
        return txt + "万元"
    if mode == "wan_short":
        return txt + "万"
    return txt


def unit_cell(p: Proj, o: Opts) -> str:
    if not p.unit_name:
        return ""
    if o.code == "none" or not p.unit_code:
        return p.unit_name
    return {
        "bracket": f"[{p.unit_code}]{p.unit_name}",
        "dash": f"{p.unit_code}-{p.unit_name}",
        "space": f"{p.unit_code} {p.unit_name}",
    }[o.code]


def level_text(s: str | None, o: Opts) -> str | None:
    if s is None:
        return None
    if o.level_map:
        s = o.level_map.get(s, s)
    return ZHI.get(s, s) if o.zhi else s


def wrapped(s: str, o: Opts) -> str:
    """A level label wrapped inside its cell (`经济效益` / `指标`)."""
    if o.wrap and s.endswith("指标") and len(s) > 4:
        return s[:-2] + "\n" + s[-2:]
    return s


def vertical(s: str, o: Opts) -> str:
    """A label written down a narrow cell, one character per line."""
    return "\n".join(s.replace("\n", "")) if o.vertical and s else s


# -- the grid ------------------------------------------------------------------------------------


@dataclass
class Page:
    """A page as printed: paragraphs and table rows (`UP`/`LEFT` mark merged cells)."""

    blocks: list[tuple[str, Any]] = field(default_factory=list)  # ("P", text) | ("R", [cells])

    def para(self, text: str) -> None:
        self.blocks.append(("P", text))

    def row(self, cells: list[str], width: int) -> None:
        cells = list(cells)
        if len(cells) < width:  # the last cell spans the rest of the row
            cells += [LEFT] * (width - len(cells))
        self.blocks.append(("R", cells))


def columns(p: Proj, o: Opts) -> list[str]:
    cols = ["lead"] if o.lead else []
    if o.long_annual:
        return [*cols, "l1", "l2_long", "l3_long", "val_long", "l2", "l3", "val"]
    # a two-level table (指标类型 | 指标名称) where no indicator has a level 2
    cols += ["l1", "l3"] if all(i.level2 is None for i in p.inds) else ["l1", "l2", "l3"]
    if o.year_groups:
        cols += ["val_prev", "val"]
    elif o.split:
        cols += ["cmp", "num", "unit", "weight", "direction"]
    else:
        if o.desc_col or (o.desc_col is None and any(i.desc for i in p.inds)):
            cols.append("desc")
        cols.append("val")
        if o.weight_col:
            cols.append("weight")
    if o.basis_col or (o.basis_col is None and any(i.basis for i in p.inds)):
        cols.append("basis")
    if o.note_col:
        cols.append("note")
    return cols


HEAD = {
    "l2_long": "二级指标（长期）",
    "l3_long": "三级指标（长期）",
    "val_long": "指标值（长期）",
    "val_prev": "{prev}年实际值",
    "cmp": "指标性质",
    "num": "指标值",
    "unit": "度量单位",
    "weight": "权重（%）",
    "note": "备注",
    "direction": "指标方向性",
}


YEAR_HEADS = [
    ("{prev}年实际值", "{year}年目标值"),
    ("{prev}年实际", "{year}年预期"),
    ("上年实际值", "本年目标值"),
]


def header_cells(cols: list[str], o: Opts) -> list[str]:
    out = []
    for c in cols:
        if c == "lead":
            out.append(o.lead or "")
        elif c == "l1":
            out.append(o.l1)
        elif c == "l2":
            out.append(o.l2 + ("（年度）" if o.long_annual else ""))
        elif c == "l3":
            out.append(o.l3 + ("（年度）" if o.long_annual else ""))
        elif c == "val":
            if o.long_annual:
                out.append(o.val + "（年度）")
            elif o.year_groups:
                out.append(YEAR_HEADS[o.year_groups - 1][1].format(year=o.year))
            else:
                out.append(o.val)
        elif c == "basis":
            out.append(o.basis)
        elif c == "desc":
            out.append(o.desc)
        elif c == "weight" and o.weight_col:
            out.append(o.weight_col)
        else:
            out.append(
                YEAR_HEADS[o.year_groups - 1][0].format(prev=o.year - 1) if c == "val_prev" else HEAD[c]
            )
    return out


def long_term(v: str | None) -> str:
    """A plausible 长期 value beside the annual one (it must not be taken)."""
    if not v:
        return "持续"
    for d in "0123456789":
        if d in v:
            return "三年累计" + v
    return "长期" + v


def indicator_rows(
    p: Proj, o: Opts, cols: list[str], start: int = 0, stop: int | None = None, continued: bool = False
) -> list[list[str]]:
    rows = []
    inds = p.inds[start:stop]
    prev1 = prev2 = None
    if continued and start > 0:
        prev1, prev2 = p.inds[start - 1].level1, p.inds[start - 1].level2
    for k, ind in enumerate(inds):
        l1, l2 = level_text(ind.level1, o), level_text(ind.level2, o)
        same1 = l1 == level_text(prev1, o) and (k > 0 or continued)
        same2 = same1 and l2 == level_text(prev2, o)
        cells = []
        for c in cols:
            if c == "lead":
                cells.append(UP)
            elif c == "l1":
                cells.append(UP if (o.levels == "once" and same1) else vertical(wrapped(l1 or "", o), o))
            elif c in ("l2", "l2_long"):
                if c == "l2_long" and not o.long_annual:
                    continue
                cells.append(UP if (o.levels == "once" and same2) else wrapped(l2 or "", o))
            elif c == "l3":
                cells.append(ind.name)
            elif c == "l3_long":
                cells.append(ind.name)
            elif c == "val":
                cells.append(ind.value or "")
            elif c == "val_long":
                cells.append(long_term(ind.value))
            elif c == "val_prev":
                cells.append(previous_year(ind))
            elif c == "cmp":
                cells.append(ind.cmp)
            elif c == "num":
                cells.append(ind.num)
            elif c == "unit":
                cells.append(ind.unit)
            elif c == "weight":
                cells.append(ind.weight)
            elif c == "direction":
                cells.append(ind.direction if ind.cmp != "定性" else "")
            elif c == "basis":
                cells.append(ind.basis or "")
            elif c == "desc":
                cells.append(ind.desc or "")
            elif c == "note":
                cells.append("")
        rows.append(cells)
        prev1, prev2 = ind.level1, ind.level2
    return rows


def previous_year(ind: Ind) -> str:
    """The prior year's actual value beside the budget year's target (it must not be taken)."""
    try:
        n = float(ind.num)
    except ValueError:
        return "已完成"
    return ind.cmp.replace("定性", "") + f"{n * 0.9:.1f}".rstrip("0").rstrip(".") + ind.unit


def title_lines(p: Proj, o: Opts, seq: int) -> list[str]:
    if o.title == "none" or not p.title:
        return []
    if o.title == "plain":
        return [p.title]
    if o.title == "year_suffix":
        return [f"{p.title}（{o.year}年度）"]
    title = p.title + (f"（{o.category}）" if o.category else "")
    if o.title == "numbered":
        return [f"{seq}.{title}", f"（{o.year}年度）"]
    return [title, f"（{o.year}年度）"]


def top_block(page: Page, p: Proj, o: Opts, width: int) -> None:
    """The key–value block of the national form above the indicator table."""
    if p.kind == "department" and o.dept_duties:
        department_block(page, p, o, width)
        return
    if p.kind == "department":
        pairs = [("部门（单位）名称", unit_cell(p, o))]
        page.row(pairs[0], width)
        page.row(["年度预算安排（万元）", "资金总额", fmt_money(p.total, o.money)], width)
        if p.fiscal is not None:
            page.row([UP, "其中：财政拨款", fmt_money(p.fiscal, o.money)], width)
        if p.basic is not None:
            page.row([UP, "基本支出", fmt_money(p.basic, o.money)], width)
            page.row([UP, "项目支出", fmt_money(p.project_spend, o.money)], width)
        if p.goal:
            page.row(["年度总体目标", p.goal], width)
        return
    first = [(o.name_label, p.name or "")]
    if o.impl_label in ("预算单位", "单位信息") and p.unit_name and p.impl:
        # 主管部门 and 预算单位 both printed: the schema's unit is the 预算单位 (coded) one
        first += [(o.unit_label, p.impl), (o.impl_label, unit_cell(p, o))]
    else:
        if p.unit_name:
            first.append((o.unit_label, unit_cell(p, o)))
        if o.impl_label and p.impl:
            first.append((o.impl_label, p.impl))
    if o.kv_below:
        page.row([k for k, _ in first], width)
        page.row([v for _, v in first], width)
    else:
        for k in range(0, len(first), 2 if width >= 5 else 1):
            chunk = first[k : k + (2 if width >= 5 else 1)]
            page.row([c for kv in chunk for c in kv], width)
    if p.purpose:
        page.row(["资金用途", p.purpose], width)
    money = [(o.total_label, p.total), (o.fiscal_label, p.fiscal), (o.other_label, p.other)]
    money = [(k, v) for k, v in money if v is not None or k == o.other_label]
    if any(v is not None for _, v in money):
        funds = o.funds_label if o.money != "yuan" else o.funds_label.replace("万元", "元")
        for k, (label, v) in enumerate(money):
            page.row([funds if k == 0 else UP, label, fmt_money(v, o.money)], width)
    goal = p.goal
    if goal and o.goal_break:
        cut = goal.find("，", len(goal) // 3)
        cut = cut + 1 if cut > 0 else len(goal) // 2
        goal = goal[:cut] + "\n— 2 —\n" + goal[cut:]  # a page break inside the goal's cell
    if p.goal:
        if o.mid_goal and p.mid_goal:
            page.row([o.goal_group or "总体目标", "中期目标", o.goal_label], width)
            page.row([UP, p.mid_goal, goal], width)
        elif o.goal_group:
            page.row([vertical(o.goal_group, o), o.goal_label], width)
            page.row([UP, goal], width)
        else:
            page.row([o.goal_label, goal], width)


def header_rows(page: Page, cols: list[str], head: list[str], o: Opts, width: int) -> None:
    """The indicator header: one row, or two where column groups are printed over their columns."""
    if not o.group_header:
        cells = []
        for c, h in zip(cols, head, strict=True):
            if o.vertical and c in ("l1", "l2", "l3") and len(h) == 4:
                h = h[:2] + "\n" + h[2:]  # `一级` / `指标`
            cells.append(vertical(h, o) if c == "lead" else h)
        page.row(cells, width)
        return
    top, below = [], []
    for c, h in zip(cols, head, strict=True):
        if c in ("l2_long", "l3_long", "val_long", "l2", "l3", "val") and o.long_annual:
            group = "长期绩效指标" if c.endswith("_long") else "年度绩效指标"
            first = c in ("l2_long", "l2")
            top.append(group if first else LEFT)
            below.append(re.sub(r"（(长期|年度)）", "", h))
        elif c in ("l1", "l2", "l3") and not o.long_annual:
            top.append("绩效指标" if c == "l1" else LEFT)
            below.append(h)
        elif c in ("val_prev", "val") and o.year_groups:
            top.append("指标值" if c == "val_prev" else LEFT)
            below.append(h)
        else:
            top.append(h)
            below.append(UP)
    page.row(top, width)
    page.row(below, width)


NOTICE = [
    "关于公开{year}年度项目支出绩效目标的说明",
    "根据《中华人民共和国预算法》和预算公开有关规定，现将{unit}{year}年度项目支出绩效目标予以公开。"
    "本年度共安排项目{n}个，请社会各界予以监督。",
    "附件{seq}：",
]


def build(projects: list[Proj], o: Opts) -> Page:
    page = Page()
    first = projects[0]
    if o.notice:
        for line in NOTICE:
            page.para(line.format(year=o.year, unit=first.unit_name or "", n=len(projects), seq=1))
    if o.furniture:
        for line in FURNITURE_BEFORE:
            page.para(
                line.format(code=first.unit_code or "0", n=len(first.inds), unit=first.unit_name or "本站")
            )
    if o.flat:
        return build_flat(page, projects, o)
    for seq, p in enumerate(projects, 1):
        cols = columns(p, o)
        width = len(cols)
        running = f"{p.unit_name or ''}{o.year}年部门预算公开"
        if o.table_noise:
            page.para(running)  # the running header on top of every page
        for line in title_lines(p, o, seq):
            page.para(line)
        if o.money == "yuan":
            page.para("金额单位：元")
        top_block(page, p, o, width)
        head = header_cells(cols, o)
        stop = o.page_break if o.page_break and o.page_break < len(p.inds) else None
        header_rows(page, cols, head, o, width)
        rows = indicator_rows(p, o, cols, 0, stop)
        for k, r in enumerate(rows):
            if o.table_noise and k == len(rows) // 2 and k:
                page.para("第 1 页 共 2 页")  # the page's footer, the next page's running header
                page.para(running)
            page.row(r, width)
        if o.table_noise:
            page.para("第 2 页 共 2 页")
        if stop:
            page.para(f"— {seq + 2} —")
            if o.repeat_top:
                top_block(page, p, o, width)
            header_rows(page, cols, head, o, width)
            for r in indicator_rows(p, o, cols, stop, None, continued=True):
                page.row(r, width)
    if o.furniture:
        for line in FURNITURE_AFTER:
            page.para(
                line.format(code=first.unit_code or "0", n=len(first.inds), unit=first.unit_name or "本站")
            )
    return page


DUTIES = [
    ("依法履行部门职责", "完成年度重点工作任务，保障机构正常运转", "日常公用经费"),
    ("组织实施专项业务", "按计划推进专项工作，资金使用规范", "专项业务经费"),
]


def department_block(page: Page, p: Proj, o: Opts, width: int) -> None:
    """The Fujian-style department header: 部门预算编码 beside the name, a 年度履职目标 sub-table."""
    page.row(["部门名称", p.unit_name or "", "部门预算编码", p.unit_code or ""], width)
    page.row(["年度预算安排（万元）", "资金总额", fmt_money(p.total, o.money)], width)
    page.row([UP, "项目支出", fmt_money(p.project_spend, o.money)], width)
    page.row([UP, "基本支出", fmt_money(p.basic, o.money)], width)
    if p.goal:
        page.row(["年度总体目标", p.goal], width)
    page.row(["年度履职目标", "部门职能", "年度目标任务", "支出项目名称", "预算金额"], width)
    for k, (duty, task, item) in enumerate(DUTIES):
        amount = p.basic if k == 0 else p.project_spend
        page.row([UP, duty, task, item, fmt_money(amount, o.money)], width)


def build_flat(page: Page, projects: list[Proj], o: Opts) -> Page:
    """Several projects in one flat sheet: project cells on each project's first row only."""
    p0 = projects[0]
    page.para(f"{p0.title}（{o.year}年度）")
    page.para("金额单位：元" if o.money == "yuan" else "金额单位：万元")
    o2 = replace(o, lead=None)
    cols = ["unit", "name", "total", "goal", *columns(p0, o2)]
    width = len(cols)
    page.row(["单位名称", o.name_label, "预算数", o.goal_label, *header_cells(columns(p0, o2), o2)], width)
    for k, p in enumerate(projects):
        rows = indicator_rows(p, o2, columns(p, o2))
        for j, r in enumerate(rows):
            if j == 0:
                lead = [
                    unit_cell(p, o) if k == 0 else UP,
                    p.name or "",
                    fmt_money(p.total, o.money),
                    p.goal or "",
                ]
            else:
                lead = [UP, UP, UP, UP]
            page.row(lead + r, width)
    return page


# -- reference -----------------------------------------------------------------------------------


def reference(projects: list[Proj], o: Opts, source: str) -> dict[str, Any]:
    p0 = projects[0]
    has_year = o.flat or (o.title in ("year_line", "year_suffix", "numbered") and bool(p0.title))
    in_name = re.search(r"(20\d\d)年", p0.name or "")
    year = o.year if has_year else (int(in_name.group(1)) if in_name else None)
    out_projects = []
    for seq, p in enumerate(projects, 1):
        inds = []
        prev1 = prev2 = None
        for ind in p.inds:
            l1, l2 = level_text(ind.level1, o), level_text(ind.level2, o)
            if o.carry:
                l1 = l1 if l1 is not None else prev1
                l2 = l2 if l2 is not None else (prev2 if l1 == prev1 else None)
            if not ind.name and not ind.value:
                continue
            val = ind.value_joined if o.split else ind.value
            inds.append(
                {
                    "level1": l1,
                    "level2": l2,
                    "name": ind.name,
                    "description": ind.desc if "desc" in columns(p, o) else None,
                    "value": val,
                    "basis": ind.basis if "basis" in columns(p, o) and not o.flat else None,
                }
            )
            prev1, prev2 = l1, l2
        if o.flat:
            for d in inds:
                d["basis"] = ind_basis_flat(p, o, d)
        title = p.title if (o.title != "none" or o.flat) else None
        if title and o.category and not o.flat:
            title += f"（{o.category}）"
        out_projects.append(
            {
                "seq": seq,
                "title": title,
                "name": p.name if p.kind != "department" else None,
                "code": None,
                "budget_total": p.total,
                "budget_fiscal": None if o.flat else p.fiscal,
                "budget_other": None if o.flat else p.other,
                "purpose": p.purpose,
                "spending_plan": None,
                "goal": p.goal,
                "indicators": inds,
                "kind": p.kind,
            }
        )
    dept = p0.kind == "department"
    return {
        "source": source,
        "unit_code": p0.unit_code if ((o.code != "none" or o.dept_duties) and p0.unit_name) else None,
        "unit_name": p0.unit_name,
        "year": year,
        "overall_goal": p0.goal if dept else None,
        "sub_goals": [],
        "projects": out_projects,
        "budget_overview": None,
    }


def ind_basis_flat(p: Proj, o: Opts, d: dict) -> str | None:
    return None


# -- renderers -----------------------------------------------------------------------------------


def _cells(row: list[str], keep_blank: bool) -> list[str]:
    out = []
    for c in row:
        if c == LEFT:
            continue
        if c == UP:
            c = ""
        if not c and not keep_blank:
            continue
        out.append(c)
    return out


def render_text(page: Page, layout: str) -> str:
    lines: list[str] = []
    for kind, item in page.blocks:
        if kind == "P":
            lines.append(item)
            if layout == "cells":
                lines.append("")
            continue
        row = item
        if layout == "tabs":
            lines.append("\t".join(c.replace("\n", "") for c in _cells(row, True)))
        elif layout == "pipes":
            lines.append("| " + " | ".join(c.replace("\n", "") for c in _cells(row, True)) + " |")
        elif layout == "pipes_inner":
            lines.append(" | ".join(c.replace("\n", "") for c in _cells(row, True)))
        elif layout == "spaces":
            lines.append("   ".join(c.replace("\n", "") for c in _cells(row, False)))
        elif layout == "cells":
            for c in _cells(row, False):
                lines.extend(c.split("\n"))
                lines.append("")
        elif layout == "cells_pipe":
            for c in _cells(row, True):
                lines.append(f"{c} |" if c else "|")
        elif layout == "run":
            lines.append("".join(c.replace("\n", "") for c in _cells(row, False)))
        else:
            raise ValueError(layout)
    return "\n".join(lines) + "\n"


def _spans(page: Page) -> tuple[list[tuple[str, Any]], int]:
    """Blocks with each table cell as (text, rowspan, colspan) at its top-left, None where covered."""
    width = max((len(b[1]) for b in page.blocks if b[0] == "R"), default=1)
    out: list[tuple[str, Any]] = []
    rows = [list(b[1]) for b in page.blocks]
    for bi, (kind, item) in enumerate(page.blocks):
        if kind == "P":
            out.append(("P", item))
            continue
        cells: list[Any] = []
        for ci, c in enumerate(item):
            if c in (UP, LEFT):
                cells.append(None)
                continue
            cs = 1
            while ci + cs < len(item) and item[ci + cs] == LEFT:
                cs += 1
            rs = 1
            while bi + rs < len(page.blocks) and page.blocks[bi + rs][0] == "R" and rows[bi + rs][ci] == UP:
                rs += 1
            cells.append((c, rs, cs))
        out.append(("R", cells))
    return out, width


def render_html(page: Page) -> bytes:
    blocks, _ = _spans(page)
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8"><title>绩效目标表</title></head><body>']
    in_table = False
    for kind, item in blocks:
        if kind == "P":
            if in_table:
                parts.append("</table>")
                in_table = False
            parts.append(f"<p>{item}</p>")
            continue
        if not in_table:
            parts.append('<table border="1">')
            in_table = True
        tds = []
        for c in item:
            if c is None:
                continue
            text, rs, cs = c
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            tds.append(f"<td{attrs}>{text.replace(chr(10), '<br>')}</td>")
        parts.append("<tr>" + "".join(tds) + "</tr>")
    if in_table:
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


def render_docx(page: Page) -> bytes:
    from docx import Document

    blocks, _ = _spans(page)
    d = Document()
    k = 0
    while k < len(blocks):
        kind, item = blocks[k]
        if kind == "P":
            d.add_paragraph(item)
            k += 1
            continue
        group = []
        while k < len(blocks) and blocks[k][0] == "R":
            group.append(blocks[k][1])
            k += 1
        width = max(len(r) for r in group)
        t = d.add_table(rows=len(group), cols=width)
        t.style = "Table Grid"
        for ri, r in enumerate(group):
            for ci, c in enumerate(r):
                if c is None:
                    continue
                text, rs, cs = c
                cell = t.cell(ri, ci)
                if rs > 1 or cs > 1:
                    cell = cell.merge(t.cell(ri + rs - 1, ci + cs - 1))
                cell.text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def render_xlsx(page: Page) -> bytes:
    from openpyxl import Workbook

    blocks, width = _spans(page)
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    r = 1
    for kind, item in blocks:
        if kind == "P":
            ws.cell(row=r, column=1, value=item)
            if width > 1:
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        else:
            for ci, c in enumerate(item):
                if c is None:
                    continue
                text, rs, cs = c
                cell = ws.cell(row=r, column=ci + 1, value=text or None)
                if text.startswith("="):
                    cell.data_type = "s"  # printed text such as `=100%`, not a formula
                if rs > 1 or cs > 1:
                    ws.merge_cells(start_row=r, start_column=ci + 1, end_row=r + rs - 1, end_column=ci + cs)
        r += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(page: Page, layout: str) -> tuple[str, bytes]:
    if layout in TEXT_LAYOUTS:
        return "txt", render_text(page, layout).encode("utf-8")
    return layout, {"docx": render_docx, "xlsx": render_xlsx, "html": render_html}[layout](page)


# -- the field pages' contents -------------------------------------------------------------------


def from_truth(t: dict[str, Any]) -> list[Proj]:
    out = []
    for p in t["projects"]:
        inds = [
            Ind(
                i["level1"],
                i["level2"],
                i["name"] or "",
                whole=i["value"] or "",
                basis=i["basis"],
                desc=i["description"],
            )
            for i in p["indicators"]
        ]
        kind = "department" if p["name"] is None and "部门整体" in (p["title"] or "") else "project"
        total = p["budget_total"]
        out.append(
            Proj(
                p["name"],
                p["title"],
                t["unit_name"],
                t["unit_code"],
                None,
                total,
                p["budget_fiscal"],
                p["budget_other"],
                p["goal"],
                inds,
                purpose=p["purpose"],
                kind=kind,
            )
        )
    return out


def field_targets() -> list[Path]:
    return sorted(j for j in FIELD.glob("batch*/[0-9]*.json") if ".selfeval" not in j.name)


# -- the families ---------------------------------------------------------------------------------


@dataclass
class Doc:
    name: str
    family: str
    layout: str
    data: bytes
    suffix: str
    truth: dict[str, Any]


def make(name: str, family: str, projects: list[Proj], o: Opts) -> Doc:
    projects = copy.deepcopy(projects)
    if o.punct == "ascii":
        for p in projects:
            for f in ("name", "title", "unit_name", "impl", "goal", "purpose", "mid_goal"):
                setattr(p, f, punct(getattr(p, f), "ascii"))
            for i in p.inds:
                i.name = punct(i.name, "ascii")
                i.whole = punct(i.whole, "ascii")
        o = replace(
            o,
            **{
                f: punct(getattr(o, f), "ascii")
                for f in (
                    "name_label",
                    "unit_label",
                    "funds_label",
                    "total_label",
                    "fiscal_label",
                    "goal_label",
                    "val",
                    "basis",
                )
            },
        )
    printed_year = re.search(r"(20\d\d)年", (projects[0].title or "") + (projects[0].name or ""))
    if printed_year and family != "relayout":
        o = replace(o, year=int(printed_year.group(1)))
    page = build(projects, o)
    suffix, data = render(page, o.layout)
    fname = f"{name}.{suffix}"
    return Doc(name, family, o.layout, data, suffix, reference(projects, o, fname))


def relayout_family() -> list[Doc]:
    docs = []
    for j in field_targets():
        t = json.loads(j.read_text(encoding="utf-8"))
        projects = from_truth(t)
        year = t["year"]
        for layout in TEXT_LAYOUTS:
            o = Opts(
                layout=layout,
                year=year or 2023,
                title="year_line" if year else "none",
                code="bracket",
                impl_label=None,
                money="wan",
                punct="ascii",
                basis_col=None,
                desc_col=None,
            )
            if year is None:
                # no year printed: keep the table title, without a year line
                o = replace(o, title="plain")
            docs.append(make(f"relayout-{j.stem}-{layout}", "relayout", projects, o))
    return docs


SYN_VARIANTS = [
    dict(
        name_label="项目支出名称",
        unit_label="预算单位",
        total_label="年度资金总额",
        fiscal_label="财政拨款小计",
        goal_label="本年度绩效目标",
        goal_group=None,
        l3="指标内容",
        val="年度指标值",
        basis="绩效标准",
    ),
    dict(
        name_label="二级项目名称",
        unit_label="单位信息",
        impl_label=None,
        total_label="预算申报数",
        fiscal_label="其中：财政拨款",
        goal_label="年度绩效目标",
        goal_group=None,
        l3="具体指标",
        val="目标值",
        basis="评（计）分标准",
        l1="指标类型",
    ),
    dict(
        name_label="项目名称",
        unit_label="主管部门及代码",
        total_label="资金总额",
        l3="三级指标",
        val="指标值（包含数字及文字描述）",
        basis="指标值确定依据",
    ),
    dict(
        name_label="项目名称",
        unit_label="主管部门",
        impl_label="实施单位",
        total_label="年度资金总额：",
        l3="指标名称",
        val="年度数值",
        goal_label="整体目标",
        goal_group=None,
    ),
    dict(
        name_label="项目支出名称",
        unit_label="主管部门",
        impl_label="预算单位",
        total_label="预算申报数",
        fiscal_label="其中：财政拨款",
        l3="三级指标",
        val="指标值",
        lead=None,
    ),
]
MONEY = ["wan", "wan_suffix", "wan_short", "yuan"]
CODES = ["bracket", "dash", "space", "none"]
TITLES = ["year_line", "year_suffix", "numbered", "none"]


def synonyms_family(rng: random.Random) -> list[Doc]:
    docs = []
    keys = list(CONTENT)
    for k, key in enumerate(keys):
        for v in range(2):
            syn = SYN_VARIANTS[(k + v * 3) % len(SYN_VARIANTS)]
            o = Opts(
                layout=TEXT_LAYOUTS[(k * 2 + v) % len(TEXT_LAYOUTS)],
                year=2023 + (k % 2),
                money=MONEY[(k + v) % 4],
                code=CODES[(k + 2 * v) % 4],
                title=TITLES[(k + v) % 4],
                punct="full" if (k + v) % 2 else "ascii",
                **syn,
            )
            docs.append(make(f"synonyms-{key}-{v}", "synonyms", [CONTENT[key]], o))
    return docs


def department(key: str) -> Proj:
    p = copy.deepcopy(CONTENT[key])
    p.kind = "department"
    p.title = "部门整体支出绩效目标表"
    p.name = None
    p.impl = None
    total = p.total or 0
    p.basic, p.project_spend = round(total * 0.37, 2), round(total - round(total * 0.37, 2), 2)
    p.fiscal = p.other = None
    return p


STRUCT_VARIANTS: dict[str, dict[str, Any]] = {
    "levels-every-row": dict(levels="every"),
    "levels-wrapped": dict(wrap=True),
    "levels-zhi": dict(zhi=True, l1="一级", l2="二级", l3="三级", val="年度数值"),
    "long-annual": dict(long_annual=True, mid_goal=True),
    "year-groups": dict(year_groups=1),
    "year-groups-expected": dict(year_groups=2),
    "year-groups-prior": dict(year_groups=3),
    "levels-nonstandard": dict(level_map={"产出指标": "项目完成指标", "效益指标": "项目效益指标"}),
    "levels-expected": dict(
        level_map={"产出指标": "预期产出指标", "效益指标": "预期效益指标"}, levels="every"
    ),
    "title-category": dict(category="基础设施建设类", title="year_line"),
    "split-columns": dict(split=True, lead=None),
    "kv-below": dict(kv_below=True),
    "page-break": dict(page_break=5, furniture=True),
    "page-break-header-only": dict(page_break=4, repeat_top=False),
    "furniture": dict(furniture=True),
    "page-number-in-goal": dict(goal_break=True),
    "ascii": dict(punct="ascii"),
}


def structure_family() -> list[Doc]:
    docs = []
    keys = list(CONTENT)
    for n, (variant, kw) in enumerate(STRUCT_VARIANTS.items()):
        for m in range(3):
            key = keys[(n + m * 4) % len(keys)]
            p = copy.deepcopy(CONTENT[key])
            p.mid_goal = "持续提升服务能力，建立长效机制。"
            layout = TEXT_LAYOUTS[(n + m * 2) % len(TEXT_LAYOUTS)]
            if kw.get("kv_below") and layout == "run":
                layout = "cells"  # labels run together over values run together cannot be split by anyone
            o = Opts(layout=layout, **kw)
            docs.append(make(f"structure-{variant}-{key}-{layout}", "structure", [p], o))
    # several projects in one flat sheet, money in 元 or 万元
    for m, (a, b, c) in enumerate([("guangdong", "henan", "fujian"), ("jiangxi", "guizhou", "yunnan")]):
        projs = [copy.deepcopy(CONTENT[x]) for x in (a, b, c)]
        for p in projs:
            p.unit_name, p.unit_code = projs[0].unit_name, projs[0].unit_code
            p.title = "部门预算项目绩效目标申报表"
        for layout in ("pipes", "spaces", "tabs"):
            o = Opts(
                layout=layout,
                flat=True,
                split=(m == 0),
                money="yuan" if m == 0 else "wan",
                code="dash",
                lead=None,
                basis_col=False,
            )
            docs.append(make(f"structure-flat-{m}-{layout}", "structure", projs, o))
    # several projects one after another on one page
    projs = [copy.deepcopy(CONTENT[x]) for x in ("jiangsu", "liaoning")]
    for p in projs:
        p.unit_name, p.unit_code = projs[0].unit_name, projs[0].unit_code
    for layout in ("cells", "pipes"):
        docs.append(
            make(f"structure-two-tables-{layout}", "structure", projs, Opts(layout=layout, title="numbered"))
        )
    # department-level tables
    for m, key in enumerate(("shaanxi", "central", "jiangxi")):
        for layout in (TEXT_LAYOUTS[m], TEXT_LAYOUTS[m + 3]):
            docs.append(
                make(
                    f"structure-department-{key}-{layout}",
                    "structure",
                    [department(key)],
                    Opts(layout=layout, title="year_line", code=CODES[m]),
                )
            )
    return docs


def binary_family() -> list[Doc]:
    docs = []
    keys = list(CONTENT)
    picks = [
        ("plain", {}),
        ("levels-every-row", dict(levels="every")),
        ("levels-wrapped", dict(wrap=True)),
        ("split-columns", dict(split=True, lead=None)),
        ("long-annual", dict(long_annual=True)),
        ("synonyms-0", SYN_VARIANTS[0]),
        ("synonyms-1", SYN_VARIANTS[1]),
        ("money-yuan", dict(money="yuan")),
        ("page-break", dict(page_break=4)),
        ("year-groups", dict(year_groups=1)),
        ("kv-below", dict(kv_below=True)),
        ("page-number-in-goal", dict(goal_break=True)),
        ("furniture-ascii", dict(furniture=True, punct="ascii")),
    ]
    for n, (variant, kw) in enumerate(picks):
        key = keys[n % len(keys)]
        for layout in BINARY_LAYOUTS:
            docs.append(
                make(f"binary-{variant}-{key}-{layout}", "binary", [CONTENT[key]], Opts(layout=layout, **kw))
            )
    for layout in BINARY_LAYOUTS:
        docs.append(
            make(
                f"binary-department-central-{layout}", "binary", [department("central")], Opts(layout=layout)
            )
        )
        projs = [copy.deepcopy(CONTENT[x]) for x in ("henan", "fujian")]
        for p in projs:
            p.unit_name, p.unit_code, p.title = (
                projs[0].unit_name,
                projs[0].unit_code,
                "部门预算项目绩效目标申报表",
            )
        docs.append(
            make(
                f"binary-flat-{layout}",
                "binary",
                projs,
                Opts(layout=layout, flat=True, lead=None, basis_col=False, code="dash"),
            )
        )
    return docs


# -- forms from provinces the other families do not imitate -----------------------------------------


def worded_values(p: Proj) -> Proj:
    """Comparators written as words or ASCII (`不低于95%`, `>=90%`, `不高于600万元`)."""
    p = copy.deepcopy(p)
    words = {"≥": ("不低于", ">=", "≥"), "≤": ("不高于", "<=", "≤"), "=": ("", "=", "＝")}
    for k, i in enumerate(p.inds):
        if i.cmp in words:
            i.whole = words[i.cmp][k % 3] + i.num + i.unit
    return p


def cost_level1(p: Proj) -> Proj:
    """The 2022 template: 成本指标 is a level 1 (经济成本指标 …) between 产出 and 效益."""
    p = copy.deepcopy(p)
    for i in p.inds:
        if i.level2 == "成本指标":
            i.level1, i.level2 = "成本指标", "经济成本指标"
    order = {"产出指标": 0, "成本指标": 1}
    p.inds.sort(key=lambda i: order.get(i.level1 or "", 2))
    return p


def satisfaction_under_benefit(p: Proj) -> Proj:
    """The Hunan template: 满意度 is a level 2 under 效益指标."""
    p = copy.deepcopy(p)
    for i in p.inds:
        if i.level1 == "满意度指标":
            i.level1, i.level2 = "效益指标", "社会公众或服务对象满意度指标"
    return p


def two_level(p: Proj) -> Proj:
    """A table with no 三级 column: 一级指标 | 指标名称 | 指标值."""
    p = copy.deepcopy(p)
    for i in p.inds:
        i.level2 = None
    return p


def template_rows(p: Proj) -> Proj:
    """Template rows left blank (only their level-2 label printed) and placeholders in names."""
    p = copy.deepcopy(p)
    out: list[Ind] = []
    seen: set[str] = set()
    for i in p.inds:
        if i.level1 == "效益指标" and "效益" not in seen:
            seen.add("效益")
            for l2 in ("经济效益指标", "生态效益指标"):
                if not any(j.level2 == l2 for j in p.inds):
                    out.append(Ind("效益指标", l2, "", whole=""))
        if i.unit == "%" and i.cmp in ("≥", "=") and "%" not in i.name:
            i.name += f"（{i.cmp}**%）"
        out.append(i)
    p.inds = out
    return p


def cost_first(p: Proj) -> Proj:
    """The Chongqing 审批表: 成本指标 a level 1 printed before 产出指标, point ranges in the labels."""
    p = cost_level1(p)
    p.inds.sort(key=lambda i: 0 if i.level1 == "成本指标" else 1)
    return p


def fieldforms_family() -> list[Doc]:
    docs = []
    keys = list(CONTENT)
    variants: list[tuple[str, Any, dict[str, Any]]] = [
        ("weight-column", None, dict(weight_col="分值", desc_col=False)),
        ("weight-note-columns", None, dict(weight_col="权重", note_col=True, lead=None)),
        (
            "points-in-levels",
            None,
            dict(
                level_map={
                    "产出指标": "产出指标（50分）",
                    "效益指标": "效益指标（30分）",
                    "满意度指标": "满意度指标（10分）",
                }
            ),
        ),
        (
            "spaced-levels",
            None,
            dict(
                level_map={
                    "产出指标": "产 出 指 标",
                    "效益指标": "效 益 指 标",
                    "满意度指标": "满 意 度 指 标",
                }
            ),
        ),
        ("vertical-labels", None, dict(vertical=True)),
        ("group-header", None, dict(group_header=True, lead=None)),
        ("group-header-long", None, dict(group_header=True, long_annual=True, mid_goal=True, lead=None)),
        ("group-header-years", None, dict(group_header=True, year_groups=1, lead=None)),
        ("table-noise", None, dict(table_noise=True)),
        ("notice-prose", None, dict(notice=True)),
        ("worded-values", worded_values, {}),
        ("cost-level1", cost_level1, {}),
        ("satisfaction-level2", satisfaction_under_benefit, dict(levels="every")),
        ("two-level", two_level, dict(l3="指标名称")),
        ("template-rows", template_rows, dict(goal_label="年度目标（不超过300字）")),
        (
            "guidance-labels",
            None,
            dict(
                name_label="项目名称（必填）",
                unit_label="主管部门（单位）",
                goal_label="年度绩效目标（必填，不超过300字）",
                goal_group=None,
                val="指标值（必填硬性指标）",
            ),
        ),
        (
            "cost-first",
            cost_first,
            dict(level_map={"成本指标": "成本指标(0-20)分", "产出指标": "产出指标 (40-50)分"}),
        ),
    ]
    for n, (variant, change, kw) in enumerate(variants):
        for m in range(3):
            key = keys[(n * 2 + m * 3) % len(keys)]
            p = copy.deepcopy(CONTENT[key])
            p.mid_goal = "持续提升服务能力，建立长效机制。"
            if change:
                p = change(p)
            layout = TEXT_LAYOUTS[(n + m * 3) % len(TEXT_LAYOUTS)]
            o = Opts(layout=layout, **kw)
            docs.append(make(f"fieldforms-{variant}-{key}-{layout}", "fieldforms", [p], o))
    for m, key in enumerate(("guizhou", "fujian", "henan")):
        for layout in (TEXT_LAYOUTS[m * 2], TEXT_LAYOUTS[m * 2 + 1], ("run", "xlsx", "docx")[m]):
            d = department(key)
            for i in d.inds:
                i.desc = (i.value or "") + f"（{i.basis or '计划标准'}）"
            o = Opts(layout=layout, dept_duties=True, val="目标值", desc="指标解释", basis_col=False)
            docs.append(make(f"fieldforms-department-duties-{key}-{layout}", "fieldforms", [d], o))
    for n, variant in enumerate(
        (
            "weight-note-columns",
            "group-header",
            "group-header-long",
            "table-noise",
            "vertical-labels",
            "two-level",
            "cost-level1",
            "group-header-years",
            "weight-column",
        )
    ):
        kw = dict(dict((v, k) for v, _, k in variants)[variant])
        change = dict((v, c) for v, c, _ in variants)[variant]
        key = keys[(n * 3 + 1) % len(keys)]
        p = copy.deepcopy(CONTENT[key])
        p.mid_goal = "持续提升服务能力，建立长效机制。"
        if change:
            p = change(p)
        layout = BINARY_LAYOUTS[n % 3]
        docs.append(
            make(f"fieldforms-{variant}-{key}-{layout}", "fieldforms", [p], Opts(layout=layout, **kw))
        )
    return docs


def all_docs(seed: int = 15) -> list[Doc]:
    rng = random.Random(seed)
    return (
        relayout_family() + synonyms_family(rng) + structure_family() + binary_family() + fieldforms_family()
    )


def write(outdir: Path, docs: list[Doc] | None = None) -> list[Doc]:
    docs = all_docs() if docs is None else docs
    outdir.mkdir(parents=True, exist_ok=True)
    for d in docs:
        (outdir / f"{d.name}.{d.suffix}").write_bytes(d.data)
        truth = dict(d.truth, family=d.family, layout=d.layout)
        (outdir / f"{d.name}.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return docs


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/heldout")
    docs = write(out)
    print(f"{len(docs)} documents in {out}")
