"""Settings from the environment or the ``.env`` file at the project root.

The project root is the nearest folder, from the working directory up, holding the
workbook's ``pyproject.toml``: the same folder whether a command runs at the root, a
JupyterLab kernel in ``notebooks/`` or papermill with ``--cwd notebooks``. ``.env`` is read
from there, and the default data and reports folders (and relative ``MIMOTO_GOV_DATA`` /
``MIMOTO_GOV_REPORTS``) are taken from there. Outside any checkout the working directory
stands in for the root.

Secrets (``ZAMMAD_TOKEN``, ``GAUGES_TOKEN``, and the password inside ``MIMOTO_GOV_SMTP_URL``)
are read here and nowhere else. They are never notebook parameters and never appear in a
message: a missing or malformed value is reported by its variable name only. Values are
checked where they are read, so a broken setting is one line before any request: a URL that
does not parse (``http://[::1``, a port above 65535), a token with a character an HTTP header
cannot carry, a ``.env`` that is not UTF-8. A ``.env`` other users can read gets a one-line
warning on stderr (it holds the tokens).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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
    if zammad_url:
        zammad_url = check_url("ZAMMAD_URL", zammad_url)
    tokens = {name: text(name) for name in ("ZAMMAD_TOKEN", "GAUGES_TOKEN")}
    for name, value in tokens.items():
        if value:
            check_token(name, value)
    return Settings(
        zammad_url=zammad_url.rstrip("/") if zammad_url else None,
        zammad_token=tokens["ZAMMAD_TOKEN"],
        gauges_token=tokens["GAUGES_TOKEN"],
        data_dir=in_project(text("MIMOTO_GOV_DATA") or DEFAULT_DATA_DIR),
        reports_dir=in_project(text("MIMOTO_GOV_REPORTS") or DEFAULT_REPORTS_DIR),
        actor=text("MIMOTO_GOV_ACTOR"),
        smtp_url=text("MIMOTO_GOV_SMTP_URL"),
        notify=tuple(a.strip() for a in (text("MIMOTO_GOV_NOTIFY") or "").split(",") if a.strip()),
        mail_from=text("MIMOTO_GOV_MAIL_FROM"),
    )


def check_url(name: str, value: str) -> str:
    """Return ``value`` if it is a usable http(s) URL, else raise naming ``name`` (not the URL).

    Raises:
        ConfigError: ``ZAMMAD_URL is not a valid URL (the port must be 1 to 65535)``.

    """
    value = str(value).strip()
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must start with http:// or https://")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise ConfigError(f"{name} is not a valid URL (it holds a space or a control character)")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as error:
        why = "the port must be 1 to 65535" if "port" in str(error).lower() else str(error)
        raise ConfigError(f"{name} is not a valid URL ({why})") from None
    if not parts.hostname:
        raise ConfigError(f"{name} is not a valid URL (it names no host)")
    if port == 0:
        raise ConfigError(f"{name} is not a valid URL (the port must be 1 to 65535)")
    return value


def check_token(name: str, value: str) -> str:
    """Return ``value`` if an HTTP header can carry it, else raise naming ``name`` (never it).

    API tokens are printable ASCII; anything else (``€``, a dotless ``ı``, a line break)
    was mangled in copying, and would fail in the middle of a request.

    Raises:
        ConfigError: ``ZAMMAD_TOKEN holds a character ... (position 4)``.

    """
    for position, char in enumerate(str(value), start=1):
        if not 33 <= ord(char) <= 126:
            raise ConfigError(
                f"{name} holds a character an HTTP header cannot carry (position {position}): "
                "copy the token again"
            )
    return value


def _check_dotenv(path: Path) -> None:
    """Refuse a ``.env`` that is not UTF-8 or has a line it cannot parse (by number only)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: line {line} is not UTF-8 text; save the file as UTF-8 "
            "(nothing was read from it)"
        ) from None
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise ConfigError(
                f"{path}: line {binding.original.line} is not NAME=value "
                "(check its quotes); nothing was read from it"
            )
    _warn_if_readable(path)


_WARNED: set[Path] = set()


def _warn_if_readable(path: Path) -> None:
    """Warn once (one line on stderr) when other users may read the file holding the tokens."""
    mode = stat.S_IMODE(path.stat().st_mode)
    where = path.resolve()
    if mode & 0o044 and where not in _WARNED:
        _WARNED.add(where)
        print(
            f"mimoto-gov: warning: {path} can be read by other users (mode {mode:04o}) and holds "
            f"secrets: run chmod 600 {path}",
            file=sys.stderr,
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
