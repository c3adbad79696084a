"""The retention schedule file: loading and checking every section."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import yaml

from mimoto_gov.errors import ConfigError
from mimoto_gov.policy.schedule import (
    ACTIONS,
    Approval,
    Period,
    default_schedule_path,
    load_schedule,
    repository_schedule_path,
)
from tests.helpers.retention import SCHEDULE, write_schedule


@pytest.fixture
def schedule(tmp_path):
    return load_schedule(write_schedule(tmp_path))


def test_the_repository_schedule_covers_every_store_and_says_indefinitely():
    schedule = load_schedule(repository_schedule_path())
    raw = yaml.safe_load(repository_schedule_path().read_text())
    assert schedule.version and schedule.status == "proposed"  # approval is never in the file
    assert "indefinitely" in schedule.published_policy
    assert schedule.default.name == "Default"
    assert len(schedule.rules) == len(raw["tickets"]["rules"])
    assert all(rule.reason for rule in schedule.all_rules), "every rule states its reason"
    anonymise = [rule for rule in schedule.all_rules if rule.action == "anonymise"]
    assert anonymise and all(r.text_left in ("keep", "delete") and r.text_reason for r in anonymise)
    assert schedule.accounts.period == Period(3, "years") and schedule.accounts.action == "delete"
    stores = {line.key: line for line in schedule.stores}
    assert {"marketing_list", "requests", "holds", "erasures", "consents", "gauges_tables"} <= set(
        stores
    )
    assert all(line.reason and line.by for line in schedule.stores)
    assert all(line.period or line.action == "keep" for line in schedule.stores)
    assert "retention_plans" in schedule.own_copies
    assert str(schedule.own_copies["subject_access_packages"].period) == "6 months"
    assert schedule.backups.beyond_use.startswith("Backups that still hold")
    kinds = {copy.kind for copy in schedule.backups.copies}
    assert kinds == {"backup", "provider log"}
    text = repository_schedule_path().read_text()
    assert "TO BE FILLED" not in text


def test_schedule_fields(schedule):
    assert schedule.version == "t-1"
    assert not schedule.approved and schedule.approved_on is None
    assert [r.name for r in schedule.all_rules] == [
        "Spam",
        "Sales closed",
        "Closed",
        "Phone",
        "Default",
    ]
    assert schedule.rules[1].measure_from == "closed"
    assert schedule.rules[1].describe_match() == "group sales; state closed"
    assert schedule.rules[2].text_left == "keep"
    assert schedule.default.describe_match() == "every other ticket"
    assert schedule.inactive_after == Period(3, "years")
    assert schedule.stores == () and schedule.backups is None
    assert set(schedule.own_copies) >= {"subject_access_packages"}  # built-in periods


def test_an_approval_holds_for_the_exact_content_only(tmp_path, schedule):
    when = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 2 Dec in the UK? no: GMT in December
    approval = Approval("Jo Bloggs", when, schedule.version, schedule.digest)
    approved = schedule.with_approvals([approval])
    assert approved.approved and approved.status == "approved"
    assert approved.approved_on == date(2026, 12, 1)
    # The same words with other comments and layout: still approved.
    relaid = write_schedule(
        tmp_path, "# a comment\n" + SCHEDULE.replace("  reason: unused", "  reason:   unused")
    )
    assert load_schedule(relaid).digest == schedule.digest
    # One period changed: a proposal again.
    changed = write_schedule(tmp_path, SCHEDULE.replace("period: 3 years", "period: 4 years"))
    assert not load_schedule(changed).with_approvals([approval]).approved


def test_the_earlier_ticket_only_shape_is_still_read(tmp_path):
    path = write_schedule(
        tmp_path,
        """
        version: old
        status: proposed
        rules: [{name: A, match: {state: merged}, period: 3 months, action: delete}]
        default: {period: 6 years, action: review}
        customers: {inactive_after: 2 years}
        """,
    )
    schedule = load_schedule(path)
    assert [r.name for r in schedule.all_rules] == ["A", "Default"]
    assert schedule.accounts.period == Period(2, "years")
    assert schedule.accounts.action == "review"  # as the review has always treated them


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6 years", Period(6, "years")),
        ("1 year", Period(1, "years")),
        (" 18  Months ", Period(18, "months")),
        ("90 days", Period(90, "days")),
    ],
)
def test_periods_parse(text, expected):
    assert Period.parse(text) == expected


@pytest.mark.parametrize(
    "text", ["six years", "6", "0 years", "-1 years", "6 yrs", "", None, "2.5 years"]
)
def test_bad_periods_are_refused(text):
    with pytest.raises(ValueError, match="is not like"):
        Period.parse(text)


def test_period_text():
    assert str(Period(1, "years")) == "1 year"
    assert str(Period(18, "months")) == "18 months"
    assert Period(3, "months").zammad_range == "month"


DEFAULT = "default: {period: 6 years, action: review}"
BAD_SCHEDULES = [
    ("version: [1\nrules: [", "not valid YAML at line"),
    ("- a list", "expected a mapping"),
    (f"rules: []\n{DEFAULT}", "'version' is missing"),
    ("version: 1\nrules: []", "'default' is missing"),
    (f"version: 1\nretention: 2\n{DEFAULT}", "unknown key 'retention'"),
    (f"version: 1\nstatus: approved\n{DEFAULT}", "retention approve --by NAME"),
    (f"version: 1\napproved_on: 2026-11-01\n{DEFAULT}", "no longer written in the file"),
    (f"version: 1\nrules: {{a: 1}}\n{DEFAULT}", "'rules' must be a list"),
    (
        f"version: 1\ntickets: {{{DEFAULT}}}\nrules: []",
        "under 'tickets' only",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: closed}, period: 6 yrs, action: delete}]\n"
        + DEFAULT,
        "rule 1 ('A'): period '6 yrs'",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: closed}, period: 6 years, action: shred}]\n"
        + DEFAULT,
        "action 'shred' must be one of delete, anonymise, review, keep",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: closed}, period: 6 years, "
        f"action: anonymise}}]\n{DEFAULT}",
        "an anonymise rule needs text_left (keep or delete)",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: closed}, period: 6 years, "
        f"action: anonymise, text_left: keep}}]\n{DEFAULT}",
        "text_reason is missing",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: closed}, period: 6 years, "
        f"action: delete, text_left: keep}}]\n{DEFAULT}",
        "belong to anonymise rules only",
    ),
    (
        "version: 1\nrules: [{name: A, match: {priority: high}, period: 6 years, action: delete}]\n"
        + DEFAULT,
        "unknown match key 'priority'",
    ),
    (
        f"version: 1\nrules: [{{name: A, period: 6 years, action: delete}}]\n{DEFAULT}",
        "'match' needs at least one of state, group, type",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: []}, period: 6 years, action: delete}]\n"
        + DEFAULT,
        "match state is empty",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: x}, period: 1 year, action: delete},"
        f" {{name: a, match: {{state: y}}, period: 1 year, action: delete}}]\n{DEFAULT}",
        "used twice",
    ),
    (
        "version: 1\nrules: [{name: A, match: {state: x}, period: 1 year, action: delete, "
        f"from: opened}}]\n{DEFAULT}",
        "from 'opened' must be one of last_activity, closed, created",
    ),
    ("version: 1\ndefault: {period: 6 years, action: review, match: {state: x}}", "no 'match'"),
    ("version: 1\ndefault: {period: 6 years}", "action None must be one of"),
    ("version: 1\ndefault: {action: review}", "'period' is missing"),
    (f"version: 1\n{DEFAULT}\ncustomers: {{inactive_after: soon}}", "customers: inactive_after"),
    (f"version: 1\n{DEFAULT}\naccounts: {{period: 3 years, action: erase}}", "accounts: action"),
    (f"version: 1\n{DEFAULT}\naccounts: {{action: delete}}", "accounts: 'period' is missing"),
    (f"version: 1\n{DEFAULT}\nstores: [a]", "'stores' must be a mapping"),
    (
        f"version: 1\n{DEFAULT}\nstores: {{x: {{name: X, action: delete, by: me, reason: r}}}}",
        "stores: x: 'period' is missing",
    ),
    (
        f"version: 1\n{DEFAULT}\nstores: {{x: {{name: X, action: keep, reason: r}}}}",
        "stores: x: 'by' is missing",
    ),
    (f"version: 1\n{DEFAULT}\nown_copies: {{photos: 1 year}}", "unknown kind 'photos'"),
    (f"version: 1\n{DEFAULT}\nown_copies: {{analytics_raw: soon}}", "own_copies: analytics_raw"),
    (f"version: 1\n{DEFAULT}\nbackups: {{copies: []}}", "'beyond_use' is missing"),
    (
        f"version: 1\n{DEFAULT}\nbackups: {{beyond_use: b, copies: [{{name: x, owner: y}}]}}",
        "backups: copies 1: retention_days None",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_SCHEDULES)
def test_a_malformed_schedule_is_one_line_naming_the_file_and_the_entry(tmp_path, text, message):
    path = tmp_path / "retention.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_schedule(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith("retention.yml: ")
    assert message in text


def test_keep_needs_no_period(tmp_path):
    path = write_schedule(
        tmp_path,
        """
        version: 1
        tickets:
          rules: [{name: Held, match: {group: Legal}, action: keep, reason: claims}]
          default: {period: 6 years, action: review}
        """,
    )
    assert load_schedule(path).rules[0].period is None


def test_a_missing_schedule_names_the_path(tmp_path):
    with pytest.raises(ConfigError, match="retention schedule not found: .*nowhere.yml"):
        load_schedule(tmp_path / "nowhere.yml")


def test_the_data_folder_copy_wins_over_the_repository_copy(tmp_path):
    assert default_schedule_path(tmp_path) == repository_schedule_path()
    write_schedule(tmp_path)
    assert default_schedule_path(tmp_path) == tmp_path / "retention.yml"


def test_every_action_name_is_known():
    assert ACTIONS == ("delete", "anonymise", "review")
