"""One document → its rows in the corpus data set, and a status. Pure: bytes in, rows out.

This is the function every Dask task runs on each document (STYLE.md, "Dask"): no shared state, no
I/O, no exception escapes it. A document gives
- one *document* row: its content hash, path, size, status (`ok`, `warnings`, `empty`, `failed`),
  a Chinese message, its warnings, and the unit-year's own fields (unit, region, year, goals, overview);
- one *project* row per 项目绩效目标表: the unit its own table names, code, name, 预算数 (exact text);
- one *indicator* row per 绩效指标: unit, region, year, project code/name/budget, 一级/二级/三级 as
  printed with the canonical category beside them, the printed 指标值 and its parsed target fields.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.model import Disclosure, Indicator, Project, TargetValue
from jixiao.taxonomy import canonical_levels
from jixiao.values import parse_value

__all__ = [
    "DOCUMENT_COLUMNS",
    "INDICATOR_COLUMNS",
    "PROJECT_COLUMNS",
    "DocumentResult",
    "content_hash",
    "document_rows",
    "failed_result",
]

STATUS_OK = "ok"
STATUS_WARNINGS = "warnings"
STATUS_EMPTY = "empty"
STATUS_FAILED = "failed"

# column → Arrow type name ("string", "int64", "float64", "bool"); the data set's schema
DOCUMENT_COLUMNS: dict[str, str] = {
    "sha256": "string",
    "path": "string",
    "size": "int64",
    "mtime_ns": "int64",
    "run": "string",
    "status": "string",
    "message": "string",
    "n_warnings": "int64",
    "warnings": "string",  # JSON list of {file, line, cell, message}
    "unit_code": "string",
    "unit_name": "string",
    "region": "string",
    "year": "int64",
    "projects": "int64",
    "indicators": "int64",
    "seconds": "float64",
    "overall_goal": "string",
    "sub_goals": "string",  # JSON list of {title, goal, indicators}
    "budget_overview": "string",  # JSON object or null
}

PROJECT_COLUMNS: dict[str, str] = {
    "sha256": "string",
    "path": "string",
    "seq": "int64",
    "unit_region": "string",
    "unit_code": "string",
    "unit_name": "string",
    "year": "int64",
    "title": "string",
    "code": "string",
    "name": "string",
    "budget_total": "string",  # 万元, exact decimal text
    "budget_fiscal": "string",
    "budget_other": "string",
    "purpose": "string",
    "goal": "string",
    "spending_plan": "string",  # JSON object or null
    "location": "string",
    "indicators": "int64",
}

INDICATOR_COLUMNS: dict[str, str] = {
    "sha256": "string",
    "path": "string",
    "project_seq": "int64",
    "seq": "int64",
    "unit_region": "string",
    "unit_code": "string",
    "unit_name": "string",
    "year": "int64",
    "project_code": "string",
    "project_name": "string",
    "project_budget": "float64",  # 预算数, 万元
    "level1": "string",
    "level2": "string",
    "name": "string",
    "level1_canonical": "string",
    "level2_canonical": "string",
    "value": "string",  # 指标值 as printed
    "measure_unit": "string",
    "nature": "string",
    "weight": "string",
    "description": "string",
    "basis": "string",
    "location": "string",
    "target_kind": "string",
    "target_op": "string",
    "target_value": "float64",
    "target_high": "float64",
    "target_unit": "string",
    "target_base_value": "float64",  # scale folded in (万元 → 元), 度量单位 used when the value has none
    "target_base_unit": "string",
    "target_date": "string",  # ISO date, kind date
    "target_bool": "bool",  # kind boolean
    "target_approx": "bool",
}


@dataclass
class DocumentResult:
    """What one document gives: its document row, project rows and indicator rows."""

    document: dict[str, Any]
    projects: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.document["status"])


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _float(v: Any) -> float | None:
    if isinstance(v, Decimal):
        if not v.is_finite():
            return None
        return float(v)
    return None


def _dec_text(v: Decimal | None) -> str | None:
    if v is None:
        return None
    return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and abs(v) < 10**15 else float(v)
    return v


def _json(v: Any) -> str | None:
    return None if v is None else json.dumps(_jsonable(v), ensure_ascii=False)


def _target(ind: Indicator) -> tuple[TargetValue, TargetValue]:
    """The parsed 指标值, and the one used to compare (the 度量单位 column supplies a missing unit:
    指标值 `470` with 度量单位 `元/人` reads as 470 元/人)."""
    tv = parse_value(ind.value or "", year=ind.year)
    norm = tv
    mu = (ind.measure_unit or "").strip()
    if tv.kind == "number" and not tv.unit and mu:
        withunit = parse_value(f"{(ind.value or '').strip()}{mu}", year=ind.year)
        if withunit.kind in ("number", "percent") and withunit.base_value is not None:
            norm = withunit
    return tv, norm


def _indicator_row(
    base: dict[str, Any], p: Project, budget: float | None, seq: int, ind: Indicator
) -> dict[str, Any]:
    l1c, l2c = canonical_levels(ind.level1, ind.level2)
    tv, norm = _target(ind)
    return {
        **base,
        "project_seq": p.seq,
        "seq": seq,
        "project_code": p.code,
        "project_name": p.name or p.title,
        "project_budget": budget,
        "level1": ind.level1,
        "level2": ind.level2,
        "name": ind.name,
        "level1_canonical": l1c,
        "level2_canonical": l2c,
        "value": ind.value,
        "measure_unit": ind.measure_unit,
        "nature": ind.nature,
        "weight": ind.weight,
        "description": ind.description,
        "basis": ind.basis,
        "location": str(ind.location) if ind.location is not None else None,
        "target_kind": tv.kind,
        "target_op": tv.op,
        "target_value": _float(tv.value),
        "target_high": _float(tv.high),
        "target_unit": tv.unit,
        "target_base_value": _float(norm.base_value),
        "target_base_unit": norm.base_unit,
        "target_date": tv.value if tv.kind == "date" and isinstance(tv.value, str) else None,
        "target_bool": tv.value if tv.kind == "boolean" and isinstance(tv.value, bool) else None,
        "target_approx": bool(tv.approx),
    }


def _project_unit(p: Project, doc: Disclosure) -> tuple[str | None, str | None]:
    """A table naming another unit (a subordinate's table inside a bureau's disclosure) keeps it."""
    name = (p.unit_name or "").strip()
    if name:
        return (p.unit_code or None), name
    return doc.unit_code, doc.unit_name


def disclosure_rows(doc: Disclosure, *, sha256: str, path: str) -> tuple[list[dict], list[dict]]:
    """Project rows and indicator rows of a parsed document."""
    projects: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    for p in doc.projects:
        code, name = _project_unit(p, doc)
        region = p.region or doc.region
        key = {"sha256": sha256, "path": path}
        projects.append(
            {
                **key,
                "seq": p.seq,
                "unit_region": region,
                "unit_code": code,
                "unit_name": name,
                "year": doc.year,
                "title": p.title,
                "code": p.code,
                "name": p.name,
                "budget_total": _dec_text(p.budget_total),
                "budget_fiscal": _dec_text(p.budget_fiscal),
                "budget_other": _dec_text(p.budget_other),
                "purpose": p.purpose,
                "goal": p.goal,
                "spending_plan": _json(dict(p.spending_plan) if p.spending_plan else None),
                "location": str(p.location) if p.location is not None else None,
                "indicators": len(p.indicators),
            }
        )
        base = {**key, "unit_region": region, "unit_code": code, "unit_name": name, "year": doc.year}
        budget = _float(p.budget_total)
        for i, ind in enumerate(p.indicators, 1):
            if ind.year is None:
                ind.year = doc.year
            indicators.append(_indicator_row(base, p, budget, i, ind))
    return projects, indicators


def _document_row(
    sha256: str, path: str, size: int, status: str, message: str, seconds: float, doc: Disclosure | None
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(DOCUMENT_COLUMNS)
    row.update(
        sha256=sha256,
        path=path,
        size=size,
        status=status,
        message=message,
        seconds=round(seconds, 6),
        n_warnings=0,
        warnings="[]",
        projects=0,
        indicators=0,
    )
    if doc is not None:
        row.update(
            n_warnings=len(doc.warnings),
            warnings=json.dumps([w.to_dict() for w in doc.warnings], ensure_ascii=False),
            unit_code=doc.unit_code,
            unit_name=doc.unit_name,
            region=doc.region,
            year=doc.year,
            projects=len(doc.projects),
            indicators=sum(len(p.indicators) for p in doc.projects),
            overall_goal=doc.overall_goal,
            sub_goals=_json(
                [{"title": s.title, "goal": s.goal, "indicators": s.indicators} for s in doc.sub_goals]
            ),
            budget_overview=_json(asdict(doc.budget_overview)) if doc.budget_overview is not None else None,
        )
    return row


def failed_result(sha256: str, path: str, size: int, message: str, seconds: float = 0.0) -> DocumentResult:
    """The result of a document that could not be read or parsed."""
    return DocumentResult(_document_row(sha256, path, size, STATUS_FAILED, message, seconds, None))


def document_rows(
    data: bytes, path: str, *, year: int | None = None, sha256: str | None = None
) -> DocumentResult:
    """Parse one document's bytes into its rows and a status. Never raises: a file that cannot be
    read, or a parser error, becomes a `failed` document row with a Chinese message saying where and why."""
    from jixiao.ingest import ReadError, parse_bytes
    from jixiao.ingest.interpret import NoTargetTable

    sha = sha256 or content_hash(data)
    start = time.perf_counter()
    try:
        doc = parse_bytes(data, path, year=year)
    except NoTargetTable as e:  # readable, but no target table (a letter, a 自评表 …): not a failure
        seconds = time.perf_counter() - start
        return DocumentResult(
            _document_row(sha, path, len(data), STATUS_EMPTY, f"{path}: {e.message}", seconds, None), [], []
        )
    except ReadError as e:
        return failed_result(
            sha,
            path,
            len(data),
            f"{path}: {e.where()}无法读取：{e.message}",
            time.perf_counter() - start,
        )
    except Exception as e:  # a parser bug must not stop the corpus: record it and go on
        return failed_result(
            sha,
            path,
            len(data),
            f"{path}: 解析时出错（程序错误 {type(e).__name__}）：{e}",
            time.perf_counter() - start,
        )
    try:
        projects, indicators = disclosure_rows(doc, sha256=sha, path=path)
    except Exception as e:
        return failed_result(
            sha,
            path,
            len(data),
            f"{path}: 整理指标时出错（程序错误 {type(e).__name__}）：{e}",
            time.perf_counter() - start,
        )
    seconds = time.perf_counter() - start
    if not doc.projects:
        status, message = STATUS_EMPTY, f"{path}: 未找到项目绩效目标表"
    elif doc.warnings:
        status, message = STATUS_WARNINGS, f"{path}: {len(doc.warnings)} 条警告"
    else:
        status, message = STATUS_OK, ""
    return DocumentResult(
        _document_row(sha, path, len(data), status, message, seconds, doc), projects, indicators
    )
