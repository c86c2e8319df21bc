"""Held-out 监控表 pages: a few reference monitoring tables written for the tests (fictional projects,
the national 项目支出绩效运行监控表 wording and two regional variants), printed as grids and rendered in
every text layout and as .docx/.xlsx/.html with the printing helpers of `make_pages`. There are no
real published monitoring pages in ../shared/field: these references are the yardstick.

The reference of each page is the `MonitoringTable.to_dict()` shape (without `source`, `location`).

    python tests/heldout/monitor_pages.py OUTDIR     # writes NAME.{txt,docx,xlsx,html} + NAME.monitor.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.heldout.make_pages import BINARY_LAYOUTS, TEXT_LAYOUTS, UP, Page, render

TICK = "√"
CATEGORIES = ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"]
LIKELIHOODS = ["确定能", "有可能", "完全不可能"]


def _ind(l1, l2, name, target, actual, forecast, cat=None, reason=None, lik="确定能", remarks=None):
    return {
        "level1": l1,
        "level2": l2,
        "name": name,
        "target": target,
        "actual": actual,
        "forecast": forecast,
        "reason_category": cat,
        "reason": reason,
        "likelihood": lik,
        "remarks": remarks,
    }


# the national form: 偏差原因分析 and 完成目标可能性 as tick columns, data to the end of July
NATIONAL = {
    "kind": "monitor",
    "form": "national",
    "title": "项目支出绩效运行监控表",
    "year": 2023,
    "project_name": "农村饮水安全巩固提升工程",
    "department": "示例县水利局",
    "implementing_unit": "示例县农村供水管理站",
    "money_unit": "万元",
    "period": "1-7月",
    "budget": {
        "columns": [
            "年初预算数",
            "全年预算数",
            "1-7月执行数",
            "1-7月执行率",
            "全年预计执行数",
            "偏差原因分析",
        ],
        "rows": {
            "年度资金总额": {
                "年初预算数": "860.00",
                "全年预算数": "920.00",
                "1-7月执行数": "386.40",
                "1-7月执行率": "42.00%",
                "全年预计执行数": "920.00",
                "偏差原因分析": "部分工程尚未完工验收，工程款按进度拨付",
            },
            "其中：财政拨款": {
                "年初预算数": "800.00",
                "全年预算数": "860.00",
                "1-7月执行数": "356.40",
                "1-7月执行率": "41.44%",
                "全年预计执行数": "860.00",
            },
            "其他资金": {
                "年初预算数": "60.00",
                "全年预算数": "60.00",
                "1-7月执行数": "30.00",
                "1-7月执行率": "50.00%",
                "全年预计执行数": "60.00",
            },
        },
    },
    "annual_goal": {
        "target": "完成12处集中供水工程改造和管网延伸，巩固提升3.2万农村人口饮水安全保障水平，"
        "农村自来水普及率达到95%以上。",
        "progress": "已完成7处集中供水工程改造，管网延伸工程完成招标并开工建设，受益人口1.9万人。",
    },
    "indicators": [
        _ind("产出指标", "数量指标", "集中供水工程改造数量", "12处", "7处", "12处"),
        _ind(
            "产出指标",
            "数量指标",
            "新建及改造供水管网长度",
            "≥85公里",
            "38公里",
            "85公里",
            "硬件条件保障",
            lik="有可能",
            remarks="加快管材进场和施工进度",
        ),
        _ind("产出指标", "质量指标", "工程验收合格率", "100%", "100%", "100%"),
        _ind("产出指标", "质量指标", "水质检测达标率", "≥95%", "96.5%", "≥95%"),
        _ind("产出指标", "时效指标", "工程完工时间", "2023年11月底前", "按计划推进", "2023年11月底前"),
        _ind("产出指标", "成本指标", "单处工程改造平均成本", "≤55万元", "52.3万元", "≤55万元"),
        _ind("效益指标", "社会效益指标", "受益农村人口数量", "≥3.2万人", "1.9万人", "3.2万人"),
        _ind(
            "效益指标",
            "社会效益指标",
            "农村自来水普及率",
            "≥95%",
            "93%",
            "95%",
            "经费保障",
            lik="有可能",
            remarks="争取追加资金，加快入户工程",
        ),
        _ind("效益指标", "可持续影响指标", "工程长效运行管护机制", "健全", "已建立", "健全"),
        _ind("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥90%", "—", "≥90%"),
    ],
}

# a regional variant: 截至7月底完成值, text columns for the reason and the likelihood, amounts in 元
REGIONAL = {
    "kind": "monitor",
    "form": "regional",
    "title": "2024年度项目绩效运行监控情况表",
    "year": 2024,
    "project_name": "城区公共厕所运行维护经费",
    "department": "示例市城市管理局",
    "implementing_unit": "示例市环境卫生管理处",
    "money_unit": "元",
    "period": "截至7月底",
    "budget": {
        "columns": ["年初预算数", "截至7月底执行数", "执行率", "全年预计执行数", "偏差原因"],
        "rows": {
            "年度资金总额": {
                "年初预算数": "3200000.00",
                "截至7月底执行数": "1728000.00",
                "执行率": "54.00%",
                "全年预计执行数": "3200000.00",
            },
            "其中：财政拨款": {
                "年初预算数": "3200000.00",
                "截至7月底执行数": "1728000.00",
                "执行率": "54.00%",
                "全年预计执行数": "3200000.00",
            },
        },
    },
    "annual_goal": {
        "target": "保障城区186座公共厕所正常开放和日常保洁，设施完好率不低于95%，群众如厕满意度达到90%以上。",
        "progress": "186座公共厕所均正常开放，完成维修42座次，设施完好率96%。",
    },
    "indicators": [
        _ind("产出指标", "数量指标", "公共厕所运行维护数量", "186座", "186座", "186座"),
        _ind("产出指标", "数量指标", "设施维修次数", "≥80座次", "42座次", "80座次"),
        _ind("产出指标", "质量指标", "设施完好率", "≥95%", "96%", "≥95%"),
        _ind("产出指标", "时效指标", "故障维修响应时间", "≤24小时", "18小时", "≤24小时"),
        _ind("产出指标", "成本指标", "单座年均运行维护成本", "≤1.72万元", "0.93万元", "≤1.72万元"),
        _ind("效益指标", "社会效益指标", "市容环境卫生改善情况", "明显改善", "达成", "明显改善"),
        _ind(
            "满意度指标",
            "服务对象满意度指标",
            "群众如厕满意度",
            "≥90%",
            "88%",
            "≥90%",
            None,
            "满意度调查在第三季度开展，7月为抽样数据",
            "有可能",
            "加强保洁频次和巡查考核",
        ),
    ],
}

# the national form with data to the end of June (1-6月) and only 年初预算数
JUNE = {
    "kind": "monitor",
    "form": "national",
    "title": "项目支出绩效运行监控表",
    "year": 2022,
    "project_name": "中小学校园安全防控能力提升项目",
    "department": "示例区教育局",
    "implementing_unit": "示例区教育局",
    "money_unit": "万元",
    "period": "1-6月",
    "budget": {
        "columns": ["年初预算数", "1-6月执行数", "1-6月执行率", "全年预计执行数"],
        "rows": {
            "年度资金总额": {
                "年初预算数": "450.00",
                "1-6月执行数": "121.50",
                "1-6月执行率": "27.00%",
                "全年预计执行数": "450.00",
            },
            "其中：财政拨款": {
                "年初预算数": "450.00",
                "1-6月执行数": "121.50",
                "1-6月执行率": "27.00%",
                "全年预计执行数": "450.00",
            },
        },
    },
    "annual_goal": {
        "target": "为全区36所中小学配备校园安保人员和一键报警设施，校园视频监控覆盖率达到100%。",
        "progress": "已完成22所学校一键报警设施安装，安保人员经费按月拨付。",
    },
    "indicators": [
        _ind("产出指标", "数量指标", "配备专职保安学校数", "36所", "36所", "36所"),
        _ind("产出指标", "数量指标", "一键报警设施安装学校数", "36所", "22所", "36所"),
        _ind(
            "产出指标",
            "质量指标",
            "视频监控覆盖率",
            "100%",
            "85%",
            "100%",
            "经费保障",
            lik="有可能",
            remarks="下半年集中采购安装",
        ),
        _ind("产出指标", "时效指标", "设施安装完成时间", "2022年10月底前", "未完成", "2022年10月底前"),
        _ind("效益指标", "社会效益指标", "校园安全责任事故发生数", "0起", "0起", "0起"),
        _ind("满意度指标", "服务对象满意度指标", "师生家长满意度", "≥90%", "92%", "≥90%"),
    ],
}

REFERENCES = {"national_water": NATIONAL, "regional_toilets": REGIONAL, "national_june": JUNE}


def _national(ref: dict[str, Any], page: Page) -> None:
    width = 15
    period = ref["period"]
    head = ["一级指标", "二级指标", "三级指标", "年度指标值", f"{period}执行情况", "全年预计完成情况"]
    page.row(
        [
            *head,
            "偏差原因分析",
            "\x00L",
            "\x00L",
            "\x00L",
            "\x00L",
            "完成目标可能性",
            "\x00L",
            "\x00L",
            "备注",
        ],
        width,
    )
    page.row([UP] * 6 + CATEGORIES + LIKELIHOODS + [UP], width)
    prev: tuple[Any, Any] = (None, None)
    for ind in ref["indicators"]:
        l1, l2 = ind["level1"], ind["level2"]
        cells = [
            l1 if l1 != prev[0] else UP,
            l2 if (l1, l2) != prev else UP,
            ind["name"],
            ind["target"],
            ind["actual"],
            ind["forecast"],
            *[TICK if ind["reason_category"] == c else "" for c in CATEGORIES],
            *[TICK if ind["likelihood"] == c else "" for c in LIKELIHOODS],
            ind["remarks"] or "",
        ]
        prev = (l1, l2)
        page.row(cells, width)


def _regional(ref: dict[str, Any], page: Page) -> None:
    width = 9
    page.row(
        [
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "截至7月底完成值",
            "全年预计完成值",
            "偏差原因分析",
            "完成目标可能性",
            "整改措施",
        ],
        width,
    )
    prev: tuple[Any, Any] = (None, None)
    for ind in ref["indicators"]:
        l1, l2 = ind["level1"], ind["level2"]
        page.row(
            [
                l1 if l1 != prev[0] else UP,
                l2 if (l1, l2) != prev else UP,
                ind["name"],
                ind["target"],
                ind["actual"],
                ind["forecast"],
                ind["reason"] or "",
                ind["likelihood"] or "",
                ind["remarks"] or "",
            ],
            width,
        )
        prev = (l1, l2)


def build(ref: dict[str, Any]) -> Page:
    """The printed grid of a reference."""
    page = Page()
    national = ref["form"] == "national"
    width = 15 if national else 9
    if national:
        page.para(ref["title"])
        page.para(f"（{ref['year']}年度）")
    else:
        page.para(ref["title"])
        page.para(f"金额单位：{ref['money_unit']}")
    page.row(["项目名称", ref["project_name"]], width)
    page.row(["主管部门", ref["department"], "", "", "实施单位", ref["implementing_unit"]], width)
    cols = ref["budget"]["columns"]
    label = f"项目资金（{ref['money_unit']}）" if national else "项目资金"
    page.row([label, *cols], width)
    for name, cells in ref["budget"]["rows"].items():
        page.row([name, *[cells.get(c, "") for c in cols]], width)
    goal_head = f"{ref['period']}执行情况" if national else "截至7月底完成情况"
    page.row(["年度总体目标", "全年目标", "", "", "", goal_head], width)
    page.row([UP, ref["annual_goal"]["target"], "", "", "", ref["annual_goal"]["progress"]], width)
    (_national if national else _regional)(ref, page)
    page.para("填报人：张三    联系电话：0000-0000000    填报日期：" + str(ref["year"]) + "年8月10日")
    return page


def _fix_left(page: Page) -> Page:
    """`\\x00L` marks a cell covered by the one on its left (make_pages' LEFT)."""
    from tests.heldout.make_pages import LEFT

    page.blocks = [
        (k, [LEFT if c == "\x00L" else c for c in item] if k == "R" else item) for k, item in page.blocks
    ]
    return page


def pages() -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    """(name, suffix, bytes, reference) of every held-out page."""
    for stem, ref in REFERENCES.items():
        page = _fix_left(build(ref))
        for layout in TEXT_LAYOUTS + BINARY_LAYOUTS:
            suffix, data = render(page, layout)
            yield f"{stem}_{layout}", suffix, data, ref


def main(outdir: str) -> int:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name, suffix, data, ref in pages():
        (out / f"{name}.{suffix}").write_bytes(data)
        (out / f"{name}.monitor.json").write_text(json.dumps(ref, ensure_ascii=False, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit(f"用法：python {sys.argv[0]} 输出文件夹   （写出每个页面及其 .monitor.json 参考）")
    sys.exit(main(sys.argv[1]))
