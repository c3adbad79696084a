"""Responses of the sandbox's API: JSON bodies with Zammad's headers, and flag parsing."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from mimoto_gov.sandbox.zammad.query import ApiError

TRUE = {"true", "1", "t", "on", "yes", "y"}
NO_CACHE = {
    "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
    "Pragma": "no-cache",
    "Expires": "-1",
}


@dataclass
class Response:
    """An HTTP answer: status, body bytes and headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def json_response(payload: object, status: int = 200, headers: dict | None = None) -> Response:
    """Serialise ``payload`` as Zammad's compact JSON."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", **NO_CACHE, **(headers or {})}
    return Response(status, body, headers)


def flag(params: dict, name: str) -> bool:
    """Read a boolean flag the way Rails casts it."""
    value = params.get(name)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE if value is not None else False


def parse_id(value: str, model: str) -> int:
    """Read a record id from a path; anything but digits is a 404, as Rails' find."""
    if not re.fullmatch(r"\d+", value):
        raise ApiError(404, f"Couldn't find {model} with 'id'={value}")
    return int(value)
