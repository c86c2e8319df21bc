"""Write a disclosure's 项目绩效目标表 as one self-contained HTML page (no scripts, no CDN).

The same layout as the .docx and .xlsx writers (see `jixiao.export.layout`): the unit's 部门整体
绩效目标 first, then per project an `<h3>` title, the unit line and the table, with rowspan for
the merged 一级/二级指标 cells and colspan for the wide cells.
"""

from __future__ import annotations

from html import escape

from jixiao.export.layout import (
    PROJECTS_HEADINGS,
    WIDTHS_CM,
    GridCell,
    GridRow,
    LayoutOptions,
    document_title,
    goal_paragraphs,
    layout_project,
)
from jixiao.model import Disclosure

CSS = """
body { font-family: "SimSun", "宋体", "Noto Serif CJK SC", "Source Han Serif SC", serif; margin: 2em auto;
       max-width: 60em; line-height: 1.5; }
h1, h2, h3 { text-align: center; }
table.target { border-collapse: collapse; width: 100%; margin-bottom: 2em; table-layout: fixed; }
table.target td, table.target th { border: 1px solid #000; padding: 0.3em 0.4em; vertical-align: middle; }
table.target th { font-weight: bold; text-align: center; }
table.unit-line { width: 100%; border: none; }
table.unit-line td.money { text-align: right; }
p.goal { text-indent: 2em; }
"""


def disclosure_to_html(doc: Disclosure, *, options: LayoutOptions | None = None) -> str:
    """The HTML page of the disclosure's 项目绩效目标表."""
    opts = options or LayoutOptions()
    title = document_title(doc)
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
    ]
    goals = goal_paragraphs(doc)
    for style, text in goals:
        if style == "heading":
            out.append(f"<h2>{escape(text)}</h2>")
        elif style == "subheading":
            out.append(f"<h4>{escape(text)}</h4>")
        else:
            out.append(f'<p class="goal">{escape(text)}</p>')
    if goals and doc.projects:
        out += [f"<h2>{text}</h2>" for text in PROJECTS_HEADINGS]
    total = sum(WIDTHS_CM)
    for p in doc.projects:
        t = layout_project(p, doc, opts)
        out.append(f"<h3>{escape(t.title)}</h3>")
        out.append(
            f'<table class="unit-line"><tr><td>{escape(t.unit_line)}</td>'
            f'<td class="money">{escape(t.money_line)}</td></tr></table>'
        )
        out.append('<table class="target">')
        out.append(
            "<colgroup>" + "".join(f'<col style="width:{w / total:.1%}">' for w in WIDTHS_CM) + "</colgroup>"
        )
        assert t.header is not None
        for grow in [*t.head, t.header, *t.indicators]:
            out.append(_row(grow))
        out.append("</table>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _row(grow: GridRow) -> str:
    return "<tr>" + "".join(_cell(gc) for gc in grow.cells if not gc.covered) + "</tr>"


def _cell(gc: GridCell) -> str:
    tag = "th" if gc.label else "td"
    attrs = ""
    if gc.span > 1:
        attrs += f' colspan="{gc.span}"'
    if gc.rows > 1:
        attrs += f' rowspan="{gc.rows}"'
    body = "<br>".join(escape(line) for line in gc.text.split("\n"))
    return f"<{tag}{attrs}>{body}</{tag}>"
