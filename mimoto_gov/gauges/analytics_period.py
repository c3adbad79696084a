"""A period of Gaug.es tables for the analytics review, and where they came from.

:func:`load_period` reads the imported tables of some months, or the bundled synthetic sample
when nothing has been imported. The service desk's host (from ``ZAMMAD_URL``) goes with the
period, because the audit treats its referrers as links to a person's ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mimoto_gov.gauges.frames import GaugesData
from mimoto_gov.gauges.loaders import load_exports
from mimoto_gov.gauges.periods import month_label, month_span, parse_month
from mimoto_gov.gauges.store import load_store, readable_tables_dir
from mimoto_gov.settings import PROJECT_DIR, load_settings

SAMPLE_DIR = PROJECT_DIR / "data" / "samples" / "gauges"


@dataclass(frozen=True)
class AnalyticsPeriod:
    """The Gaug.es tables for a period, and where they came from.

    Attributes:
        data: the tables, already limited to the period.
        date_from: first month, ``YYYY-MM``.
        date_to: last month, ``YYYY-MM``.
        source: a sentence saying where the data came from.
        is_sample: True when the bundled synthetic sample stands in for imported exports.
        helpdesk_hosts: the service desk's host (from ``ZAMMAD_URL``) for the audit.

    """

    data: GaugesData
    date_from: str
    date_to: str
    source: str
    is_sample: bool = False
    helpdesk_hosts: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The period as readers see it: ``Jul 2026 to Oct 2026``."""
        start, end = parse_month(self.date_from), parse_month(self.date_to)
        if start == end:
            return month_label(start)
        return f"{month_label(start)} to {month_label(end)}"


def desk_hosts(zammad_url: str | None) -> tuple[str, ...]:
    """Return the service desk's host name from its URL (nothing when no URL is set)."""
    if not zammad_url:
        return ()
    host = urlsplit(zammad_url).hostname
    return (host,) if host else ()


def hosts_or_settings(helpdesk_hosts: Iterable[str] | None) -> tuple[str, ...]:
    """Return ``helpdesk_hosts``, or the configured service desk's host when None."""
    if helpdesk_hosts is None:
        return desk_hosts(load_settings().zammad_url)
    return tuple(helpdesk_hosts)


def load_period(
    date_from: str,
    date_to: str,
    data_dir: Path | str | None = None,
    helpdesk_hosts: Iterable[str] | None = None,
) -> AnalyticsPeriod:
    """Load the imported Gaug.es tables for ``date_from``..``date_to`` (``YYYY-MM``).

    Args:
        date_from: first month.
        date_to: last month (inclusive).
        data_dir: the workbook data folder (``$MIMOTO_GOV_DATA`` when None), or the string
            ``"sample"`` for the bundled synthetic sample. When nothing has been imported the
            sample is used and :attr:`AnalyticsPeriod.is_sample` says so.
        helpdesk_hosts: the service desk's host names for the audit (the host of
            ``ZAMMAD_URL`` in the settings when None).

    Raises:
        InputError: a month is malformed or the range runs backwards.

    """
    start, end = month_span(date_from, date_to)
    use_sample = str(data_dir) == "sample"
    data = GaugesData() if use_sample else load_store(data_dir)
    folder = None if use_sample else readable_tables_dir(data_dir)
    if use_sample or data.is_empty:
        data = load_exports([SAMPLE_DIR])
        source = (
            "the bundled synthetic sample (data/samples/gauges): no Gaug.es exports have been "
            "imported into this workbook yet, so these figures are illustrative, not Mimoto's"
        )
        is_sample = True
    else:
        source = f"Gaug.es exports imported into {folder}"
        is_sample = False
    return AnalyticsPeriod(
        data=data.between(start, end),
        date_from=date_from,
        date_to=date_to,
        source=source,
        is_sample=is_sample,
        helpdesk_hosts=hosts_or_settings(helpdesk_hosts),
    )
