"""The project page's indicator rows (`web/project.html`'s 绩效目标表) made as HTML in Python: a
project lists a dozen indicators or more, each row some 20 lookups, escapes and filters in a
template, and every finding under a row an include of `web/review/_finding.html`. The HTML is the
same as the autoescaping templates made it (`markupsafe.escape` of each value, the same filters)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from markupsafe import Markup, escape

from jixiao.web.jinja import kind_label, severity_label, target_text, url
from jixiao.web.lib.rows import id_link

NO_INDICATORS = '<tr><td colspan="7" class="muted">没有绩效指标</td></tr>'
COMPARE_TITLE = "与其他单位同类指标比较"
ATTACHED = ' <span class="tag">退回时附上</span>'


def indicator_rows(rows: list[dict[str, Any]], returned: Any, returned_keys: Collection[str]) -> Markup:
    """The rows of `views.projects._table_rows` (with `reviews.rows_with_findings`' findings): each
    indicator's cells, the marks of its findings and the line of its findings under it; a finding
    is marked 退回时附上 when `returned` (the last return) attached it (`returned_keys`)."""
    if not rows:
        return Markup(NO_INDICATORS)
    compare = id_link("compare")
    rules_url = escape(url("review_rules"))
    out: list[str] = []
    for r in rows:
        ind = r["ind"]
        findings = r.get("findings") or ()
        cells = ["<tr>\n    "]
        if r["l1span"]:
            cells.append(f'<td rowspan="{escape(r["l1span"])}">{escape(ind.level1 or "")}</td>')
        cells.append("\n    ")
        if r["l2span"]:
            cells.append(f'<td rowspan="{escape(r["l2span"])}">{escape(ind.level2 or "")}</td>')
        cells.append(f"\n    <td>{escape(ind.name or '')}")
        for f in findings:
            cells.append(
                f'<a class="mark {escape(f.severity)}" href="#f-{escape(f.key.replace(":", "-"))}" '
                f'title="{escape(f.title)}">{escape(f.rule)}</a>'
            )
        kind = ind.target_kind
        cells.append(
            f'</td><td>{escape(ind.description or "")}</td><td class="value">{escape(ind.value or "")}</td>\n'
            f'    <td>{escape(ind.basis or "")}</td><td class="parsed kind-{escape(kind)}">'
            f'<span class="kind">{escape(kind_label(kind))}</span> {escape(target_text(ind.target))}'
        )
        if kind in ("number", "percent"):
            cells.append(f' <a class="compare" href="{compare(ind.pk)}" title="{COMPARE_TITLE}">比较</a>')
        cells.append("</td></tr>\n  ")
        if findings:
            cells.append('<tr class="row-findings"><td colspan="5"><ul class="row-findings">')
            cells += (_finding(f, rules_url, returned, returned_keys) for f in findings)
            cells.append("</ul></td></tr>")
        cells.append("\n  ")
        out.append("".join(cells))
    return Markup("".join(out))


def _finding(f: Any, rules_url: str, returned: Any, returned_keys: Collection[str]) -> str:
    """`web/review/_finding.html` of a finding."""
    attached = bool(returned) and f.key in returned_keys
    sev = escape(f.severity)
    key = escape(f.key.replace(":", "-"))
    hint = f' <span class="hint">改法：{escape(f.hint)}</span>' if f.hint else ""
    return (
        f'<li class="finding {sev}{" attached" if attached else ""}" id="f-{key}">'
        f'<a class="code" href="{rules_url}#{escape(str(f.rule).lower())}" title="{escape(f.title)}">'
        f"{escape(f.rule)}</a> "
        f'<span class="sev sev-{sev}">{escape(severity_label(f.severity))}</span> '
        f'<span class="heading-tag">{escape(f.heading)}</span> {escape(f.message)}{hint}'
        f"{ATTACHED if attached else ''}</li>"
    )
