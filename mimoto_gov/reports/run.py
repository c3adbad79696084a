"""The report pipeline: papermill runs a notebook, nbconvert renders HTML, WeasyPrint a PDF.

Every report lands in ``reports/<kind>/<run id>/<name>.{ipynb,html,pdf}`` beside a
``run.json`` describing it, and ``reports/index.html`` lists them all. A run folder is built
aside and swapped in whole, so re-running a month replaces that month's outputs and a failed
run leaves the previous ones untouched. Folders are 0700 and files 0600: reports hold
personal data.

Notebooks receive only harmless parameters (a month, a folder); secrets reach the kernel
through the environment, never as parameters, because papermill writes parameters into the
executed notebook. Parameter names that look like secrets are refused.

What a notebook computed from is recorded by the notebook itself with
:func:`mimoto_gov.reports.display.record_run_info` (snapshot time, policy version) and shown in the
run box at the top of the page, together with the parameters and the generation time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from mimoto_gov.errors import ConfigError, InputError, ReportError
from mimoto_gov.reports.index import RUN_FILE, list_reports, write_index
from mimoto_gov.reports.render import CSP, render_document, render_html, render_pdf
from mimoto_gov.settings import folders_in_environment, load_settings
from mimoto_gov.support.files import private_dir, replacing_dir, safe_path, write_bytes, write_text

__all__ = [
    "CSP",
    "ReportRun",
    "list_reports",
    "render_document",
    "render_html",
    "render_pdf",
    "run_report",
    "save_report",
    "write_index",
]

KERNEL_NAME = "python3"

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SECRET_NAME = re.compile(
    r"token|passw(or)?d|secret|api_?key|credential|private_?key|cookie", re.IGNORECASE
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class ReportRun:
    """Where a rendered report is, and what it was.

    Attributes:
        kind: the report kind (``retention-review``, ``sar``, ...): the first folder level.
        run_id: the run identifier (``2026-10``): the second folder level.
        title: the title shown on the page and in the PDF metadata.
        folder: ``reports/<kind>/<run_id>``.
        html: the HTML page.
        pdf: the PDF.
        ipynb: the executed notebook, or None for documents not made from a notebook.
        generated_at: when it was rendered (UTC).
        summary: the headline figures given by the caller (also in ``run.json``).

    """

    kind: str
    run_id: str
    title: str
    folder: Path
    html: Path
    pdf: Path
    ipynb: Path | None
    generated_at: dt.datetime
    summary: dict[str, Any] = field(default_factory=dict)


def run_report(
    kind: str,
    notebook: str | Path,
    run_id: str,
    parameters: dict[str, Any] | None = None,
    *,
    title: str,
    reports_dir: Path | None = None,
    filename: str | None = None,
    summary: dict[str, Any] | None = None,
    cwd: str | Path | None = None,
    data_dir: Path | None = None,
    personal_data: bool = True,
) -> ReportRun:
    """Execute a report notebook and render it to HTML and PDF.

    Args:
        kind: the report kind, a folder name such as ``retention-review``.
        notebook: the notebook to run (it is not modified).
        run_id: the run identifier, a folder name such as ``2026-10``.
        parameters: papermill parameters (JSON-like values; ``Path`` values become text).
            Names that look like secrets (token, password, secret, api key...) are refused.
        title: the report title.
        reports_dir: the reports folder; defaults to ``load_settings().reports_dir``.
        filename: the base name of the output files; defaults to ``kind``.
        summary: headline figures to keep in ``run.json`` (JSON-serialisable).
        cwd: the kernel's working directory; defaults to the notebook's folder, as in
            JupyterLab and nbval, so relative paths in a notebook resolve the same way.
        data_dir: the workbook data folder the notebook reads (as ``MIMOTO_GOV_DATA``);
            defaults to ``load_settings().data_dir``.
        personal_data: whether the report holds personal data (its footer says so, and to
            keep it private); false for reports about public or anonymous things.

    Returns:
        The :class:`ReportRun` with the paths of the executed notebook, HTML and PDF.

    Raises:
        InputError: a missing notebook, a bad kind/run id/filename, a secret-like parameter.
        ReportError: a cell failed (the message names it and where the partial notebook is
            kept as ``<name>.failed.ipynb``), or rendering failed.

    """
    notebook = Path(notebook)
    if not notebook.is_file():
        raise InputError(f"report notebook not found: {notebook}")
    name = filename or kind
    _check_names(kind, run_id, name)
    params = _check_parameters(parameters or {})
    root = _reports_root(reports_dir)
    kind_dir = private_dir(safe_path(root, kind))
    folder = safe_path(root, kind, run_id)
    workdir = Path(cwd) if cwd is not None else notebook.resolve().parent

    with tempfile.TemporaryDirectory(dir=kind_dir, prefix=f".{run_id}.") as scratch:
        Path(scratch).chmod(0o700)
        executed_path = Path(scratch) / f"{name}.ipynb"
        data = Path(data_dir) if data_dir is not None else load_settings().data_dir
        with folders_in_environment(data, root):
            _execute(notebook, executed_path, params, workdir, folder, name)
        executed = nbformat.read(executed_path, as_version=4)

    generated_at = dt.datetime.now(dt.UTC)
    executed.metadata["mimoto_gov"] = {
        "title": title,
        "kind": kind,
        "run_id": run_id,
        "parameters": params,
        "generated_at": generated_at.isoformat(),
        "personal_data": personal_data,
    }
    page = render_html(executed, title=title)
    return save_report(
        kind,
        run_id,
        title=title,
        html=page,
        reports_dir=root,
        filename=name,
        summary=summary,
        notebook=executed,
        generated_at=generated_at,
    )


def save_report(
    kind: str,
    run_id: str,
    *,
    title: str,
    html: str,
    reports_dir: Path | None = None,
    filename: str | None = None,
    summary: dict[str, Any] | None = None,
    notebook: Any = None,
    generated_at: dt.datetime | None = None,
    extra_files: dict[str, str] | None = None,
) -> ReportRun:
    """Write a rendered page (and its PDF) as a report run, and refresh the index.

    Use it for documents not made from a notebook: build the page with
    :func:`render_document`, then save it here so it gets a PDF, a private run folder
    and a line in ``reports/index.html``.

    Args:
        kind: the report kind (folder name).
        run_id: the run identifier (folder name).
        title: the title listed in the index.
        html: the complete HTML page.
        reports_dir: the reports folder; defaults to ``load_settings().reports_dir``.
        filename: the base name of the files; defaults to ``kind``.
        summary: headline figures kept in ``run.json``.
        notebook: an executed notebook to keep beside the page, if any.
        generated_at: the generation time (now by default).
        extra_files: more files of the run (file name -> text, e.g. a CSV made safe with
            :func:`mimoto_gov.support.safe_output.safe_frame`), written with the page and
            listed in ``run.json`` under their suffix.

    Returns:
        The :class:`ReportRun`.

    """
    name = filename or kind
    _check_names(kind, run_id, name)
    extra_files = dict(extra_files or {})
    for extra in extra_files:
        _check_names(kind, run_id, extra)
    root = _reports_root(reports_dir)
    private_dir(safe_path(root, kind))
    folder = safe_path(root, kind, run_id)
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    files = {"html": f"{name}.html", "pdf": f"{name}.pdf"}
    if notebook is not None:
        files["ipynb"] = f"{name}.ipynb"
    files.update({Path(extra).suffix.lstrip(".") or extra: extra for extra in extra_files})
    summary = dict(summary or {})
    description = {
        "kind": kind,
        "run_id": run_id,
        "title": title,
        "generated_at": generated_at.isoformat(),
        "files": files,
        "summary": summary,
    }
    try:
        run_json = json.dumps(description, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError) as exc:
        raise InputError(f"report summary is not JSON-serialisable: {exc}") from exc

    with replacing_dir(folder) as staging:
        if notebook is not None:
            write_text(staging / files["ipynb"], nbformat.writes(notebook))
        write_text(staging / files["html"], html)
        for extra, text in extra_files.items():
            write_text(staging / extra, text)
        render_pdf(html, staging / files["pdf"])
        write_text(staging / RUN_FILE, run_json + "\n")
    write_index(root)
    return ReportRun(
        kind=kind,
        run_id=run_id,
        title=title,
        folder=folder,
        html=folder / files["html"],
        pdf=folder / files["pdf"],
        ipynb=folder / files["ipynb"] if notebook is not None else None,
        generated_at=generated_at,
        summary=summary,
    )


# ---------------------------------------------------------------------------------------------
# Internals


def _reports_root(reports_dir: Path | None) -> Path:
    # The default of run_report and save_report: the settings' reports folder.
    if reports_dir is None:
        reports_dir = load_settings().reports_dir
    return private_dir(Path(reports_dir).absolute())


def _check_names(kind: str, run_id: str, name: str) -> None:
    for label, value in (("report kind", kind), ("run id", run_id), ("file name", name)):
        if not isinstance(value, str) or not _SLUG.match(value) or ".." in value:
            raise InputError(
                f"{label} {value!r} must be letters, digits, '.', '_' or '-' "
                "(it becomes a folder or file name)"
            )


def _check_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    secrets = _known_secrets()
    checked: dict[str, Any] = {}
    for name, value in parameters.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise InputError(f"report parameter name {name!r} is not a Python identifier")
        if _SECRET_NAME.search(name):
            raise InputError(
                f"report parameter {name!r} looks like a secret: papermill writes parameters "
                "into the executed notebook, so secrets must come from the environment"
            )
        if isinstance(value, Path):
            value = str(value)
        if isinstance(value, str) and value in secrets:
            raise InputError(
                f"report parameter {name!r} holds a secret from the environment; "
                "the notebook must read it with load_settings() instead"
            )
        checked[name] = value
    return checked


def _known_secrets() -> set[str]:
    # The secrets the environment or .env holds, so no parameter can copy one into a notebook.
    try:
        settings = load_settings()
        values = {settings.zammad_token, settings.gauges_token}
    except ConfigError:
        values = {os.environ.get("ZAMMAD_TOKEN"), os.environ.get("GAUGES_TOKEN")}
    return {value for value in values if value}


def _execute(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    workdir: Path,
    folder: Path,
    name: str,
) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            language="python",
            progress_bar=False,
            log_output=False,
            cwd=str(workdir),
            # ipykernel warns on every start that loopback TCP is unencrypted; hush it.
            extra_arguments=["--log-level=ERROR"],
        )
    except PapermillExecutionError as exc:
        kept = _keep_failed(output, folder, name)
        source = next((line for line in exc.source.splitlines() if line.strip()), "").strip()
        message = _ANSI.sub("", str(exc.evalue or "")).strip().splitlines()
        reason = f"{exc.ename}: {message[0]}" if message else exc.ename
        raise ReportError(
            f"report notebook {notebook.name} failed in cell {exc.cell_index} "
            f"({_shorten(source)!r}): {_shorten(reason, 200)}; "
            f"the partial notebook is kept at {kept}"
        ) from None
    except Exception as exc:  # kernel died, timed out, could not start, bad notebook...
        kept = _keep_failed(output, folder, name)
        where = f"; the partial notebook is kept at {kept}" if kept else ""
        detail = _ANSI.sub("", str(exc)).strip().splitlines()
        raise ReportError(
            f"report notebook {notebook.name} could not run: {type(exc).__name__}"
            f"{': ' + _shorten(detail[0], 200) if detail else ''}{where}"
        ) from exc


def _keep_failed(output: Path, folder: Path, name: str) -> Path | None:
    if not output.is_file():
        return None
    return write_bytes(private_dir(folder) / f"{name}.failed.ipynb", output.read_bytes())


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
