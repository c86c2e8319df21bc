"""A published 运行监控表 page uploaded and checked, for the page 监控表复核 and `POST
/api/monitoring/check/page`: the upload size cap, the reading in a bounded child process
(`JIXIAO_PARSE_TIMEOUT`, `JIXIAO_PARSE_MEMORY_MB`), and for every table read the snapshot its lights
are computed from (`jixiao.cycle.monitor.snapshot_from_reading`), the lights (`assess`) and what the
report lacks (`validate_snapshot`) — what `jixiao monitor PAGE` prints.

Whatever cannot be read or checked is `Invalid` with a Chinese message naming the file and why: too
large, too slow, an unreadable file, a page with no 监控表 in it (a 自评表 or a 绩效目标表 given
instead: the message names the page for it), a table with no year printed and none given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jixiao.cycle.monitor import (
    LIGHT_LABELS,
    IndicatorLight,
    IndicatorProgress,
    MonitorError,
    MonitorResult,
    MonitorSnapshot,
    Problem,
    assess,
    result_to_dict,
    snapshot_from_reading,
    validate_snapshot,
)
from jixiao.ingest.monitoring import MonitoringIndicator, MonitoringTable
from jixiao.web.lib.selfeval_check import Upload, read_page, refuse_if_too_large
from jixiao.web.refusals import Invalid

__all__ = ["IndicatorCheck", "TableCheck", "Upload", "check_upload", "read_tables", "summary"]


@dataclass
class IndicatorCheck:
    """One indicator row: as printed, as the lights took it, and its light."""

    printed: MonitoringIndicator
    progress: IndicatorProgress  # actual None where it was not counted (see the table's warnings)
    light: IndicatorLight

    @property
    def label(self) -> str:
        return LIGHT_LABELS.get(self.light.light or "", "未填")

    @property
    def dropped(self) -> bool:
        """An actual printed but left out of the lights (not comparable with its target); a dash
        or a slash is printed for one not yet known, which is not dropped but missing."""
        actual = (self.printed.actual or "").strip(" -—–/／\t")
        return bool(actual) and self.progress.actual is None


@dataclass
class TableCheck:
    """One 监控表 read from the page, its lights and what its report lacks."""

    reading: MonitoringTable  # every cell as printed
    snapshot: MonitorSnapshot
    result: MonitorResult
    problems: list[Problem]
    warnings: list[str]  # what the lights could not take (an actual not comparable with its target)

    @property
    def location(self) -> str | None:
        return self.reading.loc.zh() if self.reading.loc else None

    @property
    def label(self) -> str:
        return LIGHT_LABELS.get(self.result.light or "", "未填")

    @property
    def spending_label(self) -> str:
        return LIGHT_LABELS.get(self.result.spending_light or "", "未填")

    def indicator_rows(self) -> list[IndicatorCheck]:
        return [
            IndicatorCheck(p, s, lt)
            for p, s, lt in zip(
                self.reading.indicators, self.snapshot.indicators, self.result.indicators, strict=True
            )
        ]

    def to_dict(self) -> dict[str, Any]:
        """The answer of `POST /api/monitoring/check/page` for this table."""
        out = result_to_dict(self.snapshot, self.result, self.problems)
        for d, p in zip(out["indicators"], self.reading.indicators, strict=True):  # type: ignore[call-overload]
            d["forecast"] = p.forecast
        r = self.reading
        return {
            **out,
            "year": self.snapshot.year,
            "period": r.period,
            "department": r.department,
            "implementing_unit": r.implementing_unit,
            "money_unit": r.money_unit,
            "location": self.location,
            "warnings": self.warnings,
            "table": r.to_dict(),
        }


def read_tables(name: str, data: bytes) -> list[MonitoringTable]:
    """Every 监控表 of the page, read in a bounded child process."""
    from jixiao.ingest.monitoring import NoMonitoring, read_monitoring_page

    return read_page(read_monitoring_page, NoMonitoring, name, data)  # type: ignore[no-any-return]


def check_table(name: str, table: MonitoringTable, year: int | None = None) -> TableCheck:
    where = f"{name}: {table.loc.zh()}" if table.loc else name
    if (year or table.year) is None:
        why = "监控表未写明年度，请填写年度后重新上传"
        raise Invalid(f"{where}: {why}", {"year": why})
    try:
        snap, warnings = snapshot_from_reading(table, table.year or year)
        result = assess(snap)
    except MonitorError as e:
        raise Invalid(f"{where}: {e}", {"file": str(e)}) from e
    return TableCheck(table, snap, result, validate_snapshot(snap, result), warnings)


def check_upload(
    file: Upload, year: int | None = None, default_name: str = "监控表"
) -> tuple[str, list[TableCheck]]:
    """The uploaded page's name and each 监控表 in it with its lights; `Invalid` when none can be.
    `year`: for tables that print none (else the printed year is used)."""
    name = file.name or default_name
    refuse_if_too_large(name, file.size)
    return name, [check_table(name, t, year) for t in read_tables(name, file.read())]


def summary(checks: list[TableCheck]) -> dict[str, Any]:
    """Counts for the page's heading: tables read, red/yellow ones, and the problems listed."""
    from jixiao.cycle.monitor import RED, YELLOW

    return {
        "tables": len(checks),
        "warned": sum(1 for c in checks if c.result.light in (RED, YELLOW)),
        "problems": sum(len(c.problems) for c in checks),
    }
