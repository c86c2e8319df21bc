"""Schema-driven fuzzing of the JSON API (issue 9, item 8): schemathesis generates requests from
/api/openapi.json, valid ones and ones that break the schema (wrong types, huge integers, missing
fields, odd strings), and sends each as every role (a Bearer token per account) to the app in
process; no answer may be a server error.

Bounded for the suite: JIXIAO_API_FUZZ_EXAMPLES cases (default 300, each sent as 4 roles), the same
cases every run. A longer run is the same test with a larger number and fresh random cases, e.g.
    JIXIAO_API_FUZZ_EXAMPLES=5000 JIXIAO_API_FUZZ_RANDOM=1 pytest -q tests/web/test_api_fuzz.py -s
which prints the number of requests and the status codes seen. `python bench/api_fuzz.py` fuzzes a
real `jixiao serve` with the schemathesis command line instead.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.web import actions

schemathesis = pytest.importorskip("schemathesis")

from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

EXAMPLES = int(os.environ.get("JIXIAO_API_FUZZ_EXAMPLES", "300"))
ROLES = ("admin", "reviewer", "market", "edu")


@pytest.fixture
def in_process_app():
    """The WSGI app called in this thread (inside the test's transaction, like Django's test client:
    the request signals must not close the test's connection)."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_api_answers_every_generated_request_without_a_server_error(users, in_process_app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", in_process_app)
    tokens = {name: actions.issue_token(None, users[name].username) for name in ROLES}
    cases = st.one_of(
        schema.as_strategy(generation_mode=GenerationMode.POSITIVE),
        schema.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    seen: Counter[int] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not os.environ.get("JIXIAO_API_FUZZ_RANDOM"),  # the same cases each run unless set
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def fuzz(case):
        for name in ROLES:
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {tokens[name]}"}, checks=[not_a_server_error]
            )
            seen[response.status_code] += 1

    fuzz()
    total = sum(seen.values())
    print(f"\nAPI fuzz: {total} requests, status codes {dict(sorted(seen.items()))}")
    assert total >= EXAMPLES  # every case was sent, as each role
    assert not any(code >= 500 for code in seen)
