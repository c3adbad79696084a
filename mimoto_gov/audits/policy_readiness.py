"""The policy files staff fill in before going live, checked for ``mimoto-gov doctor``.

``ropa.yml`` (fields still ``TO BE FILLED/CONFIRMED BY STAFF``), ``backups.yml`` (periods
not yet confirmed with their owner), ``article15.yml`` against ``ropa.yml`` (where Zammad
hosts the desk: what people are told must match the record), ``commitments.yml`` (the
policy's public repository) and the retention schedule's approval. Nothing is changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mimoto_gov.audits.findings import Finding, listed, note, ok, todo
from mimoto_gov.audits.own_copies import load_own_copies_schedule
from mimoto_gov.deadlines import uk_date
from mimoto_gov.errors import ConfigError
from mimoto_gov.policy.files import COMMITMENTS_FILE, ROPA_FILE, policy_file, read_yaml
from mimoto_gov.policy.ropa import is_placeholder, load_ropa, ropa_gaps
from mimoto_gov.retention.rules import default_schedule_path, load_schedule

BACKUPS_FILE = "backups.yml"
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
    """Say whether each backup's period was confirmed with its owner and nothing is unfilled."""
    path = policy_file(BACKUPS_FILE, data_dir)
    try:
        data = read_yaml(path, "backups file")
    except ConfigError as error:
        return [todo(BACKUPS_FILE, str(error))]
    data = data if isinstance(data, dict) else {}
    backups = [b for b in data.get("backups") or [] if isinstance(b, dict)]
    unconfirmed = [str(b.get("name")) for b in backups if not b.get("confirmed_on")]
    gaps = list(placeholders(data))
    problems = []
    if unconfirmed:
        problems.append(
            f"{len(unconfirmed):,} backup period(s) not confirmed with their owner "
            f"(confirmed_on empty): {listed(unconfirmed)}"
        )
    if gaps:
        problems.append(f"{len(gaps):,} field(s) TO BE FILLED: {listed(gaps)}")
    if problems:
        return [todo(BACKUPS_FILE, f"{'; '.join(problems)} ({path})")]
    return [ok(BACKUPS_FILE, f"{len(backups):,} backup period(s), each confirmed ({path})")]


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
    """Say whether the retention schedule (and the own-copies periods) are approved."""
    findings = []
    path = default_schedule_path(Path(data_dir) / "policy")
    try:
        schedule = load_schedule(path)
        if schedule.approved:
            findings.append(
                ok(
                    "retention schedule",
                    f"{schedule.version} approved on {uk_date(schedule.approved_on)}",
                )
            )
        else:
            findings.append(
                todo(
                    "retention schedule",
                    f"{schedule.version} is proposed, not approved: once staff agree the "
                    f"periods, set status: approved and approved_on in {path}",
                )
            )
    except ConfigError as error:
        findings.append(todo("retention schedule", str(error)))
    try:
        copies = load_own_copies_schedule(data_dir)
        if not copies.approved:
            findings.append(
                note(
                    "own copies",
                    f"the workbook's own retention periods ({copies.source}) are proposals: "
                    "approve them like the schedule",
                )
            )
    except ConfigError as error:
        findings.append(todo("own copies", str(error)))
    return findings
