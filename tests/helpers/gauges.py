"""Small Gaug.es exports written by tests: one day of one endpoint, as the API returns it."""

from __future__ import annotations

import json
from pathlib import Path

GAUGE_ID = "5f3a1c2b9d8e7f6a5b4c3d21"
DESK = "desk.mimoto.example"


def desk_referrer_export(folder: Path) -> Path:
    """Write one day's referrers: a link from a self-hosted service desk, nothing else."""
    body = {
        "date": "2026-10-03",
        "referrers": [{"url": f"https://{DESK}/help", "host": DESK, "path": "/help", "views": 9}],
    }
    path = folder / GAUGE_ID / "referrers" / "2026-10-03.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(body))
    return folder
