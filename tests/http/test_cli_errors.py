"""``mimoto-gov pull`` and ``demo`` as a person runs them: a subprocess, env vars, exit codes."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mimoto_gov.demo.run import run_demo
from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.settings import load_settings

PYTHON = str(Path(sys.executable))


@pytest.fixture(scope="module")
def server():
    with Sandbox(tickets=60, seed=2) as sandbox:
        yield sandbox


def cli(*args, cwd: Path, **env) -> subprocess.CompletedProcess:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ZAMMAD_", "MIMOTO_GOV_", "GAUGES_"))
    }
    environ.update(env)
    return subprocess.run(
        [PYTHON, "-m", "mimoto_gov", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_line_error(done: subprocess.CompletedProcess, *needles: str, secret: str = ""):
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("mimoto-gov: error: ")
    for needle in needles:
        assert needle in lines[0]
    if secret:
        assert secret not in done.stderr + done.stdout


def test_a_bad_token(server, tmp_path):
    token = "wrong-token-5f3a9c"
    done = cli("pull", cwd=tmp_path, ZAMMAD_URL=server.url, ZAMMAD_TOKEN=token)
    assert_one_line_error(done, "Zammad refused the token (401", "ZAMMAD_TOKEN", secret=token)
    assert not (tmp_path / "data" / "zammad").exists()


def test_an_unreachable_host(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = cli("pull", cwd=tmp_path, ZAMMAD_URL=f"http://127.0.0.1:{port}", ZAMMAD_TOKEN="t0k3n")
    assert_one_line_error(done, f"cannot reach Zammad at http://127.0.0.1:{port}", secret="t0k3n")


def test_a_url_that_answers_html(server, tmp_path):
    token = server.admin_token
    done = cli("pull", cwd=tmp_path, ZAMMAD_URL=server.url + "/html", ZAMMAD_TOKEN=token)
    assert_one_line_error(done, "does not look like Zammad's REST API", secret=token)


def test_missing_settings_are_named(tmp_path):
    done = cli("pull", cwd=tmp_path)
    assert_one_line_error(done, "ZAMMAD_URL is not set")
    done = cli("pull", cwd=tmp_path, ZAMMAD_URL="https://desk.example.com")
    assert_one_line_error(done, "ZAMMAD_TOKEN is not set")


def test_a_pull_from_a_dotenv_file_prints_its_summary_and_writes_no_token(server, tmp_path):
    token = server.admin_token
    (tmp_path / ".env").write_text(f"ZAMMAD_URL={server.url}\nZAMMAD_TOKEN={token}\n")
    (tmp_path / ".env").chmod(0o600)  # private, as it holds the token: no warning
    done = cli("pull", cwd=tmp_path, MIMOTO_GOV_DATA="private-data")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # quiet when not on a terminal
    summary = done.stdout.strip()
    assert len(summary.splitlines()) == 1
    assert summary.startswith("Full pull (first pull): the snapshot holds 60 tickets")
    assert "private-data/zammad" in summary
    assert token not in summary

    again = cli("pull", cwd=tmp_path, MIMOTO_GOV_DATA="private-data")
    assert again.returncode == 0
    assert again.stdout.startswith("Incremental pull: ")
    forced = cli("pull", "--full", cwd=tmp_path, MIMOTO_GOV_DATA="private-data")
    assert forced.stdout.startswith("Full pull (asked for)")

    for folder in (tmp_path / "private-data", tmp_path / "reports"):
        for path in folder.rglob("*") if folder.exists() else ():
            if path.is_file():
                assert token.encode() not in path.read_bytes(), path


def test_help_says_what_pull_does(tmp_path):
    done = cli("pull", "--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "--full" in done.stdout and "snapshot" in done.stdout


@pytest.mark.slow
def test_the_demo_needs_no_configuration(tmp_path):
    done = cli("demo", "--tickets", "120", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert any(line.startswith("Inventory: 120 tickets") for line in lines)
    where = lines.index("Where things are:")
    demo = Path("demo") / "data"
    assert f"  Zammad snapshot (Parquet): {demo / 'zammad'}" in lines[where + 1 :]
    assert (tmp_path / demo / "zammad" / "tickets.parquet").is_file()
    assert not (tmp_path / "data").exists() and not (tmp_path / "reports").exists()


def test_the_demo_keeps_the_sandbox_token_to_itself(tmp_path):
    out = io.StringIO()
    settings = load_settings(
        env={"MIMOTO_GOV_DATA": str(tmp_path / "data"), "MIMOTO_GOV_REPORTS": str(tmp_path / "r")}
    )
    run = run_demo(tickets=60, settings=settings, out=out)
    tokens = [token for token in run.sandbox.tokens.values() if token]
    assert run.results["pull"].counts["tickets"] == 60
    assert not any(token in out.getvalue() for token in tokens)
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.name == "tickets.parquet" for path in files)
    for path in files:
        assert not any(token.encode() in path.read_bytes() for token in tokens), path
    lines = out.getvalue().splitlines()
    where = lines.index("Where things are:")
    assert f"  Zammad snapshot (Parquet): {tmp_path / 'data' / 'zammad'}" in lines[where + 1 :]


def test_the_demo_will_not_replace_a_real_snapshot(tmp_path):
    folder = tmp_path / "demo" / "data" / "zammad"
    folder.mkdir(parents=True)
    (folder / "sync_state.json").write_text(
        '{"schema_version": 1, "zammad_url": "https://desk.mimoto.example",'
        ' "snapshot_time": "2026-01-01T00:00:00+00:00", "watermark": null}'
    )
    for table in ("tickets", "articles", "attachments", "users", "organizations"):
        pd.DataFrame({"id": pd.array([], dtype="Int64")}).to_parquet(folder / f"{table}.parquet")
    done = cli("demo", cwd=tmp_path)
    assert_one_line_error(done, "holds a snapshot of a real Zammad", "move that folder away")


def test_the_demo_writes_only_into_folders_it_made(tmp_path):
    reports = tmp_path / "demo" / "reports"
    reports.mkdir(parents=True)
    (reports / "board-minutes.pdf").write_bytes(b"%PDF-1.7 not the demo's")
    done = cli("demo", cwd=tmp_path)
    assert_one_line_error(done, "holds files the demo did not make", "make clean-demo")
    assert not (tmp_path / "demo" / "data").exists()
