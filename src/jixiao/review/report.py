"""Review results as a reviewer's memo (text), JSON, or an XLSX workbook (one sheet per unit)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from jixiao.review.engine import DocumentReview, ProjectReview
from jixiao.review.findings import GRADES, HEADINGS, SEVERITIES, SEVERITY_ZH, Finding

_CN_NUM = "零一二三四五六七八九十"
# findings of one rule in one project are listed one by one up to this many, then folded
FOLD_AFTER = 3


def _cn(n: int) -> str:
    if n <= 10:
        return _CN_NUM[n]
    if n < 20:
        return "十" + (_CN_NUM[n - 10] if n > 10 else "")
    if n < 100:
        return _CN_NUM[n // 10] + "十" + (_CN_NUM[n % 10] if n % 10 else "")
    return str(n)


def _unit_line(r: DocumentReview) -> str:
    d = r.doc
    unit = d.unit_name or "（未注明单位）"
    code = f"（{d.unit_code}）" if d.unit_code else ""
    year = f"{d.year}年度" if d.year else ""
    return f"{unit}{code}{year}项目绩效目标审核意见"


def _counts_line(counts: dict[str, int]) -> str:
    parts = [f"{SEVERITY_ZH[s]}{counts[s]}个" for s in SEVERITIES if counts.get(s)]
    return "、".join(parts) or "0个"


def memo(reviews: Sequence[DocumentReview]) -> str:
    """A reviewer's memo in Chinese, grouped by document and project."""
    out: list[str] = []
    for r in reviews:
        out.append(_unit_line(r))
        out.append(f"来源文件：{Path(r.doc.source).name}")
        g = r.grades
        out.append(
            f"共审核{len(r.projects)}个项目："
            + "，".join(f"{k}{g[k]}个" for k in GRADES)
            + f"；发现问题{_counts_line(r.counts)}。"
        )
        loose = [f for f in r.findings if f.project_seq is None and f.project is None]
        for f in loose:
            out.append(f"  [{SEVERITY_ZH[f.severity]}] {f.rule} {f.message}")
        for i, p in enumerate(r.projects, 1):
            out.append("")
            out.extend(_project_block(i, p, r))
        out.append("")
        out.append(
            "说明：审核结果“优”直接进入预算安排流程；“良”小幅修改完善后进入；“中”修改完善后重新报送审核；"
            "“差”不得进入预算安排流程。"
        )
        out.append("=" * 40)
        out.append("")
    return "\n".join(out).rstrip("=\n ") + "\n"


def _project_block(i: int, p: ProjectReview, r: DocumentReview) -> list[str]:
    o = p.outcome
    heads = "，".join(f"{h}{o.headings[h]}" for h in HEADINGS)
    unit = ""
    if p.unit_name and p.unit_name != r.doc.unit_name:
        unit = f"，{p.unit_name}" + (f"（{p.unit_code}）" if p.unit_code else "")
    lines = [f"{_cn(i)}、{p.name}（第{p.seq}个项目{unit}）审核结果：{o.grade}（{heads}）"]
    if o.reasons and any(o.counts.values()):
        lines.append("  评级理由：" + "".join(o.reasons))
    if not p.findings:
        lines.append("  较轻的问题未列出（--min-severity）。" if any(o.counts.values()) else "  未发现问题。")
        return lines
    lines.append(f"  {o.verdict}。发现问题{_counts_line(o.counts)}：")
    groups: dict[str, list[Finding]] = {}
    for f in p.findings:
        groups.setdefault(f.rule, []).append(f)
    ordered = sorted(groups.values(), key=lambda g: SEVERITIES.index(g[0].severity))
    for n, group in enumerate(ordered, 1):
        f = group[0]
        tag = SEVERITY_ZH[f.severity]
        if len(group) > FOLD_AFTER:
            names = "、".join(f"「{g.indicator}」" for g in group[:8] if g.indicator)
            more = f"等{len(group)}个指标" if len(group) > 8 else f"共{len(group)}个指标"
            lines.append(f"  {n}. [{tag}] {f.rule} {f.title}：{names}{more}。")
            lines.append(f"     例：{f.message}")
        elif len(group) == 1:
            lines.append(f"  {n}. [{tag}] {f.rule} {f.message}")
        else:
            lines.append(f"  {n}. [{tag}] {f.rule} {f.title}：")
            lines.extend(f"     - {g.message}" for g in group)
        hints = list(dict.fromkeys(g.hint for g in group))
        lines.append(
            f"     改法：{hints[0]}"
            if len(hints) == 1 or len(group) > FOLD_AFTER
            else "     改法：" + "；".join(h.rstrip("。") for h in hints) + "。"
        )
    return lines


def findings_json(reviews: Sequence[DocumentReview]) -> str:
    """A JSON list of findings: rule, severity, project_seq, project, indicator, message, hint
    (plus title, heading, indicator_index, source, unit_code, unit_name)."""
    items = [f.to_dict() for r in reviews for f in r.findings]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")

COLUMNS = [
    ("source", "来源文件"),
    ("project_seq", "项目序号"),
    ("project", "项目名称"),
    ("indicator", "三级指标"),
    ("rule", "规则"),
    ("severity", "级别"),
    ("heading", "审核方面"),
    ("title", "问题类型"),
    ("message", "问题"),
    ("hint", "改法"),
]


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", name).strip("'") or "单位"
    base = base[:31]
    title, k = base, 2
    while title.lower() in used:
        suffix = f"({k})"
        title = base[: 31 - len(suffix)] + suffix
        k += 1
    used.add(title.lower())
    return title


def findings_xlsx(reviews: Sequence[DocumentReview]) -> bytes:
    """An XLSX workbook: a 审核结果 sheet with every project's grade, then one sheet per unit with
    its findings."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from jixiao.export.cellsafe import workbook_bytes, xlsx_value

    wb = Workbook()
    ws = wb.active
    ws.title = "审核结果"
    bold = Font(bold=True)
    head = [
        "来源文件",
        "单位编码",
        "单位名称",
        "年度",
        "项目序号",
        "项目名称",
        "审核结果",
        *HEADINGS,
        "错误",
        "警告",
        "提示",
    ]
    ws.append(head)
    for c in ws[1]:
        c.font = bold
    for r in reviews:
        for p in r.projects:
            o = p.outcome
            ws.append(
                [
                    xlsx_value(v)
                    for v in (
                        Path(r.doc.source).name,
                        p.unit_code,
                        p.unit_name,
                        r.doc.year,
                        p.seq,
                        p.name,
                        o.grade,
                        *(o.headings[h] for h in HEADINGS),
                        o.counts["error"],
                        o.counts["warning"],
                        o.counts["hint"],
                    )
                ]
            )
    used = {"审核结果"}
    units: dict[tuple[str | None, str | None], list[Finding]] = {}
    for r in reviews:
        for f in r.findings:
            units.setdefault((f.unit_code, f.unit_name), []).append(f)
        units.setdefault((r.doc.unit_code, r.doc.unit_name), [])
    for (code, name), fs in units.items():
        title = _sheet_title(f"{code} {name}" if code and name else (name or code or "单位"), used)
        sh = wb.create_sheet(title)
        sh.append([h for _, h in COLUMNS])
        for c in sh[1]:
            c.font = bold
        for f in fs:
            d = f.to_dict()
            d["severity"] = SEVERITY_ZH[f.severity]
            d["source"] = Path(f.source).name if f.source else None
            sh.append([xlsx_value(d[k]) for k, _ in COLUMNS])
        for col, width in zip("ABCDEFGHIJ", (22, 8, 28, 28, 8, 6, 8, 20, 60, 60), strict=True):
            sh.column_dimensions[col].width = width
        for row in sh.iter_rows(min_row=2):
            for c in row[8:]:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        sh.freeze_panes = "A2"
    return workbook_bytes(wb)
