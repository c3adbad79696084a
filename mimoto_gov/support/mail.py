"""Sending a plain-text notification by email, through the server ``MIMOTO_GOV_SMTP_URL`` names.

The URL is ``smtp://[user[:password]@]host[:port]`` (STARTTLS whenever the server offers it;
port 25 by default) or ``smtps://...`` (TLS from the start; port 465). Credentials are sent
only over TLS, or to a server on this machine. The password never appears in a message.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from mimoto_gov.errors import ConfigError, MailError

SMTP_VARIABLE = "MIMOTO_GOV_SMTP_URL"
TIMEOUT_SECONDS = 30
_LOCAL = {"localhost", "127.0.0.1", "::1"}


def _server(url: str) -> tuple[str, str, int, str | None, str | None]:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(f"{SMTP_VARIABLE} must look like smtp://host:port or smtps://host:port")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise ConfigError(f"{SMTP_VARIABLE} has a port that is not a number") from None
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return parts.scheme, parts.hostname, port, user, password


def send_mail(
    smtp_url: str, sender: str, recipients: list[str] | tuple[str, ...], subject: str, body: str
) -> None:
    """Send one plain-text message to ``recipients``.

    Raises:
        ConfigError: the URL is malformed, or would send credentials in the clear.
        MailError: the server could not be reached or refused the message.

    """
    scheme, host, port, user, password = _server(smtp_url)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> "))
    message.set_content(body)
    context = ssl.create_default_context()
    try:
        if scheme == "smtps":
            client = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        with client:
            encrypted = scheme == "smtps"
            if not encrypted:
                client.ehlo()
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                    encrypted = True
            if user:
                if not encrypted and host not in _LOCAL:
                    raise ConfigError(
                        f"{SMTP_VARIABLE}: the server offers no TLS, so the password would "
                        "be sent in the clear; use smtps:// or a server with STARTTLS"
                    )
                client.login(user, password or "")
            client.send_message(message, from_addr=sender, to_addrs=list(recipients))
    except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        if isinstance(error, smtplib.SMTPResponseException):
            reason = f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
        raise MailError(f"could not send mail through {host}:{port}: {reason}") from None


def default_sender() -> str:
    """Return the sender used when ``MIMOTO_GOV_MAIL_FROM`` is not set."""
    return f"mimoto-gov@{socket.getfqdn() or 'localhost'}"
