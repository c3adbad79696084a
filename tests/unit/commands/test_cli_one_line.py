"""Every error a person can cause is one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*argv: str, cwd: Path, env: dict[str, str] | None = None):
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mimoto_gov", *argv],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["nosuch"], ["invalid choice", "--help"]),
        (["demo", "--tickets", "10"], ["--tickets", "minimum of 40"]),
        (["site-audit", "--timeout", "0", "http://127.0.0.1:9/"], ["--timeout", "minimum"]),
        (["erase", "someone@example.com", "--timeout", "abc"], ["--timeout", "abc"]),
        (["requests", "pause", "R-2026-0001"], ["--reason"]),
    ],
)
def test_usage_errors_are_one_line(tmp_path, argv, fragments):
    result = run_cli(*argv, cwd=tmp_path)
    assert result.returncode == 2
    assert_one_line_error(result, *fragments)


def test_a_data_folder_that_cannot_be_created_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("in the way")
    env = {"MIMOTO_GOV_DATA": str(tmp_path / "afile" / "sub")}
    for argv in (["requests", "list"], ["requests", "export", "--out", "out.csv"]):
        assert_one_line_error(run_cli(*argv, cwd=tmp_path, env=env), str(tmp_path / "afile"))


def test_a_report_folder_that_cannot_be_written_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("in the way")
    result = run_cli("commitments", "--out", str(tmp_path / "afile" / "x.csv"), cwd=tmp_path)
    assert_one_line_error(result, "afile")


def test_a_malformed_dotenv_is_named_by_line_without_its_content(tmp_path):
    (tmp_path / ".env").write_text('ZAMMAD_URL=http://127.0.0.1:9\nZAMMAD_TOKEN="secret-123\n')
    result = run_cli("pull", cwd=tmp_path)
    assert_one_line_error(result, ".env", "line 2")
    assert "secret-123" not in result.stderr + result.stdout
