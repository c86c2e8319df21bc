"""Review settings from TOML: rules on and off, severities, thresholds, per-unit overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.review import ReviewSettings, SettingsError, load_settings, review, review_document
from jixiao.review.settings import settings_from_dict
from tests.test_review_rules import doc_of, good_project, with_indicator


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "review.toml"
    p.write_text(text, encoding="utf-8")
    return p


def rules_of(doc, settings: ReviewSettings) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in review(doc, settings)]


def test_defaults_follow_national_practice() -> None:
    rs = ReviewSettings().for_unit("414001")
    assert rs.thresholds["satisfaction_unrealistic_at"] == 100
    assert rs.thresholds["copied_set_similarity"] == 0.75
    assert rs.outcome["unusable_share"] == 0.5 and rs.outcome["fair_from"] == 70
    assert rs.outcome["good_from"] == 90
    assert not rs.disabled


def test_a_rule_can_be_switched_off_and_its_severity_changed(tmp_path: Path) -> None:
    doc = with_indicator(3, value="是/否")
    assert rules_of(doc, ReviewSettings()) == [("JX201", "error")]
    s = load_settings(write(tmp_path, '[rules]\ndisable = ["JX201"]\n'))
    assert rules_of(doc, s) == []
    s = load_settings(write(tmp_path, '[rules.severity]\nJX201 = "warning"\n'))
    assert rules_of(doc, s) == [("JX201", "warning")]


def test_thresholds_change_what_is_reported(tmp_path: Path) -> None:
    doc = with_indicator(5, value="≥95%")
    assert rules_of(doc, ReviewSettings()) == []
    s = load_settings(write(tmp_path, "[thresholds]\nsatisfaction_unrealistic_at = 95\n"))
    assert rules_of(doc, s) == [("JX601", "warning")]


def test_unit_overrides_apply_to_that_unit_only(tmp_path: Path) -> None:
    s = load_settings(
        write(
            tmp_path,
            '[rules]\ndisable = ["JX505"]\n'
            '[units."414001"]\ndisable = ["JX201"]\nenable = ["JX505"]\n'
            '[units."414001".thresholds]\nsatisfaction_low_below = 95\n',
        )
    )
    ours = doc_of(good_project(1, "食品抽检经费"), good_project(2, "药品抽检经费"))
    ours.projects[0].indicators[3].value = "是/否"
    got = {f.rule for f in review(ours, s)}
    assert "JX201" not in got  # switched off for 414001
    assert "JX505" in got  # switched back on for 414001
    assert "JX602" in got  # ≥90% is below this unit's 95
    other = doc_of(good_project(1, "食品抽检经费"), good_project(2, "药品抽检经费"))
    other.unit_code = "355101"
    other.projects[0].indicators[3].value = "是/否"
    got = {f.rule for f in review(other, s)}
    assert "JX201" in got and "JX505" not in got and "JX602" not in got


def test_a_unit_can_be_named_instead_of_coded() -> None:
    s = settings_from_dict({"units": {"示例市市场监督管理局": {"disable": ["JX201"]}}})
    assert rules_of(with_indicator(3, value="是/否"), s) == []


def test_outcome_thresholds_are_settings() -> None:
    doc = with_indicator(3, value="是/否")  # one placeholder among six indicators: score 83.3
    assert review_document(doc).projects[0].outcome.grade == "良"
    s = settings_from_dict({"outcome": {"unusable_share": 0.1}})  # 1 of 6 unusable is more than 10%
    assert review_document(doc, s).projects[0].outcome.grade == "差"
    s = settings_from_dict({"outcome": {"fair_from": 85}})
    assert review_document(doc, s).projects[0].outcome.grade == "中"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[rules]\ndisable = ["JX999"]\n', "rules.disable: unknown rule code(s) JX999"),
        ('[rules.severity]\nJX201 = "fatal"\n', "rules.severity.JX201: severity must be"),
        ("[thresholds]\nno_such = 1\n", "thresholds.no_such: unknown setting"),
        ('[thresholds]\nsatisfaction_low_below = "80"\n', "expected a number"),
        ("[colours]\nred = 1\n", "unknown section [colours]"),
        ('[units."414001"]\nfoo = 1\n', "units.414001.foo: unknown key"),
        ("[rules\n", "line 1"),
    ],
)
def test_bad_settings_are_rejected_with_the_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as e:
        load_settings(path)
    assert str(path) in str(e.value) and expected in str(e.value)


def test_a_missing_settings_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="无法读取文件"):
        load_settings(tmp_path / "absent.toml")


def test_settings_from_toml_text_as_the_admin_keeps_them() -> None:
    from jixiao.review import loads_settings

    s = loads_settings('[rules]\ndisable = ["JX201"]\n', "admin")
    assert rules_of(with_indicator(3, value="是/否"), s) == []
    with pytest.raises(SettingsError, match=r"^admin: "):
        loads_settings("[rules", "admin")
