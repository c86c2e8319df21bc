"""Held-out 自评表 pages: each field page's reference (`*.selfeval.json`) printed as the national
项目支出绩效自评表 grid, then rendered in every text layout and as .docx/.xlsx/.html with the printing
helpers of `make_pages` — layouts the reader was not tuned on. The reference is the same JSON.

Only references that print an indicator table with 分值 and 得分 columns are printed (the form this
grid reproduces); the page's own oddities (run-together cells, OCR damage) are not reproduced.

    python tests/heldout/selfeval_pages.py OUTDIR     # writes NAME.{txt,docx,xlsx,html} + NAME.selfeval.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.heldout.make_pages import BINARY_LAYOUTS, TEXT_LAYOUTS, UP, Page, render

FIELD = Path(__file__).resolve().parents[3] / "shared" / "field"
WIDTH = 8
_IND_COLS = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]


def references() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for b in ("batch1", "batch3"):
        for p in sorted((FIELD / b).glob("*_selfeval.selfeval.json")):
            ref = json.loads(p.read_text("utf-8"))
            inds = ref.get("indicators") or []
            if inds and any(i.get("weight") for i in inds) and any(i.get("score") for i in inds):
                out.append((p.name.split(".")[0], ref))
    return out


def build(ref: dict[str, Any]) -> Page:
    """The national 自评表 grid of a reference."""
    page = Page()
    year = ref.get("year")
    page.para("项目支出绩效自评表")
    page.para(f"（{year}年度）" if year else "（    年度）")
    page.row(["项目名称", ref.get("project_name") or ""], WIDTH)
    page.row(
        ["主管部门", ref.get("department") or "", "", "实施单位", ref.get("implementing_unit") or ""], WIDTH
    )
    cols = list((ref.get("budget") or {}).get("columns") or [])
    rows = (ref.get("budget") or {}).get("rows") or {}
    page.row([f"项目资金（{ref.get('money_unit') or '万元'}）", *cols], WIDTH)
    for label, cells in rows.items():
        page.row([label, *[(cells or {}).get(c, "") for c in cols]], WIDTH)
    goal = ref.get("annual_goal") or {}
    page.row(["年度总体目标", "预期目标", "", "", "实际完成情况"], WIDTH)
    page.row([UP, goal.get("target") or "", "", "", goal.get("actual") or ""], WIDTH)
    page.row(list(_IND_COLS), WIDTH)
    prev: tuple[Any, Any] = (None, None)
    for ind in ref.get("indicators") or []:
        l1 = ind.get("level1") or ""
        l2 = ind.get("level2") or ""
        cells = [
            l1 if l1 != prev[0] else "",
            l2 if (l1, l2) != prev else "",
            ind.get("name") or "",
            ind.get("target") or "",
            ind.get("actual") or "",
            ind.get("weight") or "",
            ind.get("score") or "",
            ind.get("deviation_reason") or "",
        ]
        prev = (l1, l2)
        page.row(cells, WIDTH)
    if ref.get("total_weight") or ref.get("total_score"):
        page.row(
            ["总分", "", "", "", "", ref.get("total_weight") or "", ref.get("total_score") or "", ""], WIDTH
        )
    if ref.get("grade"):
        page.row(["自评等级", ref["grade"]], WIDTH)
    return page


def pages() -> Iterator[tuple[str, str, bytes, dict[str, Any]]]:
    """(name, suffix, bytes, reference) of every held-out page."""
    for stem, ref in references():
        page = build(ref)
        for layout in TEXT_LAYOUTS + BINARY_LAYOUTS:
            suffix, data = render(page, layout)
            yield f"{stem}_{layout}", suffix, data, ref


def main(outdir: str) -> int:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for name, suffix, data, ref in pages():
        (out / f"{name}.{suffix}").write_bytes(data)
        (out / f"{name}.selfeval.json").write_text(json.dumps(ref, ensure_ascii=False, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit(f"用法：python {sys.argv[0]} 输出文件夹   （写出每个页面及其 .selfeval.json 参考）")
    sys.exit(main(sys.argv[1]))
