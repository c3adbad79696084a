"""The anonymity audit finds every planted problem, masks it, and leaves clean data alone."""

from __future__ import annotations

import pandas as pd
import pytest

from mimoto_gov.gauges import audit, load_exports
from mimoto_gov.gauges.audit_rules import inspect_text, most_severe
from mimoto_gov.gauges.frames import GaugesData, typed_frame
from mimoto_gov.gauges.redact import mask_text
from tests.helpers.paths import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "gauges"
GAUGE_ID = "5f3a1c2b9d8e7f6a5b4c3d21"
PLANTED = FIXTURES / "planted"

# the raw values planted in the fixtures: none may ever appear in audit output
RAW_VALUES = (
    "jane.doe@example.org",
    "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "203.0.113.45",
    "c0ffee00deadbeef1234567890abcdef",
    "alex.staff@example.com",
    "Alex Staff",
)


def findings(result, rule):
    return [f for f in result.findings if f.rule == rule]


@pytest.fixture(scope="module")
def planted():
    return audit(load_exports([PLANTED]))


def test_email_in_a_content_path_is_found(planted):
    (email,) = findings(planted, "email")
    assert (email.severity, email.table, email.column, email.rows) == ("high", "content", "path", 1)
    assert email.files == (str(PLANTED / "api" / GAUGE_ID / "content" / "2026-10-03.json"),)
    assert email.examples == ("/newsletter/unsubscribe?email=j*******@e******.org",)


def test_token_in_a_referrer_query_string_is_found(planted):
    query = [f for f in findings(planted, "identifier_in_query") if f.table == "referrers"]
    assert [(f.severity, f.column, f.rows) for f in query] == [("high", "url", 1)]
    assert query[0].files[0].endswith("referrers/2026-10-03_p2.json")
    assert query[0].examples == ("https://portal.example.net/account/reset?token=***",)
    (token,) = findings(planted, "token")
    assert token.severity == "high"


def test_region_with_two_views_is_a_small_cell(planted):
    cells = [f for f in findings(planted, "small_cell") if f.table == "regions"]
    assert [(f.severity, f.rows) for f in cells] == [("medium", 1)]
    # named, but without publishing the small count itself
    assert cells[0].examples == ("GB / Rutland (fewer than 5 views)",)


def test_ip_address_in_a_search_term_is_found(planted):
    (ip,) = findings(planted, "ip_address")
    assert (ip.severity, ip.table, ip.column) == ("high", "terms", "term")
    assert ip.examples == ("203.*.*.* login",)


def test_staff_data_and_api_keys_in_account_exports(planted):
    (staff,) = findings(planted, "staff_data")
    (keys,) = findings(planted, "api_keys")
    assert staff.severity == keys.severity == "high"
    assert "email" in staff.examples[0]
    assert keys.files[0].endswith("clients.json")


@pytest.mark.parametrize(
    ("folder", "file_name"),
    [
        ("dashboard", "mimoto.co.uk-traffic-2026-09.json"),
        ("csv/mimoto.co.uk", "mimoto.co.uk-2026-08.csv"),
    ],
)
def test_traffic_only_formats_have_their_small_days_found(folder, file_name):
    # the dashboard JSON and the community CSV carry only daily traffic, so the checks
    # that apply to them are the small counts: a planted day with 2 or 3 views
    path = PLANTED / folder / file_name
    result = audit(load_exports([path]))
    assert [(f.rule, f.table, f.severity, f.rows) for f in result.findings] == [
        ("small_cell", "traffic_daily", "low", 1)
    ]
    assert result.findings[0].files == (str(path),)
    clean = FIXTURES / "clean" / folder / file_name
    assert audit(load_exports([clean])).findings == ()


def test_nothing_raw_appears_in_any_audit_output(planted):
    text = (
        planted.table().to_csv()
        + planted.by_file(small_cells=True).to_csv()
        + planted.headline()
        + repr(planted.findings)
    )
    for value in RAW_VALUES:
        assert value not in text
    assert "2 views" not in text


def test_clean_exports_give_no_false_alarm():
    data = load_exports([FIXTURES / "clean"])
    result = audit(data, helpdesk_hosts=("mimoto.zammad.com",))
    assert result.findings == ()
    assert result.clean
    assert sum(result.checked.values()) > 100
    assert result.headline().startswith("No personal data")


def test_planted_result_is_not_clean(planted):
    assert not planted.clean
    assert planted.counts["high"] >= 5
    assert planted.headline().startswith("The exports hold more than anonymous aggregates")
    assert planted.level == "action"


def test_the_verdict_comes_first_and_only_high_findings_ask_for_action(planted):
    lesser = [f for f in planted.findings if f.severity != "high"]
    assert lesser and any(f.severity == "medium" for f in lesser)
    result = type(planted)(findings=tuple(lesser), checked=planted.checked)
    assert not result.clean
    assert result.headline().startswith("No personal data found")
    assert result.level == "info"


def counts_frame(views):
    rows = [
        {
            "key": f"K{i}",
            "title": f"Country {i}",
            "views": v,
            "gauge_id": GAUGE_ID,
            "endpoint": "locations",
            "period_start": "2026-10-01",
            "period_grain": "month",
            "source_file": "f.json",
        }  # fmt: skip
        for i, v in enumerate(views)
    ]
    return GaugesData(countries=typed_frame("countries", rows))


@pytest.mark.parametrize(
    ("views", "expected"),
    [(0, []), (1, ["medium"]), (4, ["medium"]), (5, ["low"]), (9, ["low"]), (10, [])],
)
def test_small_cell_thresholds(views, expected):
    result = audit(counts_frame([views]))
    assert [f.severity for f in result.findings] == expected


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("/welcome/jane.doe%40example.org", "own_path", {("email", "high")}),
        ("/orders/view?id=123456", "own_path", {("identifier_in_query", "medium")}),
        ("/session/8fA3kQ9zLm2Xp7Rt4Yw6Vb1N", "own_path", {("token", "medium")}),
        ("https://mail.google.com/mail/u/0/", "referrer", {("private_referrer", "medium")}),
        ("https://mimoto.zammad.com/", "referrer", {("private_referrer", "high")}),
        ("https://intranet.example.co.uk/wiki", "referrer", {("private_referrer", "medium")}),
        ("https://www.linkedin.com/in/jane-doe-123/", "referrer", {("private_referrer", "medium")}),
        (
            "https://www.google.co.uk/search?q=mimoto+pricing",
            "referrer",
            {("search_query_in_referrer", "medium")},
        ),
        ("jane+smith+mimoto", "term", {("possible_name", "medium")}),
        ("order 1234567 refund", "term", {("customer_reference", "medium")}),
        ("07911 123456", "term", {("phone", "high")}),
        ("sw1a 1aa", "term", {("postcode", "medium")}),
        ("Welcome back, Jane // Mimoto Ltd", "title", {("personal_title", "medium")}),
        ("http://203.0.113.7:8080", "host", {("ip_address", "high")}),
    ],
)
def test_text_rules(value, kind, expected):
    assert set(inspect_text(value, kind, frozenset({"mimoto.zammad.com"}))) == expected


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("/blog/2026/09/moving-to-parquet/", "own_path"),
        ("Moving to Parquet // Mimoto Ltd", "title"),
        ("https://news.ycombinator.com/item?id=41234567", "referrer"),
        ("https://www.linkedin.com/company/mimoto-ltd/", "referrer"),
        ("https://github.com/mimoto-ltd", "referrer"),
        ("mimoto+ltd", "term"),
        ("service desk retention", "term"),
        ("", "term"),
    ],
)
def test_ordinary_values_are_not_flagged(value, kind):
    assert inspect_text(value, kind) == ()


def test_most_severe_keeps_one_pair_per_rule_the_worst():
    hits = [
        ("token", "medium"),
        ("email", "high"),
        ("token", "high"),
        ("token", "low"),
        ("possible_name", "low"),
        ("possible_name", "medium"),
    ]
    assert most_severe(hits) == (
        ("email", "high"),
        ("possible_name", "medium"),
        ("token", "high"),
    )
    assert most_severe([]) == ()


def test_mask_text_masks_personal_data_secrets_and_tokens():
    assert mask_text("/u?email=jane.doe@example.org&page=2") == (
        "/u?email=j*******@e******.org&page=2"
    )
    assert mask_text("/reset?token=abc&x=1") == "/reset?token=***&x=1"
    assert mask_text("/s/8fA3kQ9zLm2Xp7Rt4Yw6Vb1N/x") == "/s/8fA***/x"
    assert mask_text("call 07911 123456") == "call ***** ***456"
    assert len(mask_text("/" + "a-" * 200)) == 120


def test_by_file_counts_files_and_leaves_small_cells_out_by_default(planted):
    table = planted.by_file()
    assert "Small count that could single someone out" not in set(table["Check"])
    assert set(table["Table"]) == {"content", "referrers", "terms", "account_files"}
    with_cells = planted.by_file(small_cells=True)
    assert len(with_cells) > len(table)
    assert isinstance(with_cells, pd.DataFrame)
