"""Everything a user reads is Chinese (issue 12, item 3).

Walks every named page as each role (anonymous, admin, reviewer, two unit users) with the demo's
real objects, the admin's index, app lists, changelists and change forms, /api/docs and the OpenAPI
tags, the API's error answers (401, 403, 404, 405, 422 and 400 validation, bad JSON, a failed CSRF
check, 409), the readers' messages on the upload page and `jixiao --help` with every subcommand's
help, and fails on English words in what a user reads: visible text nodes and the title,
placeholder, aria-label and alt attributes of the pages, the `detail` and `msg` values of JSON
bodies. Identifiers, codes, file names and numbers with units (JX401, jx_AbCd, a.docx, 20MB) are
not words; a short allow-list names the few English terms a Chinese user reads as they are.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao.web import actions
from jixiao.web.models import Disclosure, Project, Unit

pytestmark = pytest.mark.django_db

# English a Chinese user reads as it is: the product, formats, protocols, the demo's user names
ALLOW = {
    "jixiao",
    "api",
    "pdf",
    "excel",
    "word",
    "id",
    "html",
    "json",
    "xml",
    "csv",
    "zip",
    "multipart",
    "openapi",
    "swagger",
    "sqlite",
    "postgresql",
    "libreoffice",  # programs named in help texts
    "soffice",
    "dask",
    "parquet",
    "gunicorn",
    "waitress",
    "ocr",
    "utf",
    "csrf",
    "http",
    "https",
    "url",
    "cookie",
    "bearer",
    "authorization",
    "token",
    "content",
    "type",  # the Content-Type header, named in a message
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "ip",
    "sha",
    "mb",
    "kb",
    "gb",
    "ctrl",
    "control",  # keys: 「按住 Control 键或 Mac 上的 Command 键」
    "command",
    "mac",
    "mozilla",  # a browser's User-Agent (data)
    "linux",
    "true",
    "false",
    "null",
    "km",
    "kg",
    "admin",  # the demo's accounts (data, not interface)
    "reviewer",
    "market",
    "edu",
    "health",
}
_RUN = re.compile(r"[A-Za-z0-9_./:@#%+\-&=?~'’!$]+")
_WORD = re.compile(r"[A-Za-z]{2,}(?:['’][a-z]+)?")
_ABBREVIATION = re.compile(r"[A-Z]{2,3}")  # JX, XX (a template's placeholder), MB, ID
_CAMEL = re.compile(r"[A-Za-z][a-z]+[A-Z][A-Za-z]*")  # KeyError, BadZipFile: a class name


def english_words(text: str, identifiers: Iterable[str] = ()) -> list[str]:
    """The English words in `text`: runs of letters only (a run with a digit, '_', '/', ':', a
    leading '.' or '-' … is an identifier, a code, a file name, an option or an address), outside
    the allow-list, the two- and three-letter capitals and the given `identifiers` (the API's
    parameter and field names, which its messages name)."""
    known = set(identifiers)
    out = []
    for run in _RUN.findall(text):
        run = run.rstrip(".:/'’-?#!")
        if not _WORD.fullmatch(run) or _ABBREVIATION.fullmatch(run) or _CAMEL.fullmatch(run):
            continue
        if run.lower() not in ALLOW and run.lower().removesuffix("s") not in ALLOW and run not in known:
            out.append(run)
    return out


def _is_data(text: str) -> bool:
    """Stored JSON shown as it is (the admin's read-only JSON fields): machine data, not sentences."""
    t = text.strip()
    if not t or t[0] not in "[{":
        return False
    try:
        json.loads(t)
    except ValueError:
        return False
    return True


class _Visible(HTMLParser):
    """The text a user reads on a page: text nodes outside script/style, and the attributes a
    browser shows (title, placeholder, aria-label, alt, a button's value)."""

    # not read as sentences: scripts, styles, what the user typed, and commands or code to type
    HIDDEN: ClassVar[set[str]] = {
        "script",
        "style",
        "noscript",
        "template",
        "textarea",
        "code",
        "kbd",
        "samp",
        "pre",
    }
    VOID: ClassVar[set[str]] = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name in ("title", "placeholder", "aria-label", "alt"):
            if a.get(name):
                self.texts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button", "reset") and a.get("value"):
            self.texts.append(a["value"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not (self.HIDDEN & set(self.stack)):
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    p = _Visible()
    p.feed(html)
    p.close()
    return [t for t in p.texts if not _is_data(t)]


def json_texts(data: Any) -> Iterator[str]:
    """The `detail` and `msg` values anywhere in a JSON body."""
    if isinstance(data, dict):
        for k, v in data.items():
            if k in ("detail", "msg") and isinstance(v, str):
                yield v
            else:
                yield from json_texts(v)
    elif isinstance(data, list):
        for v in data:
            yield from json_texts(v)


def problems_in(label: str, response: Any, identifiers: Iterable[str] = ()) -> list[str]:
    """'label: word … in «text»' for every English word in the response's user-facing text."""
    ctype = response.get("Content-Type", "")
    body = response.content.decode("utf-8", "replace")
    if "json" in ctype:
        texts = list(json_texts(json.loads(body)))
    elif "html" in ctype or "text/plain" in ctype:
        texts = visible_texts(body) if "html" in ctype else [body]
    else:
        return []  # a download (.xlsx, .docx, .pdf)
    out = []
    for t in texts:
        words = english_words(t, identifiers)
        if words:
            out.append(f"{label}: {' '.join(words)} in «{' '.join(t.split())[:160]}»")
    return out


def _report(problems: list[str]) -> str:
    unique = list(dict.fromkeys(problems))
    return f"{len(unique)} texts with English words:\n" + "\n".join(unique[:60])


# ------------------------------------------------------------------------------- the detector itself


def test_the_detector_finds_english_and_spares_identifiers() -> None:
    assert english_words("Choose 所属单位 by selecting them") == ["Choose", "by", "selecting", "them"]
    assert english_words("the file is empty") == ["the", "file", "is", "empty"]
    assert english_words("Field required") == ["Field", "required"]
    assert english_words("PREFIX CREATED LAST USED") == ["PREFIX", "CREATED", "LAST", "USED"]
    for fine in (
        "JX401 a.docx 第 3 行",
        "jx_AbCd",
        "20MB 上限",
        "上传 PDF、Excel 或 Word",
        "Sheet1!B7",
        "ID",
        "文件（.txt .docx）",
        "“XX项目完成率”",
        "--history",
    ):
        assert english_words(fine) == [], fine
    texts = visible_texts(
        '<p title="Delete">删除</p><script>var a = "English"</script><code>jixiao rules</code>'
        '<input type="submit" value="Save"><input type="text" value="typed by the user">'
        '<div class="readonly">{"kind": "percent"}</div>'
    )
    assert texts == ["Delete", "删除", "Save"]


# ------------------------------------------------------------------------------------------ the world


@pytest.fixture
def world(users, demo) -> dict[str, Any]:
    """The demo with its monitoring and self-evaluation, a token, an outcome: every page has content."""
    from jixiao.web.demo.cycle import load_demo_cycle

    load_demo_cycle()
    actions.issue_token(None, "market")
    return {"users": users, "demo": demo}


def _clients(users: dict[str, Any]) -> dict[str, Client]:
    out = {"anonymous": Client()}
    for name, user in users.items():
        c = Client()
        c.force_login(user)
        out[name] = c
    return out


def page_urls() -> list[str]:
    """Every named page with real objects: units, unit-years, projects and their forms, lists."""
    urls = [
        reverse("units"),
        reverse("login"),
        reverse("search"),
        reverse("search") + "?q=满意度",
        reverse("search") + "?q=nothing-matches-this",
        reverse("review_ranking"),
        reverse("review_rules"),
        reverse("upload"),
        reverse("monitoring_list"),
        reverse("cycle_upload"),
        "/no/such/page/",
        "/units/999999/",
        "/projects/999999/",
    ]
    for unit in Unit.objects.all():
        urls.append(reverse("unit", args=[unit.pk]))
    for d in Disclosure.objects.all():
        urls.append(reverse("unit_year", args=[d.unit_id, d.year]))
        urls.append(reverse("unit_year", args=[d.unit_id, d.year]) + "?sort=score")
    for p in Project.objects.all():
        urls += [
            reverse("project", args=[p.pk]),
            reverse("project_monitor", args=[p.pk]),
            reverse("project_selfeval", args=[p.pk]),
        ]
    return urls


def admin_urls() -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    apps = set()
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        apps.add(meta.app_label)
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[first.pk]))
        if model_admin.has_add_permission(_AdminRequest()):
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    urls += [reverse("admin:app_list", args=[a]) for a in sorted(apps)]
    # the filters as a user clicks them
    urls.append(reverse("admin:web_indicator_changelist") + "?target_kind=percent")
    urls.append(reverse("admin:web_project_changelist") + "?q=经费")
    return urls


class _AdminRequest:
    """Enough of a request for has_add_permission (the admin's own check reads request.user)."""

    class user:
        is_active = is_staff = is_superuser = True
        is_admin_role = True

        @staticmethod
        def has_perm(perm: str, obj: Any = None) -> bool:
            return True


def test_every_page_as_every_role_is_chinese(world) -> None:
    clients = _clients(world["users"])
    urls = page_urls()
    problems: list[str] = []
    seen = 0
    for role, c in clients.items():
        for url in urls:
            r = c.get(url)
            assert r.status_code < 500, (role, url, r.status_code)
            if r.status_code in (301, 302):
                continue
            seen += 1
            problems += problems_in(f"{role} {url} ({r.status_code})", r)
    assert seen > 100
    assert not problems, _report(problems)


def test_every_admin_page_is_chinese(world) -> None:
    c = _clients(world["users"])["admin"]
    # a login lock-out record, so that the login-throttling lists have rows and change forms
    from axes.models import AccessLog

    from tests.web.conftest import PASSWORD

    # the login records as a browser leaves them (force_login leaves them without a user agent)
    AccessLog.objects.all().delete()
    browser = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64)", "HTTP_ACCEPT": "text/html"}
    Client().post(reverse("login"), {"username": "admin", "password": "wrong"}, **browser)
    Client().post(reverse("login"), {"username": "reviewer", "password": PASSWORD}, **browser)
    problems: list[str] = []
    for url in admin_urls():
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code)
        problems += problems_in(url, r)
    r = Client().get(reverse("admin:login"))
    problems += problems_in("anonymous admin login", r)
    assert not problems, _report(problems)


def _admin_js_texts() -> set[str]:
    """The texts the admin's scripts pass to gettext (the filter_horizontal widget, calendars …)."""
    import django.contrib.admin

    root = Path(django.contrib.admin.__file__).parent / "static" / "admin" / "js"
    found = set()
    for f in root.rglob("*.js"):
        if "vendor" in f.parts or f.name.endswith(".min.js"):
            continue
        src = f.read_text(encoding="utf-8")
        for m in re.finditer(r"""gettext\(\s*(['"])((?:\\.|(?!\1).)*)\1\s*\)""", src):
            found.add(m.group(2).replace("\\'", "'").replace('\\"', '"'))
    return found


def test_the_admin_javascript_catalog_translates_every_admin_script_text(world) -> None:
    """「Choose 所属单位 by selecting them…」, 「Choose all / Remove all」 came from texts Django's own
    zh_Hans catalog lacks; /admin/jsi18n/ must translate every text the admin's scripts show."""
    c = _clients(world["users"])["admin"]
    body = c.get(reverse("admin:jsi18n")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S).group(1))
    texts = _admin_js_texts()
    assert 'Choose %s by selecting them and then select the "Choose" arrow button.' in texts
    assert "Choose all %s" in texts and "Remove all %s" in texts
    missing = sorted(t for t in texts if t not in catalog)
    assert not missing, missing
    assert catalog["Choose all %s"] == "全选%s"
    # and the user form with the widget names its units in Chinese
    user = world["users"]["market"]
    html = c.get(reverse("admin:web_user_change", args=[user.pk])).content.decode()
    assert "所属单位" in html and "/admin/jsi18n/" in html


def test_api_token_columns_and_user_units_are_chinese(world) -> None:
    c = _clients(world["users"])["admin"]
    html = c.get(reverse("admin:web_apitoken_changelist")).content.decode()
    texts = " ".join(visible_texts(html))
    for label in ("令牌前缀", "创建时间", "最近使用时间", "用户"):
        assert label in texts, label
    html = c.get(reverse("admin:web_project_changelist")).content.decode()
    assert "预算单位" in " ".join(visible_texts(html))


# ----------------------------------------------------------------------------------------- the API


def _api(c: Client, method: str, url: str, body: Any = None, raw: str | None = None, **kw: Any) -> Any:
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    if data is None:
        return getattr(c, method)(url, **kw)
    return getattr(c, method)(url, data=data, content_type="application/json", **kw)


def api_identifiers(c: Client) -> set[str]:
    """The names of the API's parameters and fields (its error messages and summaries name them)."""
    spec = c.get("/api/openapi.json").json()
    names = {p["name"] for op in _operations(spec) for p in op.get("parameters", [])}

    def properties(node: Any) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties") or {})
            for v in node.values():
                properties(v)
        elif isinstance(node, list):
            for v in node:
                properties(v)

    properties(spec)
    return {part for name in names for part in re.split(r"[_.]", name)} | names


def test_every_api_error_answer_is_chinese(world, market_project, edu_project) -> None:
    clients = _clients(world["users"])
    identifiers = api_identifiers(clients["reviewer"])
    assert {"limit", "offset", "version", "goal"} <= identifiers
    market, reviewer = clients["market"], clients["reviewer"]
    p = market_project
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world["users"]["market"])
    cases = [
        (401, Client(), "get", "/api/projects", None, None, {}),
        (401, Client(), "get", "/api/projects", None, None, {"HTTP_AUTHORIZATION": "Bearer nonsense"}),
        (403, market, "post", f"/api/projects/{p.pk}/approve", {"version": p.version}, None, {}),
        (404, market, "get", f"/api/projects/{edu_project.pk}", None, None, {}),
        (404, market, "get", "/api/projects/999999999", None, None, {}),
        (404, market, "get", "/api/no/such/endpoint", None, None, {}),
        (405, market, "delete", "/api/units", None, None, {}),
        (405, market, "put", f"/api/projects/{p.pk}", {"version": 1}, None, {}),
        (422, market, "get", "/api/projects?limit=many&offset=-1", None, None, {}),
        (422, market, "get", "/api/projects/not-a-number", None, None, {}),
        (422, market, "patch", f"/api/projects/{p.pk}", {"goal": 5, "version": "x"}, None, {}),
        (422, market, "post", f"/api/projects/{p.pk}/monitoring", {}, None, {}),
        (400, market, "patch", f"/api/projects/{p.pk}", None, '{"version": 1,', {}),
        (
            400,
            market,
            "patch",
            f"/api/projects/{p.pk}",
            {"version": p.version, "budget_total": "x"},
            None,
            {},
        ),
        (403, csrf_client, "patch", f"/api/projects/{p.pk}", {"version": p.version, "goal": "x"}, None, {}),
        (409, market, "patch", f"/api/projects/{p.pk}", {"version": p.version + 5, "goal": "x"}, None, {}),
        (403, reviewer, "patch", f"/api/projects/{p.pk}", {"version": p.version, "goal": "x"}, None, {}),
    ]
    problems: list[str] = []
    for status, c, method, url, body, raw, extra in cases:
        r = _api(c, method, url, body, raw, **extra)
        label = f"{method.upper()} {url} → {r.status_code}"
        assert r.status_code == status, (label, r.content[:300])
        assert "json" in r["Content-Type"], (label, r["Content-Type"])
        data = r.json()
        detail = data.get("detail")
        assert isinstance(detail, str) and re.search(r"[\u4e00-\u9fff]", detail), (label, data)
        for err in data.get("errors") or []:
            if isinstance(err, dict) and "loc" in err:  # machine-readable fields kept, a Chinese msg added
                assert err.get("type") and re.search(r"[\u4e00-\u9fff]", err.get("msg", "")), (label, err)
        problems += problems_in(label, r, identifiers)
    assert not problems, _report(problems)


def test_a_validation_error_keeps_loc_and_type_and_says_what_is_wrong(world, market_project) -> None:
    c = _clients(world["users"])["market"]
    r = c.post(f"/api/projects/{market_project.pk}/monitoring", data="{}", content_type="application/json")
    assert r.status_code == 422
    data = r.json()
    missing = [e for e in data["errors"] if e["type"] == "missing"]
    assert missing and all(e["loc"][0] == "body" for e in missing)
    assert all("不能缺少" in e["msg"] for e in missing) and "不能缺少" in data["detail"]


def test_openapi_tags_and_summaries_are_chinese(world) -> None:
    c = _clients(world["users"])["reviewer"]
    spec = c.get("/api/openapi.json").json()
    identifiers = api_identifiers(c)
    tags = {t for op in _operations(spec) for t in op.get("tags", [])}
    assert tags and not [t for t in tags if english_words(t)], tags
    summaries = [op.get("summary", "") for op in _operations(spec)]
    assert summaries and not [s for s in summaries if english_words(s, identifiers) or not s], summaries
    descriptions = [op.get("description", "") for op in _operations(spec)]  # Swagger shows them
    assert not [d for d in descriptions if english_words(re.sub(r"`[^`]*`", " ", d), identifiers)]
    problems = problems_in("/api/docs", c.get("/api/docs"))
    assert not problems, _report(problems)


def _operations(spec: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for item in spec["paths"].values():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield op


# ------------------------------------------------------------------------ page errors and uploads


def test_page_error_answers_are_chinese(world, market_project) -> None:
    clients = _clients(world["users"])
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world["users"]["market"])
    cases = [
        (404, clients["market"].get("/no/such/page/")),
        (404, clients["market"].get(reverse("project", args=[999999]))),
        (405, clients["market"].get(reverse("project_transition", args=[market_project.pk, "submit"]))),
        (403, csrf_client.post(reverse("project_edit", args=[market_project.pk]), {"version": "1"})),
        (403, Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "a", "password": "b"})),
    ]
    problems: list[str] = []
    for status, r in cases:
        assert r.status_code == status, (status, r.status_code)
        text = " ".join(visible_texts(r.content.decode()))
        assert re.search(r"[\u4e00-\u9fff]", text), (status, text)
        problems += problems_in(f"page {status}", r)
    assert not problems, _report(problems)


# what users upload by mistake: each file, and what the message must say
BAD_FILES = [
    ("empty.txt", b"", "文件为空"),
    ("picture.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "不是 PDF 文件：内容是 PNG 图片"),
    ("binary.txt", b"abc\x00def\x00" * 20, "二进制"),
    ("broken.docx", b"PK\x03\x04 not really a zip archive", ".docx 文件"),
    ("random.docx", bytes(range(256)) * 4, "不是有效的 Word（.docx）文件"),  # not 「不是文本文件」
    ("broken.xlsx", b"PK\x03\x04" + bytes(30), ""),
    ("page.html", b"<html><body></body></html>", "HTML"),
    ("notes.txt", "只有一句话，不是绩效目标表。".encode(), ""),
    ("picture.png", b"\x89PNG\r\n\x1a\n", "不支持"),
]


def test_the_readers_messages_on_the_upload_page_are_chinese_and_say_where(world) -> None:
    c = _clients(world["users"])["admin"]
    unit = world["demo"]["999001"]
    problems: list[str] = []
    for name, data, words in BAD_FILES:
        r = c.post(
            reverse("upload"), {"files": SimpleUploadedFile(name, data), "unit": unit.code, "year": "2024"}
        )
        assert r.status_code in (200, 400), (name, r.status_code)
        text = " ".join(visible_texts(r.content.decode()))
        assert name in text and words in text, (name, text[-600:])
        problems += problems_in(f"upload {name}", r)
        r = c.post("/api/import", {"files": SimpleUploadedFile(name, data)})
        body = json.dumps(r.json(), ensure_ascii=False)
        errors = [e for f in r.json() for e in f.get("errors", [])] if isinstance(r.json(), list) else []
        for e in errors:
            if english_words(e):
                problems.append(f"api import {name}: {' '.join(english_words(e))} in «{e}»")
        assert r.status_code < 500, (name, body)
    assert not problems, _report(problems)


def test_a_binary_file_names_the_line_in_chinese(world) -> None:
    c = _clients(world["users"])["admin"]
    r = c.post(reverse("upload"), {"files": SimpleUploadedFile("binary.txt", b"line one\nline\x00two\n")})
    text = " ".join(visible_texts(r.content.decode()))
    assert "binary.txt" in text and "第 2 行" in text and "二进制内容" in text, text[-400:]


def test_form_errors_are_chinese(world, market_project) -> None:
    c = _clients(world["users"])["market"]
    p = market_project
    problems: list[str] = []
    for url, data in [
        (reverse("project_edit", args=[p.pk]), {"version": str(p.version), "budget_total": "x", "rows": "0"}),
        (reverse("project_edit", args=[p.pk]), {"version": "999", "name": "x", "rows": "0"}),
        (reverse("project_monitor", args=[p.pk]), {"as_of": "not a date", "executed": "-5"}),
        (reverse("project_selfeval", args=[p.pk]), {"budget_adjusted": "x", "budget_executed": ""}),
    ]:
        r = c.post(url, data)
        assert r.status_code < 500, (url, r.status_code)
        problems += problems_in(f"POST {url} ({r.status_code})", r)
    assert not problems, _report(problems)


# --------------------------------------------------------------------------------------------- CLI


def _subparsers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub
                for inner, subsub in _subparsers(sub):
                    yield f"{name} {inner}", subsub


def cli_identifiers(parser: argparse.ArgumentParser) -> set[str]:
    """What the user types: command names, choices, positional names (they stand in help as they are)."""
    names: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            names |= set(action.choices)
            for sub in action.choices.values():
                names |= cli_identifiers(sub)
        else:
            names |= {str(c) for c in action.choices or ()}
            if not action.option_strings:
                names.add(action.dest)
    return names


def _cli_problems(label: str, text: str, identifiers: Iterable[str] = ()) -> list[str]:
    out = []
    for line in text.splitlines():
        # option names, metavars, choice lists and `commands` are what the user types
        plain = re.sub(r"(?<![\w-])--?[\w-]+|\b[A-Z][A-Z_]{1,}\b|\{[^}]*\}|`[^`]*`|\[[^\]]*\]", " ", line)
        words = english_words(plain, identifiers)
        if words:
            out.append(f"{label}: {' '.join(words)} in «{line.strip()}»")
    return out


def test_cli_help_of_every_command_is_chinese(capsys) -> None:
    from jixiao.cli.main import build_parser, main

    parser = build_parser()
    problems: list[str] = []
    identifiers = cli_identifiers(parser)
    commands = [("", parser), *_subparsers(parser)]
    assert len(commands) > 15
    for name, _sub in commands:
        with pytest.raises(SystemExit) as e:
            main([*name.split(), "--help"])
        assert e.value.code == 0
        out = capsys.readouterr().out
        assert "用法" in out and "显示帮助并退出" in out, (name, out[:300])
        problems += _cli_problems(f"jixiao {name} --help".replace("  ", " "), out, identifiers)
    with pytest.raises(SystemExit) as e:
        main(["parse"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "缺少必需的参数" in err, err
    problems += _cli_problems("jixiao parse (no files)", err, identifiers)
    with pytest.raises(SystemExit):
        main(["no-such-command"])
    err = capsys.readouterr().err
    assert "无效的选项" in err or "无效的命令" in err, err
    problems += _cli_problems("jixiao no-such-command", err, identifiers)
    assert not problems, _report(problems)


def test_user_list_output_is_chinese(world, capsys) -> None:
    from jixiao.cli.web import cmd_user_list

    assert cmd_user_list(argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "用户名" in out and "角色" in out and "market" in out
    problems = _cli_problems("jixiao user list", out)
    assert not problems, _report(problems)
