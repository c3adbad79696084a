"""The analytics review's tables: what the statistics are for, with small cells folded."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from mimoto_gov.gauges import (
    analytics_for_month,
    audit_for_period,
    browsers,
    countries,
    coverage,
    import_exports,
    load_period,
    popular_pages,
    traffic_by_month,
    traffic_chart,
)
from mimoto_gov.gauges.analytics_period import desk_hosts, hosts_or_settings
from mimoto_gov.gauges.tables import FEWER, suppress_small
from tests.helpers.gauges import DESK, desk_referrer_export
from tests.helpers.paths import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "gauges"


@pytest.fixture
def imported(tmp_path):
    import_exports([FIXTURES / "planted"], tmp_path)
    return tmp_path


def numbers(series: pd.Series) -> list[int]:
    return [v for v in series if isinstance(v, int)]


def test_suppress_small_folds_rows_below_five():
    frame = pd.DataFrame({"Page": ["/a", "/b", "/c", "/d"], "Views": [50, 7, 3, 1]})
    table = suppress_small(frame, "Page", other="Other pages")
    assert table["Page"].tolist() == ["/a", "/b", "Other pages (2)"]
    assert table["Views"].tolist() == [50, 7, FEWER]
    assert table["Share"].tolist() == ["82.0%", "11.5%", FEWER]
    # an "other" row of 5 or more shows its total
    frame = pd.DataFrame({"Page": ["/a", "/b", "/c"], "Views": [50, 3, 4]})
    assert suppress_small(frame, "Page", other="Other")["Views"].tolist() == [50, 7]
    # top keeps the largest rows and folds the rest
    frame = pd.DataFrame({"Page": list("abcdef"), "Views": [60, 50, 40, 30, 20, 10]})
    table = suppress_small(frame, "Page", other="Other", top=3)
    assert table["Views"].tolist() == [60, 50, 40, 60]


def test_traffic_by_month_keeps_people_non_additive(imported):
    period = load_period("2026-08", "2026-10", imported)
    table = traffic_by_month(period)
    assert table["Month"].tolist() == ["Aug 2026", "Sep 2026", "Oct 2026"]
    assert table["Unique people"].tolist() == ["not exported", 1400, 1650]
    assert table["Exported as"].tolist() == ["CSV", "JSON", "JSON"]
    assert table["Days with data"].tolist() == [31, 30, 31]


def test_popular_pages_strip_query_strings_and_fold_small_pages(imported):
    period = load_period("2026-10", "2026-10", imported)
    table = popular_pages(period)
    assert table["Page"].tolist()[:2] == ["/", "/products/"]
    assert "/newsletter/unsubscribe" in table["Page"].tolist()
    assert not table["Page"].str.contains("email|@|\\?").any()
    assert all(v >= 5 for v in numbers(table["Views"]))


def test_browsers_and_countries_have_no_small_cells(imported):
    period = load_period("2026-10", "2026-10", imported)
    for table in (browsers(period), countries(period)):
        assert all(v >= 5 for v in numbers(table["Views"]))
    assert countries(period)["Country"].tolist()[0] == "United Kingdom"


def test_nothing_imported_falls_back_to_the_sample(tmp_path):
    period = load_period("2026-07", "2026-10", tmp_path)
    assert period.is_sample
    assert "synthetic sample" in period.source
    assert period.data.months() == ["2026-07", "2026-08", "2026-09", "2026-10"]
    table = coverage(period)
    assert table.set_index("Table").at["content", "Months"] == "Oct 2026"


def test_imported_data_is_used_when_present(imported):
    period = load_period("2026-10", "2026-10", imported)
    assert not period.is_sample
    assert period.label == "Oct 2026"


def test_traffic_chart_is_a_labelled_figure(imported):
    figure = traffic_chart(load_period("2026-09", "2026-10", imported))
    assert isinstance(figure, Figure)
    ax = figure.axes[0]
    assert ax.get_title(loc="left") == "Views per day, Sep 2026 to Oct 2026"
    assert ax.get_ylabel() == "Views"


def test_analytics_for_month(imported):
    assert analytics_for_month("2026-05", imported) is None
    summary = analytics_for_month("2026-10", imported)
    assert summary.views == sum(120 + (i * 7) % 40 for i in range(31))
    assert summary.people == 1650
    assert f"{summary.views:,} views from 1,650 unique people" in summary.headline()
    assert "email" in summary.audit.rules()
    assert isinstance(summary.chart(), Figure)
    # August came from the CSV only: views yes, unique people unknown
    august = analytics_for_month("2026-08", imported)
    assert august.people is None


def test_audit_for_period(imported, tmp_path):
    assert audit_for_period("2026-10", "2026-10", tmp_path / "empty") is None
    result = audit_for_period("2026-08", "2026-10", imported)
    assert {"email", "ip_address", "identifier_in_query", "small_cell"} <= result.rules()
    # September holds only the dashboard traffic with its one small day; the staff and key
    # documents have no period, so every audit of the workbook keeps reporting them
    september = audit_for_period("2026-09", "2026-09", imported)
    assert september.rules() == {"small_cell", "staff_data", "api_keys"}


def test_the_service_desk_host_comes_from_its_url_or_the_settings(tmp_path, monkeypatch):
    assert desk_hosts(f"https://{DESK}:8443/") == (DESK,)
    assert desk_hosts(None) == desk_hosts("") == ()
    assert hosts_or_settings(()) == ()
    assert hosts_or_settings([DESK]) == (DESK,)
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("ZAMMAD_URL", f"https://{DESK}")
    assert hosts_or_settings(None) == (DESK,)
    monkeypatch.delenv("ZAMMAD_URL")
    assert hosts_or_settings(None) == ()


def test_referrers_from_our_own_service_desk_are_flagged(tmp_path):
    data = tmp_path / "data"
    import_exports([desk_referrer_export(tmp_path / "export")], data)
    flagged = audit_for_period("2026-10", "2026-10", data, helpdesk_hosts=[DESK])
    assert flagged.rules("high") == {"private_referrer"}
    assert "private_referrer" not in audit_for_period("2026-10", "2026-10", data, ()).rules()
    period = load_period("2026-10", "2026-10", data, helpdesk_hosts=[DESK])
    assert period.helpdesk_hosts == (DESK,) and not period.is_sample
