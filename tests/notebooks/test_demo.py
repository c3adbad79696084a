"""``mimoto-gov demo`` end to end, in-process, in a fresh folder with the default ./data, ./reports.

The demo runs once for the module (it starts both sandboxes, renders four reports and takes
about twenty seconds); each test then checks one part of what it left behind.
"""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path

import pytest

from mimoto_gov.demo.registers import demo_request
from mimoto_gov.demo.run import STEPS, run_demo
from mimoto_gov.policy.files import COMMITMENTS_FILE, load_commitments, policy_file
from mimoto_gov.registers import open_registers
from mimoto_gov.sar.files import verify_manifest

pytestmark = pytest.mark.slow

# The commitments the analytics pull and the site audit give evidence for.
EVIDENCED = ("analytics-anonymous", "no-advertising", "cookies-login-and-analytics",
             "no-tracking-cookies")  # fmt: skip
WORKBOOK_VARIABLES = ("ZAMMAD_URL", "ZAMMAD_TOKEN", "GAUGES_TOKEN", "MIMOTO_GOV_DATA",
                      "MIMOTO_GOV_REPORTS")  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Run the demo as a newcomer would: no configuration, in an empty folder."""
    workdir = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        for name in WORKBOOK_VARIABLES:
            patch.delenv(name, raising=False)
        patch.chdir(workdir)
        out = io.StringIO()
        run = run_demo(tickets=120, out=out)
    return workdir, run, out.getvalue()


def where(output: str) -> dict[str, str]:
    """The "Where things are" list: label -> path as printed."""
    lines = output.splitlines()
    listed = lines[lines.index("Where things are:") + 1 :]
    return dict(line.strip().split(": ", 1) for line in listed)


def absolute(workdir: Path, printed: str | Path) -> Path:
    """A path the demo printed or returned, relative ones taken from the demo's folder."""
    path = Path(printed)
    return path if path.is_absolute() else workdir / path


def table_rows(html: str) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def block(output: str, first_words: str) -> list[str]:
    """The lines a step printed: from its first line to the next blank line."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_words))
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return lines[start:end]


def test_analytics_and_site_audit_run_before_the_review_sar_and_erasure_after():
    names = [name for name, _ in STEPS]
    assert names.index("analytics") < names.index("review")
    assert names.index("site-audit") < names.index("review")
    assert names.index("review") < names.index("subject-access") < names.index("erasure")


def test_every_step_leaves_its_outputs(demo):
    workdir, run, output = demo
    listed = {label: absolute(workdir, path) for label, path in where(output).items()}
    for label in ("Analytics review", "Site audit", "Deletion checklist", "Retention review"):
        for kind in ("HTML", "PDF"):
            path = listed[f"{label} ({kind})"]
            assert path.is_file() and path.stat().st_size > 1000, path
    assert listed["Analytics review (PDF)"].read_bytes().startswith(b"%PDF")
    site_run = json.loads((listed["Site audit (HTML)"].parent / "run.json").read_text())
    assert site_run["kind"] == "site-audit"
    assert site_run["summary"]["passed"] is True
    assert site_run["summary"]["failed"] == [] and site_run["summary"]["to_review"] == []
    package = listed["Subject access package"]
    assert (package / "send" / "manifest.json").is_file()
    assert verify_manifest(package) == []
    assert package == absolute(workdir, run.results["sar"])
    assert (workdir / "reports" / "site-audit").is_dir()


def test_the_analytics_come_from_a_live_pull_of_two_months_with_the_token(demo):
    workdir, run, _ = demo
    analytics = run.results["analytics"]
    review_month = run.results["review"].run_id
    assert analytics.date_to == review_month
    assert analytics.date_from < analytics.date_to
    requests = analytics.sandbox.state.requests
    assert requests and all(r["token_ok"] for r in requests)
    assert not any(r["path"] in ("/me", "/clients") or r["path"].endswith("/shares")
                   for r in requests)  # fmt: skip
    asked = {q.split("date=")[1][:7] for r in requests if "date=" in (q := r["query"])}
    assert asked == {analytics.date_from, analytics.date_to}
    raw = workdir / "data" / "gauges" / "raw"
    assert {absolute(workdir, path) for path in analytics.files} <= set(raw.rglob("*.json"))
    html = analytics.report.html.read_text(encoding="utf-8")
    assert "bundled synthetic sample" not in html  # the pulled data, not the sample


def test_the_review_shows_the_analytics_and_cookie_promises_met(demo):
    workdir, run, _ = demo
    commitments = load_commitments(policy_file(COMMITMENTS_FILE, workdir / "data"))
    titles = {item.id: item.title for item in commitments}
    html = run.results["review"].html.read_text(encoding="utf-8")
    status = {row[0]: row[1] for row in table_rows(html) if len(row) >= 3}
    for commitment_id in EVIDENCED:
        assert status[titles[commitment_id]] == "met", commitment_id
    # Left to a person on purpose: the demo seeds no attestation that Gaug.es does not share.
    assert status[titles["analytics-not-shared"]] == "evidence missing"


def test_sar_and_erasure_answer_registered_requests_and_nothing_is_erased(demo):
    workdir, run, _ = demo
    dataset = run.sandbox.dataset
    subject = dataset.users[dataset.personas["subject"]]["email"]
    member = dataset.users[dataset.personas["sole_member"]]["email"]
    erasure = run.results["erasure"]
    assert erasure.outcome == "planned"
    checklist = absolute(workdir, erasure.paths[0]).read_text(encoding="utf-8")
    assert "Dry run: nothing was changed in Zammad" in checklist
    data = workdir / "data"
    with open_registers(data / "registers.sqlite") as registers:
        assert registers.erasures().empty
        access = registers.get_request(run.results["sar"].name)
        assert access.kind == "access" and access.emails == (subject,)
        assert access.verified_at is not None
        planned = registers.get_request(erasure.request_id)
        assert planned.kind == "erasure" and planned.emails == (member,)
        count = len(registers.list_requests())
    # A second demo finds the same requests and adds none.
    assert demo_request(data, "access", subject) == access.id
    assert demo_request(data, "erasure", member) == planned.id
    with open_registers(data / "registers.sqlite") as registers:
        assert len(registers.list_requests()) == count
    # Nothing was asked of Zammad but reads and searches: the person is still there.
    writes = [
        (r.method, r.path)
        for r in run.sandbox.request_log
        if r.method != "GET" and not (r.method == "POST" and r.path.endswith("/search"))
    ]
    assert writes == []
    assert dataset.personas["sole_member"] in dataset.users


def test_no_token_is_printed_or_written(demo):
    workdir, run, output = demo
    tokens = [t for t in run.sandbox.tokens.values() if t]
    tokens.append(run.results["analytics"].sandbox.state.token)
    assert len(tokens) >= 2 and all(len(t) >= 16 for t in tokens)
    for token in tokens:
        assert token not in output
    files = [p for folder in ("data", "reports") for p in (workdir / folder).rglob("*")]
    files = [p for p in files if p.is_file()]
    assert len(files) > 100
    for path in files:
        content = path.read_bytes()
        assert not any(token.encode() in content for token in tokens), path


def test_the_output_is_short_and_ends_with_the_review(demo):
    _, run, output = demo
    lines = output.rstrip("\n").splitlines()
    review = run.results["review"]
    assert lines[-2] == f"  Retention review (HTML): {review.html}"
    assert lines[-1] == f"  Retention review (PDF): {review.pdf}"
    for first in ("Pulling Gaug.es", "Auditing the cookies", "Building the subject access",
                  "Planning the erasure"):  # fmt: skip
        assert 2 <= len(block(output, first)) <= 3, block(output, first)
