"""One destructive command at a time on a data folder."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from mimoto_gov.support.lock import FolderBusy, data_folder_lock, lock_path


def test_a_second_holder_waits_then_refuses_naming_the_first(tmp_path):
    data = tmp_path / "data"
    with data_folder_lock(data, "erase --execute R-2026-0001"):
        started = time.monotonic()
        with pytest.raises(FolderBusy) as busy, data_folder_lock(data, "tidy --execute", wait=0.3):
            pass
        assert time.monotonic() - started >= 0.3
    message = str(busy.value)
    assert len(message.splitlines()) == 1 and busy.value.exit_code == 75
    assert "`mimoto-gov erase --execute R-2026-0001`" in message
    assert f"process {os.getpid()}" in message
    # Released: the next one gets it at once, and the file no longer names a holder.
    with data_folder_lock(data, "tidy --execute", wait=0):
        pass
    assert lock_path(data).read_text() == ""
    assert oct(lock_path(data).stat().st_mode & 0o777) == "0o600"


def test_a_waiting_command_goes_ahead_when_the_holder_finishes(tmp_path):
    data = tmp_path / "data"
    release = threading.Event()

    def hold():
        with data_folder_lock(data, "erase --execute R-1"):
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)
    threading.Timer(0.3, release.set).start()
    with data_folder_lock(data, "tidy --execute", wait=10):
        assert release.is_set()
    holder.join()


def test_a_holder_that_dies_leaves_no_stale_lock(tmp_path):
    data = tmp_path / "data"
    code = (
        "import os, sys; from mimoto_gov.support.lock import data_folder_lock; "
        f"held = data_folder_lock({str(data)!r}, 'erase --execute R-1'); held.__enter__(); "
        "os._exit(9)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 9
    assert "R-1" in lock_path(data).read_text()  # it never let go, it just died
    with data_folder_lock(data, "tidy --execute", wait=0):
        pass


def test_tidy_execute_takes_the_lock(data_dir, capsys):
    from tests.helpers.inprocess import run

    release = threading.Event()
    held = threading.Event()

    def hold():
        with data_folder_lock(data_dir, "erase --execute R-1"):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    code, out, err = run(capsys, "tidy", "--execute")
    holder.join()
    assert code == 0, err
    assert time.monotonic() - started >= 0.4 and "Nothing is past its period" in out
    # A dry run deletes nothing and takes no lock.
    with data_folder_lock(data_dir, "erase --execute R-2"):
        assert run(capsys, "tidy")[0] == 0
