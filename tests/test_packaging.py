"""The project's surface: dependencies listed once, every command documented."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest
import yaml

import mimoto_gov
from mimoto_gov.cli import build_parser
from tests.helpers.paths import ROOT


def requirement_names(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)", requirement)
        if match and not requirement.strip().startswith("-"):
            names.add(match.group(1).lower().replace("_", "-"))
    return names


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = requirement_names(project["dependencies"])
    declared |= requirement_names(project["optional-dependencies"]["dev"])
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert requirement_names(pip_section) == declared
    assert "python=3.11" in environment["dependencies"]


# The public surface: a change here is a change for every notebook and script that uses the
# workbook, so it is made on purpose, never by accident.
PUBLIC_NAMES = [
    "MimotoGovError", "PolicyChange", "Registers", "ReportRun", "Sandbox", "SarCase",
    "Settings", "SubjectData", "analytics_for_month", "apply_schedule", "audit_for_period",
    "audit_site", "build_deletion_checklist", "build_review", "build_sar_package",
    "check_commitments", "csv_safe", "erase", "erasure_flags", "find_subject",
    "import_exports", "keyed_hash", "load_commitments", "load_exports", "load_inventory",
    "load_schedule", "load_settings", "make_dataset", "open_case", "open_registers",
    "own_copies_due", "plan_erasure", "policy_changes", "record_of_processing",
    "record_run_info", "run_deletion_checklist", "run_report", "run_review", "sar_due_date",
    "scan_pii", "seed_demo_registers", "show_callout", "show_chart", "show_key_figures",
    "show_markdown_list", "show_table", "show_text", "status_counts", "tidy_own_copies",
    "verify_manifest", "write_csv",
]  # fmt: skip


def test_public_names_are_pinned():
    assert mimoto_gov.__all__ == sorted(PUBLIC_NAMES)


def test_readme_is_short_and_links_every_doc_it_names():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    for target in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (ROOT / target).is_file(), target


def test_imports_keep_to_the_layers():
    # The contracts in pyproject.toml: imports point down, no cycles, no sandbox in domain code.
    lint = ROOT / ".venv" / "bin" / "lint-imports"
    command = [str(lint)] if lint.exists() else [sys.executable, "-m", "importlinter.cli"]
    result = subprocess.run(
        [*command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_public_names_resolve():
    for name in mimoto_gov.__all__:
        assert getattr(mimoto_gov, name) is not None, name


def subcommand_parsers(parser):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield name, sub
                for child_name, child in subcommand_parsers(sub):
                    yield f"{name} {child_name}", child


def test_every_command_has_help_text():
    parser = build_parser()
    commands = dict(subcommand_parsers(parser))
    assert {"pull", "demo", "sandbox"} <= set(commands)
    for name, sub in commands.items():
        assert (sub.description or "").strip(), f"`mimoto-gov {name}` has no description"


def test_every_top_level_command_is_in_the_readme_or_the_docs():
    texts = [(ROOT / "README.md").read_text()]
    texts += [path.read_text() for path in sorted((ROOT / "docs").glob("*.md"))]
    parser = build_parser()
    top_level = {name for name in dict(subcommand_parsers(parser)) if " " not in name}
    missing = sorted(
        name for name in top_level if not any(f"mimoto-gov {name}" in text for text in texts)
    )
    assert not missing, f"commands missing from README.md and docs/: {missing}"


@pytest.mark.parametrize("argv", [["--help"], ["pull", "--help"]])
def test_module_entry_point_prints_help(argv):
    result = subprocess.run(
        [sys.executable, "-m", "mimoto_gov", *argv], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "usage: mimoto-gov" in result.stdout


def test_committed_notebooks_have_no_outputs_and_a_parameters_cell():
    import nbformat

    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks committed"
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        code_cells = [c for c in notebook.cells if c.cell_type == "code"]
        assert "parameters" in code_cells[0].metadata.get("tags", []), path.name
        for cell in code_cells:
            assert not cell.outputs, f"{path.name} has outputs"
            assert not re.search(r"^\s*(def|class)\s", cell.source, re.M), (
                f"{path.name} defines a function or class: move it into mimoto_gov"
            )
