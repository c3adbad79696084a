"""Every path is built inside the folder it belongs to, and never through a symlink."""

from __future__ import annotations

import stat

import pytest

from mimoto_gov.errors import MimotoGovError
from mimoto_gov.reports.run import save_report
from mimoto_gov.support.files import private_dir, restrict_tree, write_text


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def elsewhere(tmp_path):
    folder = tmp_path / "elsewhere"
    folder.mkdir(mode=0o755)
    (folder / "system.conf").write_text("keep me")
    (folder / "system.conf").chmod(0o644)
    return folder


def test_a_symlinked_report_kind_folder_is_refused_naming_it(tmp_path, elsewhere):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "site-audit").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(MimotoGovError) as caught:
        save_report("site-audit", "2026-01-05", title="t", html="<p>x</p>", reports_dir=reports)
    message = str(caught.value)
    assert "site-audit" in message and "link" in message and "\n" not in message
    assert sorted(p.name for p in elsewhere.iterdir()) == ["system.conf"]
    assert mode(elsewhere) == 0o755


def test_private_dir_and_writes_refuse_a_symlinked_folder(tmp_path, elsewhere):
    link = tmp_path / "data"
    link.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(MimotoGovError, match="link"):
        private_dir(link)
    with pytest.raises(MimotoGovError, match="link"):
        write_text(link / "x.txt", "secret")
    assert mode(elsewhere) == 0o755
    assert not (elsewhere / "x.txt").exists()


def test_restrict_tree_never_chmods_through_a_link(tmp_path, elsewhere):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "file.txt").write_text("x")
    (tree / "conf").symlink_to(elsewhere / "system.conf")
    (tree / "dir").symlink_to(elsewhere, target_is_directory=True)
    restrict_tree(tree)
    assert mode(tree / "file.txt") == 0o600
    assert mode(elsewhere / "system.conf") == 0o644
    assert mode(elsewhere) == 0o755
