"""Set environment variables for a while, restoring the previous values afterwards."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def variables_set(values: dict[str, str]) -> Iterator[None]:
    """Set the environment variables in ``values`` inside the block; restore them after it.

    Report notebooks' kernels inherit the environment, so this is how a caller hands them its
    folders (and how the demo masks the real ``.env``) without writing anything.
    """
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
