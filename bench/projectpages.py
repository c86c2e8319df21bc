"""Every project page of the demo as each demo user sees it, to files: byte comparisons of the
project page before and after a change (`diff -r`), hostile texts included.

    python bench/projectpages.py load --database-url URL      # once: migrate, demo, hostile projects
    PYTHONPATH=OLD/src python bench/projectpages.py dump DIR_OLD --database-url URL
    PYTHONPATH=NEW/src python bench/projectpages.py dump DIR_NEW --database-url URL
    diff -r DIR_OLD DIR_NEW

`load` loads the demo (`jixiao demo`'s data and workflow) into an empty database, then edits two
projects through the actions with a hostile text (markup, quotes, entities, template syntax, a tab)
in every field the page shows, submits both, returns one with a hostile comment and three
findings attached, approves the other with a hostile reason. `dump` writes, for every user and
project, the page (GET), its ?suggest=1 and what failing posts render (a bad edit, a stale edit,
a suggestion inserted, submit, approve and return without what they need), each as its status
line and body with the CSRF tokens blanked; each post runs in a transaction rolled back, so the
database is the same for every dump. Use a database of its own (it is written to).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

HOSTILE = "<b>\"A&B'</b>:x{{ 1 }}{% if %}&amp;&#9;\t"
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')


def load() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jixiao.web import actions
    from jixiao.web.demo.load import load_demo
    from jixiao.web.lib.reviews import project_review
    from jixiao.web.models import Project, State, User

    load_demo()
    admin = User.objects.get(username="admin")
    reviewer = User.objects.get(username="reviewer")
    editable = Project.objects.filter(state__in=[State.DRAFT, State.RETURNED]).order_by("state", "id")
    for k, p in enumerate(list(editable)[:2]):
        rows = tuple(
            actions.IndicatorRow(
                id=i.pk,
                level1=HOSTILE if n % 3 == 0 else i.level1,
                level2=HOSTILE if n % 2 == 0 else i.level2,
                name=HOSTILE + (i.name or ""),
                description=HOSTILE,
                value=i.value if n % 2 else HOSTILE,
                basis=HOSTILE,
            )
            for n, i in enumerate(p.indicators.order_by("id"))
        )
        edit = actions.ProjectEdit(
            version=p.version,
            name=HOSTILE + (p.name or ""),
            code=HOSTILE,
            purpose=HOSTILE + "\n第二行",
            goal=HOSTILE,
            spending_plan={HOSTILE: "30%", "6月底": "60%"},
            indicators=rows,
        )
        p = actions.edit_project(admin, p.pk, edit)
        p = actions.submit_project(admin, p.pk, version=p.version)
        if k == 0:
            pf = project_review(p)
            keys = [f.key for f in pf.findings][:3] if pf else []
            actions.return_project(reviewer, p.pk, version=p.version, comment=HOSTILE, findings=keys)
        else:
            actions.approve_project(reviewer, p.pk, version=p.version, confirm_reason=HOSTILE + "理由")
    print("loaded", Project.objects.count(), "projects")


def _posts(pk: int, version: int) -> list[tuple[str, str, dict[str, object]]]:
    v = str(version)
    return [
        (
            "bad-edit",
            "edit",
            {
                "version": v,
                "name": HOSTILE,
                "budget_total": "abc" + HOSTILE,
                "rows": "2",
                "ind-0-name": HOSTILE,
                "ind-0-id": "",
                "plan-node": [HOSTILE],
                "plan-share": ["x"],
            },
        ),
        ("conflict-edit", "edit", {"version": "0", "name": HOSTILE, "rows": "0"}),
        ("insert", "edit", {"version": v, "rows": "0", "insert": f"{HOSTILE}\t产出指标\t{HOSTILE}\t≥1"}),
        ("submit", "submit", {"version": v}),
        ("approve", "approve", {"version": v}),
        ("return-empty", "return", {"version": v, "comment": ""}),
    ]


def dump(out: Path) -> None:
    import logging

    from django.db import transaction
    from django.test import Client

    from jixiao.web.lib import reviews
    from jixiao.web.models import Project, User

    logging.disable(logging.WARNING)  # the 4xx answers' log lines
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for user in User.objects.order_by("username"):
        client = Client()
        client.force_login(user)
        for p in Project.objects.order_by("id"):
            pages: list[tuple[str, str, dict[str, object] | None]] = [
                ("get", f"/projects/{p.pk}/", None),
                ("suggest", f"/projects/{p.pk}/?suggest=1", None),
            ]
            pages += [
                (tag, f"/projects/{p.pk}/{action}/", data) for tag, action, data in _posts(p.pk, p.version)
            ]
            for tag, path, data in pages:
                # the review caches outlive the rolled-back transactions: cleared, every page reads
                # its stored review row (or reviews again) as a worker's first request would
                reviews.clear_cache()
                with transaction.atomic():
                    r = client.get(path) if data is None else client.post(path, data)
                    body = r.content.decode()
                    transaction.set_rollback(True)
                body = CSRF.sub(r"\1-\2", body)
                (out / f"{user.username}_{p.pk}_{tag}.html").write_text(f"{r.status_code}\n{body}")
                n += 1
    print("dumped", n, "pages to", out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["load", "dump"])
    ap.add_argument("dir", nargs="?", type=Path, help="dump: the folder to write the pages to")
    ap.add_argument("--database-url", required=True)
    args = ap.parse_args(argv)
    if args.step == "dump" and args.dir is None:
        ap.error("dump needs a folder")
    os.environ.update(
        JIXIAO_DATABASE_URL=args.database_url, JIXIAO_DEBUG="0", JIXIAO_SECRET_KEY="projectpages-secret"
    )
    from jixiao.web import setup

    setup()
    if args.step == "load":
        load()
    else:
        dump(args.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
