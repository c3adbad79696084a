"""Check that a command a report tells staff to run is one the command line accepts."""

from __future__ import annotations

import contextlib
import io
import re
import shlex

from mimoto_gov.cli import build_parser

COMMAND = re.compile(r"`(mimoto-gov [^`]+)`")
# The placeholders actions use, and a value of the right shape for each.
PLACEHOLDERS = {
    "EMAIL": "jo@example.com",
    "ID": "R-2026-0001",
    "DATE": "2026-12-01",
    "PATH": "export.json",
    "FILE": "export.csv",
    "NAME": "Jo Bloggs",
    "HOW": "reply from the registered address",
    "WHAT": "the account's address",
    "WHY": "a court order forbids it",
    "...": "text",
}


def commands_in(text: str) -> list[str]:
    """Return the ``mimoto-gov ...`` commands quoted in backticks in ``text``."""
    return [" ".join(found.split()) for found in COMMAND.findall(text)]


def unquoted_commands(text: str) -> list[str]:
    """Return mentions of ``mimoto-gov`` outside backticks (they cannot be checked)."""
    return re.findall(r"mimoto-gov \S+", COMMAND.sub("", text))


def parse_error(command: str) -> str | None:
    """Return why the command line would refuse ``command`` (None when it accepts it)."""
    words = [PLACEHOLDERS.get(word, word) for word in shlex.split(command)][1:]
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            build_parser().parse_args(words)
    except SystemExit:
        return stderr.getvalue().strip() or "refused"
    return None
