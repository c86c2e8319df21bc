"""Noise that belongs to no field: page numbers, running page markers, site furniture, conversion
artefacts; and one normaliser so that ASCII and full-width punctuation compare alike.

Published pages carry text around and inside the tables that no reader should hand on as content:

- page numbers and page markers printed between rows or inside a cell (`— 3 —`, `- 2 -`, `第3页`,
  `第 2 页 共 5 页`, `3/10页`);
- site furniture of government portals: labelled page data (索引号, 发布机构, 发布日期, 浏览次数),
  breadcrumbs, 主办/承办, ICP 备案, a lone 附件:; and by rule, not by phrase: short bracketed actions
  (`[打印本页] [关闭窗口]`, `【打印】【关闭】`) and lines made only of portal words (`打印 | 关闭`,
  `- 有用()`);
- conversion artefacts (`[bookmark: …]`, HTML tags, `**`, `〈meta …〉`).

`is_noise_line` says whether a whole line is such noise; `strip_noise` removes noise lines and
inline page markers from a longer text (a goal spread over pages). Both leave everything else as
printed. `fold_punct` maps full-width ASCII variants (，：（）；＝) to ASCII for comparisons only; the
stored text keeps the printed form.
"""

from __future__ import annotations

import re
from functools import lru_cache

# full-width forms U+FF01..U+FF5E → ASCII, the ideographic space → space, small/variant forms of
# comparison signs (﹦ ﹤ ﹥) → ASCII; 、。“”≥≤ are not variants of ASCII and stay as they are
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0xFE66: ord("="), 0xFE64: ord("<"), 0xFE65: ord(">"), 0xA0: 0x20})
# a character `_FOLD` maps: most texts print none, and `str.translate` with a dict costs ~0.1 µs a
# character of a Chinese text whether it maps any (the search costs a tenth of that)
FOLDABLE = "\uff01-\uff5e\u3000\ufe64-\ufe66\xa0"  # as a character class's ranges
_FOLDABLE = re.compile(f"[{FOLDABLE}]")


def fold_punct(text: str) -> str:
    """`其中：财政拨款（万元）` → `其中:财政拨款(万元)`: full-width ASCII variants folded to ASCII.

    For comparing labels and vocabulary only; never store the folded text."""
    return text.translate(_FOLD) if _FOLDABLE.search(text) is not None else text


_WS = re.compile(r"\s+")


def norm_key(text: str | None) -> str:
    """A comparison key: punctuation folded, all whitespace removed."""
    return _norm_key(text) if text else ""


@lru_cache(maxsize=65536)
def _norm_key(text: str) -> str:
    # every reader and strategy compares the same cell texts over and over: fold each once
    return _WS.sub("", text.translate(_FOLD) if _FOLDABLE.search(text) is not None else text)


# -- page numbers -----------------------------------------------------------------------------

_DASH = r"[-—–－‐‑―─]"
_PAGE_MARK = re.compile(
    rf"^(?:{_DASH}+\s*\d{{1,4}}\s*{_DASH}+"  # — 3 —   - 2 -
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"  # 第3页  第 2 页 共 5 页
    r"|共\s*\d{1,4}\s*页\s*[,，/／]?\s*第\s*\d{1,4}\s*页"  # 共5页 第2页
    r"|\d{1,4}\s*[/／]\s*\d{1,4}\s*页"  # 3/10页
    r"|page\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"  # Page 3 of 10
    r")$",
    re.I,
)
_INLINE_PAGE_MARK = re.compile(
    rf"\s*(?:{_DASH}{{1,2}}\s*\d{{1,4}}\s*{_DASH}{{1,2}}|第\s*\d{{1,4}}\s*页(?:\s*共\s*\d{{1,4}}\s*页)?)\s*"
)


def is_page_marker(text: str) -> bool:
    """`— 3 —`, `- 2 -`, `第3页`, `第 2 页 共 5 页`, `3/10页` (a bare number is not: it may be a cell)."""
    s = fold_punct(text).strip()
    return bool(s) and len(s) <= 24 and bool(_PAGE_MARK.match(s))


_DIGIT = re.compile(r"\d")
# a line that may be a page marker (a superset of `is_page_marker`, searched over a whole text)
_PAGE_HINT = re.compile(
    rf"^[ \t\u3000]*(?:{_DASH}+[ \t]*\d|第[ \t]*\d{{1,4}}[ \t]*页|共[ \t]*\d"
    r"|\d{1,4}[ \t]*[/／][ \t]*\d|page[ \t]*\d)",
    re.M | re.I,
)


# the same after a line break: a pattern that opens with a literal is searched for at C speed
_PAGE_HINT_AFTER_BREAK = re.compile("\n" + _PAGE_HINT.pattern[1:], re.I)


def has_page_markers(text: str) -> bool:
    """Whether a text may print two page markers or more (a cheap test before `running_headers`)."""
    found = 1 if _PAGE_HINT.match(text) else 0  # the first line
    for _ in _PAGE_HINT_AFTER_BREAK.finditer(text):
        found += 1
        if found >= 2:
            return True
    return False


def running_headers(lines: list[str]) -> set[str]:
    """Comparison keys (`norm_key`) of the lines printed again beside the page markers: a running
    header or footer (the document's title on top of every page). Needs two page markers or more,
    and the line beside half of them, or beside one and on top of the document; table content
    (anything mentioning 指标, a row with separators) is never one."""
    marks = [i for i, s in enumerate(lines) if len(s) <= 40 and _DIGIT.search(s) and is_page_marker(s)]
    if len(marks) < 2:
        return set()
    near: dict[str, int] = {}
    for m in marks:
        seen: set[str] = set()
        for step in (-1, 1):
            k, got = m + step, 0
            while 0 <= k < len(lines) and got < 2:
                s = lines[k].strip()
                k += step
                if not s:
                    continue
                got += 1
                if is_page_marker(s) or len(s) > 60 or "指标" in s or "|" in s or "\t" in s:
                    continue
                seen.add(norm_key(s))
        for key in seen:
            near[key] = near.get(key, 0) + 1
    found = {key for key, n in near.items() if key and n >= max(2, (len(marks) + 1) // 2)}
    # with few pages a header beside one marker is a running header where it also tops the document
    top = _top_lines(lines)
    # (page 1 has no marker above its header); never a table's title (each project's table may
    # open a page under the same title)
    return found | {
        key for key in near if key in top and len(key) >= 6 and "绩效" not in key and not key.endswith("表")
    }


def _top_lines(lines: list[str]) -> set[str]:
    """Comparison keys of the document's first two printed lines."""
    out: set[str] = set()
    for s in lines:
        s = s.strip()
        if s:
            out.add(norm_key(s))
            if len(out) == 2:
                break
    return out


# -- site furniture -------------------------------------------------------------------------------

# lines that open with these (spaces inside ignored) are portal furniture
_FURNITURE_START = re.compile(
    r"^(?:索引号|发布机构|发布日期|发布时间|发布单位|成文日期|公开方式|公开范围|组配分类|主题分类|公文时效|"
    r"信息来源|来源[:]|(?:浏览量|浏览次数|阅读次数|点击数|访问量)[:]|字号[:]?(?:大|中|小|\||$)|"
    r"当前位置|您当前的位置|您所在的位置|你所在的位置|首页>|归档时间|扫一扫|分享到|"
    r"(?:网站地图|联系我们|版权所有|主办单位|承办单位|技术支持)(?:[:]|$)|政府网站标识码|网站标识码|"
    r"〈meta|<meta|logo$)"
)
_FURNITURE_ANY = re.compile(
    r"ICP备|公网安备|政府网站标识码|扫一扫在手机打开当前页|主办.{0,30}承办|^地址:.{0,60}(电话|邮箱)"
)
_FURNITURE_EXACT = {"附件:", "附件", "字号:|", "字号:大中小"}
# a short bracketed action, alone or in a row: [打印本页] [关闭窗口], 【打印】【关闭】, [下载]
_BRACKET_ACTIONS = re.compile(r"^(?:[\[【][^\[\]【】\d]{1,6}[\]】])+$")
# the words portal pages print around a document (navigation, page tools, comment boxes)
_PORTAL_WORDS = re.compile(
    r"^(?:首页|打印|关闭|本页|窗口|分享|收藏|评论|留言|全部|下载|返回|顶部|网站地图|联系我们|字号|[大中小]|"
    r"有用|无用|上一篇|下一篇|我要|纠错|相关解读|相关链接|相关文件|阅读全文|无障碍|长者模式|[繁简]体|"
    r"登录|注册|搜索|分享到|微信|微博|查看原文|原文链接)+$"
)
_NAV_SPLIT = re.compile(r"[|>»›/·•,、\-\s()]+")


def _is_portal_line(s: str) -> bool:
    """A line made only of portal words (`打印 | 关闭`, `- 全部留言`, `- 有用()`, `首页 > 信息公开`
    is a breadcrumb: `首页>` above), or a bullet with nothing after it (`- /`)."""
    if len(s) > 40:
        return False
    tokens = [t for t in _NAV_SPLIT.split(s) if t]
    if not tokens:
        return s[0] in "-·•" and len(s) > 1  # a bullet of punctuation only; a lone `/` or `-` is a cell
    if len(tokens) == 1 and len(tokens[0]) == 1:
        return False  # 大, 中, 小 alone are cells
    return all(_PORTAL_WORDS.match(t) for t in tokens)


_ARTEFACTS = re.compile(
    r"\[bookmark:[^\]]*\]|</?(?:p|br|span|div|strong|b|em|i|u|font|td|tr|table|tbody)\b[^>]*>"
    r"|〈meta[^〉]*〉|<meta[^>]*>",
    re.I,
)
# Markdown bold around a short run (`**13**`); a lone `**` is a template placeholder (`≥**%`) and stays
_BOLD = re.compile(r"\*\*([^*()（）≥≤<>\n]{1,20}?)\*\*")


def may_hold_artefacts(text: str) -> bool:
    """Whether `text` holds a character an artefact `strip_artefacts` removes starts with (else it
    has none: a text without any needs no line stripped)."""
    return "[" in text or "<" in text or "〈" in text or "**" in text


def strip_artefacts(line: str) -> str:
    """Remove conversion artefacts (`[bookmark: …]`, HTML tags, `**`, `〈meta …〉`) from one line."""
    if "[" in line or "<" in line or "〈" in line:
        line = _ARTEFACTS.sub("", line)
    if "**" in line:
        line = _BOLD.sub(r"\1", line)
    return line


@lru_cache(maxsize=8192)
def is_noise_line(text: str) -> bool:
    """Whether a whole line is noise: a page marker, portal furniture or only artefacts.

    Table content never matches: labels (项目名称, 主管部门 …), values and bare numbers are kept."""
    raw = text.strip()
    if not raw:
        return False
    s = norm_key(raw)
    if not s:
        return False
    if is_page_marker(raw):
        return True
    if s in _FURNITURE_EXACT or _BRACKET_ACTIONS.match(s) or _is_portal_line(s):
        return True
    if _FURNITURE_START.match(s) or _FURNITURE_ANY.search(s):
        return True
    return not norm_key(strip_artefacts(raw))


def strip_noise(text: str) -> str:
    """A multi-line text (a goal, a cell) without its noise lines and inline page markers."""
    out: list[str] = []
    for line in text.split("\n"):
        if is_noise_line(line):
            continue
        if "页" in line or any(d in line for d in "-—–－"):
            line = _strip_inline_pages(line)
        out.append(line)
    return "\n".join(out).strip("\n")


def _strip_inline_pages(line: str) -> str:
    """`…完成年度任务— 3 —并按时…` → `…完成年度任务并按时…`; a dash between numbers (a range) stays."""

    def repl(m: re.Match[str]) -> str:
        start, end = m.start(), m.end()
        before = line[start - 1] if start > 0 else ""
        after = line[end] if end < len(line) else ""
        if before.isdigit() or after.isdigit():
            return m.group(0)
        return ""

    return _INLINE_PAGE_MARK.sub(repl, line)
