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
    "make_dataset": "mimoto_gov.synthetic",
    "Sandbox": "mimoto_gov.zammad.sandbox",
    "scan_pii": "mimoto_gov.pii",
    "run_report": "mimoto_gov.reports",
    "ReportRun": "mimoto_gov.reports",
    "show_table": "mimoto_gov.display",
    "show_callout": "mimoto_gov.display",
    "show_chart": "mimoto_gov.display",
    "show_text": "mimoto_gov.display",
    "show_markdown_list": "mimoto_gov.display",
    "show_key_figures": "mimoto_gov.display",
    "record_run_info": "mimoto_gov.display",
    "csv_safe": "mimoto_gov.safe_output",
    "write_csv": "mimoto_gov.safe_output",
    "sar_due_date": "mimoto_gov.deadlines",
    "open_registers": "mimoto_gov.registers",
    "Registers": "mimoto_gov.registers",
    "keyed_hash": "mimoto_gov.registers",
    "erase": "mimoto_gov.erasure",
    "erasure_flags": "mimoto_gov.erasure",
    "plan_erasure": "mimoto_gov.erasure_plan",
    "build_deletion_checklist": "mimoto_gov.erasure_notebook",
    "run_deletion_checklist": "mimoto_gov.erasure_notebook",
    "own_copies_due": "mimoto_gov.own_copies",
    "tidy_own_copies": "mimoto_gov.own_copies",
    "run_review": "mimoto_gov.review",
    "build_review": "mimoto_gov.review",
    "load_schedule": "mimoto_gov.retention",
    "apply_schedule": "mimoto_gov.retention",
    "find_subject": "mimoto_gov.subject",
    "SubjectData": "mimoto_gov.subject",
    "build_sar_package": "mimoto_gov.sar",
    "open_case": "mimoto_gov.sar",
    "SarCase": "mimoto_gov.sar",
    "verify_manifest": "mimoto_gov.sar",
    "analytics_for_month": "mimoto_gov.gauges",
    "audit_for_period": "mimoto_gov.gauges",
    "import_exports": "mimoto_gov.gauges",
    "load_exports": "mimoto_gov.gauges",
    "audit_site": "mimoto_gov.site_audit",
    "check_commitments": "mimoto_gov.commitments",
    "load_commitments": "mimoto_gov.commitments",
    "status_counts": "mimoto_gov.commitments",
    "policy_changes": "mimoto_gov.commitments",
    "PolicyChange": "mimoto_gov.commitments",
    "record_of_processing": "mimoto_gov.commitments",
    "seed_demo_registers": "mimoto_gov.commitments",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'mimoto_gov' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
