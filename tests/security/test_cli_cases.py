"""Every error a person can cause ends in one line and a non-zero exit, never a traceback.

Each case runs the real command in a subprocess, as cron or a person would.
"""

from __future__ import annotations

import hashlib
import resource
import signal
import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor
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


BROKEN = {"ZAMMAD_URL": "http://127.0.0.1:9"}
ADD = ["requests", "add", "--kind", "access", "--email"]

# id -> (command line, variables, what the one line must name). These run side by side.
CASES = {
    "url-ipv6-unclosed": (["pull"], {"ZAMMAD_URL": "http://[::1", "ZAMMAD_TOKEN": TOKEN},
                          ["ZAMMAD_URL"]),
    "url-port-70000": (["pull"], {"ZAMMAD_URL": "http://127.0.0.1:70000", "ZAMMAD_TOKEN": TOKEN},
                       ["ZAMMAD_URL", "port"]),
    "url-port-huge": (["pull"], {"ZAMMAD_URL": "http://desk.example.com:99999999/",
                                 "ZAMMAD_TOKEN": TOKEN}, ["ZAMMAD_URL", "port"]),
    "url-no-host": (["pull"], {"ZAMMAD_URL": "http://", "ZAMMAD_TOKEN": TOKEN}, ["ZAMMAD_URL"]),
    "token-euro": (["pull"], {**BROKEN, "ZAMMAD_TOKEN": "t0k€n"}, ["ZAMMAD_TOKEN"]),
    "token-dotless-i": (["pull"], {**BROKEN, "ZAMMAD_TOKEN": "tok\u0131en"}, ["ZAMMAD_TOKEN"]),
    "token-line-break": (["pull"], {**BROKEN, "ZAMMAD_TOKEN": "tok\nen"}, ["ZAMMAD_TOKEN"]),
    "people-huge": (["register", "breaches", "add", "--found-at", "2026-01-05 10:00",
                     "--description", "lost laptop", "--people", "99999999999999999999"], {},
                    ["--people"]),
    "hold-id-huge": (["register", "holds", "lift", "99999999999999999999", "--by", "me"], {},
                     ["ID"]),
    "sandbox-tickets-huge": (["sandbox", "--tickets", "99999999999"], {}, ["--tickets"]),
    "demo-tickets-huge": (["demo", "--tickets", "99999999999"], {}, ["--tickets"]),
    "sandbox-seed-negative": (["sandbox", "--seed", "-1"], {}, ["--seed"]),
    "erase-timeout-nan": (["erase", "a@example.com", "--request-id", "R-2026-0001",
                           "--timeout", "nan"], {}, ["--timeout"]),
    "site-audit-timeout-inf": (["site-audit", "--timeout", "inf", "http://127.0.0.1:9/"], {},
                               ["--timeout"]),
    "received-year-1": ([*ADD, "a@example.com", "--received", "0001-01-01"], {},
                        ["--received", "2018"]),
    "received-2017": ([*ADD, "a@example.com", "--received", "2017-12-31"], {},
                      ["--received", "2018"]),
    "received-ahead": ([*ADD, "a@example.com", "--received", "2999-01-01"], {}, ["future"]),
    "complaint-year-1": (["register", "complaints", "add", "--summary", "x", "--received",
                          "0001-01-01"], {}, ["2018"]),
    "email-100000": ([*ADD, "a" * 100_000 + "@example.com"], {}, ["email", "RFC 5321"]),
    "email-local-65": ([*ADD, "a" * 65 + "@example.com"], {}, ["email", "64"]),
    "email-domain-long": ([*ADD, "a@" + "b" * 250 + ".com"], {}, ["email"]),
}  # fmt: skip


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess]]:
    """Run every case once, four at a time, each in its own folder."""
    root = tmp_path_factory.mktemp("cli-cases")

    def one(name: str) -> tuple[str, tuple[Path, subprocess.CompletedProcess]]:
        argv, env, _ = CASES[name]
        cwd = root / name
        cwd.mkdir()
        return name, (cwd, cli(*argv, cwd=cwd, env=env, timeout=60))

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, CASES))


@pytest.mark.parametrize("name", list(CASES))
def test_each_case_is_one_line_and_writes_nothing(outcomes, name):
    cwd, done = outcomes[name]
    argv, env, needles = CASES[name]
    line = assert_one_line(done, *needles)
    assert len(line) < 400  # a 100,000-character address is not echoed back
    for value in env.values():
        if value not in (TOKEN, BROKEN["ZAMMAD_URL"]):
            assert value not in line  # neither a malformed token nor URL is shown
    registers = cwd / "data" / "registers.sqlite"
    if registers.exists():
        with sqlite3.connect(registers) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            for table in {"requests", "complaints", "breaches"} & tables:
                assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0  # noqa: S608


def test_a_dotenv_with_a_byte_that_is_not_utf8(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"ZAMMAD_URL=http://127.0.0.1:9\nZAMMAD_TOKEN=caf\xe9-" + TOKEN.encode())
    env_file.chmod(0o600)
    assert_one_line(cli("pull", cwd=tmp_path), ".env", "UTF-8", "line 2")


def test_a_policy_file_with_a_date_that_does_not_exist(tmp_path):
    schedule = (ROOT / "data" / "policy" / "retention.yml").read_text(encoding="utf-8")
    bad = tmp_path / "retention.yml"
    impossible = schedule.replace("confirmed_on: null", "confirmed_on: 2026-02-30", 1)
    assert impossible != schedule
    bad.write_text(impossible)
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
