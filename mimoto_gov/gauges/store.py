"""The workbook's own copy of the Gaug.es tables: Parquet under ``$MIMOTO_GOV_DATA/gauges/``.

``gauges/raw/`` holds response bodies exactly as a live pull received them (without the
token); ``gauges/tables/`` holds one Parquet file per table of :mod:`.frames`. Importing merges
new exports into the tables and swaps the whole folder in at once, so a failed import (a
malformed file, a full disk) leaves the previous tables as they were.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mimoto_gov.gauges.frames import TABLES, GaugesData, typed_frame
from mimoto_gov.gauges.loaders import export_files, load_exports
from mimoto_gov.settings import PROJECT_DIR, load_settings
from mimoto_gov.support.files import private_dir, replacing_dir, write_bytes


def gauges_dir(data_dir: Path | str | None = None) -> Path:
    """Return the Gaug.es folder of the workbook data (``$MIMOTO_GOV_DATA/gauges``)."""
    if data_dir is None:
        return load_settings().gauges_dir
    return Path(data_dir) / "gauges"


def tables_dir(data_dir: Path | str | None = None) -> Path:
    """Where the Parquet tables live."""
    return gauges_dir(data_dir) / "tables"


def raw_dir(data_dir: Path | str | None = None) -> Path:
    """Where a live pull saves response bodies."""
    return gauges_dir(data_dir) / "raw"


@dataclass(frozen=True)
class ImportResult:
    """What an import read and what the tables hold afterwards."""

    files: tuple[Path, ...]
    added: dict[str, int]
    totals: dict[str, int]
    folder: Path

    def summary(self) -> str:
        """One line per table that gained rows, for the command line."""
        lines = [f"read {len(self.files):,} export file(s) into {self.folder}"]
        for name, count in self.added.items():
            if count:
                lines.append(f"  {name}: {count:,} rows read, {self.totals[name]:,} held")
        return "\n".join(lines)


def readable_tables_dir(data_dir: Path | str | None) -> Path:
    """Return the tables folder to read, for notebooks as well as commands.

    JupyterLab runs a notebook's kernel in ``notebooks/``, the commands in the project
    folder: a relative data folder missing here is looked up in the project folder, so a
    notebook opened by hand reads the same tables as the command line.
    """
    folder = tables_dir(data_dir)
    if folder.is_absolute() or folder.exists():
        return folder
    in_project = PROJECT_DIR / folder
    return in_project if in_project.exists() else folder


def load_store(data_dir: Path | str | None = None) -> GaugesData:
    """Load the imported tables (empty tables when nothing was imported yet)."""
    folder = readable_tables_dir(data_dir)
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.parquet"
        if path.is_file():
            tables[name] = typed_frame(name, pd.read_parquet(path))
    return GaugesData(**tables)


def save_store(data: GaugesData, data_dir: Path | str | None = None) -> Path:
    """Replace the stored tables with ``data`` atomically; returns the tables folder."""
    target = tables_dir(data_dir)
    private_dir(target.parent)
    with replacing_dir(target) as staging:
        for name, frame in data.items():
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
            write_bytes(staging / f"{name}.parquet", buffer.getvalue())
    return target


def import_exports(paths: Iterable[Path | str], data_dir: Path | str | None = None) -> ImportResult:
    """Read exports (files or folders) and merge them into the stored tables.

    Every file is read and checked before anything is written: one malformed file raises
    :class:`~mimoto_gov.errors.InputError` naming it and the stored tables stay untouched.
    Rows already held for the same gauge, period and dimension value are replaced.
    """
    files = tuple(export_files(paths))
    new = load_exports(files)
    merged = GaugesData.combine([load_store(data_dir), new])
    folder = save_store(merged, data_dir)
    return ImportResult(
        files=files, added=new.row_counts(), totals=merged.row_counts(), folder=folder
    )
