"""Every error a person can cause ends in one line and a non-zero exit, never a traceback.

Each case runs the real command in a subprocess, as cron or a person would.
"""

from __future__ import annotations

import hashlib
import resource
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.helpers.cli import assert_one_line_error, run_cli
from tests.helpers.paths import ROOT

TOKEN = "t0ken-never-shown-77a1"


def cli(*argv: str, cwd: Path, env: dict | None = None, limit_file_size: int | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess:  # fmt: skip
    def full_disk() -> None:
        # Writes past this size fail as on a full disk (EFBIG), instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return run_cli(
        *argv,
        cwd=cwd,
        env={"MIMOTO_GOV_DATA": str(cwd / "data"), **(env or {})},
        timeout=timeout,
        before=full_disk if limit_file_size is not None else None,
    )


def assert_one_line(done: subprocess.CompletedProcess, *needles: str) -> str:
    line = assert_one_line_error(done, *needles)
    assert TOKEN not in done.stderr + done.stdout
    return line


@pytest.mark.parametrize(
    ("url", "needles"),
    [
        ("http://[::1", ["ZAMMAD_URL"]),
        ("http://127.0.0.1:70000", ["ZAMMAD_URL", "port"]),
        ("http://desk.example.com:99999999/", ["ZAMMAD_URL", "port"]),
        ("http://", ["ZAMMAD_URL"]),
    ],
)
def test_a_broken_zammad_url(tmp_path, url, needles):
    done = cli("pull", cwd=tmp_path, env={"ZAMMAD_URL": url, "ZAMMAD_TOKEN": TOKEN})
    assert_one_line(done, *needles)


@pytest.mark.parametrize("token", ["t0k€n", "tok\u0131en", "tok\nen"])
def test_a_token_http_cannot_carry(tmp_path, token):
    env = {"ZAMMAD_URL": "http://127.0.0.1:9", "ZAMMAD_TOKEN": token}
    done = cli("pull", cwd=tmp_path, env=env)
    line = assert_one_line(done, "ZAMMAD_TOKEN")
    assert token not in line


def test_a_dotenv_with_a_byte_that_is_not_utf8(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"ZAMMAD_URL=http://127.0.0.1:9\nZAMMAD_TOKEN=caf\xe9-" + TOKEN.encode())
    env_file.chmod(0o600)
    assert_one_line(cli("pull", cwd=tmp_path), ".env", "UTF-8", "line 2")


def test_a_policy_file_with_a_date_that_does_not_exist(tmp_path):
    schedule = (ROOT / "data" / "policy" / "retention.yml").read_text(encoding="utf-8")
    bad = tmp_path / "retention.yml"
    bad.write_text(schedule.replace("approved_on: null", "approved_on: 2026-02-30"))
    done = cli("review", "--month", "2026-01", "--schedule", str(bad), cwd=tmp_path)
    assert_one_line(done, "retention.yml", "2026-02-30")


def test_a_register_write_on_a_full_disk(tmp_path):
    first = cli("requests", "add", "--kind", "access", "--email", "a@example.com", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    registers = tmp_path / "data" / "registers.sqlite"
    before = registers.read_bytes()
    done = cli(
        "register", "complaints", "add", "--summary", "x" * 20000,
        cwd=tmp_path, limit_file_size=4096,
    )  # fmt: skip
    assert_one_line(done, "registers")
    assert registers.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["register", "breaches", "add", "--found-at", "2026-01-05 10:00", "--description",
          "lost laptop", "--people", "99999999999999999999"], ["--people"]),
        (["register", "holds", "lift", "99999999999999999999", "--by", "me"], ["ID"]),
        (["sandbox", "--tickets", "99999999999"], ["--tickets"]),
        (["demo", "--tickets", "99999999999"], ["--tickets"]),
        (["sandbox", "--seed", "-1"], ["--seed"]),
        (["erase", "a@example.com", "--request-id", "R-2026-0001", "--timeout", "nan"],
         ["--timeout"]),
        (["site-audit", "--timeout", "inf", "http://127.0.0.1:9/"], ["--timeout"]),
        (["requests", "add", "--kind", "access", "--email", "a@example.com",
          "--received", "0001-01-01"], ["--received", "2018"]),
        (["requests", "add", "--kind", "access", "--email", "a@example.com",
          "--received", "2017-12-31"], ["--received", "2018"]),
        (["requests", "add", "--kind", "access", "--email", "a@example.com",
          "--received", "2999-01-01"], ["future"]),
        (["register", "complaints", "add", "--summary", "x", "--received", "0001-01-01"],
         ["2018"]),
        (["requests", "add", "--kind", "access", "--email", "a" * 100_000 + "@example.com"],
         ["email", "RFC 5321"]),
        (["requests", "add", "--kind", "access", "--email", "a" * 65 + "@example.com"],
         ["email", "64"]),
        (["requests", "add", "--kind", "access", "--email", "a@" + "b" * 250 + ".com"],
         ["email"]),
    ],
)  # fmt: skip
def test_numbers_dates_and_addresses_out_of_bounds(tmp_path, argv, needles):
    done = cli(*argv, cwd=tmp_path, timeout=30)
    line = assert_one_line(done, *needles)
    assert len(line) < 400  # the 100,000-character address is not echoed back
    registers = tmp_path / "data" / "registers.sqlite"
    if registers.exists():
        with sqlite3.connect(registers) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "requests" in tables:
                assert conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0] == 0


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_empty_registers_file_is_refused_never_reset(tmp_path):
    registers = tmp_path / "data" / "registers.sqlite"
    registers.parent.mkdir()
    registers.touch(mode=0o600)
    add = ["requests", "add", "--kind", "access", "--email", "a@b.uk"]
    for argv in (["requests", "list"], add):
        assert_one_line(cli(*argv, cwd=tmp_path), str(registers), "empty")
        assert registers.stat().st_size == 0


def test_a_foreign_sqlite_file_is_refused_never_changed(tmp_path):
    registers = tmp_path / "data" / "registers.sqlite"
    registers.parent.mkdir()
    with sqlite3.connect(registers) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.close()
    before = digest(registers)
    assert_one_line(cli("requests", "list", cwd=tmp_path), str(registers), "not a registers file")
    assert digest(registers) == before


def test_a_dotenv_readable_by_others_gets_a_warning_not_an_error(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("GAUGES_TOKEN=" + TOKEN + "\n")
    env_file.chmod(0o644)
    done = cli("requests", "list", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mimoto-gov: warning: ")
    assert ".env" in lines[0] and "chmod 600" in lines[0]
    assert TOKEN not in done.stderr + done.stdout
    env_file.chmod(0o600)
    quiet = cli("requests", "list", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
