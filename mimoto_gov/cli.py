"""The command line: one sub-command per job.

Each module in :mod:`mimoto_gov.commands` defines ``register(subparsers)``, which adds its
sub-command(s) with ``set_defaults(handler=...)``; a handler takes the parsed arguments and
returns an exit code. Errors a person can cause are :class:`~mimoto_gov.errors.MimotoGovError`
and end as one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import NoReturn

from mimoto_gov import __version__, commands
from mimoto_gov.errors import MimotoGovError
from mimoto_gov.registers.trail import running


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr, like every other error."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` as one line (pointing at ``--help``) and exit with status 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every command module's sub-commands."""
    parser = OneLineParser(
        prog="mimoto-gov",
        description="Mimoto Ltd's data-governance workbook: pull, review, subject access, "
        "erasure, analytics and registers.",
    )
    parser.add_argument("--version", action="version", version=f"mimoto-gov {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    command = getattr(args, "trail_command", None) or args.command
    try:
        # Registers changed by this command record it in their trail.
        with running(command):
            return int(handler(args) or 0)
    except MimotoGovError as error:
        print(f"mimoto-gov: error: {error}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        # A folder that cannot be created or written (permissions, a file in the way, a full
        # disk): atomic writes left the previous files as they were.
        where = f" {error.filename}" if error.filename else ""
        print(f"mimoto-gov: error: cannot use{where}: {error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mimoto-gov: interrupted; nothing was half-written", file=sys.stderr)
        return 130
