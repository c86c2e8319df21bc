"""What an administrator reads in the admin's lists: a stored review result names its unit-year and
project (or says it is the unit-year's own row) instead of 「1/None 」."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_review_results_are_named_without_none(clients, demo):
    from jixiao.web.models import ReviewResult

    rows = list(ReviewResult.objects.all())
    assert rows and any(r.project_id is None for r in rows)
    for r in rows:
        assert "None" not in str(r), str(r)
    whole = next(r for r in rows if r.project_id is None)
    assert "跨项目" in str(whole)
    html = clients["admin"].get("/admin/web/reviewresult/").content.decode()
    assert "/None" not in html
