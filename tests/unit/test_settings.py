"""The project root is found by its pyproject.toml, from wherever a command or kernel runs."""

from __future__ import annotations

from pathlib import Path

from mimoto_gov.settings import (
    NOTEBOOKS_DIR,
    PROJECT_DIR,
    find_project_root,
    in_project,
    load_settings,
    project_root,
)
from tests.helpers.paths import ROOT


def make_project(folder: Path, name: str = "mimoto-gov") -> Path:
    (folder / "notebooks").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n')
    (folder / ".env").write_text("ZAMMAD_URL=https://desk.mimoto.example\nZAMMAD_TOKEN=t\n")
    return folder


def test_the_package_knows_its_own_checkout():
    assert PROJECT_DIR == ROOT and NOTEBOOKS_DIR == ROOT / "notebooks"


def test_the_root_settings_are_the_same_from_the_root_notebooks_and_below(tmp_path, monkeypatch):
    root = make_project(tmp_path / "clone")
    deeper = root / "notebooks" / "drafts"
    deeper.mkdir()
    seen = set()
    for where in (root, root / "notebooks", deeper):
        monkeypatch.chdir(where)
        assert find_project_root() == root and project_root() == root
        settings = load_settings()
        seen.add((settings.zammad_url, settings.data_dir, settings.reports_dir))
    assert seen == {("https://desk.mimoto.example", root / "data", root / "reports")}


def test_relative_folders_are_taken_from_the_root(tmp_path, monkeypatch):
    root = make_project(tmp_path / "clone")
    monkeypatch.chdir(root / "notebooks")
    monkeypatch.setenv("MIMOTO_GOV_DATA", "private/data")
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(tmp_path / "elsewhere"))
    settings = load_settings()
    assert settings.data_dir == root / "private" / "data"
    assert settings.reports_dir == tmp_path / "elsewhere"
    assert in_project("x") == root / "x"


def test_another_projects_pyproject_is_not_the_root(tmp_path, monkeypatch):
    other = make_project(tmp_path / "other", name="something-else")
    monkeypatch.chdir(other / "notebooks")
    assert find_project_root() is None
    # Outside a checkout the working directory stands in, with relative folders as before.
    assert project_root() == Path()
    settings = load_settings()
    assert settings.data_dir == Path("data") and settings.zammad_url is None


def test_a_broken_pyproject_is_not_a_root(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project\n")
    assert find_project_root(tmp_path) is None
