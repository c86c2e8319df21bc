"""Every write of the web application, one module per concern: `imports` (disclosures, bulk
loads), `projects` (edit, workflow), `accounts` (users, tokens), `cycle` (monitoring and
self-evaluation), `workbooks` (filled templates), `corpus` (a corpus dataset into the database);
`common` holds the errors and the history record.

Each action checks permission, validates, writes in one transaction and records history. Pages,
the API, the admin and the CLI call these; nothing else saves models. `actor` None means the
command line acting as administrator. This module re-exports the actions (not `corpus`, which
loads Dask and Parquet on import).
"""

from __future__ import annotations

from jixiao.web.actions.accounts import (
    create_user,
    issue_token,
    password_errors,
    revoke_tokens,
    update_user,
    user_change_errors,
    user_for_token,
    why_no_units,
)
from jixiao.web.actions.common import (
    ActionError,
    Conflict,
    Invalid,
    NotFound,
)
from jixiao.web.actions.cycle import (
    MONITOR_ROW_FIELDS,
    SELFEVAL_ROW_FIELDS,
    DeviationEntry,
    MonitoringEntry,
    MonitoringRow,
    SelfEvalEntry,
    SelfEvalRow,
    above_budget,
    keep_cycle_summary,
    publish_selfeval,
    record_outcome,
    save_monitoring,
    save_selfeval,
    snapshot_revision,
    withdraw_selfeval,
)
from jixiao.web.actions.imports import (
    ImportResult,
    bulk_load,
    check_importable,
    get_or_create_unit,
    import_disclosure,
)
from jixiao.web.actions.projects import (
    INDICATOR_FIELDS,
    UNCHANGED,
    ConfirmationNeeded,
    DeletedProject,
    IndicatorRow,
    ProjectEdit,
    ReviewGate,
    approve_project,
    create_project,
    delete_project,
    describe_changes,
    edit_project,
    last_approval,
    return_project,
    review_gate,
    submit_project,
)
from jixiao.web.actions.workbooks import (
    WorkbookImport,
    import_cycle_workbook,
    parse_limits,
)
from jixiao.web.permissions import Denied

__all__ = [
    "INDICATOR_FIELDS",
    "MONITOR_ROW_FIELDS",
    "SELFEVAL_ROW_FIELDS",
    "UNCHANGED",
    "ActionError",
    "ConfirmationNeeded",
    "Conflict",
    "DeletedProject",
    "Denied",
    "DeviationEntry",
    "ImportResult",
    "IndicatorRow",
    "Invalid",
    "MonitoringEntry",
    "MonitoringRow",
    "NotFound",
    "ProjectEdit",
    "ReviewGate",
    "SelfEvalEntry",
    "SelfEvalRow",
    "WorkbookImport",
    "above_budget",
    "approve_project",
    "bulk_load",
    "check_importable",
    "create_project",
    "create_user",
    "delete_project",
    "describe_changes",
    "edit_project",
    "get_or_create_unit",
    "import_cycle_workbook",
    "import_disclosure",
    "issue_token",
    "keep_cycle_summary",
    "last_approval",
    "parse_limits",
    "password_errors",
    "publish_selfeval",
    "record_outcome",
    "return_project",
    "review_gate",
    "revoke_tokens",
    "save_monitoring",
    "save_selfeval",
    "snapshot_revision",
    "submit_project",
    "update_user",
    "user_change_errors",
    "user_for_token",
    "why_no_units",
    "withdraw_selfeval",
]
