"""A real SMTP server for the alert tests (aiosmtpd, on a free port of 127.0.0.1), the settings that
send the site's mail to it, and the links the messages carry."""
import re
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

SITE = "http://testserver"  # the test client's host, so that a link in a message can be followed
LINK = re.compile(r"http://testserver(/alerts/unsubscribe/[^/\s]+/)")


class Collector:
    """Keeps every message the server accepts, parsed, with its envelope."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message,
                              "raw": envelope.content})
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def text_of(message, subtype="plain"):
    return message.get_body(preferencelist=(subtype,)).get_content()


def unsubscribe_path(message):
    """The path of the message's unsubscribe link, the same in its text and its List-Unsubscribe header."""
    found = LINK.search(text_of(message))
    assert found, text_of(message)
    assert message["List-Unsubscribe"].strip() == f"<{SITE}{found.group(1)}>"  # a long header may be folded
    return found.group(1)


@pytest.fixture
def smtp_server(settings):
    """An SMTP server that the site's mail goes to (the settings EMAIL_URL would give), and what it received."""
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "STF Tracker <alerts@stf.example.nhs.uk>"
    yield collector
    controller.stop()
