"""Helpers for tests that run ``mimoto-gov`` commands in-process against a data folder."""

from __future__ import annotations

from mimoto_gov.cli import main
from mimoto_gov.registers import Registers, open_registers, provenance

# Tests build register history dated in the past, which a change may claim only with a reason.
BACKDATED = provenance("tester", "tests", reason="test history dated in the past")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``mimoto-gov ARGV...``; return its exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def registers(data_dir) -> Registers:
    """Open the registers the commands wrote in ``data_dir``."""
    return open_registers(data_dir / "registers.sqlite")


def history(path) -> Registers:
    """Open a registers file to write past history into it (changes carry a reason)."""
    return open_registers(path, who=BACKDATED)
