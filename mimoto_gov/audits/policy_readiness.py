"""The policy files staff fill in before going live, checked for ``mimoto-gov doctor``.

``ropa.yml`` (fields still ``TO BE FILLED/CONFIRMED BY STAFF``), the backups in
``retention.yml`` (periods
not yet confirmed with their owner), ``article15.yml`` against ``ropa.yml`` (where Zammad
hosts the desk: what people are told must match the record), ``commitments.yml`` (the
policy's public repository) and the retention schedule's approval. Nothing is changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mimoto_gov.audits.findings import Finding, listed, ok, todo
from mimoto_gov.deadlines import uk_date
from mimoto_gov.errors import ConfigError, MimotoGovError
from mimoto_gov.policy.files import COMMITMENTS_FILE, ROPA_FILE, policy_file, read_yaml
from mimoto_gov.policy.ropa import is_placeholder, load_ropa, ropa_gaps
from mimoto_gov.retention.approval import load_approved_schedule

SCHEDULE_FILE = "retention.yml"
ARTICLE15_FILE = "article15.yml"


def placeholders(data: Any, where: str = "") -> Iterator[str]:
    """Yield the dotted place of every value still marked ``TO BE FILLED/CONFIRMED BY STAFF``."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from placeholders(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for number, value in enumerate(data, start=1):
            label = value.get("name") if isinstance(value, dict) else None
            yield from placeholders(value, f"{where}[{label or number}]")
    elif is_placeholder(data):
        yield where


def ropa_findings(data_dir: Path) -> tuple[list[Finding], dict | None]:
    """Say whether the record of processing is complete; return it too (None if unreadable)."""
    path = policy_file(ROPA_FILE, data_dir)
    try:
        record = load_ropa(path)
    except ConfigError as error:
        return [todo(ROPA_FILE, str(error))], None
    gaps = ropa_gaps(record)
    if gaps:
        return [
            todo(
                ROPA_FILE,
                f"{len(gaps):,} field(s) still TO BE FILLED/CONFIRMED BY STAFF in {path}: "
                f"{listed(gaps)}",
            )
        ], record
    return [ok(ROPA_FILE, f"complete (version {record.get('version')}, {path})")], record


def backups_findings(data_dir: Path) -> list[Finding]:
    """Say whether each backup's period was confirmed with its owner and nothing is unfilled.

    The backups are the manual line of the retention schedule (``retention.yml``,
    ``backups.copies``).
    """
    path = policy_file(SCHEDULE_FILE, data_dir)
    label = f"{SCHEDULE_FILE} backups"
    try:
        data = read_yaml(path, "retention schedule")
    except ConfigError as error:
        return [todo(label, str(error))]
    section = data.get("backups") if isinstance(data, dict) else None
    section = section if isinstance(section, dict) else {}
    backups = [b for b in section.get("copies") or [] if isinstance(b, dict)]
    unconfirmed = [str(b.get("name")) for b in backups if not b.get("confirmed_on")]
    gaps = list(placeholders(section))
    problems = []
    if not backups:
        problems.append("no backup is listed (backups.copies)")
    if unconfirmed:
        problems.append(
            f"{len(unconfirmed):,} backup period(s) not confirmed with their owner "
            f"(confirmed_on empty): {listed(unconfirmed)}"
        )
    if gaps:
        problems.append(f"{len(gaps):,} field(s) TO BE FILLED: {listed(gaps)}")
    if problems:
        return [todo(label, f"{'; '.join(problems)} ({path})")]
    return [ok(label, f"{len(backups):,} backup period(s), each confirmed ({path})")]


def _named_places(text: str) -> set[str]:
    """Capitalised words of a location ("Germany (Frankfurt)" -> Germany, Frankfurt)."""
    return {word for word in re.findall(r"\b[A-Z][a-z]{2,}\b", text)} - {"The", "To", "By"}


def hosting_findings(data_dir: Path, record: dict | None) -> list[Finding]:
    """Compare where the Article 15 answer says Zammad hosts the desk with ``ropa.yml``."""
    path = policy_file(ARTICLE15_FILE, data_dir)
    try:
        article15 = read_yaml(path, "Article 15 text")
    except ConfigError as error:
        return [todo(ARTICLE15_FILE, str(error))]
    article15 = article15 if isinstance(article15, dict) else {}
    findings = []
    gaps = list(placeholders(article15))
    if gaps:
        gaps_line = f"{len(gaps):,} field(s) TO BE FILLED: {listed(gaps)}"
        findings.append(todo(ARTICLE15_FILE, gaps_line))
    if record is None:
        return findings
    zammad = next(
        (r for r in record["recipients"] if "zammad" in str(r.get("name", "")).lower()), None
    )
    # The sentence that says where the desk is hosted: the first of the transfers text.
    told = " ".join(str(article15.get("transfers") or "").split()).split(". ")[0].rstrip(".")
    what = f"{ARTICLE15_FILE} and {ROPA_FILE}"
    if zammad is None:
        return [*findings, todo(what, f"{ROPA_FILE} lists no Zammad recipient to compare with")]
    location = str(zammad.get("location") or "")
    if is_placeholder(location) or not location.strip():
        return [
            *findings,
            todo(
                what,
                f"{ARTICLE15_FILE} tells people: '{told}', but where {zammad['name']} hosts the "
                f"desk is still to be confirmed in {ROPA_FILE}: confirm it and make both agree",
            ),
        ]
    places = _named_places(location)
    if places and not any(place in told for place in places):
        return [
            *findings,
            todo(
                what,
                f"{ROPA_FILE} says {zammad['name']} hosts in '{location}', but {ARTICLE15_FILE} "
                f"tells people: '{told}': make both say the same",
            ),
        ]
    return [*findings, ok(what, f"both place the service desk in {location}")]


def commitments_findings(data_dir: Path) -> list[Finding]:
    """Say whether the public repository of the policy is recorded in ``commitments.yml``."""
    path = policy_file(COMMITMENTS_FILE, data_dir)
    try:
        data = read_yaml(path, "commitments file")
    except ConfigError as error:
        return [todo(COMMITMENTS_FILE, str(error))]
    items = (data or {}).get("commitments") if isinstance(data, dict) else None
    blanks = [
        str(item.get("id"))
        for item in items or []
        if isinstance(item, dict)
        and "public_repository" in (item.get("params") or {})
        and not str(item["params"]["public_repository"] or "").strip()
    ]
    if blanks:
        return [
            todo(
                COMMITMENTS_FILE,
                f"public_repository is empty ({', '.join(blanks)}): publish the policy's "
                f"repository and put its address there ({path})",
            )
        ]
    return [ok(COMMITMENTS_FILE, f"the policy's public repository is recorded ({path})")]


def schedule_findings(data_dir: Path) -> list[Finding]:
    """Say whether the retention schedule, as it reads now, is approved (in the registers)."""
    try:
        schedule = load_approved_schedule(data_dir)
    except MimotoGovError as error:
        return [todo("retention schedule", str(error))]
    if schedule.approved:
        return [
            ok(
                "retention schedule",
                f"{schedule.version} approved on {uk_date(schedule.approved_on)}",
            )
        ]
    return [
        todo(
            "retention schedule",
            f"{schedule.version} is a proposal, not approved as it reads now: once staff agree "
            "the periods, run `mimoto-gov retention approve --by NAME`",
        )
    ]
