"""Sending email through the backend named by ``MAIL_BACKEND``.

``console`` logs messages (development), ``file`` writes ``.eml`` files (development and
demos), ``smtp`` talks to a real relay, ``memory`` keeps messages in a list (tests that
exercise sending) and ``refuse`` raises, so a test that sends by mistake fails loudly
instead of emailing anyone.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from flask import Flask, current_app

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    """Sending failed; the outbox records the message and tries again later."""


class MailRefused(RuntimeError):
    """The ``refuse`` backend was asked to send: configuration says nothing may be sent.
    Deliberately not a ``MailError``: it is never retried quietly, the job fails loudly."""


Backend = Callable[[EmailMessage, Mapping[str, Any]], None]


def build_message(
    to: str, subject: str, body: str, config: Mapping[str, Any], message_id: str | None = None
) -> EmailMessage:
    """A plain-text message. A stable ``message_id`` lets receiving servers drop a copy
    sent twice after a crash between sending and recording it."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain="futuredoctor.invalid")
    message.set_content(body)
    return message


def message_domain(config: Mapping[str, Any]) -> str:
    """The right-hand side of our Message-IDs: the sender's domain, else the public host."""
    domain = parseaddr(str(config.get("MAIL_FROM") or ""))[1].rpartition("@")[2]
    if not domain:
        domain = urlsplit(str(config.get("PUBLIC_URL") or "")).hostname or ""
    return domain or "futuredoctor.invalid"


def _console(message: EmailMessage, config: Mapping[str, Any]) -> None:
    """The headers people read and the plain-text body as text, not quoted-printable, so a
    link in it can be clicked from the terminal."""
    headers = "\n".join(f"{name}: {message[name]}" for name in ("From", "To", "Subject"))
    body = message.get_body(("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else message.as_string()
    log.info("Email (not sent, console backend):\n%s\n\n%s", headers, text)


def _file(message: EmailMessage, config: Mapping[str, Any]) -> None:
    folder = Path(config["MAIL_FILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() else "-" for c in message["Message-ID"].strip("<>"))
    # One file per delivery, so a message delivered twice shows as two files (as it would
    # in a mailbox), each named after its Message-ID.
    path = folder / f"{stem}--{uuid4().hex[:12]}.eml"
    partial = path.with_suffix(".eml.part")
    partial.write_bytes(bytes(message))
    partial.replace(path)  # whole files only: a reader never sees half a message


def _smtp(message: EmailMessage, config: Mapping[str, Any]) -> None:
    host, port = config["MAIL_SMTP_HOST"], int(config["MAIL_SMTP_PORT"])
    timeout = float(config.get("MAIL_SMTP_TIMEOUT", 30))
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            if config.get("MAIL_SMTP_STARTTLS", True):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_SMTP_USERNAME"):
                smtp.login(config["MAIL_SMTP_USERNAME"], config.get("MAIL_SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"SMTP {host}:{port}: {error}") from error


def _memory(message: EmailMessage, config: Mapping[str, Any]) -> None:
    sent_messages(current_app).append(message)


def _refuse(message: EmailMessage, config: Mapping[str, Any]) -> None:
    raise MailRefused(
        f"MAIL_BACKEND is 'refuse': not sending {message['Subject']!r} to {message['To']}. "
        "Tests that send mail set MAIL_BACKEND to 'memory' or 'file'."
    )


BACKENDS: dict[str, Backend] = {
    "console": _console,
    "file": _file,
    "smtp": _smtp,
    "memory": _memory,
    "refuse": _refuse,
}


def sent_messages(app: Flask) -> list[EmailMessage]:
    """Messages the ``memory`` backend has 'sent' in this app (for tests)."""
    return app.extensions.setdefault("futuredoctor_mail_memory", [])


def backend_for(config: Mapping[str, Any]) -> Backend:
    name = config.get("MAIL_BACKEND", "console")
    if name not in BACKENDS:
        raise MailError(f"Unknown MAIL_BACKEND {name!r}; use one of {', '.join(BACKENDS)}.")
    return BACKENDS[name]


def send(message: EmailMessage) -> None:
    """Send one message with the configured backend; raises ``MailError`` on failure."""
    config = current_app.config
    backend_for(config)(message, config)
