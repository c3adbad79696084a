"""The review's section "Personal data that should not be there": counts, tickets to redact."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mimoto_gov.formats import thousands
from mimoto_gov.views.review import charts
from mimoto_gov.views.review.model import ReviewData

# Kinds that have no business in a support ticket at all; contact details (email, phone,
# postcode, IP address) are normal in correspondence and only count against a title.
SENSITIVE_KINDS = ("card_number", "iban", "ni_number")
KIND_LABELS = {
    "email": "Email address",
    "phone": "Phone number",
    "card_number": "Payment card number",
    "iban": "Bank account (IBAN)",
    "ni_number": "National Insurance number",
    "postcode": "Postcode",
    "ip_address": "IP address",
}
# The kinds of personal data in the middle of a sentence ("2 payment card numbers").
KIND_NOUNS = {
    "email": "email address",
    "phone": "phone number",
    "card_number": "payment card number",
    "iban": "bank account (IBAN)",
    "ni_number": "National Insurance number",
    "postcode": "postcode",
    "ip_address": "IP address",
}
PLACE_LABELS = {"title": "ticket title", "subject": "article subject", "body": "article body"}


class PersonalData:
    """Personal data found in ticket titles and article text, masked, and what to redact."""

    def __init__(self, data: ReviewData) -> None:
        """Read the findings of ``data``."""
        self.data = data

    def pii_counts(self) -> pd.DataFrame:
        """Count findings by kind and where they were found, with the number of tickets."""
        findings = self.data.findings
        rows = []
        for kind in KIND_LABELS:
            of_kind = findings[findings["kind"] == kind]
            rows.append(
                {
                    "Kind": KIND_LABELS[kind],
                    "In titles": int((of_kind["column"] == "title").sum()),
                    "In subjects": int((of_kind["column"] == "subject").sum()),
                    "In bodies": int((of_kind["column"] == "body").sum()),
                    "Findings": int(len(of_kind)),
                    "Tickets": int(of_kind["ticket_id"].nunique()),
                    "Should not be there": "yes" if kind in SENSITIVE_KINDS else "only in titles",
                }
            )
        return pd.DataFrame(rows)

    def pii_chart(self):
        """Chart the findings by kind."""
        figure = charts.pii_chart(self.pii_counts())
        return charts.noted_if_empty(figure, self.data.findings.empty, "No personal data found")

    def redaction_findings(self) -> pd.DataFrame:
        """Return the findings that make a ticket one to redact (sensitive, or in a title)."""
        findings = self.data.findings
        keep = findings["kind"].isin(SENSITIVE_KINDS) | (findings["column"] == "title")
        return findings[keep]

    def tickets_to_redact(self) -> pd.DataFrame:
        """List tickets holding personal data that should not be there (masked values only)."""
        return self.data.memo("redact", self._tickets_to_redact)

    def _tickets_to_redact(self) -> pd.DataFrame:
        findings = self.redaction_findings()
        # The ticket number and the article ids lead staff to each place to redact in Zammad.
        columns = ["Ticket", "Article ids", "State", "Found", "Where", "Masked values"]
        if findings.empty:
            return pd.DataFrame(columns=columns)
        # Plain Python over the (few) findings: far cheaper than a pandas group per ticket.
        per_ticket: dict[Any, dict] = {}
        for ticket_id, kind, column, masked, source, found_in in zip(
            findings["ticket_id"],
            findings["kind"],
            findings["column"],
            findings["masked"],
            findings["source"],
            findings["id"],
            strict=True,
        ):
            entry = per_ticket.setdefault(
                ticket_id, {"kinds": {}, "places": set(), "masked": {}, "articles": {}}
            )
            entry["kinds"][kind] = entry["kinds"].get(kind, 0) + 1
            entry["places"].add(PLACE_LABELS.get(column, column))
            entry["masked"][masked] = None
            if source == "article":
                entry["articles"][int(found_in)] = None
        tickets = self.data.tickets[["id", "number", "state"]].set_index("id")
        rows = []
        for ticket_id, entry in per_ticket.items():
            kinds = sorted(entry["kinds"].items(), key=lambda item: (-item[1], item[0]))
            masked = list(entry["masked"])
            more = f" (+{len(masked) - 3} more)" if len(masked) > 3 else ""
            known = ticket_id in tickets.index
            rows.append(
                {
                    "Ticket": str(tickets.at[ticket_id, "number"]) if known else "",
                    "Article ids": ", ".join(str(a) for a in sorted(entry["articles"])),
                    "State": str(tickets.at[ticket_id, "state"]) if known else "",
                    "Found": ", ".join(f"{n} {KIND_NOUNS[k]}" for k, n in kinds),
                    "Where": ", ".join(sorted(entry["places"])),
                    "Masked values": "; ".join(masked[:3]) + more,
                    "_count": sum(entry["kinds"].values()),
                }
            )
        frame = pd.DataFrame(rows).sort_values(["_count", "Ticket"], ascending=[False, True])
        return frame.drop(columns="_count").reset_index(drop=True)

    def scan_note(self) -> str:
        """Say what was scanned, and how much came from the cache of earlier months."""
        stats = self.data.scan_stats
        total = stats["scanned"] + stats["reused"]
        return (
            f"Scanned {thousands(len(self.data.tickets))} ticket titles and the subjects and "
            f"bodies of {thousands(len(self.data.articles))} articles: "
            f"{thousands(stats['scanned'])} of {thousands(total)} texts were new or changed since "
            "the last scan, the rest came from the scan cache. Only masked values are shown or "
            "stored."
        )
