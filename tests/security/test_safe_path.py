"""One helper builds every path from names: nothing resolving outside its folder, no link."""

from __future__ import annotations

import pytest

from mimoto_gov.errors import MimotoGovError
from mimoto_gov.support.files import safe_path


@pytest.mark.parametrize(
    "name",
    ["../x", "..", ".", "", "/etc", "a/b", "a\\b", "x\x00y", "/tmp/x", "../../../../tmp/x"],
)
def test_safe_path_refuses_any_name_leaving_its_folder(tmp_path, name):
    with pytest.raises(MimotoGovError) as caught:
        safe_path(tmp_path / "root", name)
    assert "\n" not in str(caught.value)


def test_safe_path_refuses_a_symlinked_component(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "gauge").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(MimotoGovError, match="link"):
        safe_path(root, "gauge", "traffic")


def test_safe_path_accepts_plain_names(tmp_path):
    root = tmp_path / "root"
    assert safe_path(root, "5f3a1c2b", "traffic", "2026-01-01.json") == (
        root / "5f3a1c2b" / "traffic" / "2026-01-01.json"
    )
    assert safe_path(root, "R-2026-0001") == root / "R-2026-0001"
