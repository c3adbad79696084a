"""Gaug.es analytics: saved exports first, a live pull second, then the anonymity audit.

The privacy policy promises anonymous, aggregated statistics (popular pages, browsers,
countries) with no IP addresses, no third-party tracking cookies and no advertising. This
package reads what Gaug.es holds into typed tables and shows, from the data, whether the
promise is kept:

- :mod:`.loaders` reads the three export shapes (API JSON, dashboard JSON, community CSV);
- :mod:`.client` pulls live from the API into the same files, without saving the token;
- :mod:`.store` keeps the tables as Parquet under ``$MIMOTO_GOV_DATA/gauges/``;
- :mod:`.audit` runs the gauges-api.md §10 checklist, with masked evidence;
- :mod:`.analytics_period` loads the tables of a period (or the bundled sample);
- :mod:`.tables` and :mod:`.charts` build the analytics review's tables and charts, small
  counts suppressed; :mod:`.summary` the monthly review's analytics section;
- the local Gaug.es-compatible server for tests is :mod:`mimoto_gov.sandbox.gauges`.
"""

from mimoto_gov.gauges.analytics_period import AnalyticsPeriod, load_period
from mimoto_gov.gauges.audit import AuditResult, Finding, audit
from mimoto_gov.gauges.charts import browsers_chart, countries_chart, traffic_chart
from mimoto_gov.gauges.client import GaugesAuthError, GaugesClient, GaugesNotFound, pull
from mimoto_gov.gauges.frames import TABLES, GaugesData
from mimoto_gov.gauges.loaders import FORMATS, detect_format, load_exports, load_file
from mimoto_gov.gauges.store import import_exports, load_store
from mimoto_gov.gauges.summary import (
    MonthSummary,
    analytics_for_month,
    audit_for_period,
    audit_period,
)
from mimoto_gov.gauges.tables import (
    browsers,
    countries,
    coverage,
    platforms,
    popular_pages,
    source_note,
    traffic_by_month,
)

__all__ = [
    "FORMATS",
    "TABLES",
    "AnalyticsPeriod",
    "AuditResult",
    "Finding",
    "GaugesAuthError",
    "GaugesClient",
    "GaugesData",
    "GaugesNotFound",
    "MonthSummary",
    "analytics_for_month",
    "audit",
    "audit_for_period",
    "audit_period",
    "browsers",
    "browsers_chart",
    "countries",
    "countries_chart",
    "coverage",
    "detect_format",
    "import_exports",
    "load_exports",
    "load_file",
    "load_period",
    "load_store",
    "platforms",
    "popular_pages",
    "pull",
    "source_note",
    "traffic_by_month",
    "traffic_chart",
]
