"""mimoto-gov: the data-governance workbook for Mimoto Ltd.

The public functions are imported lazily so that ``import mimoto_gov`` stays cheap in a
notebook kernel and in the command line.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_PUBLIC = {
    "load_settings": "mimoto_gov.settings",
    "Settings": "mimoto_gov.settings",
    "MimotoGovError": "mimoto_gov.errors",
    "load_inventory": "mimoto_gov.inventory",
    "make_dataset": "mimoto_gov.sandbox.synthetic.dataset",
    "Sandbox": "mimoto_gov.sandbox.zammad.server",
    "scan_pii": "mimoto_gov.pii.scan",
    "run_report": "mimoto_gov.reports.run",
    "ReportRun": "mimoto_gov.reports.run",
    "show_table": "mimoto_gov.reports.display",
    "show_callout": "mimoto_gov.reports.display",
    "show_chart": "mimoto_gov.reports.display",
    "show_text": "mimoto_gov.reports.display",
    "show_markdown_list": "mimoto_gov.reports.display",
    "show_key_figures": "mimoto_gov.reports.display",
    "record_run_info": "mimoto_gov.reports.display",
    "csv_safe": "mimoto_gov.support.csvout",
    "write_csv": "mimoto_gov.support.csvout",
    "sar_due_date": "mimoto_gov.deadlines",
    "open_registers": "mimoto_gov.registers",
    "Registers": "mimoto_gov.registers",
    "keyed_hash": "mimoto_gov.registers",
    "erase": "mimoto_gov.erasure.run",
    "erasure_flags": "mimoto_gov.erasure.run",
    "plan_erasure": "mimoto_gov.erasure.plan",
    "build_deletion_checklist": "mimoto_gov.views.deletion_checklist",
    "run_deletion_checklist": "mimoto_gov.views.deletion_checklist",
    "own_copies_due": "mimoto_gov.audits.own_copies",
    "tidy_own_copies": "mimoto_gov.audits.own_copies_tidy",
    "run_review": "mimoto_gov.views.review.build",
    "build_review": "mimoto_gov.views.review.build",
    "load_schedule": "mimoto_gov.retention.rules",
    "apply_schedule": "mimoto_gov.retention.rules",
    "find_subject": "mimoto_gov.subject",
    "SubjectData": "mimoto_gov.subject",
    "build_sar_package": "mimoto_gov.sar.case",
    "open_case": "mimoto_gov.sar.case",
    "SarCase": "mimoto_gov.sar.case",
    "verify_manifest": "mimoto_gov.sar.case",
    "analytics_for_month": "mimoto_gov.gauges",
    "audit_for_period": "mimoto_gov.gauges",
    "import_exports": "mimoto_gov.gauges",
    "load_exports": "mimoto_gov.gauges",
    "audit_site": "mimoto_gov.audits.site",
    "check_commitments": "mimoto_gov.commitments.evaluate",
    "load_commitments": "mimoto_gov.commitments.evaluate",
    "status_counts": "mimoto_gov.commitments.evaluate",
    "policy_changes": "mimoto_gov.commitments.evaluate",
    "PolicyChange": "mimoto_gov.commitments.evaluate",
    "record_of_processing": "mimoto_gov.commitments.evaluate",
    "seed_demo_registers": "mimoto_gov.demo.registers",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'mimoto_gov' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
