"""Helpers for tests that run ``mimoto-gov`` commands in-process against a data folder."""

from __future__ import annotations

from mimoto_gov.cli import main
from mimoto_gov.registers import Registers, open_registers


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``mimoto-gov ARGV...``; return its exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def registers(data_dir) -> Registers:
    """Open the registers the commands wrote in ``data_dir``."""
    return open_registers(data_dir / "registers.sqlite")
