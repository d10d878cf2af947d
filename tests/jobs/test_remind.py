"""Reminders built from a real sync's outputs, and sent to a real (local) SMTP server."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest

from jobs.config import load_config
from jobs.remind import RemindError, build_reminders, send_reminders
from sheets_schema import Schema
from tests.jobs.district import District
from tests.jobs.test_sync import at


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to accept messages: EHLO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self.reply("220 sink")
        while line := self.rfile.readline().decode().strip():
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.messages.append(data)  # type: ignore[attr-defined]
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 no")


@pytest.fixture
def smtp() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_reminders_name_the_errors_and_are_sent(
    tmp_path: Path, schema: Schema, smtp: socketserver.ThreadingTCPServer
) -> None:
    d = District(tmp_path / "d", schema)
    d.add("XA_DONE", email="done@example.vn")
    d.add("XA_LATE", email="late@example.vn")
    d.add("XA_NONE")
    d.save("XA_DONE", d.values("XA_DONE"), at(20))
    d.save("XA_LATE", d.values("XA_LATE", ks_kl_dang_vien=7), at(20))
    d.sync(at(21))
    port = smtp.server_address[1]
    (d.root / "tonghop.toml").write_text(
        (d.root / "tonghop.toml").read_text("utf-8")
        + f'\n[remind]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nstarttls = false\nsender = "vp@example.vn"\n',
        "utf-8",
    )
    config = load_config(d.root / "tonghop.toml", env={})
    reminders = build_reminders(config)
    assert [r.code for r in reminders] == ["XA_LATE", "XA_NONE"]
    late = reminders[0]
    assert "Đang thực hiện" in late.subject
    assert "còn 1 ngày" in late.body and "trang “Kiểm tra giám sát”" in late.body
    sent, failed = send_reminders(config, reminders)
    assert sent == ["XA_LATE"] and failed == ["XA_NONE: no e-mail in the roster"]
    (raw,) = smtp.messages  # type: ignore[attr-defined]
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["To"] == "late@example.vn"
    assert "Kiểm tra giám sát" in msg.get_content()


def test_remind_before_any_sync(tmp_path: Path, schema: Schema) -> None:
    d = District(tmp_path / "d", schema)
    d.add("XA_A")
    with pytest.raises(RemindError, match="hãy chạy `tonghop sync --config "):
        build_reminders(d.config)
