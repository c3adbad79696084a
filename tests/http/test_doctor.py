"""``mimoto-gov doctor`` on a fresh clone, on a filled configuration, and on what goes wrong."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from mimoto_gov.audits.deployment import check_deployment, key_findings, scheduling_findings
from mimoto_gov.audits.zammad_access import zammad_access
from mimoto_gov.demo.registers import seed_demo_registers
from mimoto_gov.registers import open_registers
from mimoto_gov.settings import load_settings
from mimoto_gov.support.examples import DEMO_MARKER, mark_demo_folder
from mimoto_gov.zammad.client import ZammadClient, client_from_settings
from tests.helpers.cli import clean_env, mimoto_gov
from tests.helpers.inprocess import run
from tests.helpers.paths import ROOT
from tests.helpers.project import fresh_project

PLACEHOLDER = re.compile(r"TO BE (?:FILLED|CONFIRMED) BY STAFF[^\n]*")


def statuses(output: str) -> dict[str, str]:
    """what -> status of each printed finding line."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"^(ok|todo|note) +([^:]+): ", line)
        if match:
            found[match.group(2)] = match.group(1)
    return found


def fill_policy(project: Path) -> None:
    """Do what staff do before going live: fill every placeholder, approve the schedule."""
    policy = project / "data" / "policy"
    ropa = (policy / "ropa.yml").read_text()
    ropa = ropa.replace(
        "location: TO BE CONFIRMED BY STAFF (where Zammad hosts Mimoto's service desk)",
        "location: Germany (Frankfurt data centre), confirmed 1 Dec 2026",
    )
    ropa = PLACEHOLDER.sub("Confirmed by the data protection lead on 1 Dec 2026", ropa)
    (policy / "ropa.yml").write_text(ropa)
    schedule = (policy / "retention.yml").read_text()
    (policy / "retention.yml").write_text(
        schedule.replace("confirmed_on: null", "confirmed_on: 2026-12-01")
    )
    commitments = (policy / "commitments.yml").read_text()
    (policy / "commitments.yml").write_text(
        commitments.replace(
            'public_repository: ""', 'public_repository: "https://git.example.com/mimoto/policy"'
        )
    )


@pytest.fixture
def live(sandbox, tmp_path, monkeypatch):
    """A fresh clone whose .env names the sandbox, pulled, with one request recorded."""
    project = fresh_project(
        tmp_path / "clone",
        env={"ZAMMAD_URL": sandbox.url, "ZAMMAD_TOKEN": sandbox.admin_token},
    )
    monkeypatch.chdir(project / "notebooks")
    return project


def test_a_fresh_clone_lists_every_placeholder_and_exits_non_zero(tmp_path):
    project = fresh_project(tmp_path / "clone")
    env = clean_env(MIMOTO_GOV_KEY_FILE=str(tmp_path / "config" / "erasure.key"))
    done = mimoto_gov("doctor", cwd=project, env=env)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    found = statuses(done.stdout)
    for what in (".env", "Zammad", "ropa.yml", "retention.yml backups",
                 "article15.yml and ropa.yml", "commitments.yml", "retention schedule",
                 "erasure key"):  # fmt: skip
        assert found[what] == "todo", (what, done.stdout)
    assert found["demo data"] == "ok"
    assert re.search(r"\d+ field\(s\) still TO BE FILLED/CONFIRMED BY STAFF", done.stdout)
    assert "a company in Germany" in done.stdout and "still to be confirmed" in done.stdout
    assert "public_repository is empty" in done.stdout
    assert done.stdout.rstrip().endswith("block a real review.")


def test_a_filled_configuration_exits_zero(live, sandbox, capsys):
    fill_policy(live)
    assert run(capsys, "pull")[0] == 0
    assert run(capsys, "requests", "add", "--kind", "access", "--email", "jo@example.com")[0] == 0
    assert run(capsys, "retention", "approve", "--by", "Data protection lead")[0] == 0
    code, out, err = run(capsys, "doctor")
    assert code == 0, out + err
    found = statuses(out)
    assert set(found.values()) == {"ok", "note"} and found["Gaug.es"] == "note", out
    for what in ("token ticket.agent", "token admin.data_privacy", "token admin.scheduler",
                 "Zammad groups", "article15.yml and ropa.yml", "erasure key"):  # fmt: skip
        assert found[what] == "ok", what
    assert f"{sandbox.url} answers" in out
    assert "Germany (Frankfurt data centre)" in out
    assert out.rstrip().endswith("Ready for a real review.")
    assert sandbox.admin_token not in out
    # The doctor only read: no request changed anything in Zammad.
    assert {r.method for r in sandbox.request_log} <= {"GET", "POST"}
    assert all(r.path.endswith("/search") for r in sandbox.request_log if r.method == "POST")


def test_the_token_is_judged_by_what_zammad_lets_it_read(sandbox, tmp_path):
    # An agent of some groups only, whose token holds ticket.agent alone.
    agent = next(
        uid for uid, user in sandbox.dataset.users.items()
        if user.get("group_ids") and len(user["group_ids"]) < len(sandbox.dataset.groups)
    )  # fmt: skip
    token = sandbox.add_token(agent, {"ticket.agent"})
    settings = load_settings(
        env={"ZAMMAD_URL": sandbox.url, "ZAMMAD_TOKEN": token, "MIMOTO_GOV_DATA": str(tmp_path)}
    )
    result = check_deployment(settings, env_file=tmp_path / ".env", connect=client_from_settings)
    found = {f.what: f for f in result.findings}
    assert found["token ticket.agent"].status == "ok"
    assert found["token admin.data_privacy"].status == "todo"
    assert "erasure" in found["token admin.data_privacy"].detail
    assert found["token admin.user"].status == "note" and found["token admin"].status == "note"
    assert found["Zammad groups"].status == "todo"
    assert "cannot read tickets in" in found["Zammad groups"].detail
    # A customer's token cannot pull at all; a wrong token is refused in one line.
    with ZammadClient(sandbox.url, sandbox.tokens["customer"]) as client:
        lines = {f.what: f.status for f in zammad_access(client)}
    assert lines["token ticket.agent"] == "todo" and "Zammad groups" not in lines
    with ZammadClient(sandbox.url, "not-a-token", max_retries=0) as client:
        (finding,) = zammad_access(client)
    assert finding.status == "todo" and "refused the token" in finding.detail


def test_demo_data_and_a_readable_env_block(tmp_path, monkeypatch, capsys):
    project = fresh_project(tmp_path / "clone", env={"ZAMMAD_URL": "http://127.0.0.1:9"})
    (project / ".env").chmod(0o644)
    data = project / "data"
    mark_demo_folder(data)
    seed_demo_registers(data)
    (data / DEMO_MARKER).unlink()  # demo entries left in the real folder
    monkeypatch.chdir(project)
    code, out, _ = run(capsys, "doctor")
    assert code == 1
    found = statuses(out)
    assert found[".env"] == "todo" and "chmod 600" in out
    assert found["demo data"] == "todo"
    assert "holds example entries from the demo (requests 3" in out
    assert "attestations 3" in out


def test_scheduled_jobs_are_found_where_they_are_installed(tmp_path):
    recipes = ROOT / "docs" / "scheduling"
    systemd = tmp_path / "systemd"
    systemd.mkdir()
    (found,) = scheduling_findings(recipes, tmp_path, (systemd,), crontab=lambda: "")
    assert found.status == "todo" and "mimoto-gov-review.timer" in found.detail
    for unit in ("mimoto-gov-review.timer", "mimoto-gov-review.service"):
        (systemd / unit).write_text((recipes / unit).read_text())
    (found,) = scheduling_findings(recipes, tmp_path, (systemd,), crontab=lambda: "")
    assert found.status == "ok" and str(systemd) in found.detail
    (cron,) = scheduling_findings(
        recipes, tmp_path, (tmp_path / "none",), crontab=lambda: "15 6 1 * * mimoto-gov review"
    )
    assert cron.status == "ok"


def test_the_erasure_key_is_checked_where_it_lives(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    key = tmp_path / "config" / "erasure.key"
    monkeypatch.setenv("MIMOTO_GOV_KEY_FILE", str(key))
    (found,) = key_findings(data)
    assert found.status == "todo" and "first register entry" in found.detail
    with open_registers(data / "registers.sqlite") as registers:
        registers.add_request("access", "jo@example.com", date(2026, 11, 2))
    (found,) = key_findings(data)
    assert found.status == "ok" and str(key) in found.detail
    key.chmod(0o644)
    assert key_findings(data)[0].status == "todo"
    key.unlink()  # lost while the registers hold hashes made with it
    (found,) = key_findings(data)
    assert found.status == "todo" and "restore the key from its backup" in found.detail
    monkeypatch.setenv("MIMOTO_GOV_KEY_FILE", str(data / "erasure.key"))
    (found,) = key_findings(data)
    assert found.status == "todo" and "inside the data folder" in found.detail
