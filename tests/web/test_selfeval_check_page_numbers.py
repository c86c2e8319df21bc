"""POST /api/selfeval/check/page with a number the scorer cannot compute with: a 400 in Chinese,
not the decimal module's `[<class 'decimal.InvalidOperation'>]`."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db
LANGFANG = Path("/work/shared/field/batch1/13_langfang_shipinxuexiao_selfeval.txt")


@pytest.mark.skipif(not LANGFANG.exists(), reason="field set not present")
def test_a_number_past_the_scorers_reach_is_refused_in_chinese(clients):
    lines = LANGFANG.read_text("utf-8").split("\n")
    lines[450] = "1" + "0" * 29  # 学生满意度's actual: 30 digits
    data = "\n".join(lines).encode()
    r = clients["market"].post("/api/selfeval/check/page", {"file": SimpleUploadedFile("page.txt", data)})
    assert r.status_code == 400, r.content[:300]
    body = r.json()
    assert "page.txt" in body["detail"] and "无法按方法复算" in body["detail"]
    assert "class" not in body["detail"] and "decimal" not in str(body), body
