"""Mail backends: console, file, SMTP (with a stand-in server), memory and refuse."""

from __future__ import annotations

import logging
from email import message_from_bytes

import pytest

from futuredoctor import create_app, mail
from futuredoctor.mail import MailError, MailRefused, build_message, send, sent_messages
from tests.conftest import make_test_config


@pytest.fixture
def app():
    """No database needed: mail backends only read the config."""
    app = create_app(make_test_config("sqlite://"))
    with app.app_context():
        yield app


def _message(app):
    return build_message("amara@example.nhs.uk", "Hello", "Body text", app.config, "<id-1@x>")


def test_refuse_backend_fails_loudly(app):
    assert app.config["MAIL_BACKEND"] == "refuse"
    with pytest.raises(MailRefused, match="not sending 'Hello'"):
        send(_message(app))


def test_memory_backend_keeps_messages(app):
    app.config["MAIL_BACKEND"] = "memory"
    send(_message(app))
    (message,) = sent_messages(app)
    assert message["To"] == "amara@example.nhs.uk" and message["Message-ID"] == "<id-1@x>"


def test_file_backend_writes_whole_eml_files(app, tmp_path):
    app.config.update(MAIL_BACKEND="file", MAIL_FILE_DIR=str(tmp_path / "mail"))
    send(_message(app))
    (path,) = (tmp_path / "mail").iterdir()
    assert path.suffix == ".eml"
    parsed = message_from_bytes(path.read_bytes())
    assert parsed["Subject"] == "Hello" and "Body text" in parsed.get_payload()


def test_console_backend_logs(app, caplog):
    app.config["MAIL_BACKEND"] = "console"
    with caplog.at_level(logging.INFO, logger="futuredoctor.mail"):
        send(_message(app))
    assert "Subject: Hello" in caplog.text


def test_console_backend_prints_a_long_link_as_clickable_text(app, caplog):
    app.config["MAIL_BACKEND"] = "console"
    link = "http://127.0.0.1:8123/invitations/" + "a" * 90 + "?next=%2Fhome&x=1"
    body = f"Accept your place: {link}\n\nDr Émile Ngozi’s cohort"
    message = build_message("amara@example.nhs.uk", "Hello", body, app.config, "<id-2@x>")
    with caplog.at_level(logging.INFO, logger="futuredoctor.mail"):
        send(message)
    assert link in caplog.text and "Émile Ngozi’s" in caplog.text
    assert "=3D" not in caplog.text and "=\n" not in caplog.text


class FakeSMTP:
    instances: list[FakeSMTP] = []
    fail = False

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.calls = host, port, []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        if FakeSMTP.fail:
            raise mail.smtplib.SMTPServerDisconnected("connection lost")
        self.calls.append(("send", message["To"]))


def test_smtp_backend_uses_starttls_and_credentials(app, monkeypatch):
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SMTP_HOST="relay.example",
        MAIL_SMTP_PORT=587,
        MAIL_SMTP_USERNAME="user",
        MAIL_SMTP_PASSWORD="secret",
        MAIL_SMTP_STARTTLS=True,
    )
    send(_message(app))
    smtp = FakeSMTP.instances[-1]
    assert (smtp.host, smtp.port) == ("relay.example", 587)
    assert smtp.calls == ["starttls", ("login", "user", "secret"), ("send", "amara@example.nhs.uk")]
    FakeSMTP.fail = True
    try:
        with pytest.raises(MailError, match=r"relay\.example:587"):
            send(_message(app))
    finally:
        FakeSMTP.fail = False


def test_unknown_backend_is_refused(app):
    app.config["MAIL_BACKEND"] = "pigeon"
    with pytest.raises(MailError, match="Unknown MAIL_BACKEND"):
        send(_message(app))
