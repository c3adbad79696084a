"""Each promise of the policy judged from real evidence: data that meets it, data that breaks it.

Registers are real SQLite files, the snapshot real Parquet, analytics real imported fixture
exports, the site audit a real audit of local pages over HTTP saved as a report, and the
policy history a real git repository made in a temporary folder.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from mimoto_gov import inventory
from mimoto_gov.cli import main
from mimoto_gov.commitments.checks import (
    CHECKS,
    MET,
    MISSING,
    NOT_MET,
    STATUSES,
    CheckContext,
    Outcome,
)
from mimoto_gov.commitments.evaluate import (
    COLUMNS,
    check_commitments,
    load_commitments,
    policy_changes,
    record_of_processing,
    run_check,
    status_counts,
)
from mimoto_gov.commitments.evidence import judge as judge_evidence
from mimoto_gov.commitments.evidence import listing
from mimoto_gov.demo.registers import seed_demo_registers
from mimoto_gov.errors import ConfigError
from mimoto_gov.policy.files import normalise_text, read_policy_text, repository_policy_dir
from mimoto_gov.policy.schedule import load_schedule, repository_schedule_path
from mimoto_gov.settings import Settings
from mimoto_gov.support.examples import DEMO_MARKER, mark_demo_folder
from mimoto_gov.zammad import frames
from tests.helpers.gauges import DESK, desk_referrer_export
from tests.helpers.inprocess import history
from tests.helpers.paths import FIXTURES

REPO_POLICY = repository_policy_dir()
TODAY = date(2026, 11, 20)


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def reports(tmp_path):
    return tmp_path / "reports"


def judge(cid, data, reports=None, today=TODAY, policy=None, commitments_file=None):
    """Run one commitment's check; return its Outcome."""
    policy = policy or REPO_POLICY / "privacy-policy.md"
    commitments_file = commitments_file or REPO_POLICY / "commitments.yml"
    commitments = load_commitments(commitments_file, checks=CHECKS)
    context = CheckContext(
        data_dir=data,
        reports_dir=reports or data.parent / "reports",
        today=today,
        policy_path=policy,
        policy_text=read_policy_text(policy),
        attestation_valid_days=commitments.attestation_valid_days,
    )
    with context:
        return run_check(context, commitments.get(cid))


def regs(data):
    return history(data / "registers.sqlite")


def write_snapshot(data, users, when=datetime(2026, 11, 18, 9, 0)):
    folder = data / "zammad"
    folder.mkdir(parents=True, exist_ok=True)
    for table in inventory.TABLES:
        shaped = frames.users_frame(users) if table == "users" else inventory.frame(table, [])
        shaped.to_parquet(folder / f"{table}.parquet")
    state = {
        "schema_version": inventory.SCHEMA_VERSION,
        "snapshot_time": when.isoformat() + "+00:00",
    }
    (folder / inventory.STATE_FILE).write_text(json.dumps(state))


def user(uid, email, active=True):
    return {
        "id": uid,
        "login": email or f"u{uid}",
        "email": email,
        "firstname": "A",
        "lastname": "B",
        "active": active,
    }


def filled_ropa(data):
    """Write a copy of ropa.yml with every staff placeholder filled in."""
    text = (REPO_POLICY / "ropa.yml").read_text()
    text = re.sub(r"TO BE (?:FILLED|CONFIRMED) BY STAFF[^\n]*", "Confirmed 1 Nov 2026", text)
    (data / "policy").mkdir(exist_ok=True)
    (data / "policy" / "ropa.yml").write_text(text)


# -- the file and the table ------------------------------------------------------------------------


def test_every_clause_is_quoted_verbatim_from_the_policy():
    text = read_policy_text(REPO_POLICY / "privacy-policy.md")
    commitments = load_commitments(REPO_POLICY / "commitments.yml", checks=CHECKS)
    assert len(commitments) >= 16
    for item in commitments:
        assert item.clause in text, item.id
    ids = {item.id for item in commitments}
    for needed in (
        "analytics-anonymous",
        "marketing-opt-in",
        "uk-warrants-only",
        "no-access-logs",
        "retention-period",
        "business-transfer-notice",
        "policy-changes-public",
        "no-tracking-cookies",
    ):
        assert needed in ids


def test_table_has_every_promise_with_a_status_and_short_cells(data, reports):
    table = check_commitments(data_dir=data, reports_dir=reports, today=TODAY)
    assert list(table.columns) == COLUMNS
    assert len(table) == len(load_commitments(REPO_POLICY / "commitments.yml"))
    assert set(table["status"]) <= set(STATUSES)
    assert table[["evidence", "action", "clause"]].map(len).max().max() <= 240
    # nothing recorded: nothing can be met, and nothing was created to read the evidence
    assert MET not in set(table["status"])
    assert not (data / "registers.sqlite").exists()
    assert sum(status_counts(table).values()) == len(table)


def test_a_clause_gone_from_the_policy_is_evidence_missing(data, tmp_path):
    policy = tmp_path / "policy.md"
    text = (REPO_POLICY / "privacy-policy.md").read_text()
    policy.write_text(text.replace("We do not record any service access logs.", "We log."))
    outcome = judge("no-access-logs", data, policy=policy)
    assert outcome.status == MISSING and "no longer in the policy" in outcome.evidence
    assert "commitments.yml" in outcome.action


def test_damaged_registers_file_is_evidence_missing_not_a_crash(data):
    (data / "registers.sqlite").write_bytes(b"this is not sqlite" * 100)
    outcome = judge("uk-warrants-only", data)
    assert outcome.status == MISSING and "registers" in outcome.evidence


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("commitments: [{id: a, title: t}]", "lacks clause"),
        (
            "commitments:\n  - {id: a, title: t, clause: c, check: nope, evidence: e, owner: o, "
            "action: x}",
            "no check named 'nope'",
        ),
        (
            "commitments:\n  - {id: a, title: t, clause: c, check: attestation, evidence: e, "
            "owner: o, action: x}\n  - {id: a, title: t, clause: c, check: attestation, "
            "evidence: e, owner: o, action: x}",
            "used twice",
        ),
        ("commitments: [\n", "not valid YAML at line"),
    ],
)
def test_malformed_commitments_file_is_a_one_line_error(tmp_path, text, message):
    path = tmp_path / "commitments.yml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_commitments(path, checks=CHECKS)


# -- attestations ----------------------------------------------------------------------------------


def test_attestation_missing_current_and_lapsed(data):
    assert judge("no-access-logs", data).status == MISSING
    with regs(data) as reg:
        reg.attest("no-access-logs", "No access logs.", "Ann Smith", attested_on=date(2025, 10, 1))
    lapsed = judge("no-access-logs", data)
    assert lapsed.status == MISSING and "lapsed" in lapsed.evidence
    assert "attestations add no-access-logs" in lapsed.action
    with regs(data) as reg:
        reg.attest("no-access-logs", "No access logs.", "Ann Smith", attested_on=date(2026, 11, 2))
    ok = judge("no-access-logs", data)
    assert ok.status == MET and "Ann Smith on 2 Nov 2026" in ok.evidence


def test_attestation_lapses_after_the_period_set_in_the_file(data, tmp_path):
    text = (REPO_POLICY / "commitments.yml").read_text()
    path = tmp_path / "commitments.yml"
    path.write_text(text.replace("attestation_valid_days: 365", "attestation_valid_days: 30"))
    with regs(data) as reg:
        reg.attest("no-access-logs", "No access logs.", "Ann Smith", attested_on=date(2026, 10, 1))
    table = check_commitments(
        data_dir=data, reports_dir=data, today=TODAY, commitments_path=path
    ).set_index("id")
    assert table.loc["no-access-logs", "status"] == MISSING
    assert "lapsed on 31 Oct 2026" in table.loc["no-access-logs", "evidence"]


# -- governance and the record of processing -------------------------------------------------------


def test_governance_needs_a_complete_record_and_timely_complaints_and_breaches(tmp_path):
    late_data, good = tmp_path / "late", tmp_path / "good"
    with regs(late_data) as reg:
        late = reg.add_complaint("slow answer", received_on=date(2026, 9, 1))
        reg.acknowledge_complaint(late, date(2026, 10, 15))
    unfilled = judge("uk-data-protection-law", late_data)
    assert unfilled.status == NOT_MET and late in unfilled.evidence
    assert "still to fill" in unfilled.evidence
    with regs(good) as reg:
        ok = reg.add_complaint("slow answer", received_on=date(2026, 9, 1))
        reg.acknowledge_complaint(ok, date(2026, 9, 10))
        breach = reg.add_breach(datetime(2026, 10, 1, 10, 0), "wrong recipient", 1)
        reg.record_breach_not_reported(breach, "unlikely to result in a risk")
    assert judge("uk-data-protection-law", good).status == MISSING  # placeholders remain
    filled_ropa(good)
    assert judge("uk-data-protection-law", good).status == MET
    with regs(good) as reg:
        reg.add_breach(datetime(2026, 11, 10, 9, 0), "laptop stolen", 20)
    overdue = judge("uk-data-protection-law", good)
    assert overdue.status == NOT_MET and "72 hours" in overdue.evidence


def test_processor_recorded_in_the_record_of_processing(data):
    missing = judge("service-desk-processor", data)
    assert missing.status == MISSING and "agreement and location" in missing.evidence
    filled_ropa(data)
    assert judge("service-desk-processor", data).status == MET
    path = data / "policy" / "ropa.yml"
    path.write_text(path.read_text().replace("name: Zammad GmbH", "name: Other Desk Ltd"))
    assert judge("service-desk-processor", data).status == NOT_MET


def test_record_of_processing_is_one_display_table():
    table = record_of_processing(REPO_POLICY / "ropa.yml")
    assert list(table.columns) == ["Section", "Item", "Detail"]
    sections = set(table["Section"])
    assert {"Controller", "Recipient: Zammad GmbH", "Recipient: Gaug.es"} <= sections
    assert "Transfers outside the UK" in sections and "Security measures" in sections
    support = table[table["Section"] == "Processing: Customer support"]
    assert list(support["Item"]) == [
        "Purposes",
        "Lawful basis",
        "Data subjects",
        "Data categories",
        "Recipients",
        "Transfers",
        "Retention",
    ]
    location = table[(table["Section"] == "Recipient: Zammad GmbH") & (table["Item"] == "Location")]
    assert location["Detail"].iloc[0].startswith("TO BE CONFIRMED BY STAFF")
    assert table["Detail"].map(len).max() < 300


def test_record_of_processing_malformed_is_a_one_line_error(tmp_path):
    text = (
        (REPO_POLICY / "ropa.yml")
        .read_text()
        .replace(
            "    retention: Six years after the request is closed, then reviewed "
            "(retention schedule).\n",
            "",
        )
    )
    path = tmp_path / "ropa.yml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="activity 'Law-enforcement requests' lacks retention"):
        record_of_processing(path)


# -- analytics -------------------------------------------------------------------------------------


def test_analytics_audit_clean_and_planted_exports(data, tmp_path):
    from mimoto_gov.gauges import import_exports

    assert judge("analytics-anonymous", data).status == MISSING
    import_exports([FIXTURES / "gauges" / "clean"], data)
    clean = judge("analytics-anonymous", data)
    assert clean.status == MET and "no IP addresses" in clean.evidence
    planted = tmp_path / "planted-data"
    import_exports([FIXTURES / "gauges" / "planted"], planted)
    broken = judge("analytics-anonymous", planted)
    assert broken.status == NOT_MET and "IP address" in broken.evidence
    # an export older than the window is no evidence for this year
    assert judge("analytics-anonymous", data, today=date(2028, 1, 5)).status == MISSING


def test_analytics_audit_knows_the_service_desk_from_the_settings(data, reports, tmp_path):
    from mimoto_gov.gauges import import_exports

    import_exports([desk_referrer_export(tmp_path / "export")], data)

    def analytics(settings):
        table = check_commitments(
            data_dir=data, reports_dir=reports, today=TODAY, settings=settings
        )
        return table.set_index("id").loc["analytics-anonymous"]

    flagged = analytics(Settings(zammad_url=f"https://{DESK}"))
    assert flagged["status"] == NOT_MET and "helpdesk" in flagged["evidence"]
    assert analytics(Settings(zammad_url=None))["status"] == MET


def test_evidence_helpers_list_and_judge():
    assert listing(["a", "b"]) == "a, b"
    assert listing(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"
    assert judge_evidence(["broken"], ["gap"], ["fact"]) == Outcome(NOT_MET, "broken; gap")
    assert judge_evidence([], ["gap"], ["fact"]) == Outcome(MISSING, "gap; fact")
    assert judge_evidence([], [], ["fact", "more"]) == Outcome(MET, "fact; more")


# -- consents --------------------------------------------------------------------------------------


def test_marketing_opt_in_audit(data, tmp_path):
    assert judge("marketing-opt-in", data).status == MISSING
    export = tmp_path / "list.csv"
    export.write_text("email\nkim@example.com\nmax@example.com\n")
    with regs(data) as reg:
        reg.add_consent("kim@example.com", date(2026, 1, 5), "v3")
        reg.add_consent("max@example.com", date(2026, 1, 5), "v3")
        reg.withdraw_consent("max@example.com", date(2026, 6, 1))
        reg.import_mailing_list(export)
    broken = judge("marketing-opt-in", data, today=date.today())
    assert (
        broken.status == NOT_MET and "1 of 2" in broken.evidence and "withdrawn" in broken.evidence
    )
    export.write_text("email\nkim@example.com\n")
    with regs(data) as reg:
        reg.import_mailing_list(export)
    assert judge("marketing-opt-in", data, today=date.today()).status == MET
    stale = judge("marketing-opt-in", data, today=date.today() + timedelta(days=100))
    assert stale.status == MISSING and "over 62 days ago" in stale.evidence


# -- law enforcement and sharing -------------------------------------------------------------------


def uk_production_order(reg) -> str:
    """Record a Met Police production order (MPS/1) of 1 Sep 2026, disclosed on 5 Sep."""
    le_id = reg.add_law_enforcement(
        "Met Police",
        True,
        "production order",
        "tickets",
        received_on=date(2026, 9, 1),
        reference="MPS/1",
    )
    reg.decide_law_enforcement(le_id, "disclosed", "2 tickets", decided_on=date(2026, 9, 5))
    return le_id


def overseas_subpoena(reg, decision: str) -> str:
    """Record an overseas police subpoena (X1) of 2 Oct 2026, decided on 3 Oct: one email."""
    le_id = reg.add_law_enforcement(
        "Overseas police",
        False,
        "subpoena",
        "account",
        received_on=date(2026, 10, 2),
        reference="X1",
    )
    reg.decide_law_enforcement(le_id, decision, "one email", decided_on=date(2026, 10, 3))
    return le_id


def test_warrants_only_from_uk_authorities(data):
    with regs(data) as reg:
        pass
    assert judge("uk-warrants-only", data).status == MET  # nothing recorded, nothing broken
    with regs(data) as reg:
        uk_production_order(reg)
        abroad = reg.add_law_enforcement(
            "Overseas police", False, "letter", "account", received_on=date(2026, 9, 2)
        )
        reg.decide_law_enforcement(abroad, "refused", decided_on=date(2026, 9, 3))
    ok = judge("uk-warrants-only", data)
    assert ok.status == MET and "1 refused (1 from outside the UK)" in ok.evidence
    with regs(data) as reg:
        bad = overseas_subpoena(reg, "partial")
        informal = reg.add_law_enforcement(
            "Local police",
            True,
            "email request",
            "account",
            received_on=date(2026, 10, 4),
            reference="L1",
        )
        reg.decide_law_enforcement(informal, "disclosed", "address", decided_on=date(2026, 10, 5))
        unreferenced = reg.add_law_enforcement(
            "Met Police", True, "production order", "x", received_on=date(2026, 10, 6)
        )
        reg.decide_law_enforcement(unreferenced, "disclosed", "x", decided_on=date(2026, 10, 7))
    broken = judge("uk-warrants-only", data)
    assert broken.status == NOT_MET
    assert f"{bad} disclosed to a non-UK authority" in broken.evidence
    assert f"{informal} disclosed on 'email request'" in broken.evidence
    assert f"{unreferenced} disclosed with no warrant reference" in broken.evidence


def test_no_sharing_needs_lawful_disclosures_and_an_attestation(data):
    with regs(data) as reg:
        uk_production_order(reg)
    assert judge("no-sharing-without-consent", data).status == MISSING
    with regs(data) as reg:
        reg.attest("no-other-sharing", "Nothing else shared.", "Ann", attested_on=date(2026, 11, 1))
    assert judge("no-sharing-without-consent", data).status == MET
    with regs(data) as reg:
        overseas_subpoena(reg, "disclosed")
    assert judge("no-sharing-without-consent", data).status == NOT_MET


def test_users_told_or_the_legal_basis_recorded(data):
    with regs(data) as reg:
        old = reg.add_law_enforcement(
            "Met Police",
            True,
            "production order",
            "tickets",
            emails=["ann@example.com"],
            received_on=date(2026, 9, 1),
            reference="MPS/1",
        )
        recent = reg.add_law_enforcement(
            "Met Police",
            True,
            "production order",
            "tickets",
            emails=["bob@example.com"],
            received_on=date(2026, 11, 10),
            reference="MPS/2",
        )
    broken = judge("users-told", data)
    assert broken.status == NOT_MET and old in broken.evidence and recent not in broken.evidence
    with regs(data) as reg:
        reg.record_user_told(old, not_told_basis="DPA 2018 Sch. 2 para 2: live investigation")
    ok = judge("users-told", data)
    assert ok.status == MET
    assert "1 not told, with the legal basis recorded" in ok.evidence
    assert "1 received recently, still to tell" in ok.evidence


# -- retention -------------------------------------------------------------------------------------


def test_stored_indefinitely_is_flagged_honestly(data):
    outcome = judge("retention-period", data)
    assert outcome.status == NOT_MET
    assert "not a retention period" in outcome.evidence and "not yet approved" in outcome.evidence
    approve_schedule(data)
    after = judge("retention-period", data)
    assert after.status == NOT_MET and "approved on 1 Nov 2026 by Jo Bloggs" in after.evidence
    assert "Information lifetime" in after.action


def approve_schedule(data):
    schedule = load_schedule(repository_schedule_path())
    with regs(data) as reg:
        reg.record_schedule_approval(
            "Jo Bloggs",
            schedule_version=schedule.version,
            schedule_digest=schedule.digest,
            source="retention.yml",
            approved_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
        )


def test_a_stated_period_is_met_only_once_the_schedule_is_approved(data, tmp_path):
    indefinite = "Information in our service desk database will be stored indefinitely."
    stated = (
        "Information in our service desk database is kept for six years after its ticket "
        "closes, as our retention schedule sets out."
    )
    files = {}
    for name in ("privacy-policy.md", "commitments.yml"):
        text = (REPO_POLICY / name).read_text()
        assert indefinite in text
        files[name] = tmp_path / name
        files[name].write_text(text.replace(indefinite, stated))

    def outcome():
        return judge(
            "retention-period",
            data,
            policy=files["privacy-policy.md"],
            commitments_file=files["commitments.yml"],
        )

    proposed = outcome()
    assert proposed.status == NOT_MET
    assert "not yet approved" in proposed.evidence
    assert "not a retention period" not in proposed.evidence
    approve_schedule(data)
    met = outcome()
    assert met.status == MET, met
    assert met.evidence.startswith("the policy states a period; schedule ")
    assert "approved on 1 Nov 2026" in met.evidence and not met.action


# -- requests and erasures -------------------------------------------------------------------------


def test_access_requests_on_time_and_overdue(data):
    with regs(data) as reg:
        fresh = reg.add_request("access", "ann@example.com", date(2026, 11, 2))
    ok = judge("export-on-request", data)
    assert ok.status == MET and "next due 2 Dec 2026" in ok.evidence
    with regs(data) as reg:
        late = reg.add_request("access", "bob@example.com", date(2026, 9, 3))
    broken = judge("export-on-request", data)
    assert broken.status == NOT_MET and f"{late.id} overdue since 5 Oct 2026" in broken.evidence
    assert fresh.id not in broken.evidence


def close_erasure(reg, email, received, erased, closed, *, verified=True):
    request = reg.add_request("erasure", email, received)
    reg.verify_identity(request.id, "registered address", "Ann", "sent from the account address")
    started = datetime.combine(erased, datetime.min.time())
    reg.record_erasure(request.id, outcome="completed", started_at=started, verified=verified)
    reg.close_request(request.id, "erased", closed)
    return request.id


def test_erasure_requests_need_identity_a_completed_erasure_and_the_deadline(tmp_path):
    broken_data, good, slow_data = tmp_path / "broken", tmp_path / "good", tmp_path / "slow"
    with regs(broken_data) as reg:
        request = reg.add_request("erasure", "ann@example.com", date(2026, 10, 1))
        reg.close_request(request.id, "erased", date(2026, 10, 20))
    broken = judge("deletion-on-request", broken_data)
    assert broken.status == NOT_MET
    assert "no identity decision" in broken.evidence
    assert "without a completed erasure" in broken.evidence
    with regs(good) as reg:
        close_erasure(
            reg, "bob@example.com", date(2026, 10, 1), date(2026, 10, 5), date(2026, 10, 6)
        )
        refused = reg.add_request("erasure", "ann@example.com", date(2026, 10, 1))
        reg.close_request(refused.id, "refused: legal claim", date(2026, 10, 9), refused=True)
    ok = judge("deletion-on-request", good)
    assert ok.status == MET and "2 answered on time" in ok.evidence  # one erased, one refused
    with regs(slow_data) as reg:
        slow = close_erasure(
            reg, "cat@example.com", date(2026, 8, 3), date(2026, 9, 20), date(2026, 9, 21)
        )
    late = judge("deletion-on-request", slow_data)
    assert late.status == NOT_MET and f"{slow} answered 21 Sep 2026" in late.evidence


def test_erasures_verified_and_nobody_erased_comes_back(tmp_path):
    unverified, data = tmp_path / "unverified", tmp_path / "data"
    with regs(unverified) as reg:
        close_erasure(
            reg,
            "ann@example.com",
            date(2026, 10, 1),
            date(2026, 10, 2),
            date(2026, 10, 2),
            verified=False,
        )
    outcome = judge("deletion-complete", unverified)
    assert outcome.status == NOT_MET and "not verified against Zammad" in outcome.evidence
    with regs(data) as reg:
        close_erasure(
            reg, "ann@example.com", date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 2)
        )
    no_snapshot = judge("deletion-complete", data)
    assert no_snapshot.status == MISSING and "no Zammad snapshot" in no_snapshot.evidence
    write_snapshot(data, [user(1, "bob@example.com")])
    ok = judge("deletion-complete", data)
    assert ok.status == MET and "no erased person in the snapshot of 18 Nov 2026" in ok.evidence
    write_snapshot(data, [user(1, "bob@example.com"), user(2, "ANN@example.com")])
    back = judge("deletion-complete", data)
    assert back.status == NOT_MET and "back in Zammad" in back.evidence


# -- notice list -----------------------------------------------------------------------------------


def test_notice_list_can_be_produced(data):
    assert judge("business-transfer-notice", data).status == MISSING
    write_snapshot(data, [user(1, "ann@example.com"), user(2, "old@example.com", active=False)])
    ok = judge("business-transfer-notice", data)
    assert ok.status == MET and ok.evidence.startswith("1 contactable user(s)")
    with regs(data) as reg:
        reg.add_suppression("ann@example.com", "objection")
    assert judge("business-transfer-notice", data).status == NOT_MET


# -- the site audit --------------------------------------------------------------------------------

GAUGES = (
    "<script>var t=document.createElement('script');t.src='//secure.gaug.es/track.js';</script>"
)
NOTICE = (
    "<p>We use cookies: the service desk keeps your login, Gaug.es analytics counts "
    "visits. <a href='/dont-count-me'>Don't count me</a>: opt out, free.</p>"
)


class Site(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        body = GAUGES + NOTICE
        if self.path == "/bad":
            body += '<script src="https://pagead2.googlesyndication.com/pagead/js/a.js"></script>'
        page = f"<!doctype html><html><head><title>M</title></head><body>{body}</body></html>"
        data = page.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Set-Cookie", "_zammad_session_1a=secret; path=/; HttpOnly")
        if self.path == "/ga":
            # A Google Analytics cookie set on page load, before any consent.
            self.send_header("Set-Cookie", "_ga=GA1.1.123.456; path=/; Max-Age=63072000")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.mark.slow
def test_site_audit_checks_read_the_latest_saved_audit(data, reports, site):
    from mimoto_gov.audits.site import audit_site
    from mimoto_gov.views.site_audit import save_site_audit

    for cid in ("no-advertising", "no-tracking-cookies", "cookies-login-and-analytics"):
        assert judge(cid, data, reports).status == MISSING
    save_site_audit(
        audit_site([f"{site}/bad"], allow_private=True, today=date(2026, 11, 1)), reports
    )
    assert judge("no-advertising", data, reports).status == NOT_MET
    save_site_audit(
        audit_site([f"{site}/good"], allow_private=True, today=date(2026, 11, 2)), reports
    )
    for cid in ("no-advertising", "no-tracking-cookies", "cookies-login-and-analytics"):
        outcome = judge(cid, data, reports, today=date.today())
        assert outcome.status == MET, (cid, outcome)
    stale = judge("no-advertising", data, reports, today=date.today() + timedelta(days=200))
    assert stale.status == MISSING and "over 93 days old" in stale.evidence


@pytest.mark.slow
def test_a_cookie_set_without_consent_breaks_the_cookies_promise(data, reports, site):
    from mimoto_gov.audits.site import audit_site
    from mimoto_gov.views.site_audit import save_site_audit

    save_site_audit(
        audit_site([f"{site}/ga"], allow_private=True, today=date(2026, 11, 2)), reports
    )
    cookies = judge("cookies-login-and-analytics", data, reports, today=date.today())
    assert cookies.status == NOT_MET, cookies
    assert "failed: Cookies need no consent, or are set only after it" in cookies.evidence
    # No advertising on the page: that promise is still kept.
    assert judge("no-advertising", data, reports, today=date.today()).status == MET


def test_site_checks_follow_the_failed_and_review_lists(data, reports):
    folder = reports / "site-audit" / "2026-11-10"
    folder.mkdir(parents=True)
    summary = {
        "passed": False,
        "pages": 3,
        "cookies": 4,
        "third_party_hosts": ["x.example"],
        "failed": ["No third-party tracking cookies"],
        "to_review": ["Service-desk cookies only to keep the login"],
    }
    run = {
        "kind": "site-audit",
        "run_id": "2026-11-10",
        "generated_at": "2026-11-10T10:00:00+00:00",
        "summary": summary,
    }
    (folder / "run.json").write_text(json.dumps(run))
    assert judge("no-tracking-cookies", data, reports).status == NOT_MET
    assert judge("no-advertising", data, reports).status == MET
    review = judge("cookies-login-and-analytics", data, reports)
    assert review.status == MISSING and "a person must confirm" in review.evidence


# -- the policy's history in git -------------------------------------------------------------------


def git(repo, *args, when=None):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(repo), "GIT_CONFIG_NOSYSTEM": "1"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=Policy Editor",
            "-c",
            "user.email=editor@example.com",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = tmp_path / "repo"
    (folder / "policy").mkdir(parents=True)
    git(folder, "init", "-q")
    shutil.copy(REPO_POLICY / "commitments.yml", folder / "policy" / "commitments.yml")
    return folder


def commit_policy(repo, text, when, message):
    (repo / "policy" / "privacy-policy.md").write_text(text)
    git(repo, "add", "policy")
    git(repo, "commit", "-q", "-m", message, when=when)


def with_public(tmp_path, address):
    text = (REPO_POLICY / "commitments.yml").read_text()
    path = tmp_path / "with-public.yml"
    path.write_text(text.replace('public_repository: ""', f'public_repository: "{address}"'))
    return path


def policy_row(repo, data, commitments=None):
    table = check_commitments(
        data_dir=data,
        reports_dir=data,
        today=TODAY,
        policy_path=repo / "policy" / "privacy-policy.md",
        commitments_path=commitments,
    )
    return table.set_index("id").loc["policy-changes-public"]


def test_policy_history_committed_pushed_and_public(repo, data, tmp_path):
    policy = repo / "policy" / "privacy-policy.md"
    shutil.copy(REPO_POLICY / "privacy-policy.md", policy)
    assert policy_row(repo, data)["status"] == NOT_MET  # never committed
    git(repo, "add", "policy")
    git(repo, "commit", "-q", "-m", "Policy as published")
    row = policy_row(repo, data)
    assert row["status"] == MISSING and "address is not recorded" in row["evidence"]
    public = with_public(tmp_path, "https://example.com/mimoto/policy")
    assert policy_row(repo, data, public)["status"] == NOT_MET  # not pushed anywhere
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "HEAD:main")
    git(repo, "fetch", "-q", "origin")
    row = policy_row(repo, data, public)
    assert row["status"] == MET and "origin/main" in row["evidence"]
    policy.write_text(policy.read_text() + "\nA new sentence.\n")
    row = policy_row(repo, data, public)
    assert row["status"] == NOT_MET and "not committed" in row["evidence"]


def test_policy_outside_a_git_checkout_has_no_history(data, tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    shutil.copy(REPO_POLICY / "privacy-policy.md", folder / "privacy-policy.md")
    table = check_commitments(
        data_dir=data, reports_dir=data, today=TODAY, policy_path=folder / "privacy-policy.md"
    )
    row = table.set_index("id").loc["policy-changes-public"]
    assert row["status"] == MISSING and "not in a git checkout" in row["evidence"]
    change = policy_changes(date(2026, 10, 1), folder / "privacy-policy.md")
    assert not change.available and "not in a git checkout" in change.note


def test_policy_changes_since_a_date_show_the_diff_and_the_commitments_touched(repo):
    text = (REPO_POLICY / "privacy-policy.md").read_text()
    commit_policy(repo, text, "2026-09-10T12:00:00+01:00", "Policy as published")
    changed = text.replace(
        "We do not record any service access logs.", "We keep service access logs for 7 days."
    ).replace(
        "We do not send marketing material for any other businesses.",
        "We do not send marketing material for any other businesses.\n\n"
        "We send a quarterly newsletter to customers who asked for it.",
    )
    commit_policy(repo, changed, "2026-10-15T12:00:00+01:00", "Access logs kept for 7 days")
    policy = repo / "policy" / "privacy-policy.md"

    change = policy_changes(date(2026, 10, 1), policy)
    assert change.available and change.changed and not change.uncommitted
    assert list(change.commits["Message"]) == ["Access logs kept for 7 days"]
    assert change.commits["Date"].iloc[0] == "15 Oct 2026"
    assert "-We do not record any service access logs." in change.diff
    assert "+We keep service access logs for 7 days." in change.diff
    touched = change.touched.set_index("Commitment")["Effect"]
    assert "reworded or removed" in touched["no-access-logs"]
    assert "no-marketing-for-others" not in touched  # its line did not change
    assert change.new_text == (
        "We send a quarterly newsletter to customers who asked for it.",
        "We keep service access logs for 7 days.",
    )
    assert "1 commit(s)" in change.summary() and "1 commitment(s) touched" in change.summary()
    assert set(change.lines()["Change"]) == {"removed", "added"}

    assert policy_changes("2026-10", policy).diff == change.diff
    quiet = policy_changes("2026-11-01", policy)
    assert not quiet.changed and "No change" in quiet.note and quiet.touched.empty

    # The first version in the period is the baseline: only the later change counts.
    first = policy_changes(date(2026, 9, 1), policy)
    assert first.baseline is not None and first.baseline.day == date(2026, 9, 10)
    assert first.diff == change.diff
    assert set(first.touched["Commitment"]) == set(change.touched["Commitment"])
    assert "marketing-opt-in" not in set(first.touched["Commitment"])
    assert "is the baseline" in first.summary() and "1 later commit(s)" in first.summary()

    policy.write_text(changed + "\nDraft sentence.\n")
    assert policy_changes(date(2026, 11, 1), policy).uncommitted


def test_the_policys_first_version_is_the_baseline_not_a_change(repo):
    text = (REPO_POLICY / "privacy-policy.md").read_text()
    commit_policy(repo, text, "2026-10-03T12:00:00+01:00", "Policy as published")
    change = policy_changes(date(2026, 10, 1), repo / "policy" / "privacy-policy.md")
    assert change.baseline is not None and not change.changed
    assert change.lines().empty and change.touched.empty and change.new_text == ()
    promises = len(load_commitments(REPO_POLICY / "commitments.yml"))
    assert change.summary().startswith("The policy's first committed version")
    assert f"its {promises} promises are listed" in change.summary()
    assert "added" not in change.summary()


def test_normalised_text_reads_links_as_their_words():
    assert normalise_text("hosted by [zammad.com](https://zammad.com/x).\n  Next") == (
        "hosted by zammad.com. Next"
    )


# -- demo seeding ----------------------------------------------------------------------------------


def test_seeding_is_idempotent_and_shows_every_status(data, reports):
    mark_demo_folder(data)
    first = seed_demo_registers(data, today=TODAY)
    assert first.total > 0 and first.added["requests"] == 3
    with regs(data) as reg:
        sizes = {name: len(reg.table(name)) for name in reg.TABLES}
    second = seed_demo_registers(data, today=TODAY)
    assert second.total == 0 and "already" in second.summary()
    with regs(data) as reg:
        assert {name: len(reg.table(name)) for name in reg.TABLES} == sizes
        assert reg.consent_audit().empty
        assert len(reg.open_requests_with_deadlines(TODAY)) == 2
        le = reg.law_enforcement_requests()
        assert list(le["uk"]) == [True, False] and list(le["decision"]) == ["disclosed", "refused"]
        assert le["user_told_on"].notna().all()
        assert reg.breaches()["status"].iloc[0] == "not reported (reason recorded)"
        assert not reg.complaints(TODAY)["ack_late"].any()
        assert reg.current_attestation("no-access-logs", TODAY) is not None
    table = check_commitments(data_dir=data, reports_dir=reports, today=TODAY).set_index("id")
    assert table.loc["export-on-request", "status"] == NOT_MET  # the overdue example
    for cid in (
        "uk-warrants-only",
        "users-told",
        "no-access-logs",
        "marketing-opt-in",
        "deletion-on-request",
        "no-sharing-without-consent",
    ):
        assert table.loc[cid, "status"] == MET, cid
    assert table.loc["analytics-not-shared", "status"] == MISSING


def test_examples_go_only_into_a_demo_folder(data):
    with pytest.raises(ConfigError, match="not a demo folder"):
        seed_demo_registers(data, today=TODAY)
    assert not (data / "registers.sqlite").exists()


def test_example_entries_outside_the_demo_folder_are_refused_as_evidence(data, reports):
    # Demo data copied into a real folder (an older demo wrote into ./data): the marker is
    # gone, the marked entries stay, and no promise is met on them.
    mark_demo_folder(data)
    seed_demo_registers(data, today=TODAY)
    (data / DEMO_MARKER).unlink()
    table = check_commitments(data_dir=data, reports_dir=reports, today=TODAY).set_index("id")
    refused = [
        "uk-warrants-only", "users-told", "no-access-logs", "marketing-opt-in",
        "deletion-on-request", "no-sharing-without-consent", "export-on-request",
    ]  # fmt: skip
    for cid in refused:
        assert table.loc[cid, "status"] == MISSING, cid
        assert "from the demo refused as evidence" in table.loc[cid, "evidence"], cid
    assert "example attestation(s)" in table.loc["no-access-logs", "evidence"]
    # A real attestation beside the example one counts, the example one still does not.
    with regs(data) as reg:
        reg.attest("no-access-logs", "No access logs.", "Jo Bloggs", attested_on=TODAY)
    outcome = judge("no-access-logs", data, reports)
    assert outcome.status == MET and "Jo Bloggs" in outcome.evidence


# -- the command -----------------------------------------------------------------------------------


def test_command_prints_every_promise_and_writes_a_safe_private_csv(
    data, reports, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(data))
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(reports))
    monkeypatch.setenv("ZAMMAD_TOKEN", "zammad-token-never-printed-41")
    monkeypatch.setenv("GAUGES_TOKEN", "gauges-token-never-printed-42")
    (data / "policy").mkdir()
    commitments = (REPO_POLICY / "commitments.yml").read_text()
    (data / "policy" / "commitments.yml").write_text(
        commitments.replace("owner: Website lead", "owner: \"=HYPERLINK('http://x')\"", 1)
    )
    mark_demo_folder(data)
    seed_demo_registers(data, today=date.today() - timedelta(days=1))
    out = tmp_path / "out" / "commitments.csv"
    assert main(["commitments", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for cid in load_commitments(REPO_POLICY / "commitments.yml").items:
        assert f"{cid.id}: " in printed
    assert "not met" in printed and "evidence missing" in printed
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    frame = pd.read_csv(out)
    assert list(frame.columns) == COLUMNS and len(frame) == len(load_commitments())
    assert frame["owner"].str.startswith("'=").any()
    for text in (printed, out.read_text()):
        assert "token-never-printed" not in text


def test_command_errors_are_one_line(data, monkeypatch, capsys):
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(data))
    assert main(["commitments", "--out", str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mimoto-gov: error: --out:") and "\n" not in err
    (data / "policy").mkdir()
    (data / "policy" / "commitments.yml").write_text("commitments: [\n")
    assert main(["commitments"]) != 0
    err = capsys.readouterr().err.strip()
    assert "commitments.yml: not valid YAML" in err and "\n" not in err


def test_command_help_says_what_it_does(capsys):
    with pytest.raises(SystemExit):
        main(["commitments", "--help"])
    assert "met" in capsys.readouterr().out
