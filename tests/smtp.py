"""A tiny SMTP server for tests: it keeps every message it receives (and refuses
recipients at refused.vn), so tests read what the outbox really sent."""

from __future__ import annotations

import email
import email.policy
import re
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from matchmaker.settings import SMTPSettings


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT (refusing *@refused.vn), DATA, QUIT."""

    server: SMTPServer

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250-test")
                self._say("250 8BITMIME")
            elif verb == "MAIL":
                recipients = []
                self._say("250 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip().strip("<>")
                if address.endswith("@refused.vn"):
                    self._say("550 No such mailbox")
                else:
                    recipients.append(address)
                    self._say("250 OK")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                parsed = email.message_from_bytes(data, policy=email.policy.default)
                self.server.received.append((recipients, parsed))  # type: ignore[arg-type]
                self._say("250 OK queued")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("250 OK")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    received: list[tuple[list[str], EmailMessage]]


@contextmanager
def running_smtp_server() -> Iterator[SMTPServer]:
    """A server on a free local port, for as long as the block runs."""
    server = SMTPServer(("127.0.0.1", 0), SMTPHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def smtp_for(server: SMTPServer) -> SMTPSettings:
    return SMTPSettings(
        host="127.0.0.1",
        port=server.server_address[1],
        starttls=False,
        sender="Matchmaker <no-reply@hau-giang.vn>",
    )


def sign_in_links(server: SMTPServer, to: str) -> list[str]:
    """The personal sign-in links (local paths) in the messages sent to `to`, in order."""
    links: list[str] = []
    for recipients, message in server.received:
        if to in recipients:
            body = message.get_body()
            assert body is not None
            links += re.findall(r"https?://[^/\s]+(/signin/link/\S+)", body.get_content())
    return links
