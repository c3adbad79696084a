"""The project's exceptions.

Every error a person can cause or meet (bad configuration, a bad token, an unknown email, a
malformed export, an unreachable host) is a ``MimotoGovError``. The command line prints its
message as one line on stderr and exits non-zero, so messages must read well on their own and
must never contain a secret.
"""

from __future__ import annotations


class MimotoGovError(Exception):
    """Base class for every error the workbook reports to a person."""

    exit_code = 1


class ConfigError(MimotoGovError):
    """A setting is missing or invalid (names the variable, never its value)."""

    exit_code = 2


class InputError(MimotoGovError):
    """Input given by the user is malformed (a date, an email, an export file...)."""

    exit_code = 2


class UnsafePath(MimotoGovError):  # noqa: N818 - reads as what it is, like NotFound
    """A path would leave the folder it belongs to, or pass through a symbolic link."""


class SnapshotError(MimotoGovError):
    """The local snapshot is missing, stale or unreadable."""


class WrongDesk(SnapshotError):
    """The snapshot was pulled from another Zammad than the one a command is about to call."""


class RegisterError(MimotoGovError):
    """A register (requests, holds, consents...) refused an operation."""


class ReportError(MimotoGovError):
    """A report notebook failed or could not be rendered."""


class MailError(MimotoGovError):
    """A notification could not be sent (the mail server refused it or could not be reached)."""


class SourceError(MimotoGovError):
    """A remote source (Zammad, Gaug.es, a website) failed.

    Attributes:
        status: HTTP status code, or None when no response arrived.
        url: the URL that failed, without credentials.

    """

    def __init__(self, message: str, *, status: int | None = None, url: str | None = None):
        super().__init__(message)
        self.status = status
        self.url = url


class ZammadError(SourceError):
    """Zammad answered with an error, or did not answer."""


class AuthError(ZammadError):
    """The token was refused (HTTP 401, or 403 "Authentication required")."""


class PermissionDenied(ZammadError):
    """The token is valid but lacks a permission (HTTP 403)."""


class NotFound(ZammadError):
    """The object does not exist (HTTP 404)."""


class ServerError(ZammadError):
    """Zammad failed (HTTP 5xx) after retries."""


class Unreachable(ZammadError):
    """The host could not be reached, or the connection kept dropping."""


class NotZammad(ZammadError):
    """The URL answers, but not like Zammad's REST API (HTML, wrong shape...)."""


class GaugesError(SourceError):
    """Gaug.es answered with an error, or did not answer."""


class TaskTimeout(ZammadError):
    """A Zammad background task (a data privacy task) did not finish in time."""
