"""Settings from the environment or a ``.env`` file in the working directory.

Secrets (``ZAMMAD_TOKEN``, ``GAUGES_TOKEN``, and the password inside ``MIMOTO_GOV_SMTP_URL``)
are read here and nowhere else. They are never
notebook parameters and never appear in a message: a missing value is reported by its
variable name only.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import parse_stream

from mimoto_gov.errors import ConfigError

# The package's own folder and the project around it (the checkout holding pyproject.toml),
# where the tracked policy files, notebooks and samples live.
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
POLICY_DIR = PROJECT_DIR / "data" / "policy"

DEFAULT_DATA_DIR = "./data"
DEFAULT_REPORTS_DIR = "./reports"


@dataclass(frozen=True)
class Settings:
    """The workbook's configuration. Build it with :func:`load_settings`."""

    zammad_url: str | None = None
    zammad_token: str | None = field(default=None, repr=False)
    gauges_token: str | None = field(default=None, repr=False)
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    reports_dir: Path = Path(DEFAULT_REPORTS_DIR)
    actor: str | None = None
    smtp_url: str | None = field(default=None, repr=False)
    notify: tuple[str, ...] = ()
    mail_from: str | None = None

    def require(self, name: str) -> str:
        """Return a setting by its environment variable name, or raise naming the variable."""
        attribute = name.lower()
        value = getattr(self, attribute, None)
        if not value:
            raise ConfigError(f"{name} is not set: put it in the environment or in .env")
        return value

    @property
    def zammad_dir(self) -> Path:
        """Folder of the Zammad snapshot (Parquet tables and sync state)."""
        return self.data_dir / "zammad"

    @property
    def gauges_dir(self) -> Path:
        """Folder of the Gaug.es data (raw responses and Parquet tables)."""
        return self.data_dir / "gauges"

    @property
    def registers_path(self) -> Path:
        """The SQLite file holding every register."""
        return self.data_dir / "registers.sqlite"

    @property
    def policy_dir(self) -> Path:
        """Tracked policy files staff edit (retention schedule, Article 15 text...)."""
        return self.data_dir / "policy"


def load_settings(env: dict[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Read settings from the environment, falling back to ``.env`` in the working directory.

    Args:
        env: the environment to read (``os.environ`` by default).
        env_file: the dotenv file (``./.env`` by default); values in ``env`` win over it.

    Returns:
        A frozen :class:`Settings`.

    """
    environ = dict(os.environ if env is None else env)
    dotenv_path = Path(".env") if env_file is None else env_file
    values: dict[str, str] = {}
    if dotenv_path.is_file():
        _check_dotenv(dotenv_path)
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(environ)

    def text(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    zammad_url = text("ZAMMAD_URL")
    if zammad_url and not zammad_url.startswith(("http://", "https://")):
        raise ConfigError("ZAMMAD_URL must start with http:// or https://")
    return Settings(
        zammad_url=zammad_url.rstrip("/") if zammad_url else None,
        zammad_token=text("ZAMMAD_TOKEN"),
        gauges_token=text("GAUGES_TOKEN"),
        data_dir=Path(text("MIMOTO_GOV_DATA") or DEFAULT_DATA_DIR),
        reports_dir=Path(text("MIMOTO_GOV_REPORTS") or DEFAULT_REPORTS_DIR),
        actor=text("MIMOTO_GOV_ACTOR"),
        smtp_url=text("MIMOTO_GOV_SMTP_URL"),
        notify=tuple(a.strip() for a in (text("MIMOTO_GOV_NOTIFY") or "").split(",") if a.strip()),
        mail_from=text("MIMOTO_GOV_MAIL_FROM"),
    )


def _check_dotenv(path: Path) -> None:
    """Refuse a ``.env`` with a line it cannot parse (named by number, never by content)."""
    with path.open(encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error:
                raise ConfigError(
                    f"{path}: line {binding.original.line} is not NAME=value "
                    "(check its quotes); nothing was read from it"
                )


@contextlib.contextmanager
def folders_in_environment(data_dir: Path, reports_dir: Path) -> Iterator[None]:
    """Set ``MIMOTO_GOV_DATA`` and ``MIMOTO_GOV_REPORTS`` to absolute paths for a while.

    A report notebook's kernel runs in ``notebooks/`` and reads its settings from the
    environment it inherits, so relative folders would point elsewhere inside it. The
    previous values are restored afterwards.
    """
    folders = {
        "MIMOTO_GOV_DATA": str(Path(data_dir).absolute()),
        "MIMOTO_GOV_REPORTS": str(Path(reports_dir).absolute()),
    }
    before = {name: os.environ.get(name) for name in folders}
    os.environ.update(folders)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
