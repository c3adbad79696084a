"""The demo's example entries are never evidence, outside the demo's own folder.

The demo marks every register entry it makes (:mod:`mimoto_gov.support.examples`). In a data
folder the demo did not make, the checks drop such entries before judging and say how many
they refused, so a promise is never "met" on a made-up attestation or request.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mimoto_gov.support.examples import is_demo_folder, is_example


def examples_count(data_dir: Path, values) -> int:
    """Count the example marks among ``values`` (zero in a demo folder, where they count)."""
    if is_demo_folder(data_dir):
        return 0
    return sum(1 for value in values if is_example(value))


def without_examples(data_dir: Path, frame: pd.DataFrame, column: str) -> tuple[pd.DataFrame, int]:
    """Drop the rows whose ``column`` marks them as examples, unless ``data_dir`` is the demo's.

    Returns:
        The remaining rows and how many were dropped.

    """
    if frame.empty or column not in frame or is_demo_folder(data_dir):
        return frame, 0
    marked = frame[column].map(is_example).astype(bool)
    return frame[~marked], int(marked.sum())


def refusal_note(count: int, what: str) -> str:
    """Say that ``count`` example entries were refused (empty text when there were none)."""
    if not count:
        return ""
    return f"{count:,} example {what} from the demo refused as evidence (remove them)"
