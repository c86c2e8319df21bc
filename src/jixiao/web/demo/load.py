"""Loading the demo (`jixiao demo`, the web tests' `demo` fixture) through `actions`, as its users would.

The market bureau's 2023 disclosure is imported as published (已公开: last year's targets, with
their year-end self-evaluations); the 2024 tables as the units' drafts, then moved through the
workflow: most submitted by the unit and approved by the reviewer (those with monitoring), one
waiting for review, one returned, the health commission's left as drafts. A project whose review
has error findings is approved with the reviewer's reason, as the pages require. Loading again adds
only what is missing and says what was there already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jixiao.web.demo import DEMO_ACCOUNTS, demo_disclosures

# unit-years imported as published disclosures
PUBLISHED = {("999001", 2023)}
# (unit code, year, project seq) → the workflow step the demo takes the project through
APPROVE, SUBMIT, RETURN = "approve", "submit", "return"
WORKFLOW = {
    ("999001", 2024, 1): APPROVE,
    ("999001", 2024, 2): APPROVE,
    ("999001", 2024, 3): APPROVE,
    ("999001", 2024, 4): APPROVE,
    ("999001", 2024, 5): APPROVE,
    ("999001", 2024, 6): SUBMIT,
    ("999002", 2024, 1): APPROVE,
    ("999002", 2024, 2): APPROVE,
    ("999002", 2024, 3): RETURN,
}
# the unit accounts that act for each unit
UNIT_ACCOUNTS = {"999001": "unit", "999002": "edu"}
REVIEWER = "reviewer"
APPROVE_REASON = "资金已纳入年初预算且用途明确；审核指出的问题已与单位沟通，年中绩效目标调整时一并修改。"
RETURN_COMMENT = "成本指标“项目成本 ≤120万元”与预算数相同，请细化为单位成本；满意度调查方式请写明。"


def import_demo(actor: Any = None) -> list[tuple[bool, Any]]:
    """Import the demo disclosures, the published ones as published and the rest as drafts:
    (published, `ImportResult`) each."""
    from jixiao.web import actions

    out = []
    for doc in demo_disclosures():
        published = (doc.unit_code, doc.year) in PUBLISHED
        out.append((published, actions.import_disclosure(actor, doc, published=published)))
    return out


@dataclass
class DemoReport:
    """What loading the demo added, and what it found already there."""

    lines: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str, list[str], bool]] = field(default_factory=list)  # +created


def ensure_accounts() -> tuple[dict[str, Any], list[tuple[str, str, str, list[str], bool]]]:
    """The demo accounts, created when missing: ({username: user}, [(name, password, role, units,
    created)])."""
    from jixiao.web import actions
    from jixiao.web.models import User

    users: dict[str, Any] = {}
    rows = []
    for name, role, units, pw in DEMO_ACCOUNTS:
        user = User.objects.filter(username=name).first()
        created = user is None
        if user is None:
            # the demo's published passwords (admin123 …) are for the demo only: the one place that
            # skips the password validators
            user, _ = actions.create_user(
                None, name, role, unit_codes=units, password=pw, validate_password=False
            )
        users[name] = user
        rows.append((name, pw, role, units, created))
    return users, rows


def run_workflow(users: dict[str, Any]) -> dict[str, int]:
    """Take the demo's draft projects through `WORKFLOW`; counts by step, and "kept" for projects
    already past their draft."""
    from jixiao.web import actions
    from jixiao.web.models import Project, State

    done = {APPROVE: 0, SUBMIT: 0, RETURN: 0, "confirmed": 0, "kept": 0}
    reviewer = users.get(REVIEWER)
    for (code, year, seq), step in WORKFLOW.items():
        p = Project.objects.filter(unit__code=code, year=year, seq=seq).first()
        if p is None:
            continue
        if p.state != State.DRAFT:
            done["kept"] += 1
            continue
        unit_user = users.get(UNIT_ACCOUNTS[code])
        p = actions.submit_project(unit_user, p.pk, version=p.version)
        if step == APPROVE:
            reason = APPROVE_REASON if actions.review_gate(p).needs_reason else None
            actions.approve_project(reviewer, p.pk, version=p.version, confirm_reason=reason)
            done["confirmed"] += bool(reason)
        elif step == RETURN:
            actions.return_project(reviewer, p.pk, version=p.version, comment=RETURN_COMMENT)
        done[step] += 1
    return done


def load_demo() -> DemoReport:
    """Everything `jixiao demo` loads, into the configured database; what was added and what was
    there already, in Chinese lines."""
    from jixiao.web.demo.cycle import load_demo_cycle

    report = DemoReport()
    for published, r in import_demo():
        state = "（已公开）" if published else "（草稿）"
        if r.created and not r.updated:
            line = f"新增 {r.created} 个项目、{r.indicators} 个指标{state}"
        elif not r.created:
            changed = r.updated - r.unchanged
            line = f"已有 {r.updated} 个项目" + (f"，更新 {changed} 个" if changed else "，未变")
        else:
            line = f"新增 {r.created} 个项目，已有 {r.updated} 个"
        report.lines.append(f"载入 {r.unit} {r.year} 年：{line}")
    users, report.accounts = ensure_accounts()
    made = sum(1 for a in report.accounts if a[4])
    kept = len(report.accounts) - made
    report.lines.append(f"账号：新增 {made} 个" + (f"，已有 {kept} 个（密码未改）" if kept else ""))
    wf = run_workflow(users)
    moved = wf[APPROVE] + wf[SUBMIT] + wf[RETURN]
    report.lines.append(
        f"审核流程：批复 {wf[APPROVE]} 个项目（其中 {wf['confirmed']} 个有审核问题，审核人填写理由后批复），"
        f"待审核 {wf[SUBMIT]} 个，退回 {wf[RETURN]} 个"
        if moved
        else f"审核流程：{wf['kept']} 个项目已处理过，未变"
    )
    actors = {code: users.get(name) for code, name in UNIT_ACCOUNTS.items()}
    c = load_demo_cycle(actors=actors, publisher=users.get(REVIEWER))
    kept = f"，已有 {c.snapshots_kept} 个" if c.snapshots_kept else ""
    kept_se = f"，已有 {c.evaluations_kept} 个" if c.evaluations_kept else ""
    report.lines.append(
        f"运行监控：新增 {c.snapshots} 个项目{kept}；绩效自评：新增 {c.evaluations} 个项目{kept_se}"
        + (f"（其中 {c.published} 个已公开）" if c.published else "")
        + (f"；{c.skipped} 个项目的目标未批复，未填报" if c.skipped else "")
    )
    return report
