"""One line of ``mimoto-gov doctor``: a status, what was checked, and what to do."""

from __future__ import annotations

from dataclasses import dataclass

OK, TODO, NOTE = "ok", "todo", "note"
SHOWN = 4


@dataclass(frozen=True)
class Finding:
    """One check of a deployment.

    Attributes:
        status: ``ok``; ``todo`` (blocks a real review until done); ``note`` (worth knowing,
            blocks nothing).
        what: the thing checked, a few words (``.env``, ``ropa.yml``...).
        detail: one line: what was found and, unless ok, what to do.

    """

    status: str
    what: str
    detail: str

    @property
    def blocks(self) -> bool:
        """Whether this finding stops a real review."""
        return self.status == TODO

    def line(self) -> str:
        """Return the finding as one printed line."""
        return f"{self.status:<5} {self.what}: {self.detail}"


def ok(what: str, detail: str) -> Finding:
    """Return a passing finding."""
    return Finding(OK, what, detail)


def todo(what: str, detail: str) -> Finding:
    """Return a finding that blocks a real review."""
    return Finding(TODO, what, detail)


def note(what: str, detail: str) -> Finding:
    """Return a finding worth knowing that blocks nothing."""
    return Finding(NOTE, what, detail)


def listed(items: list[str], limit: int = SHOWN) -> str:
    """Join the first ``limit`` items with semicolons and say how many more there are."""
    shown = "; ".join(items[:limit])
    return shown + (f"; and {len(items) - limit:,} more" if len(items) > limit else "")
