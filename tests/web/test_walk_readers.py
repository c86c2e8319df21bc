"""What a reader (auditor, researcher, journalist) meets first: the address of the service leads to
the login page, which must lead on to the public pages that need no account."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_login_page_leads_a_reader_without_an_account_to_the_public_pages(demo):
    html = Client().get("/", follow=True).content.decode()
    assert "用户名" in html  # the address of the service asks for a login …
    for name in ("public_home", "public_search", "public_library"):
        from django.urls import reverse

        assert f'href="{reverse(name)}"' in html, name  # … and offers the public pages beside it
