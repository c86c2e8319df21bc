"""The project page's indicator rows (`web/project.html`'s 绩效目标表) made as HTML in Python: a
project lists a dozen indicators or more, each row some 20 lookups, escapes and filters in a
template, and every finding under a row an include of `web/review/_finding.html`. The HTML is the
same as the autoescaping templates made it (`markupsafe.escape` of each value, the same filters)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from markupsafe import Markup, escape

from jixiao.web.jinja import kind_label, severity_label, target_text, url
from jixiao.web.lib.rows import escape_texts, id_link

NO_INDICATORS = '<tr><td colspan="7" class="muted">没有绩效指标</td></tr>'
COMPARE_TITLE = "与其他单位同类指标比较"
ATTACHED = ' <span class="tag">退回时附上</span>'


def indicator_rows(rows: list[dict[str, Any]], returned: Any, returned_keys: Collection[str]) -> Markup:
    """The rows of `views.projects._table_rows` (with `reviews.rows_with_findings`' findings): each
    indicator's cells, the marks of its findings and the line of its findings under it; a finding
    is marked 退回时附上 when `returned` (the last return) attached it (`returned_keys`). Every text
    of the page's rows is escaped in one call (`rows.escape_texts`)."""
    if not rows:
        return Markup(NO_INDICATORS)
    compare = id_link("compare")
    rules_url = escape(url("review_rules"))
    texts: list[Any] = []
    sizes: list[tuple[int, list[int]]] = []  # per row: how many texts it has, and each finding
    for r in rows:
        row_texts = _row_texts(r["ind"])
        finding_texts = [_finding_texts(f) for f in r.get("findings") or ()]
        texts += row_texts
        for ft in finding_texts:
            texts += ft
        sizes.append((len(row_texts), [len(ft) for ft in finding_texts]))
    escaped = escape_texts(texts)
    out: list[str] = []
    i = 0
    for r, (size, finding_sizes) in zip(rows, sizes, strict=True):
        ind = r["ind"]
        findings = r.get("findings") or ()
        level1, level2, name, description, value, basis, kind, label, target = escaped[i : i + size]
        i += size
        cells = ["<tr>\n    "]
        if r["l1span"]:
            cells.append(f'<td rowspan="{escape(r["l1span"])}">{level1}</td>')
        cells.append("\n    ")
        if r["l2span"]:
            cells.append(f'<td rowspan="{escape(r["l2span"])}">{level2}</td>')
        cells.append(f"\n    <td>{name}")
        mine = []
        for f, n in zip(findings, finding_sizes, strict=True):
            ft = escaped[i : i + n]
            i += n
            mine.append((f, ft))
            cells.append(f'<a class="mark {ft[0]}" href="#f-{ft[1]}" title="{ft[2]}">{ft[3]}</a>')
        cells.append(
            f'</td><td>{description}</td><td class="value">{value}</td>\n'
            f'    <td>{basis}</td><td class="parsed kind-{kind}"><span class="kind">{label}</span> {target}'
        )
        if ind.target_kind in ("number", "percent"):
            cells.append(f' <a class="compare" href="{compare(ind.pk)}" title="{COMPARE_TITLE}">比较</a>')
        cells.append("</td></tr>\n  ")
        if findings:
            cells.append('<tr class="row-findings"><td colspan="5"><ul class="row-findings">')
            cells += (_finding(f, ft, rules_url, returned, returned_keys) for f, ft in mine)
            cells.append("</ul></td></tr>")
        cells.append("\n  ")
        out.append("".join(cells))
    return Markup("".join(out))


def _row_texts(ind: Any) -> tuple[Any, ...]:
    """The texts of an indicator's row in `indicator_rows`, escaped together with its findings'."""
    kind = ind.target_kind
    return (
        ind.level1 or "",
        ind.level2 or "",
        ind.name or "",
        ind.description or "",
        ind.value or "",
        ind.basis or "",
        kind,
        kind_label(kind),
        target_text(ind.target),
    )


def _finding_texts(f: Any) -> tuple[Any, ...]:
    """The texts of a finding that `_finding` and its mark show, escaped together with the rows'."""
    return (
        f.severity,
        f.key.replace(":", "-"),
        f.title,
        f.rule,
        str(f.rule).lower(),
        severity_label(f.severity),
        f.heading,
        f.message,
        f.hint or "",
    )


def _finding(f: Any, texts: list[str], rules_url: str, returned: Any, returned_keys: Collection[str]) -> str:
    """`web/review/_finding.html` of a finding; `texts`: its `_finding_texts` escaped."""
    attached = bool(returned) and f.key in returned_keys
    sev, key, title, rule, lower, label, heading, message, hint = texts
    hint = f' <span class="hint">改法：{hint}</span>' if f.hint else ""
    return (
        f'<li class="finding {sev}{" attached" if attached else ""}" id="f-{key}">'
        f'<a class="code" href="{rules_url}#{lower}" title="{title}">'
        f"{rule}</a> "
        f'<span class="sev sev-{sev}">{label}</span> '
        f'<span class="heading-tag">{heading}</span> {message}{hint}'
        f"{ATTACHED if attached else ''}</li>"
    )
