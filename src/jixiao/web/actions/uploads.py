"""Uploaded disclosures: size checked first, parsed within bounds, then imported all or nothing."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.urls import reverse

from jixiao.web import actions
from jixiao.web.models import Disclosure, Unit
from jixiao.web.permissions import (
    Denied,
)

ALLOWED_SUFFIXES = (".txt", ".docx", ".xlsx", ".html", ".htm", ".pdf")


def upload_too_large(name: str, size: int | None) -> dict[str, Any] | None:
    """The result for an uploaded file whose declared size is over the limit (checked before the
    file is read into memory), else None."""
    if (size or 0) <= settings.MAX_UPLOAD_MB * 1024 * 1024:
        return None
    return {
        "file": name,
        "ok": False,
        "warnings": [],
        "errors": [f"{name}: 文件超过 {settings.MAX_UPLOAD_MB} MB 的上限"],
    }


def beyond_file_limit(names: list[str]) -> list[dict[str, Any]]:
    """The results for the files of one request beyond the per-request limit (not read, not
    imported), so that none of them is dropped without a word."""
    from jixiao.web.middleware import MAX_FILES_PER_REQUEST

    n = MAX_FILES_PER_REQUEST
    return [
        {
            "file": name,
            "ok": False,
            "warnings": [],
            "errors": [f"{name}: 一次最多导入 {n} 个文件，本文件未导入，请另行上传"],
        }
        for name in names[n:]
    ]


class ParseBudget:
    """The time one request may spend parsing and importing its files: the limit of one file
    (JIXIAO_PARSE_TIMEOUT) in all, counted from the first. Each file is bounded on its own, but 20
    files of 30 s each held a server thread for ten minutes; past the budget the page hands the
    files left to background tasks and the API reports them not imported (`budget_spent`)."""

    def __init__(self) -> None:
        self.limit = float(settings.JIXIAO_PARSE_TIMEOUT)
        self.start = time.monotonic()

    def spent(self) -> bool:
        return time.monotonic() - self.start >= self.limit


def budget_spent(name: str, budget: ParseBudget) -> dict[str, Any]:
    """The result for a file not read because the request's parse time was spent."""
    return {
        "file": name,
        "ok": False,
        "warnings": [],
        "errors": [f"{name}: 本次上传的解析时间已用完（{budget.limit:g} 秒），本文件未导入，请另行上传"],
    }


def import_upload(
    user: Any, name: str, data: bytes, *, unit: Unit | None, year: int | None, confirm_unit: bool = False
) -> dict[str, Any]:
    """Parse and store one uploaded file; a result dict for the page and the API (never raises).

    `unit`: the unit chosen for the file, which the file must name unless an administrator confirms
    (`confirm_unit`). `dropped` lists what the stored unit-year had and the file does not."""
    from jixiao.ingest import ReadError
    from jixiao.ingest.bounded import parse_bounded

    res: dict[str, Any] = {"file": name, "ok": False, "errors": [], "warnings": []}
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        res["errors"].append(f"{name}: 不支持的文件类型（可上传 .txt .docx .xlsx .html .pdf）")
        return res
    if len(data) > limit:
        res["errors"].append(f"{name}: 文件超过 {settings.MAX_UPLOAD_MB} MB 的上限")
        return res
    try:
        doc = parse_bounded(data, name, year=year, limits=actions.parse_limits())
    except ReadError as e:
        res["errors"].append(e.describe())
        return res
    except Exception as e:  # the parser must not take the page down
        res["errors"].append(f"{name}: 无法解析此文件（{type(e).__name__}）")
        return res
    res["warnings"] = [str(w) for w in doc.warnings]
    try:
        r = actions.import_disclosure(user, doc, unit=unit, year=doc.year or year, confirm_unit=confirm_unit)
    except (actions.ActionError, Denied) as e:
        message = getattr(e, "message", str(e))
        # most of the import's refusals name the document already (`doc.source`: this file)
        res["errors"].append(message if message.startswith(f"{name}: ") else f"{name}: {message}")
        return res
    res.update(
        {
            "ok": True,
            "unit": r.unit,
            "year": r.year,
            "created": r.created,
            "updated": r.updated,
            "indicators": r.indicators,
            "disclosure_id": r.disclosure_id,
            "unchanged": r.unchanged,
            "dropped": r.dropped,
        }
    )
    d = Disclosure.objects.filter(pk=r.disclosure_id).first()
    if d is not None and d.year:
        res["url"] = reverse("unit_year", args=[d.unit_id, d.year])
    return res
