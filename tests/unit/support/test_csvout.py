"""The one CSV writer: formulas neutralised on every line, awkward fields quoted, private
atomic files; and HTML escaping."""

from __future__ import annotations

import csv
import stat

import pandas as pd
import pytest

from mimoto_gov.support.csvout import csv_safe, csv_text, write_csv
from mimoto_gov.support.safe_output import escape


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "\r'=1"),
        ("late reply\r=cmd|' /C calc'!A0", "late reply\r'=cmd|' /C calc'!A0"),
        ("ok\r\n  +1\n-2\rplain", "ok\r\n'  +1\n'-2\rplain"),
        ("   =cmd|' /C calc'!A0", "'   =cmd|' /C calc'!A0"),
        ("\n@x", "\n'@x"),
        ("Refund for order 787556", "Refund for order 787556"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


@pytest.mark.parametrize("value", [None, 3, -3, 2.5, True])
def test_csv_safe_leaves_non_strings_alone(value):
    assert csv_safe(value) is value


def test_escape():
    assert escape("<script>alert('x')</script> & \"q\"") == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;"
    )
    assert escape(None) == ""
    assert escape(42) == "42"


def test_write_csv_neutralises_every_string_cell_and_is_private(tmp_path):
    frame = pd.DataFrame(
        {
            "=title": ["=1+1", "normal", None],
            "count": [-5, 2, 3],
            "tag": pd.Categorical(["@home", "x", "y"]),
            "note": pd.array(["+44 20", "ok", "-x"], dtype="string"),
        }
    )
    path = write_csv(frame, tmp_path / "out" / "tickets.csv")
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[0] == ["'=title", "count", "tag", "note"]
    assert rows[1] == ["'=1+1", "-5", "'@home", "'+44 20"]
    assert rows[2] == ["normal", "2", "x", "ok"]
    assert rows[3] == ["", "3", "y", "'-x"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # the caller's frame is untouched
    assert frame.loc[0, "=title"] == "=1+1"


def test_write_csv_index_is_made_safe_too(tmp_path):
    frame = pd.DataFrame({"n": [1]}, index=pd.Index(["=evil()"], name="who"))
    path = write_csv(frame, tmp_path / "x.csv", index=True)
    assert path.read_text(encoding="utf-8").splitlines() == ["who,n", "'=evil(),1"]


def test_write_csv_replaces_atomically(tmp_path):
    path = tmp_path / "out" / "x.csv"
    write_csv(pd.DataFrame({"a": [1]}), path)
    write_csv(pd.DataFrame({"a": [2]}), path)
    assert path.read_text(encoding="utf-8") == "a\n2\n"
    assert [p.name for p in path.parent.iterdir()] == ["x.csv"]


def test_fields_with_line_breaks_quotes_or_commas_are_quoted_and_rows_end_in_lf():
    frame = pd.DataFrame({"a": ["x\ry", 'say "hi"', "a,b", "plain"], "n": [1.5, None, 3, 4]})
    assert csv_text(frame) == 'a,n\n"x\ry",1.5\n"say ""hi""",\n"a,b",3.0\nplain,4.0\n'


def test_dates_and_missing_values_keep_their_usual_text():
    frame = pd.DataFrame(
        {"when": pd.to_datetime(["2026-01-05 10:00", None], utc=True), "who": ["ann", None]}
    )
    assert csv_text(frame).splitlines() == ["when,who", "2026-01-05 10:00:00+00:00,ann", ","]


def test_an_empty_frame_is_its_header():
    assert csv_text(pd.DataFrame(columns=["id", "=x"])) == "id,'=x\n"
