"""`mimoto-gov requests ...` run in-process: output, exit codes and the register it leaves."""

from __future__ import annotations

import stat
from datetime import date

import pandas as pd
import pytest

from mimoto_gov.cli import main
from tests.helpers.inprocess import registers, run


def add_request(capsys, kind: str, email: str, received: str, *more: str):
    """Record a request with ``mimoto-gov requests add``; return its exit code and output."""
    return run(
        capsys, "requests", "add", "--kind", kind, "--email", email, "--received", received, *more
    )


def test_add_prints_the_id_and_the_due_date(data_dir, capsys):
    code, out, err = run(
        capsys,
        "requests",
        "add",
        "--kind",
        "access",
        "--email",
        "Ann@Example.com",
        "--email",
        "ann@work.example",
        "--received",
        "2026-09-03",
        "--notes",
        "by email",
    )
    assert (code, err) == (0, "")
    assert out.strip() == (
        "R-2026-0001 (access, open) from ann@example.com, ann@work.example: "
        "received 3 Sep 2026, due 5 Oct 2026"
    )
    with registers(data_dir) as reg:
        request = reg.get_request("R-2026-0001")
    assert request.emails == ("ann@example.com", "ann@work.example")
    assert request.notes == "by email"
    assert stat.S_IMODE((data_dir / "registers.sqlite").stat().st_mode) == 0o600


def test_received_defaults_to_today(data_dir, capsys):
    run(capsys, "requests", "add", "--kind", "erasure", "--email", "b@example.com")
    with registers(data_dir) as reg:
        assert reg.list_requests()[0].received_on == date.today()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--received", "2026-13-01"],
            "mimoto-gov: error: --received: '2026-13-01' is not a date (YYYY-MM-DD)",
        ),
        (["--received", "3/9/2026"], "mimoto-gov: error: --received: '3/9/2026' is not a date"),
        (["--email", "ann at example"], "mimoto-gov: error: email: 'ann at example' is not an"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(data_dir, capsys, argv, message):
    base = {"--kind": "access", "--email": "a@example.com"}
    args = ["requests", "add", "--kind", base["--kind"]]
    if "--email" not in argv:
        args += ["--email", base["--email"]]
    code, out, err = run(capsys, *args, *argv)
    assert code == 2
    assert err.startswith(message)
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out == ""
    with registers(data_dir) as reg:
        assert reg.list_requests() == []


def test_an_unknown_request_id_is_one_line(data_dir, capsys):
    for action in (["show"], ["pause", "--reason", "x"], ["close", "--outcome", "answered"]):
        code, out, err = run(capsys, "requests", action[0], "R-2026-0042", *action[1:])
        assert code == 1
        assert err == "mimoto-gov: error: no request R-2026-0042 in the register\n"


def test_the_whole_life_of_a_request(data_dir, capsys):
    add_request(capsys, "access", "a@example.com", "2025-01-31")
    code, out, _ = run(
        capsys,
        "requests",
        "verify",
        "R-2025-0001",
        "--method",
        "registered address",
        "--by",
        "Ann Smith",
        "--seen",
        "request sent from the account's address",
        "--on",
        "2025-02-01",
        "--reason",
        "entered from the paper file",
    )
    assert code == 0 and "due 28 Feb 2025" in out
    code, out, _ = run(
        capsys,
        "requests",
        "pause",
        "R-2025-0001",
        "--reason",
        "which tickets?",
        "--on",
        "2025-02-03",
    )
    assert code == 0 and "(access, paused)" in out
    code, out, _ = run(
        capsys,
        *("requests", "resume", "R-2025-0001", "--on", "2025-02-06"),
        *("--reason", "entered from the paper file"),
    )
    # Three paused days: 28 Feb + 3 = Monday 3 March.
    assert code == 0 and "due 3 Mar 2025" in out
    code, out, _ = run(
        capsys,
        "requests",
        "extend",
        "R-2025-0001",
        "--reason",
        "complex",
        "--on",
        "2025-02-10",
        "--told-on",
        "2025-02-11",
    )
    # Three months from 31 Jan is 30 Apr, plus 3 paused days: Saturday 3 May, then the
    # early May bank holiday on Monday 5 May 2025.
    assert code == 0 and "(access, extended)" in out and "due 6 May 2025" in out
    code, out, _ = run(capsys, "requests", "show", "R-2025-0001")
    assert code == 0
    assert "Identity verified:" in out and "by Ann Smith" in out
    assert "Clock stopped:" in out and "3 Feb 2025 to 6 Feb 2025: which tickets?" in out
    assert "Extended:" in out and "subject told 11 Feb 2025" in out
    assert "Due:" in out and "6 May 2025" in out
    code, out, _ = run(
        capsys,
        "requests",
        "close",
        "R-2025-0001",
        "--outcome",
        "answered",
        "--detail",
        "package sent",
        "--on",
        "2025-04-01",
        "--reason",
        "entered from the paper file",
    )
    assert code == 0 and "(access, closed)" in out
    with registers(data_dir) as reg:
        request = reg.get_request("R-2025-0001")
    assert request.status == "closed"
    assert request.closed_on == date(2025, 4, 1)
    assert request.verified_by == "Ann Smith"
    assert request.extension_told_on == date(2025, 2, 11)


def test_a_refusal_and_a_late_extension(data_dir, capsys):
    add_request(capsys, "erasure", "a@example.com", "2025-01-06")
    code, _, err = run(
        capsys, "requests", "extend", "R-2025-0001", "--reason", "complex", "--on", "2025-02-10"
    )
    assert code == 1
    assert err == (
        "mimoto-gov: error: an extension must be decided and told within the first month: "
        "request R-2025-0001 was due 6 Feb 2025\n"
    )
    code, out, _ = run(
        capsys,
        "requests",
        "close",
        "R-2025-0001",
        "--outcome",
        "refused",
        "--grounds",
        "manifestly-unfounded",
        "--detail",
        "asked only to disrupt, says so in the request",
        "--on",
        "2025-01-20",
        "--reason",
        "entered from the paper file",
    )
    assert code == 0 and "(erasure, refused)" in out


def test_list_shows_open_requests_overdue_first(data_dir, capsys):
    today = date.today()
    run(capsys, "requests", "add", "--kind", "access", "--email", "new@example.com")
    add_request(capsys, "access", "old@example.com", f"{today.year - 1}-01-05")
    add_request(capsys, "objection", "done@example.com", f"{today.year - 1}-01-04")
    run(
        capsys,
        "requests",
        "close",
        f"R-{today.year - 1}-0002",
        "--outcome",
        "answered",
        "--on",
        f"{today.year - 1}-01-10",
        "--reason",
        "entered late",
    )
    code, out, _ = run(capsys, "requests", "list")
    lines = out.strip().splitlines()
    assert code == 0
    assert "due" in lines[0] and "days left" in lines[0]
    assert lines[1].split()[0] == f"R-{today.year - 1}-0001" and "OVERDUE open" in lines[1]
    assert lines[2].split()[0] == f"R-{today.year}-0001"
    assert len(lines) == 3  # the closed one is not listed
    code, out, _ = run(capsys, "requests", "list", "--all")
    assert f"R-{today.year - 1}-0002" in out and "closed" in out
    code, out, _ = run(capsys, "requests", "list", "--status", "closed")
    assert len(out.strip().splitlines()) == 2


def test_list_with_nothing_says_so(data_dir, capsys):
    assert run(capsys, "requests", "list") == (0, "no requests\n", "")


def test_export_writes_private_csv_with_formulas_neutralised(data_dir, capsys, tmp_path):
    add_request(
        capsys, "access", "a@example.com", "2026-01-05", "--notes", '=HYPERLINK("http://x")'
    )
    run(capsys, "requests", "pause", "R-2026-0001", "--reason", "@who", "--on", "2026-01-06")
    out_file = tmp_path / "audit" / "requests.csv"
    code, out, _ = run(capsys, "requests", "export", "--out", str(out_file))
    assert code == 0 and out.strip() == str(out_file)
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    frame = pd.read_csv(out_file, dtype=str, keep_default_na=False)
    assert frame.loc[0, "notes"] == '\'=HYPERLINK("http://x")'
    assert frame.loc[0, "pauses"] == "2026-01-06 to awaiting answer: @who"
    assert frame.loc[0, "status"] == "paused"


@pytest.mark.parametrize(
    "action", ["add", "list", "show", "verify", "pause", "resume", "extend", "close", "export"]
)
def test_every_action_has_help(capsys, action):
    with pytest.raises(SystemExit) as caught:
        main(["requests", action, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: mimoto-gov requests {action}" in out
    assert len(out.split("\n\n")[1].strip()) > 20  # the description


def test_requests_without_an_action_prints_help(capsys):
    code = main(["requests"])
    assert code == 2
    assert "usage: mimoto-gov requests" in capsys.readouterr().out
