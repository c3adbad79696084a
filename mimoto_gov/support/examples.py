"""How the demo's made-up entries are marked, so they are never taken for real evidence.

The demo (``mimoto-gov demo``) writes only under ``demo/`` at the project root and leaves a
marker file (:data:`DEMO_MARKER`) in its data and reports folders. Every register entry it
makes carries a mark: requests and law-enforcement requests a note, consents a source,
complaints and breaches a description ending in ``(example)``, attestations the signer
``Data protection lead (example)``. The commitments checks refuse marked entries as
evidence outside a demo folder, and ``mimoto-gov doctor`` reports them.
"""

from __future__ import annotations

from pathlib import Path

from mimoto_gov.support.files import private_dir, write_text

EXAMPLE_MARK = "(example)"
EXAMPLE_NOTE = "Example entry for the demo pack"
EXAMPLE_CASE_NOTE = "Example request about a sandbox persona, answered by the demo"
EXAMPLE_PERSON = f"Data protection lead {EXAMPLE_MARK}"
EXAMPLE_SOURCE = "demo pack example"
EXAMPLE_MAILING_FILE = "demo-mailing-list.csv"

# register (as people call it) -> (table, the column that carries the mark)
EXAMPLE_FIELDS: dict[str, tuple[str, str]] = {
    "requests": ("requests", "notes"),
    "law-enforcement requests": ("law_enforcement", "notes"),
    "consents": ("consents", "source"),
    "mailing list": ("mailing_list", "source_file"),
    "complaints": ("complaints", "summary"),
    "breaches": ("breaches", "description"),
    "attestations": ("attestations", "attested_by"),
}
DEMO_MARKER = "DEMO-DATA.txt"
DEMO_MARKER_TEXT = """\
Everything in this folder was made up by `mimoto-gov demo` (synthetic people, example register
entries and attestations). It is not evidence of anything. `make clean-demo` removes it.
"""

_EXAMPLE_TEXTS = frozenset({EXAMPLE_NOTE, EXAMPLE_CASE_NOTE, EXAMPLE_SOURCE, EXAMPLE_MAILING_FILE})


def is_example(text: object) -> bool:
    """Tell whether a register field marks its entry as one of the demo's examples."""
    if not isinstance(text, str):
        return False
    text = text.strip()
    return text in _EXAMPLE_TEXTS or text.endswith(EXAMPLE_MARK)


def is_demo_folder(folder: Path | str) -> bool:
    """Tell whether ``folder`` is one the demo made (it holds the demo's marker file)."""
    return (Path(folder) / DEMO_MARKER).is_file()


def mark_demo_folder(folder: Path | str) -> Path:
    """Create ``folder`` (private) with the demo's marker file in it; return the folder."""
    folder = private_dir(Path(folder))
    marker = folder / DEMO_MARKER
    if not marker.is_file():
        write_text(marker, DEMO_MARKER_TEXT)
    return folder


def is_empty_or_demo(folder: Path | str) -> bool:
    """Tell whether the demo may write in ``folder``: missing, empty, or made by the demo."""
    folder = Path(folder)
    if not folder.exists():
        return True
    return folder.is_dir() and (is_demo_folder(folder) or not any(folder.iterdir()))
