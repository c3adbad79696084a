"""`mimoto-gov due --email` sends the list through a real SMTP server started on 127.0.0.1."""

from __future__ import annotations

import email
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller

from tests.helpers.inprocess import run


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def test_due_email_arrives_at_the_smtp_server(data_dir, capsys, monkeypatch, smtp):
    controller, inbox = smtp
    monkeypatch.setenv("MIMOTO_GOV_SMTP_URL", f"smtp://{controller.hostname}:{controller.port}")
    monkeypatch.setenv("MIMOTO_GOV_NOTIFY", "dpo@mimoto.example, ops@mimoto.example")
    monkeypatch.setenv("MIMOTO_GOV_MAIL_FROM", "mimoto-gov@mimoto.example")
    received = (date.today() - timedelta(days=45)).isoformat()
    _, added, _ = run(capsys, "requests", "add", "--kind", "access", "--email",
                      "late.person@example.com", "--received", received)  # fmt: skip
    request_id = added.split()[0]
    code, out, err = run(capsys, "due", "--email", "--no-index")
    assert (code, err) == (1, "")
    assert "emailed the list to dpo@mimoto.example, ops@mimoto.example" in out
    assert len(inbox.messages) == 1
    sender, recipients, content = inbox.messages[0]
    assert sender == "mimoto-gov@mimoto.example"
    assert recipients == ["dpo@mimoto.example", "ops@mimoto.example"]
    message = email.message_from_bytes(content)
    assert message["Subject"] == "mimoto-gov: 1 overdue, 0 due soon"
    body = message.get_payload(decode=True).decode()
    assert request_id in body and "OVERDUE by" in body and "answer the access request" in body
    assert "late.person@example.com" not in body  # entries and dates, never an address


def test_nothing_due_sends_nothing(data_dir, capsys, monkeypatch, smtp):
    controller, inbox = smtp
    monkeypatch.setenv("MIMOTO_GOV_SMTP_URL", f"smtp://{controller.hostname}:{controller.port}")
    monkeypatch.setenv("MIMOTO_GOV_NOTIFY", "dpo@mimoto.example")
    code, out, _ = run(capsys, "due", "--email", "--no-index")
    assert code == 0 and "nothing due: no email sent" in out
    assert inbox.messages == []


def test_an_unreachable_server_is_one_line_without_the_password(data_dir, capsys, monkeypatch):
    port = free_port()
    monkeypatch.setenv("MIMOTO_GOV_SMTP_URL", f"smtp://mailer:s3cret-pw@127.0.0.1:{port}")
    monkeypatch.setenv("MIMOTO_GOV_NOTIFY", "dpo@mimoto.example")
    received = (date.today() - timedelta(days=45)).isoformat()
    run(capsys, "requests", "add", "--kind", "access", "--email", "a@example.com",
        "--received", received)  # fmt: skip
    code, out, err = run(capsys, "due", "--email", "--no-index")
    assert code == 1
    assert err.startswith(f"mimoto-gov: error: could not send mail through 127.0.0.1:{port}:")
    assert err.count("\n") == 1 and "s3cret" not in err + out
