"""Review settings: which rules run, at which severity, with which thresholds — per deployment and
per unit. Read from a TOML file; the defaults follow national practice.

```toml
[rules]
disable = ["JX503"]              # rules switched off everywhere
[rules.severity]
JX501 = "hint"                   # severity overrides
[thresholds]
satisfaction_unrealistic_at = 100
copied_set_similarity = 0.75
[outcome]
unusable_share = 0.5

[units."414001"]                 # a unit, by code or by name as printed
disable = ["JX103"]
enable = ["JX503"]               # re-enable what the deployment switched off
[units."414001".severity]
JX305 = "hint"
[units."414001".thresholds]
satisfaction_low_below = 85
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jixiao.oserror import os_reason
from jixiao.review.findings import SEVERITIES

# Outcome defaults (see jixiao.review.engine.outcome): a score of 100 less the severity-weighted
# share of the table that findings touch; 优 from `good_from` (and no error), 良 from `fair_from`,
# else 中; 差 only when more than `unusable_share` of the indicators have no usable target (or there
# is no 产出指标, no indicator at all). Weights: what one finding on one indicator costs, and what a
# finding on the project as a whole costs (`project_weight` × its severity weight).
OUTCOME_DEFAULTS: dict[str, Any] = {
    "good_from": 90,
    "fair_from": 70,
    "unusable_share": 0.5,
    "error_weight": 1.0,
    "warning_weight": 0.35,
    "hint_weight": 0.02,
    "completeness_warning_factor": 0.3,
    "project_weight": 0.15,
}


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ResolvedSettings:
    """The settings that apply to one unit."""

    disabled: frozenset[str]
    severity: dict[str, str]
    thresholds: dict[str, Any]
    outcome: dict[str, Any]

    def enabled(self, code: str) -> bool:
        return code not in self.disabled


@dataclass
class UnitOverride:
    disable: frozenset[str] = frozenset()
    enable: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, Any] = field(default_factory=dict)
    outcome: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReviewSettings:
    """Deployment-wide settings plus per-unit overrides (keyed by unit code or unit name)."""

    disable: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, Any] = field(default_factory=dict)
    outcome: dict[str, Any] = field(default_factory=dict)
    units: dict[str, UnitOverride] = field(default_factory=dict)
    source: str | None = None
    # resolutions by the overrides that apply (none for most units): as many as the file has overrides
    _cache: dict[tuple[str, ...], ResolvedSettings] = field(default_factory=dict, repr=False)

    def for_unit(self, unit_code: str | None = None, unit_name: str | None = None) -> ResolvedSettings:
        """The settings for this unit: the deployment's, with the overrides for its code and then
        its name. Units without overrides share one object."""
        key = tuple(k for k in (unit_code, unit_name) if k and k in self.units)
        got = self._cache.get(key)
        if got is not None:
            return got
        from jixiao.review.registry import default_thresholds

        disabled = set(self.disable)
        severity = dict(self.severity)
        thresholds = {**default_thresholds(), **self.thresholds}
        outcome = {**OUTCOME_DEFAULTS, **self.outcome}
        for k in key:
            ov = self.units[k]
            disabled |= ov.disable
            disabled -= ov.enable
            severity.update(ov.severity)
            thresholds.update(ov.thresholds)
            outcome.update(ov.outcome)
        got = ResolvedSettings(frozenset(disabled), severity, thresholds, outcome)
        self._cache[key] = got
        return got


def _codes(value: Any, where: str, known: set[str]) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise SettingsError(f"{where}: expected a list of rule codes")
    unknown = [c for c in value if c not in known]
    if unknown:
        raise SettingsError(f"{where}: unknown rule code(s) {', '.join(unknown)}")
    return frozenset(value)


def _severities(value: Any, where: str, known: set[str]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SettingsError(f'{where}: expected a table of CODE = "error|warning|hint"')
    for code, sev in value.items():
        if code not in known:
            raise SettingsError(f"{where}.{code}: unknown rule code")
        if sev not in SEVERITIES:
            raise SettingsError(f"{where}.{code}: severity must be error, warning or hint, not {sev!r}")
    return dict(value)


def _numbers(value: Any, where: str, known: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SettingsError(f"{where}: expected a table of name = number")
    for k, v in value.items():
        if k not in known:
            raise SettingsError(f"{where}.{k}: unknown setting (known: {', '.join(sorted(known))})")
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise SettingsError(f"{where}.{k}: expected a number, not {v!r}")
    return dict(value)


def settings_from_dict(data: dict[str, Any], source: str = "settings") -> ReviewSettings:
    """Validate a parsed TOML document; unknown keys and rule codes are errors, not ignored."""
    from jixiao.review import rules as _rules  # noqa: F401  (registers the catalogue)
    from jixiao.review.registry import RULES, default_thresholds

    known = set(RULES)
    th_known = default_thresholds()
    allowed = {"rules", "thresholds", "outcome", "units"}
    for k in data:
        if k not in allowed:
            raise SettingsError(f"{source}: unknown section [{k}] (known: {', '.join(sorted(allowed))})")
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise SettingsError(f"{source}: [rules] must be a table")
    for k in rules:
        if k not in ("disable", "severity"):
            raise SettingsError(f"{source}: rules.{k}: unknown key (known: disable, severity)")
    s = ReviewSettings(
        disable=_codes(rules.get("disable", []), f"{source}: rules.disable", known),
        severity=_severities(rules.get("severity", {}), f"{source}: rules.severity", known),
        thresholds=_numbers(data.get("thresholds", {}), f"{source}: thresholds", th_known),
        outcome=_numbers(data.get("outcome", {}), f"{source}: outcome", OUTCOME_DEFAULTS),
        source=source,
    )
    units = data.get("units", {})
    if not isinstance(units, dict):
        raise SettingsError(f"{source}: [units] must be a table of unit codes")
    for unit, table in units.items():
        where = f"{source}: units.{unit}"
        if not isinstance(table, dict):
            raise SettingsError(f"{where}: must be a table")
        for k in table:
            if k not in ("disable", "enable", "severity", "thresholds", "outcome"):
                raise SettingsError(f"{where}.{k}: unknown key")
        s.units[str(unit)] = UnitOverride(
            disable=_codes(table.get("disable", []), f"{where}.disable", known),
            enable=_codes(table.get("enable", []), f"{where}.enable", known),
            severity=_severities(table.get("severity", {}), f"{where}.severity", known),
            thresholds=_numbers(table.get("thresholds", {}), f"{where}.thresholds", th_known),
            outcome=_numbers(table.get("outcome", {}), f"{where}.outcome", OUTCOME_DEFAULTS),
        )
    return s


def loads_settings(text: str, source: str = "settings") -> ReviewSettings:
    """Settings from TOML text (e.g. kept by the web admin); errors name `source`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{source}: {e}") from e
    return settings_from_dict(data, source)


def load_settings(path: str | Path) -> ReviewSettings:
    """Read a settings TOML file; raises SettingsError naming the file (and line for syntax errors)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except OSError as e:
        raise SettingsError(f"{path}: 无法读取文件：{os_reason(e)}") from e
    except UnicodeDecodeError as e:
        raise SettingsError(f"{path}: not UTF-8 text") from e
    return loads_settings(text, str(path))
