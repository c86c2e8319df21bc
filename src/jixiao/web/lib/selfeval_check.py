"""A published 自评表 page uploaded and checked, for the page 自评表复核 and `POST
/api/selfeval/check/page`: the upload size cap, the reading in a bounded child process
(`JIXIAO_PARSE_TIMEOUT`, `JIXIAO_PARSE_MEMORY_MB`) and the method's check of every table read.

Whatever cannot be read or checked is `actions.Invalid` with a Chinese message naming the file and
why: too large, too slow, an unreadable file, a page with no 自评表 in it (a 绩效目标表 given
instead), numbers the method cannot work with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from jixiao.cycle.evaluate import (
    Discrepancy,
    PublishedCheck,
    PublishedSelfEvaluation,
    check_published,
    published_from_reading,
    render_check,
    uncheckable_reason,
)
from jixiao.ingest.selfeval import SelfEvalIndicator, SelfEvalTable
from jixiao.web.refusals import Invalid


class Upload(Protocol):
    """An uploaded file as Django gives it (`UploadedFile`): its name, declared size and bytes."""

    name: str | None
    size: int | None

    def read(self) -> bytes: ...


@dataclass
class IndicatorCheck:
    """One indicator row: as printed, the method's score, and where it departs from the method."""

    printed: SelfEvalIndicator
    recomputed: Decimal | None  # None: not recomputed (the reason is in `skipped`)
    discrepancies: list[Discrepancy]


@dataclass
class TableCheck:
    """One 自评表 read from the page and checked by the method."""

    reading: SelfEvalTable  # every cell as printed
    published: PublishedSelfEvaluation  # the printed numbers the method works with
    check: PublishedCheck
    text: str  # the check as Chinese text (`jixiao check FILE`)

    @property
    def location(self) -> str | None:
        return self.reading.loc.zh() if self.reading.loc else None

    def indicator_rows(self) -> list[IndicatorCheck]:
        by_row: dict[int, list[Discrepancy]] = {}
        for d in self.check.discrepancies:
            if d.indicator is not None:
                by_row.setdefault(d.indicator, []).append(d)
        scores = self.check.scores
        return [
            IndicatorCheck(ind, scores[i] if i < len(scores) else None, by_row.get(i, []))
            for i, ind in enumerate(self.reading.indicators)
        ]

    def table_discrepancies(self) -> list[Discrepancy]:
        """The departures that are not an indicator's: 预算执行率, 分值合计, 总分值, 总分, 自评等级."""
        return [d for d in self.check.discrepancies if d.indicator is None]


def refuse_if_too_large(name: str, size: int | None) -> None:
    """The upload cap (`MAX_UPLOAD_MB`), checked on the declared size before the file is read."""
    from django.conf import settings

    if (size or 0) > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise Invalid(f"{name}: 文件超过 {settings.MAX_UPLOAD_MB} MB 的上限", {"file": "文件过大"})


def read_tables(name: str, data: bytes) -> list[SelfEvalTable]:
    """Every 自评表 of the page, read in a bounded child process."""
    from jixiao.ingest.selfeval import NoSelfEvaluation, read_selfeval_bytes

    return read_page(read_selfeval_bytes, NoSelfEvaluation, name, data)


def read_page(read: Callable[[bytes, str], Any], missing: type[Exception], name: str, data: bytes) -> Any:
    """`read(data, name)` (a published page's reader) in a bounded child process; what it cannot
    read — `missing` (no such table: its `message`) or a ReadError — is `Invalid` naming the file."""
    from jixiao.ingest import ReadError
    from jixiao.ingest.bounded import run_bounded
    from jixiao.web.actions.workbooks import parse_limits

    try:
        return run_bounded(read, data, name, name=name, limits=parse_limits())
    except ReadError as e:
        raise Invalid(e.describe(), {"file": e.message}) from None
    except missing as e:
        why = str(getattr(e, "message", e))
        raise Invalid(f"{name}: {why}", {"file": why}) from None


def check_table(name: str, table: SelfEvalTable) -> TableCheck:
    pub = published_from_reading(table)
    try:
        check = check_published(pub)
    except (ValueError, ArithmeticError) as e:  # numbers the method cannot work with
        where = table.loc.zh() if table.loc else ""
        why = uncheckable_reason(e)
        raise Invalid(f"{name}: {where}: 表中的数无法按方法复算：{why}", {"file": why}) from e
    return TableCheck(table, pub, check, render_check(pub, check))


def check_upload(file: Upload, default_name: str = "自评表") -> tuple[str, list[TableCheck]]:
    """The uploaded page's name and each 自评表 in it checked; `Invalid` when none can be."""
    name = file.name or default_name
    refuse_if_too_large(name, file.size)
    return name, [check_table(name, t) for t in read_tables(name, file.read())]


def grade_cutoffs() -> str:
    """The method's grade cut-offs in Chinese: 优 ≥ 90 分，良 ≥ 80 分，中 ≥ 60 分，差 < 60 分."""
    from jixiao.cycle.evaluate import ScoringSettings
    from jixiao.numbers import trimmed

    grades = ScoringSettings().grades
    parts = [f"{g} ≥ {trimmed(cut)} 分" for cut, g in grades[:-1]]
    return "，".join([*parts, f"{grades[-1][1]} < {trimmed(grades[-2][0])} 分"])


def summary(checks: list[TableCheck]) -> dict[str, Any]:
    """Counts for the page's heading: tables read, and how many depart from the method."""
    return {
        "tables": len(checks),
        "departing": sum(1 for c in checks if c.check.discrepancies),
        "discrepancies": sum(len(c.check.discrepancies) for c in checks),
    }


# ---------------------------------------------------------------- the download of a check

MAX_TABLES = 50  # a page holds a few; the reader never gives more than a document's tables
MAX_INDICATORS = 500
_TEXT_FIELDS = ("source", "title", "project_name", "department", "implementing_unit", "money_unit")
_TOTAL_FIELDS = ("total_weight", "total_score", "grade", "location")


def _text_or_none(v: Any) -> bool:
    return v is None or isinstance(v, str)


def _text_cells(row: Any) -> bool:
    return isinstance(row, dict) and all(_text_or_none(v) for v in row.values())


def _valid_reading(d: Any) -> bool:
    """A reading in the `SelfEvalTable.to_dict()` shape: printed cells are text (or blank)."""
    if not isinstance(d, dict):
        return False
    inds = d.get("indicators")
    if not isinstance(inds, list) or not 0 < len(inds) <= MAX_INDICATORS or not all(map(_text_cells, inds)):
        return False
    budget = d.get("budget") or {}
    rows = (budget.get("rows") or {}) if isinstance(budget, dict) else None
    if not isinstance(rows, dict) or not all(map(_text_cells, rows.values())):
        return False
    year = d.get("year")
    return all(_text_or_none(d.get(k)) for k in _TEXT_FIELDS + _TOTAL_FIELDS) and (
        year is None or type(year) is int
    )


def checks_from_readings(text: str) -> list[tuple[dict[str, Any], PublishedCheck]]:
    """The readings the result page carries (its hidden `readings`: the `SelfEvalTable.to_dict()` of
    each table) checked again by the method, for the download; `Invalid` for anything else. The
    check is recomputed here, never taken from the form."""
    import json

    from jixiao.cycle.evaluate import published_from_dict

    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, list) or not 0 < len(data) <= MAX_TABLES or not all(map(_valid_reading, data)):
        raise Invalid(
            "无法生成复核结果：请先上传自评表文件，再从复核结果页下载。", {"readings": "不是读出的自评表"}
        )
    out = []
    for d in data:
        try:
            out.append((d, check_published(published_from_dict(d))))
        except (ValueError, ArithmeticError) as e:
            why = uncheckable_reason(e)
            raise Invalid(f"无法生成复核结果：表中的数无法按方法复算：{why}", {"readings": why}) from e
    return out
