"""What the sandbox records of each request, and the failures it can inject into the answers."""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field


@dataclass
class RequestRecord:
    """One request the sandbox received, and how it answered.

    ``status`` is None for a dropped connection; ``fault`` names the injected fault
    (``latency`` is not a fault), ``json`` is the parsed request body, if any.
    """

    method: str
    path: str
    query: dict
    status: int | None = None
    fault: str | None = None
    json: object = None
    time: float = field(default_factory=time.time)

    def __getitem__(self, key: str) -> object:
        return getattr(self, key)


class Faults:
    """Failure injection, settable at runtime; the draws come from a seeded generator.

    Attributes:
        latency: seconds to wait before answering each request (does not block others).
        rate_429: share of requests answered ``429 Retry later`` (text/plain, no Retry-After).
        rate_500: share answered with a 500 error body.
        rate_truncated: share whose body is cut short while Content-Length claims it whole.
        rate_drop: share whose connection is closed without an answer.
        match: a regular expression; when set, only matching paths (after ``/api/v1/``)
            get faults.

    """

    def __init__(self, seed: int = 0):
        self.latency = 0.0
        self.rate_429 = 0.0
        self.rate_500 = 0.0
        self.rate_truncated = 0.0
        self.rate_drop = 0.0
        self.match: str | None = None
        self._lock = threading.Lock()
        self.seed = seed

    @property
    def seed(self) -> int:
        """The seed; setting it restarts the sequence of draws."""
        return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        with self._lock:
            self._seed = value
            self._random = random.Random(value)

    def reset(self) -> None:
        """Turn every fault and the latency off."""
        self.latency = self.rate_429 = self.rate_500 = 0.0
        self.rate_truncated = self.rate_drop = 0.0
        self.match = None

    def draw(self, path: str) -> str | None:
        """Decide the fault for one request: ``429``, ``500``, ``truncated``, ``drop`` or None."""
        if self.match and not re.search(self.match, path):
            return None
        with self._lock:
            roll = self._random.random()
        for name, rate in (
            ("429", self.rate_429),
            ("500", self.rate_500),
            ("truncated", self.rate_truncated),
            ("drop", self.rate_drop),
        ):
            if roll < rate:
                return name
            roll -= rate
        return None
