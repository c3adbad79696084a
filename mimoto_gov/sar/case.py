"""Subject access packages: everything held about one person, ready to send, nobody else's.

``build_sar_package`` is the one path used by ``mimoto-gov sar`` and by the
``subject_access_export`` notebook (:func:`open_case`, then :func:`build_package`):

1. the request is looked up in the request register (it must exist and be an access request);
   the addresses searched are the request's, plus any staff add (``also``);
2. the desk is checked: a snapshot pulled from another URL than the Zammad about to be called
   is refused in one line, before anything is sent or written (:mod:`mimoto_gov.zammad.desk`);
3. the Zammad snapshot is loaded, refreshed first with ``pull``, and refused if it is older
   than a day unless ``allow_stale`` (a response must reflect what is held now);
4. :func:`mimoto_gov.subject.find_subject` gathers the person by the one identity rule
   (current email; logins and old addresses are near-matches for staff);
5. live calls to Zammad fetch what the snapshot does not keep (:mod:`mimoto_gov.sar.live`);
6. other people's identifiers are redacted (:mod:`mimoto_gov.sar.redact`) and the package is
   written to ``reports/sar/<ID>/`` (``send/`` and ``staff/``) in a staging folder that
   replaces the old one only when complete (:mod:`mimoto_gov.sar.package`).

``rebuild=True`` builds the package again with the options recorded in its
``staff/run-details.json`` and the decisions in ``staff/decisions.csv`` (an item released
there reappears); the snapshot is used as it is.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import yaml

from mimoto_gov.errors import ConfigError, InputError, SnapshotError
from mimoto_gov.inventory import load_inventory
from mimoto_gov.sar.files import (
    manifest_entries,
    package_id,
    safe_filename,
    verify_manifest,
)
from mimoto_gov.sar.letter import letter_facts
from mimoto_gov.sar.live import fetch_live, needs_live_calls
from mimoto_gov.sar.model import (
    DECISIONS_FILE,
    RUN_DETAILS_FILE,
    STAFF,
    Decisions,
    LiveData,
    SarCase,
    uk_datetime,
)
from mimoto_gov.sar.package import write_package
from mimoto_gov.sar.records import register_entries, request_details
from mimoto_gov.sar.redact import Redactor, people_from
from mimoto_gov.sar.tables import redacted_tables
from mimoto_gov.settings import POLICY_DIR, Settings, load_settings
from mimoto_gov.subject import find_subject, normalise_email
from mimoto_gov.zammad.client import client_from_settings
from mimoto_gov.zammad.desk import ensure_same_desk, recorded_url
from mimoto_gov.zammad.sync import pull as pull_snapshot

__all__ = [
    "LiveData",
    "SarCase",
    "build_package",
    "build_sar_package",
    "check_snapshot_age",
    "fetch_live",
    "load_article15",
    "manifest_entries",
    "open_case",
    "package_id",
    "request_details",
    "safe_filename",
    "uk_datetime",
    "verify_manifest",
    "write_package",
]

SNAPSHOT_MAX_AGE = timedelta(days=1)
ARTICLE15_FILE = "article15.yml"
_ARTICLE15_KEYS = (
    "version",
    "controller",
    "purposes",
    "categories",
    "recipients",
    "retention",
    "source",
    "rights",
    "complaints",
    "automated_decision_making",
)


def load_article15(path: Path | None = None, settings: Settings | None = None) -> dict:
    """Read the Article 15 supplementary information.

    Args:
        path: the YAML file; by default ``<data dir>/policy/article15.yml``, falling back to
            the copy tracked in the repository.
        settings: the settings giving the data dir.

    Raises:
        ConfigError: the file is missing, is not YAML, or lacks a required section.

    """
    if path is None:
        settings = settings or load_settings()
        path = settings.policy_dir / ARTICLE15_FILE
        if not path.exists():
            path = POLICY_DIR / ARTICLE15_FILE
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: the Article 15 information file is missing") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error.__class__.__name__})") from None
    missing = [k for k in _ARTICLE15_KEYS if not isinstance(data, dict) or not data.get(k)]
    if missing:
        raise ConfigError(f"{path}: missing {', '.join(missing)}")
    return data


def check_snapshot_age(snapshot_time, *, now: datetime | None = None) -> None:
    """Refuse a snapshot older than :data:`SNAPSHOT_MAX_AGE`.

    Raises:
        SnapshotError: one line saying how old it is and what to do.

    """
    if snapshot_time is None or pd.isna(snapshot_time):
        raise SnapshotError(
            "the Zammad snapshot has no time stamp: run with --pull to refresh it first"
        )
    now = now or datetime.now(UTC)
    age = now - pd.Timestamp(snapshot_time).to_pydatetime()
    if age > SNAPSHOT_MAX_AGE:
        hours = int(age.total_seconds() // 3600)
        old = f"{hours // 24:,} days" if hours >= 48 else f"{hours} hours"
        raise SnapshotError(
            f"the Zammad snapshot is {old} old (taken {uk_datetime(snapshot_time)}): run with "
            "--pull to refresh it first, or --allow-stale to answer from it as it is"
        )


def _with_folders(settings: Settings, data_dir: Path | None, reports_dir: Path | None) -> Settings:
    """Return ``settings`` with the data and reports folders the caller gave, if any."""
    return Settings(
        zammad_url=settings.zammad_url,
        zammad_token=settings.zammad_token,
        gauges_token=settings.gauges_token,
        data_dir=Path(data_dir) if data_dir is not None else settings.data_dir,
        reports_dir=Path(reports_dir) if reports_dir is not None else settings.reports_dir,
    )


def _recorded_options(folder: Path) -> dict:
    """Return the options a package was built with (``staff/run-details.json``), for --rebuild."""
    path = folder / STAFF / RUN_DETAILS_FILE
    if not path.is_file():
        raise InputError(
            f"no package to rebuild in {folder}: build it first with `mimoto-gov sar "
            "--request-id ID`"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("options") or {}
    except ValueError:
        raise InputError(f"{path} is damaged: build the package again without --rebuild") from None


def open_case(
    request_id: str,
    email: str | None = None,
    *,
    also=(),
    user_ids: dict[int, str] | None = None,
    add_articles=(),
    data_dir: Path | None = None,
    reports_dir: Path | None = None,
    pull: bool = False,
    allow_stale: bool = False,
    client=None,
    rebuild: bool = False,
) -> SarCase:
    """Look up the request, check the desk, load (or refresh) the snapshot, gather the person.

    Args:
        request_id: the request register's id for this access request.
        email: the requester's address, which must be one of the request's; by default the
            request's own addresses (so a notebook needs only the request id).
        also: other addresses the person uses, searched as well.
        user_ids: Zammad accounts staff include by id, each with the reason (recorded).
        add_articles: ids of articles on other tickets that staff decided are about the
            person (see ``staff/possible_mentions.csv``).
        data_dir: the workbook data folder (``$MIMOTO_GOV_DATA`` by default).
        reports_dir: where the package is written (``$MIMOTO_GOV_REPORTS`` by default).
        pull: refresh the snapshot from Zammad first.
        allow_stale: use a snapshot older than a day.
        client: a Zammad client (built from the settings when needed).
        rebuild: take the options recorded with the request's package (added to those given)
            and answer from the snapshot as it is.

    Raises:
        RegisterError: the request does not exist.
        InputError: an address is malformed, or the request is not an access request about
            ``email``; nothing to rebuild.
        WrongDesk: the snapshot was pulled from another Zammad than the one to be called.
        SnapshotError: the snapshot is missing or too old.

    """
    settings = _with_folders(load_settings(), data_dir, reports_dir)
    request = request_details(request_id, settings)
    if request["kind"] != "access":
        raise InputError(
            f"request {request['id']} is a {request['kind']} request, not an access request"
        )
    folder = settings.reports_dir / "sar" / package_id(request["id"])
    if rebuild:
        recorded = _recorded_options(folder)
        also = (*recorded.get("also", ()), *also)
        user_ids = {**recorded.get("user_ids", {}), **(user_ids or {})}
        add_articles = (*recorded.get("add_articles", ()), *add_articles)
        allow_stale = True
    if not request["emails"]:
        raise InputError(f"request {request['id']} holds no address any more (erased)")
    main = normalise_email(email) if email else request["emails"][0]
    if main not in request["emails"]:
        raise InputError(
            f"{main} is not a subject of request {request['id']}: add the address to the "
            "request, or use the address it was made under"
        )
    also = tuple(dict.fromkeys(normalise_email(a) for a in also))
    emails = tuple(dict.fromkeys([main, *request["emails"], *also]))
    article15 = load_article15(settings=settings)
    letter = letter_facts(settings)
    desk = client.url if client is not None else settings.zammad_url
    # Before anything is sent or written: the snapshot must be this desk's.
    ensure_same_desk(settings.data_dir, desk)
    if pull:
        client = client or client_from_settings(settings)
        pull_snapshot(client, settings.data_dir)
    try:
        inventory = load_inventory(settings.data_dir)
    except SnapshotError as error:
        raise SnapshotError(f"{error} (or give --pull)") from None
    if not allow_stale:
        check_snapshot_age(inventory.snapshot_time)
    subject = find_subject(inventory, emails, add_articles=add_articles, user_ids=user_ids)
    entries, withheld = register_entries(emails, settings)
    case = SarCase(
        request=request,
        emails=emails,
        subject=subject,
        register_entries=entries,
        withheld_entries=withheld,
        article15=article15,
        settings=settings,
        people=people_from(inventory, subject),
        decisions=Decisions.read(folder / STAFF / DECISIONS_FILE),
        letter=letter,
        options={
            "also": also,
            "user_ids": {int(k): v for k, v in (user_ids or {}).items()},
            "add_articles": tuple(int(a) for a in add_articles),
            "client": client,
            "zammad_url": recorded_url(settings.data_dir),
        },
    )
    preview = Redactor(case.people, case.decisions.release)
    redacted_tables(case, LiveData.empty(), preview)
    case.redactions = preview.log()
    return case


def build_package(case: SarCase) -> Path:
    """Fetch what the snapshot lacks from Zammad and write the case's package.

    Returns:
        The package folder, ``<reports>/sar/<ID>/``.

    """
    client = case.options.get("client")
    if client is None and needs_live_calls(case.subject):
        client = client_from_settings(case.settings)
    if client is not None:
        ensure_same_desk(case.settings.data_dir, client.url)
    live = fetch_live(client, case.subject)
    return write_package(case, live, case.settings.reports_dir / "sar")


def build_sar_package(
    request_id: str,
    email: str | None = None,
    *,
    also=(),
    user_ids: dict[int, str] | None = None,
    add_articles=(),
    data_dir: Path | None = None,
    reports_dir: Path | None = None,
    pull: bool = False,
    allow_stale: bool = False,
    client=None,
    rebuild: bool = False,
) -> Path:
    """Gather everything held about a person and write the response package.

    Arguments as for :func:`open_case`.

    Returns:
        The package folder, ``<reports>/sar/<ID>/``.

    Raises:
        MimotoGovError: a one-line reason (unknown request, another desk, stale snapshot,
            Zammad error...); any previous package for the request is then left as it was.

    """
    case = open_case(
        request_id,
        email,
        also=also,
        user_ids=user_ids,
        add_articles=add_articles,
        data_dir=data_dir,
        reports_dir=reports_dir,
        pull=pull,
        allow_stale=allow_stale,
        client=client,
        rebuild=rebuild,
    )
    return build_package(case)
