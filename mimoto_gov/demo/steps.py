"""The demo's job steps: each runs one job on the sandboxes, says what it did, lists its files.

Each step takes the :class:`mimoto_gov.demo.run.DemoRun` (settings, sandbox and its client)
and calls the job exactly as its command would. They live here, not in the jobs, so that no
job module knows about the demo or the sandbox.
"""

from __future__ import annotations

import json

import pandas as pd

from mimoto_gov.audits.site import audit_site
from mimoto_gov.demo.registers import demo_request
from mimoto_gov.demo.site import serving_demo_site
from mimoto_gov.erasure.run import erase
from mimoto_gov.formats import month_label, previous_month
from mimoto_gov.sar.case import build_sar_package
from mimoto_gov.sar.model import RUN_DETAILS_FILE, STAFF
from mimoto_gov.views.review.report import SUMMARY_FILE, run_review
from mimoto_gov.views.site_audit import save_site_audit


def review_step(run) -> None:
    """Render last month's review from the demo's sandbox snapshot and say where it is."""
    month = previous_month()
    # Readers look at the end of the output: the review's two files close the list.
    with run.listed_last():
        run.say("")
        run.say(f"Rendering the retention review for {month_label(month)} ...")
        result = run_review(
            month, data_dir=run.settings.data_dir, reports_dir=run.settings.reports_dir
        )
        figures = json.loads((result.folder / SUMMARY_FILE).read_text(encoding="utf-8"))
        run.say(
            f"  {figures['tickets_past_period']:,} of {figures['tickets']:,} tickets past their "
            f"retention period; {figures['tickets_to_redact']:,} tickets to redact"
        )
        run.results["review"] = result
        run.output("Retention review (HTML)", result.html)
        run.output("Retention review (PDF)", result.pdf)


def site_audit_step(run) -> None:
    """Audit the demo's local website and save the report beside the others.

    The site runs on 127.0.0.1 for the length of the audit only (see
    :mod:`mimoto_gov.demo.site`); the saved ``run.json`` is the evidence the review's cookie
    and advertising commitments read.
    """
    run.say("")
    with serving_demo_site() as site:
        run.say(f"Auditing the cookies of a local copy of the website at {site.url} ...")
        # The local copy lives on 127.0.0.1: the audit refuses loopback unless allowed.
        audit = audit_site(
            site.urls,
            timeout=(2.0, 10.0),
            helpdesk_hosts=site.helpdesk_hosts,
            allow_private=True,
        )
    report = save_site_audit(audit, run.settings.reports_dir)
    categories = pd.Series([c.category for c in audit.cookies], dtype=object).value_counts()
    kinds = ", ".join(f"{n:,} {category}" for category, n in categories.items())
    verdict = "pass" if audit.passed else "FAIL"
    run.say(
        f"  {verdict}: {len(audit.pages):,} pages, {len(audit.cookies):,} cookies ({kinds}); "
        f"third-party hosts: {', '.join(audit.third_party_hosts()) or 'none'}"
    )
    run.results["site_audit"] = report
    run.output("Site audit (HTML)", report.html)
    run.output("Site audit (PDF)", report.pdf)


def sar_step(run) -> None:
    """Answer an access request from the sandbox's "subject" persona.

    Records a verified access request for the persona's address once (see
    :func:`mimoto_gov.demo.registers.demo_request`), then builds its package from the demo's
    fresh snapshot, with the sandbox's client for the live calls (attachment contents, ticket
    history), into ``reports/sar/<ID>/``.
    """
    dataset = run.sandbox.dataset
    email = dataset.users[dataset.personas["subject"]]["email"]
    request_id = demo_request(run.settings.data_dir, "access", email)
    run.say("")
    run.say(f"Building the subject access package for {request_id}, a sandbox customer ...")
    folder = build_sar_package(
        request_id,
        data_dir=run.settings.data_dir,
        reports_dir=run.settings.reports_dir,
        client=run.client,
    )
    send = folder / "send"
    data = json.loads((send / "data.json").read_text(encoding="utf-8"))
    counts = {what: n for what, n in data["counts"].items() if n and "bytes" not in what}
    manifest = json.loads((send / "manifest.json").read_text(encoding="utf-8"))
    details = json.loads((folder / STAFF / RUN_DETAILS_FILE).read_text(encoding="utf-8"))
    redacted = int(details["redactions"])
    run.say("  found: " + "; ".join(f"{what} {n:,}" for what, n in counts.items()))
    run.say(
        f"  {redacted:,} identifiers of other people redacted; {len(manifest['files']):,} files "
        "in send/ (listed in manifest.json, and the zip to send); staff/ stays with us"
    )
    run.results["sar"] = folder
    run.output("Subject access package", folder.absolute())


def erasure_step(run) -> None:
    """Plan the erasure of the sandbox's "sole_member" persona: a dry run only.

    Records a verified erasure request for the persona's address once (see
    :func:`mimoto_gov.demo.registers.demo_request`) and writes its deletion checklist.
    Nothing in the sandbox is deleted: the demo never executes an erasure.
    """
    dataset = run.sandbox.dataset
    email = dataset.users[dataset.personas["sole_member"]]["email"]
    request_id = demo_request(run.settings.data_dir, "erasure", email)
    run.say("")
    run.say(
        f"Planning the erasure for {request_id}, another customer (a dry run: nothing deleted) ..."
    )
    result = erase(email, request_id, execute=False, settings=run.settings, client=run.client)
    run.say(f"  {result.message.removeprefix('Dry run: nothing was changed in Zammad. ')}")
    run.results["erasure"] = result
    for path in result.paths:
        run.output(f"Deletion checklist ({path.suffix.lstrip('.').upper()})", path.absolute())
