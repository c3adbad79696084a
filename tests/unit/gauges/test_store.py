"""`mimoto-gov analytics import`: Parquet written atomically and privately, or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from mimoto_gov.cli import main
from mimoto_gov.gauges import import_exports, load_store
from tests.helpers.paths import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "gauges"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.parquet"))}


def test_import_command_writes_private_parquet(tmp_path, monkeypatch, capsys):
    data_dir = tmp_path / "data"
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(data_dir))
    code = main(["analytics", "import", str(FIXTURES / "planted")])
    out = capsys.readouterr().out
    assert code == 0
    assert "content: 5 rows read, 5 held" in out
    tables = data_dir / "gauges" / "tables"
    assert (tables / "traffic_daily.parquet").is_file()
    for path in [data_dir / "gauges", tables, *tables.iterdir()]:
        assert path.stat().st_mode & 0o077 == 0, path
    stored = load_store(data_dir)
    assert len(stored.traffic_daily) == 31 + 30 + 31
    assert sorted(stored.account_files["kind"]) == ["clients", "shares"]


def test_import_merges_without_double_counting(tmp_path):
    import_exports([FIXTURES / "clean" / "csv"], tmp_path)
    import_exports([FIXTURES / "clean"], tmp_path)
    import_exports([FIXTURES / "clean"], tmp_path)
    stored = load_store(tmp_path)
    assert len(stored.traffic_daily) == 92
    assert len(stored.traffic_monthly) == 3
    assert len(stored.referrers) == 3


def test_malformed_export_writes_nothing(tmp_path, monkeypatch, capsys):
    data_dir = tmp_path / "data"
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(data_dir))
    assert main(["analytics", "import", str(FIXTURES / "clean")]) == 0
    before = snapshot(data_dir / "gauges" / "tables")
    mixed = tmp_path / "mixed"
    shutil.copytree(FIXTURES / "planted", mixed)
    bad = FIXTURES / "malformed" / "bad_views.csv"
    shutil.copy(bad, mixed / "zz-bad_views.csv")
    capsys.readouterr()
    code = main(["analytics", "import", str(mixed)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("mimoto-gov: error: ")
    assert "zz-bad_views.csv: line 3: views should be a whole number" in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    # the stored tables are exactly as before, and no staging folder is left behind
    assert snapshot(data_dir / "gauges" / "tables") == before
    assert sorted(p.name for p in (data_dir / "gauges").iterdir()) == ["tables"]


def test_import_of_a_missing_path_is_one_line(tmp_path, capsys):
    code = main(["analytics", "import", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().endswith("nowhere: no such file or folder")
    assert not (Path("data") / "gauges").exists()
