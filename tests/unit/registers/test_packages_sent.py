"""Which subject access package was sent: the manifest's SHA-256, append-only."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from mimoto_gov.errors import InputError, RegisterError
from mimoto_gov.registers import open_registers

DIGEST = "ab" * 32


@pytest.fixture
def reg(tmp_path):
    registers = open_registers(tmp_path / "registers.sqlite")
    yield registers
    registers.close()


def test_a_sent_package_is_recorded_and_shown_in_the_export(reg):
    request = reg.add_request("access", ["pat@example.com"], received_on=date(2026, 11, 2))
    sent = reg.record_package_sent(request.id.lower(), DIGEST.upper(), 42, date(2026, 11, 20))
    assert (sent.request_id, sent.manifest_sha256, sent.files) == (request.id, DIGEST, 42)
    reg.record_package_sent(request.id, "cd" * 32, 43, date(2026, 11, 21))
    assert [p.manifest_sha256 for p in reg.packages_sent(request.id)] == [DIGEST, "cd" * 32]
    export = reg.requests_frame()
    assert export.loc[0, "package_sent"] == (
        f"2026-11-20 manifest {DIGEST}; 2026-11-21 manifest {'cd' * 32}"
    )
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        reg.conn.execute("UPDATE request_packages_sent SET files = 1")


def test_only_a_real_digest_of_an_access_request_after_it_arrived(reg):
    access = reg.add_request("access", ["pat@example.com"], received_on=date(2026, 11, 2))
    erasure = reg.add_request("erasure", ["pat@example.com"], separate=True)
    with pytest.raises(RegisterError, match="only access requests send a package"):
        reg.record_package_sent(erasure.id, DIGEST, 1)
    with pytest.raises(InputError, match="64 hexadecimal"):
        reg.record_package_sent(access.id, "not-a-digest", 1)
    with pytest.raises(RegisterError, match="is before received"):
        reg.record_package_sent(access.id, DIGEST, 1, date(2026, 11, 1))
    assert reg.packages_sent(access.id) == []
