"""`mimoto-gov register ...` and `mimoto-gov notice-list` run in-process."""

from __future__ import annotations

import json
import stat
from datetime import date, datetime

import pandas as pd

from mimoto_gov import inventory
from mimoto_gov.cli import build_parser, main
from mimoto_gov.zammad import frames
from tests.helpers.inprocess import registers, run


def succeeds(capsys, *argv: str) -> str:
    """Run ``mimoto-gov ARGV...``, assert it exits 0, and return its stdout."""
    code, out, _ = run(capsys, *argv)
    assert code == 0
    return out


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_law_enforcement_round_trip(data_dir, capsys, tmp_path):
    code, out, err = run(
        capsys,
        "register",
        "law-enforcement",
        "add",
        "--authority",
        "Met Police",
        "--uk",
        "--instrument",
        "production order",
        "--reference",
        "=MPS/1",
        "--scope",
        "tickets",
        "--email",
        "Ann@Example.com",
        "--received",
        "2026-02-03",
    )
    assert (code, out.strip(), err) == (0, "LE-2026-0001", "")
    code, out, err = run(
        capsys,
        "register",
        "law-enforcement",
        "add",
        "--authority",
        "FBI",
        "--not-uk",
        "--instrument",
        "letter",
        "--scope",
        "all data",
        "--received",
        "2026-03-01",
    )
    assert code == 0 and "only complies with requests from UK authorities" in err
    with registers(data_dir) as reg:
        assert reg.active_holds_for("ann@example.com")[0]["id"] == "LE-2026-0001"
    succeeds(
        capsys,
        "register",
        "law-enforcement",
        "decide",
        "LE-2026-0001",
        "--decision",
        "partial",
        "--disclosed",
        "two tickets",
        "--on",
        "2026-02-10",
        "--reason",
        "recorded from the case file",
    )
    succeeds(
        capsys,
        *("register", "law-enforcement", "tell", "le-2026-0001", "--on", "2026-02-11"),
        *("--reason", "recorded from the case file"),
    )
    succeeds(
        capsys, "register", "law-enforcement", "decide", "LE-2026-0002", "--decision", "refused"
    )
    succeeds(
        capsys,
        "register",
        "law-enforcement",
        "tell",
        "LE-2026-0002",
        "--not-told-basis",
        "no data disclosed",
    )
    succeeds(capsys, "register", "law-enforcement", "close", "LE-2026-0001")
    code, out, _ = run(capsys, "register", "law-enforcement", "list")
    assert code == 0 and "Met Police" in out and "FBI" in out
    code, out, _ = run(capsys, "register", "law-enforcement", "transparency")
    lines = out.strip().splitlines()
    assert lines[0].split() == [
        "year",
        "received",
        "from_uk",
        "disclosed",
        "partly_disclosed",
        "refused",
        "undecided",
        "users_told",
        "not_told",
    ]
    assert lines[1].split() == ["2026", "2", "1", "0", "1", "1", "0", "1", "1"]
    export = tmp_path / "le.csv"
    succeeds(capsys, "register", "law-enforcement", "export", "--out", str(export))
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    assert frame.loc[0, "reference"] == "'=MPS/1"
    assert frame.loc[0, "uk"] == "yes" and frame.loc[1, "uk"] == "no"
    assert mode(export) == 0o600
    with registers(data_dir) as reg:
        assert reg.active_holds_for("ann@example.com") == []


def test_law_enforcement_bad_input(data_dir, capsys):
    code, _, err = run(
        capsys,
        "register",
        "law-enforcement",
        "add",
        "--authority",
        "Met",
        "--uk",
        "--instrument",
        "warrant",
        "--scope",
        "x",
        "--received",
        "2026-02-30",
    )
    assert code == 2
    assert err == "mimoto-gov: error: --received: '2026-02-30' is not a date (YYYY-MM-DD)\n"
    code, _, err = run(capsys, "register", "law-enforcement", "close", "LE-2026-0007")
    assert err == "mimoto-gov: error: no law-enforcement request LE-2026-0007 in the register\n"


def test_consents_import_audit_and_export(data_dir, capsys, tmp_path):
    export = tmp_path / "mailing.csv"
    export.write_text(
        "Email Address,OPTIN_TIME\nann@example.com,2025-01-02 09:00:00\n"
        "bob@example.com,\ncat@example.com,\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "register", "consents", "import", str(export))
    assert (code, out.strip()) == (0, "mailing list: 3 address(es); 1 opt-in record(s) added")
    succeeds(
        capsys,
        "register",
        "consents",
        "add",
        "bob@example.com",
        "--at",
        "2025-03-01 12:30",
        "--wording",
        "v2",
        "--source",
        "sign-up form",
    )
    succeeds(
        capsys,
        "register",
        "consents",
        "add",
        "cat@example.com",
        "--at",
        "2025-03-01",
        "--wording",
        "v2",
    )
    succeeds(
        capsys,
        *("register", "consents", "withdraw", "cat@example.com", "--at", "2025-06-01"),
        *("--reason", "unsubscribe email found in the inbox"),
    )
    code, out, _ = run(capsys, "register", "consents", "audit")
    assert code == 1
    assert "cat@example.com" in out and "withdrawn" in out
    assert "ann@example.com" not in out and "bob@example.com" not in out
    problems = tmp_path / "problems.csv"
    run(capsys, "register", "consents", "audit", "--out", str(problems))
    assert list(pd.read_csv(problems)["problem"]) == ["withdrawn"]
    clean = tmp_path / "clean.csv"
    clean.write_text("email\nann@example.com\nBOB@example.com\n", encoding="utf-8")
    code, out, _ = run(capsys, "register", "consents", "audit", str(clean))
    assert (code, out.strip()) == (0, "all 2 address(es) have a live opt-in")
    code, out, _ = run(capsys, "register", "consents", "export")
    frame = pd.read_csv(pd.io.common.StringIO(out), dtype=str, keep_default_na=False)
    assert set(frame["subject"]) == {"ann@example.com", "bob@example.com", "cat@example.com"}
    assert frame.set_index("subject").loc["bob@example.com", "wording_version"] == "v2"


def test_a_malformed_mailing_list_is_one_line(data_dir, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nAnn\n", encoding="utf-8")
    code, out, err = run(capsys, "register", "consents", "import", str(bad))
    assert code == 2 and out == ""
    assert err == f"mimoto-gov: error: {bad}: no email column (expected a header named 'email')\n"
    with registers(data_dir) as reg:
        assert reg.mailing_list_emails() == []


def test_suppressions_complaints_breaches_attestations_holds(data_dir, capsys, tmp_path):
    succeeds(capsys, "register", "suppressions", "add", "Q@example.com", "--reason", "objection")
    code, out, _ = run(capsys, "register", "suppressions", "list")
    assert "q@example.com" in out and "objection" in out

    code, out, _ = run(
        capsys,
        "register",
        "complaints",
        "add",
        "--summary",
        "=1+1",
        "--received",
        "2026-09-01",
        "--email",
        "c@example.com",
    )
    assert (code, out.strip()) == (0, "C-2026-0001: acknowledge by 1 Oct 2026")
    code, out, _ = run(
        capsys,
        *("register", "complaints", "ack", "C-2026-0001", "--on", "2026-10-05"),
        *("--reason", "acknowledged by phone"),
    )
    assert out.strip() == "C-2026-0001: acknowledged LATE (over 30 days)"
    succeeds(
        capsys,
        "register",
        "complaints",
        "close",
        "C-2026-0001",
        "--outcome",
        "upheld",
        "--on",
        "2026-10-20",
        "--reason",
        "recorded late",
    )
    complaints = tmp_path / "complaints.csv"
    run(capsys, "register", "complaints", "export", "--out", str(complaints))
    row = pd.read_csv(complaints, dtype=str, keep_default_na=False).iloc[0]
    assert (row["summary"], row["ack_late"], row["status"]) == ("'=1+1", "yes", "closed")

    code, out, _ = run(
        capsys,
        "register",
        "breaches",
        "add",
        "--found-at",
        "2026-03-27 10:00",
        "--description",
        "laptop stolen",
        "--people",
        "25",
    )
    assert out.strip() == ("B-2026-0001: report to the ICO by 30 Mar 2026 11:00, or record why not")
    code, out, _ = run(
        capsys,
        "register",
        "breaches",
        "report",
        "B-2026-0001",
        "--at",
        "2026-03-30 11:30",
        "--reference",
        "ICO-9",
        "--reason",
        "reported by phone, recorded later",
    )
    assert out.strip() == "B-2026-0001: reported LATE (over 72 hours)"
    run(
        capsys,
        "register",
        "breaches",
        "add",
        "--found-at",
        "2026-04-01 09:00",
        "--description",
        "email to wrong customer",
    )
    succeeds(
        capsys,
        "register",
        "breaches",
        "not-reported",
        "B-2026-0002",
        "--reason",
        "one record, no risk",
    )
    code, out, _ = run(capsys, "register", "breaches", "list")
    assert "reported" in out and "not reported (reason recorded)" in out
    code, _, err = run(
        capsys, "register", "breaches", "add", "--found-at", "27/03/2026", "--description", "x"
    )
    assert code == 2 and "--found-at: '27/03/2026' is not a time" in err

    code, out, _ = run(
        capsys,
        "register",
        "attestations",
        "add",
        "no-access-logs",
        "--text",
        "We record no service access logs.",
        "--by",
        "Ann Smith",
    )
    assert code == 0 and "attested by Ann Smith" in out
    code, out, _ = run(capsys, "register", "attestations", "current", "no-access-logs")
    assert code == 0 and "Ann Smith" in out
    assert run(capsys, "register", "attestations", "current", "no-cookies")[0] == 1

    code, out, _ = run(
        capsys,
        "register",
        "holds",
        "add",
        "h@example.com",
        "--reason",
        "tribunal claim",
        "--by",
        "Ann",
    )
    assert out.strip() == "hold 1 placed"
    with registers(data_dir) as reg:
        assert reg.active_holds_for("H@example.com")[0]["reason"] == "tribunal claim"
    succeeds(capsys, "register", "holds", "lift", "1", "--by", "Ann")
    code, out, _ = run(capsys, "register", "holds", "list", "--active")
    assert out.strip() == "no holds"
    code, out, _ = run(capsys, "register", "erasures", "list")
    assert out.strip() == "no entries in erasures"


def subcommands(parser, prefix=()):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from subcommands(sub, (*prefix, name))


def test_every_register_verb_has_a_description():
    commands = dict(subcommands(build_parser()))
    mine = [c for c in commands if c[0] in ("register", "requests", "notice-list")]
    assert len(mine) > 30
    for name in mine:
        assert (commands[name].description or "").strip(), " ".join(name)


def test_register_without_a_verb_prints_help(capsys):
    assert main(["register", "consents"]) == 2
    assert "usage: mimoto-gov register consents" in capsys.readouterr().out


# -- notice-list ------------------------------------------------------------------------


def write_snapshot(data_dir, users):
    folder = data_dir / "zammad"
    folder.mkdir(parents=True)
    for table in inventory.TABLES:
        shaped = frames.users_frame(users) if table == "users" else inventory.frame(table, [])
        shaped.to_parquet(folder / f"{table}.parquet")
    (folder / inventory.STATE_FILE).write_text(
        json.dumps(
            {
                "schema_version": inventory.SCHEMA_VERSION,
                "snapshot_time": datetime(2026, 11, 20, 10, 0).isoformat() + "+00:00",
            }
        )
    )


USERS = [
    {
        "id": 1,
        "login": "ann",
        "email": "Ann@Example.com",
        "firstname": "Ann",
        "lastname": "Archer",
        "active": True,
    },
    {
        "id": 2,
        "login": "ann-again",
        "email": "ann@example.com",
        "firstname": "Ann",
        "lastname": "Archer",
        "active": True,
    },
    {
        "id": 3,
        "login": "old",
        "email": "old@example.com",
        "firstname": "Old",
        "lastname": "Account",
        "active": False,
    },
    {
        "id": 4,
        "login": "phone-only",
        "email": "",
        "firstname": "Phone",
        "lastname": "Only",
        "active": True,
    },
    {
        "id": 5,
        "login": "gone",
        "email": "gone@example.com",
        "firstname": "Gone",
        "lastname": "Person",
        "active": True,
    },
    {
        "id": 6,
        "login": "quiet",
        "email": "quiet@example.com",
        "firstname": "Quiet",
        "lastname": "Person",
        "active": True,
    },
    {
        "id": 7,
        "login": "evil",
        "email": "evil@example.com",
        "firstname": "=cmd|'/C calc'!A0",
        "lastname": "Hacker",
        "active": True,
    },
    {
        "id": 8,
        "login": "unsub",
        "email": "unsub@example.com",
        "firstname": "Un",
        "lastname": "Subscribed",
        "active": True,
    },
]


def test_notice_list_leaves_out_erased_suppressed_and_inactive_users(data_dir, capsys, tmp_path):
    write_snapshot(data_dir, USERS)
    with registers(data_dir) as reg:
        request = reg.add_request("erasure", "gone@example.com", date(2026, 1, 5))
        reg.record_erasure(request.id, outcome="completed", started_at=datetime(2026, 1, 6))
        reg.forget_subject_email(request.id)
        reg.add_consent("unsub@example.com", date(2025, 1, 1), "v1")
        with reg.acting(reason="withdrawal found in old mail"):
            reg.withdraw_consent("unsub@example.com", date(2025, 2, 1))
    succeeds(capsys, "register", "suppressions", "add", "QUIET@example.com")

    out_file = tmp_path / "notice" / "list.csv"
    code, out, err = run(capsys, "notice-list", "--out", str(out_file))
    assert code == 0 and out.strip() == str(out_file)
    assert "3 contactable user(s)" in err
    assert mode(out_file) == 0o600
    frame = pd.read_csv(out_file, dtype=str, keep_default_na=False)
    assert list(frame["email"]) == ["ann@example.com", "evil@example.com", "unsub@example.com"]
    assert frame.loc[0, "user_ids"] == "1; 2"
    assert frame.loc[1, "firstname"] == "'=cmd|'/C calc'!A0"

    code, out, _ = run(capsys, "notice-list")
    assert code == 0
    assert out.splitlines()[0] == "email,firstname,lastname,user_ids"
    assert len(out.strip().splitlines()) == 4
    assert "gone@example.com" not in out and "quiet@example.com" not in out


def test_notice_list_without_a_snapshot_is_one_line(data_dir, capsys):
    code, out, err = run(capsys, "notice-list")
    assert code == 1 and out == ""
    assert err.startswith("mimoto-gov: error: no Zammad snapshot in")
    assert err.count("\n") == 1
