"""Display helpers: escaped output, UK dates, thousands separators, row counts, charts."""

from __future__ import annotations

import datetime as dt

import matplotlib
import pandas as pd
import pytest

from mimoto_gov.errors import InputError
from mimoto_gov.reports.display import (
    RUN_INFO_MIMETYPE,
    callout_html,
    format_number,
    format_uk_date,
    key_figures_html,
    list_html,
    table_html,
)

matplotlib.use("Agg")

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


@pytest.mark.parametrize(
    ("value", "with_time", "expected"),
    [
        (dt.date(2026, 11, 26), False, "26 Nov 2026"),
        (dt.datetime(2026, 1, 5, 9, 7), True, "5 Jan 2026 09:07"),
        (pd.Timestamp("2026-07-01T12:00:00Z"), True, "1 Jul 2026 13:00"),  # BST
        (pd.Timestamp("2026-01-01T12:00:00Z"), True, "1 Jan 2026 12:00"),  # GMT
        ("2026-11-26", False, "26 Nov 2026"),
        (None, False, "–"),
        (pd.NaT, False, "–"),
        ("not a date", False, "not a date"),
    ],
)
def test_format_uk_date(value, with_time, expected):
    assert format_uk_date(value, with_time=with_time) == expected


def test_format_number():
    assert format_number(1234567) == "1,234,567"
    assert format_number(1234.56, 1) == "1,234.6"
    assert format_number(float("nan")) == "–"
    assert format_number(True) == "yes"


def test_table_is_escaped_and_formatted_the_uk_way():
    frame = pd.DataFrame(
        {
            "Title": [HOSTILE, "Refund"],
            "Created": pd.to_datetime(["2026-11-26", "2019-03-01"]),
            "Last activity": pd.to_datetime(["2026-11-26T14:05:00Z", "2019-03-01T00:00:00Z"]),
            "Articles": [1234567, 3],
            "Share": [0.25, 0.5],
            "Bytes": [1.5e6, None],
            "Open": [True, False],
            "Age": pd.to_timedelta([400, 1], unit="D"),
            HOSTILE: ["x", "y"],
        }
    )
    assert "mg-wide" not in table_html(frame)  # nine columns fit a portrait page
    frame["Group"] = ["Support", "Sales"]
    frame["State"] = ["open", "closed"]
    html = table_html(frame, caption=f"Tickets {HOSTILE}")
    assert "<script" not in html and "<img" not in html
    assert html.count(ESCAPED) == 3  # caption, header and cell
    assert "26 Nov 2026</td>" in html
    assert "26 Nov 2026 14:05</td>" in html  # UTC 14:05 is 14:05 GMT
    assert "1 Mar 2019 00:00</td>" in html
    assert "1,234,567" in html
    assert "0.25" in html
    assert "1,500,000" in html and "–" in html
    assert ">yes<" in html and ">no<" in html
    assert "400 days" in html and "1 day<" in html
    assert '<td class="num">1,234,567</td>' in html
    assert "(2 rows)" in html
    assert "mg-wide" in html  # eleven columns print on a landscape page


def test_table_index_only_when_meaningful():
    plain = table_html(pd.DataFrame({"a": ["x", "y"]}))
    assert '<th scope="col">a</th>' in plain and plain.count("<th ") == 1
    filtered = table_html(pd.DataFrame({"a": [1, 2, 3]}).iloc[[2]])
    assert filtered.count("<th ") == 1
    named = table_html(pd.DataFrame({"n": [5]}, index=pd.Index(["open"], name="State")))
    assert '<th scope="col">State</th>' in named and ">open<" in named
    counts = pd.Series({"open": 3, "closed": 12}, name="Tickets").to_frame()
    assert ">closed<" in table_html(counts)


def test_table_max_rows_and_empty_and_date_columns():
    frame = pd.DataFrame({"n": range(1500), "when": ["2026-01-02"] * 1500})
    html = table_html(frame, max_rows=10, date_columns=["when"])
    assert html.count("<tr>") == 11
    assert "Showing the first 10 of 1,500 rows." in html
    assert "2 Jan 2026" in html
    assert "No rows." in table_html(frame.head(0), caption="Nothing")
    with pytest.raises(InputError, match="'missing'"):
        table_html(frame, date_columns=["missing"])


def test_callout_list_and_key_figures_escape():
    callout = callout_html(HOSTILE, "warning")
    assert ESCAPED in callout and "mg-callout-warning" in callout and "<script" not in callout
    with pytest.raises(InputError, match="callout level"):
        callout_html("x", "shout")
    listed = list_html([HOSTILE, "second"])
    assert listed.count("<li>") == 2 and ESCAPED in listed
    assert "Nothing to list." in list_html([])
    figures = key_figures_html({"Tickets": 12345, HOSTILE: 2.5, "Since": dt.date(2026, 1, 31)})
    assert "12,345" in figures and ESCAPED in figures and "31 Jan 2026" in figures


@pytest.fixture
def captured():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as outputs:
        yield outputs


def test_show_helpers_publish_escaped_html(captured):
    from mimoto_gov.reports import display

    display.show_table(pd.DataFrame({"t": [HOSTILE]}), caption="c")
    display.show_callout(HOSTILE, level="action")
    display.show_text(HOSTILE)
    display.show_markdown_list([HOSTILE])
    display.show_key_figures({"Tickets": 3})
    htmls = [o.data["text/html"] for o in captured.outputs]
    assert len(htmls) == 5
    for html in htmls[:4]:
        assert ESCAPED in html and "<script" not in html


def test_show_chart_embeds_png_with_alt_and_closes_the_figure(captured):
    import matplotlib.pyplot as plt

    from mimoto_gov.reports.display import show_chart

    fig, ax = plt.subplots(figsize=(4, 2))
    ax.bar(["a", "b"], [1, 2])
    ax.set_title("Tickets by year")
    show_chart(fig)
    (output,) = captured.outputs
    assert output.data["image/png"].startswith("iVBOR")  # base64 of the PNG signature
    assert output.metadata["image/png"] == {"alt": "Tickets by year", "width": 384}
    assert plt.get_fignums() == []


def test_record_run_info_publishes_hidden_values(captured):
    from mimoto_gov.reports.display import record_run_info

    result = record_run_info(
        snapshot_time=pd.Timestamp("2026-11-01T06:15:00Z"), policy_version="v2", month="2026-10"
    )
    assert result is None
    (output,) = captured.outputs
    assert output.data[RUN_INFO_MIMETYPE] == {
        "snapshot_time": "2026-11-01T06:15:00+00:00",
        "policy_version": "v2",
        "month": "2026-10",
    }
    assert "policy version: v2" in output.data["text/plain"]
