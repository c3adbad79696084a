"""Settings from the environment or the ``.env`` file at the project root.

The project root is the nearest folder, from the working directory up, holding the
workbook's ``pyproject.toml``: the same folder whether a command runs at the root, a
JupyterLab kernel in ``notebooks/`` or papermill with ``--cwd notebooks``. ``.env`` is read
from there, and the default data and reports folders (and relative ``MIMOTO_GOV_DATA`` /
``MIMOTO_GOV_REPORTS``) are taken from there. Outside any checkout the working directory
stands in for the root.

Secrets (``ZAMMAD_TOKEN``, ``GAUGES_TOKEN``) are read here and nowhere else. They are never
notebook parameters and never appear in a message: a missing value is reported by its
variable name only.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import parse_stream

from mimoto_gov.errors import ConfigError
from mimoto_gov.support.environment import variables_set

PROJECT_NAME = "mimoto-gov"
PROJECT_FILE = "pyproject.toml"
DEFAULT_DATA_DIR = "./data"
DEFAULT_REPORTS_DIR = "./reports"
# The demo's own folder at the project root (its data/ and reports/), never the real ones.
DEMO_DIR_NAME = "demo"


def is_project_root(folder: Path) -> bool:
    """Tell whether ``folder`` holds the workbook's ``pyproject.toml`` (project ``mimoto-gov``)."""
    path = Path(folder) / PROJECT_FILE
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream).get("project", {}).get("name") == PROJECT_NAME
    except (OSError, tomllib.TOMLDecodeError):
        return False


def find_project_root(start: Path | str | None = None) -> Path | None:
    """Return the nearest folder from ``start`` (the working directory) up that is the project.

    Returns:
        The absolute project root, or None when ``start`` is outside any checkout.

    """
    here = Path(start if start is not None else Path.cwd()).absolute()
    for folder in (here, *here.parents):
        if is_project_root(folder):
            return folder
    return None


def project_root() -> Path:
    """Return the project root (see :func:`find_project_root`), else the working directory.

    Outside a checkout the answer is ``Path(".")``, so folders stay relative to wherever the
    command runs, as they always did.
    """
    return find_project_root() or Path()


def in_project(path: Path | str) -> Path:
    """Return ``path`` as is when absolute, else taken from the project root."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else project_root() / path


# The package's own checkout, where the tracked policy files, notebooks and samples live
# (found by its pyproject.toml like the root; the package's parent folder otherwise).
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = find_project_root(PACKAGE_DIR) or PACKAGE_DIR.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
POLICY_DIR = PROJECT_DIR / "data" / "policy"


@dataclass(frozen=True)
class Settings:
    """The workbook's configuration. Build it with :func:`load_settings`."""

    zammad_url: str | None = None
    zammad_token: str | None = field(default=None, repr=False)
    gauges_token: str | None = field(default=None, repr=False)
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    reports_dir: Path = Path(DEFAULT_REPORTS_DIR)

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


def env_file_path() -> Path:
    """Return where ``.env`` is read from: the project root's."""
    return project_root() / ".env"


def load_settings(env: dict[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Read settings from the environment, falling back to ``.env`` at the project root.

    Args:
        env: the environment to read (``os.environ`` by default).
        env_file: the dotenv file (``<project root>/.env`` by default); values in ``env``
            win over it.

    Returns:
        A frozen :class:`Settings`.

    """
    environ = dict(os.environ if env is None else env)
    dotenv_path = env_file_path() if env_file is None else env_file
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
        data_dir=in_project(text("MIMOTO_GOV_DATA") or DEFAULT_DATA_DIR),
        reports_dir=in_project(text("MIMOTO_GOV_REPORTS") or DEFAULT_REPORTS_DIR),
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
    with variables_set(folders):
        yield
