"""Reading Gaug.es exports: the three formats, their quirks, and malformed files."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from mimoto_gov.errors import InputError
from mimoto_gov.gauges import detect_format, load_exports, load_file
from mimoto_gov.gauges.fields import as_count, as_day, gauge_id_of
from mimoto_gov.gauges.frames import SCHEMAS, TABLES
from tests.helpers.paths import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "gauges"
GAUGE_ID = "5f3a1c2b9d8e7f6a5b4c3d21"
API = FIXTURES / "clean" / "api" / GAUGE_ID
DASHBOARD = FIXTURES / "clean" / "dashboard" / "mimoto.co.uk-traffic-2026-09.json"
CSV = FIXTURES / "clean" / "csv" / "mimoto.co.uk" / "mimoto.co.uk-2026-08.csv"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (API / "traffic" / "2026-10-01.json", "api"),
        (API / "content" / "2026-10-03.json", "api"),
        (FIXTURES / "clean" / "api" / "gauges.json", "api"),
        (DASHBOARD, "dashboard"),
        (CSV, "csv"),
    ],
)
def test_detects_each_format(path, expected):
    assert detect_format(path) == expected


def test_detects_a_bare_list_of_rows(tmp_path):
    path = tmp_path / "content-2026-10-05.json"
    path.write_text(json.dumps([{"title": "Home", "path": "/", "host": "x", "views": 12}]))
    assert detect_format(path) == "rows"
    data = load_file(path)
    assert data.content["views"].tolist() == [12]
    assert data.content["period_start"].iloc[0] == pd.Timestamp("2026-10-05")


def test_every_table_has_its_schema():
    data = load_exports([FIXTURES / "clean"])
    for name in TABLES:
        frame = data.table(name)
        assert list(frame.columns) == list(SCHEMAS[name]), name
        for column, dtype in SCHEMAS[name].items():
            assert str(frame[column].dtype) == dtype, (name, column)


def test_clean_fixtures_load_all_three_formats_into_one_gauge():
    data = load_exports([FIXTURES / "clean"])
    # the CSV knows only the gauge title; the gauge list maps it to the id
    assert set(data.traffic_daily["gauge_id"]) == {GAUGE_ID}
    months = data.traffic_monthly.set_index("month")
    assert list(months.index.strftime("%Y-%m")) == ["2026-08", "2026-09", "2026-10"]
    assert len(data.traffic_daily) == 31 + 30 + 31
    assert data.months() == ["2026-08", "2026-09", "2026-10"]


def test_people_are_never_summed_across_days():
    data = load_exports([FIXTURES / "clean"])
    months = data.traffic_monthly.set_index(data.traffic_monthly["month"].dt.strftime("%Y-%m"))
    # API and dashboard months carry their own unique count, not the daily sum
    october = data.traffic_daily[data.traffic_daily["date"].dt.month == 10]
    assert months.at["2026-10", "people"] == 1650
    assert october["people"].sum() != 1650
    assert months.at["2026-09", "people"] == 1400
    # the community CSV has daily rows only: views add up, people cannot
    august = data.traffic_daily[data.traffic_daily["date"].dt.month == 8]
    assert months.at["2026-08", "views"] == august["views"].sum()
    assert pd.isna(months.at["2026-08", "people"])


def test_endpoint_date_semantics_day_and_month():
    data = load_exports([API])
    assert set(data.content["period_grain"]) == {"day"}
    assert set(data.content["period_start"]) == {pd.Timestamp("2026-10-03")}
    assert set(data.browsers["period_grain"]) == {"month"}
    assert set(data.browsers["period_start"]) == {pd.Timestamp("2026-10-01")}


def test_quirks_string_buckets_empty_regions_hidden_term_missing_url():
    data = load_exports([FIXTURES / "clean"])
    widths = data.resolutions[data.resolutions["dimension"] == "browser_widths"]
    assert widths["bucket"].tolist() == ["320", "1024", "1280"]  # strings, zero bucket kept
    assert widths["views"].tolist() == [0, 600, 2020]
    assert set(data.regions["country_key"]) == {"US"}  # GB had an empty regions list
    assert "" in data.terms["term"].tolist()  # the engine's hidden query is a real bucket
    support = data.content.set_index("path").loc["/support/"]
    assert pd.isna(support["url"])  # 2011-style row without url
    assert data.gauges.iloc[0]["tz"] == "London"
    assert data.gauges.iloc[0]["tz_iana"] == "Europe/London"


def test_both_pages_of_a_paginated_export_are_read():
    data = load_exports([API / "referrers"])
    assert len(data.referrers) == 3
    linkedin = data.referrers[data.referrers["ref_host"] == "www.linkedin.com"].iloc[0]
    assert linkedin["host"] == "linkedin.com"
    assert linkedin["ref_path"] == "/company/mimoto-ltd/"


def test_overlapping_exports_do_not_double_count(tmp_path):
    # the same October as a community CSV and as API JSON: 31 days, not 62
    shutil.copytree(FIXTURES / "clean" / "api", tmp_path / "api")
    doc = json.loads((API / "traffic" / "2026-10-01.json").read_text())
    lines = ["date,views,people"] + [
        f"{row['date']},{row['views']},{row['people']}" for row in doc["traffic"]
    ]
    (tmp_path / "mimoto.co.uk-2026-10.csv").write_text("\n".join(lines) + "\n")
    data = load_exports([tmp_path])
    october = data.traffic_monthly[data.traffic_monthly["month"] == pd.Timestamp("2026-10-01")]
    assert len(data.traffic_daily) == 31
    assert len(october) == 1
    assert october["people"].iloc[0] == 1650  # the row that knows the month's people wins


def test_browserstats_and_account_documents_are_recognised(tmp_path):
    stats = tmp_path / "browserstats.json"
    stats.write_text(json.dumps({"Chrome": {"131": 48.5}, "Safari": {"18": 20.1}}))
    assert load_file(stats).is_empty
    data = load_exports([FIXTURES / "planted" / "api" / "clients.json"])
    row = data.account_files.iloc[0]
    assert (row["kind"], row["records"], row["fields"]) == ("clients", 1, "key")
    # the key itself is never copied into a table
    assert "c0ffee00" not in data.account_files.to_csv()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("truncated.json", "not valid JSON"),
        ("unknown_shape.json", "unrecognised Gaug.es export"),
        ("wrong_header.csv", "CSV header is 'day,hits,uniques'"),
        ("bad_views.csv", "line 3: views should be a whole number"),
        ("error_response.json", "a saved Gaug.es error response (Not found)"),
    ],
)
def test_malformed_exports_raise_one_line_naming_the_file(name, problem):
    path = FIXTURES / "malformed" / name
    with pytest.raises(InputError) as caught:
        load_exports([path])
    message = str(caught.value)
    assert message.startswith(str(path))
    assert problem in message
    assert "\n" not in message


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        load_exports([tmp_path / "nope"])
    with pytest.raises(InputError, match="no Gaug.es export files"):
        load_exports([tmp_path])


def test_meta_files_beside_raw_responses_are_skipped(tmp_path):
    target = tmp_path / GAUGE_ID / "terms"
    target.mkdir(parents=True)
    shutil.copy(API / "terms" / "2026-10-01.json", target / "2026-10-01.json")
    (target / "2026-10-01.meta.json").write_text('{"url": "x", "status": 200}')
    assert len(load_exports([tmp_path]).terms) == 4


def test_value_checks_name_the_file_and_field(tmp_path):
    path = tmp_path / "x.json"
    assert [as_count(v, path, "views") for v in (3, 4.0, " 12 ")] == [3, 4, 12]
    assert as_count(None, path, "views") is pd.NA and as_count("", path, "views") is pd.NA
    for bad in (-1, True, 2.5, "many"):
        with pytest.raises(InputError, match=r"x.json: views (is negative|should be a whole)"):
            as_count(bad, path, "views")
    assert str(as_day("2026-10-03T00:00:00Z", path, "date")) == "2026-10-03"
    with pytest.raises(InputError, match=r"x.json: date should be a date \(YYYY-MM-DD\)"):
        as_day("2026-02-30", path, "date")


def test_the_gauge_id_comes_from_links_then_folders(tmp_path):
    link = {"urls": {"older": f"https://secure.gaug.es/gauges/{GAUGE_ID}/traffic?date=x"}}
    assert gauge_id_of(link, tmp_path / "traffic.json") == GAUGE_ID
    assert gauge_id_of({}, tmp_path / GAUGE_ID / "traffic" / "2026-10-01.json") == GAUGE_ID
    assert gauge_id_of({}, tmp_path / "traffic.json") == "unknown"
