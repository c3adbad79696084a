"""The deletion checklist notebook's entry point: the request id only, typed twice to execute."""

from __future__ import annotations

import pytest

from mimoto_gov.erasure.run import ErasureRefused
from mimoto_gov.views.deletion_checklist import build_deletion_checklist, confirmed


def test_executing_needs_the_request_id_typed_again():
    assert confirmed("R-2026-0001", " r-2026-0001 ")
    assert not confirmed("R-2026-0001", "")
    assert not confirmed("R-2026-0001", "R-2026-0002")
    with pytest.raises(ErasureRefused, match="confirm_request_id: nothing was deleted"):
        build_deletion_checklist("R-2026-0001", execute=True, confirm_request_id="R-2026-0002")


def test_without_a_request_nothing_happens():
    checklist = build_deletion_checklist("", execute=True)
    assert checklist.run is None and "request_id" in checklist.summary()
    assert checklist.checklist().empty
