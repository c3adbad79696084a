"""``mimoto-gov demo`` end to end, in-process, from notebooks/ of a fresh clone with a real .env.

The demo runs once for the session (``demo_result`` in conftest.py: it starts both sandboxes,
renders four reports and takes about twenty seconds); each test then checks one part of what
it left behind, and that it kept to demo/ at the clone's root.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from mimoto_gov.demo.registers import demo_request
from mimoto_gov.demo.run import STEPS
from mimoto_gov.policy.files import COMMITMENTS_FILE, load_commitments, policy_file
from mimoto_gov.registers import open_registers
from mimoto_gov.sar.files import verify_manifest
from mimoto_gov.support.examples import DEMO_MARKER
from tests.helpers.paths import ROOT
from tests.helpers.project import untracked
from tests.notebooks.conftest import REAL_ENV, real_folders

pytestmark = pytest.mark.slow

# The commitments the analytics pull and the site audit give evidence for.
EVIDENCED = ("analytics-anonymous", "no-advertising", "cookies-login-and-analytics",
             "no-tracking-cookies")  # fmt: skip


@pytest.fixture
def demo(demo_result):
    """(the demo's folder, its DemoRun, what it printed)."""
    return demo_result.folder, demo_result.run, demo_result.output


def where(output: str) -> dict[str, str]:
    """The "Where things are" list: label -> path as printed."""
    lines = output.splitlines()
    listed = lines[lines.index("Where things are:") + 1 :]
    return dict(line.strip().split(": ", 1) for line in listed)


def absolute(workdir: Path, printed: str | Path) -> Path:
    """A path the demo printed or returned (absolute: the clone is a project root)."""
    path = Path(printed)
    assert path.is_absolute() and path.is_relative_to(workdir), path
    return path


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


def test_the_demo_keeps_to_demo_folder_and_touches_no_real_folder_or_env(demo_result):
    project, output = demo_result.project, demo_result.output
    assert real_folders(project) == demo_result.before
    assert REAL_ENV["ZAMMAD_URL"] in (project / ".env").read_text()
    demo = demo_result.folder
    for folder in ("data", "reports"):
        assert (demo / folder / DEMO_MARKER).is_file()
    assert (demo / "data" / "registers.sqlite").is_file()
    assert len(list((demo / "reports").rglob("*.html"))) >= 5
    # git sees nothing new: demo/ is ignored, and nothing was made under notebooks/.
    assert untracked(project) == []
    notebooks = {p.name for p in (project / "notebooks").iterdir()}
    assert notebooks == {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    first = output.splitlines()[0]
    assert f"writes only into {demo / 'data'} and {demo / 'reports'}" in first
    assert "make clean-demo" in first and ".env are not touched" in first
    # Nothing of the real desk named in .env reached the demo's outputs.
    for path in demo.rglob("*"):
        if path.is_file():
            assert b"desk.mimoto.example" not in path.read_bytes(), path


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


def footer(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    return unescape(re.sub(r"<[^>]+>", "", re.search(r"<footer.*?</footer>", html, re.S)[0]))


def test_only_reports_with_personal_data_say_so_in_their_footer(demo):
    workdir, run, output = demo
    listed = {label: absolute(workdir, path) for label, path in where(output).items()}
    holding = [listed["Retention review (HTML)"], listed["Deletion checklist (HTML)"],
               listed["Subject access package"] / "send" / "index.html"]  # fmt: skip
    for page in holding:
        assert "Contains personal data" in footer(page), page
    site_audit = listed["Site audit (HTML)"]
    assert "Contains personal data" not in footer(site_audit)
    assert "Holds no personal data" in footer(site_audit)


def visible_text(page: Path) -> str:
    hidden = r"<style.*?</style>|<script.*?</script>|<img[^>]*>"
    html = re.sub(hidden, "", page.read_text(encoding="utf-8"), flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_subject_access_response_gives_every_date_the_uk_way(demo):
    workdir, run, _ = demo
    page = absolute(workdir, run.results["sar"]) / "send" / "index.html"
    text = visible_text(page)
    assert re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text) == []
    assert re.search(r"\b\d{1,2} [A-Z][a-z]{2} 20\d\d\b", text)
