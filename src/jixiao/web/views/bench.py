"""The floor of the page benchmarks (`bench/web.py`): a static page of 20 KB behind the login, served
through the same middleware as every page. Routed only when JIXIAO_BENCH_PAGES=1 (see urls.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

_ROW = "<tr><td>第{0}行</td><td>基准测试的静态内容，不读数据库</td><td>{0}</td></tr>\n"


def _page(size: int = 20 * 1024) -> bytes:
    head = (
        '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">'
        "<title>基准页</title></head><body><table>\n"
    )
    tail = "</table></body></html>\n"
    body: list[str] = []
    n = 0
    while len((head + "".join(body) + tail).encode()) < size:
        n += 1
        body.append(_ROW.format(n))
    return (head + "".join(body) + tail).encode()


PAGE = _page()


@login_required
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")
