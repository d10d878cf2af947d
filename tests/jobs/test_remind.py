"""Reminders built from a real sync's outputs, and sent to a real (local) SMTP server."""

from __future__ import annotations

import email
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from jobs.commands.remind import RemindError, build_reminders, send_reminders
from jobs.config import load_config
from sheets_schema import Schema
from tests.jobs.district import District
from tests.jobs.test_cli import tonghop
from tests.jobs.test_language import english_words
from tests.jobs.test_sync import at


@dataclass
class Received:
    """One message the server accepted: the envelope and the parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage


class Collect:
    """aiosmtpd handler: keeps every message, and checks the login when AUTH is used."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:  # fmt: skip
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == ("vanphong", "mat-khau-thu"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Collect]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1. AUTH without TLS: a loopback test only."""
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(),
                            authenticator=handler.authenticate, auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def _remind_config(root: Path, port: int, extra: str = "starttls = false\n") -> None:
    """Set the config's [remind] section to this server (replacing an earlier one)."""
    base = (root / "tonghop.toml").read_text("utf-8").split("\n[remind]\n")[0]
    section = f'\n[remind]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsender = "vp@example.vn"\n'
    (root / "tonghop.toml").write_text(base + section + extra, "utf-8")


def test_reminders_name_the_errors_and_are_sent(
    tmp_path: Path, schema: Schema, smtp: tuple[Controller, Collect]
) -> None:
    controller, server = smtp
    d = District(tmp_path / "d", schema)
    d.add("XA_DONE", email="done@example.vn")
    d.add("XA_LATE", email="late@example.vn")
    d.add("XA_NONE")
    d.save("XA_DONE", d.values("XA_DONE"), at(20))
    d.save("XA_LATE", d.values("XA_LATE", ks_kl_dang_vien=7), at(20))
    d.sync(at(21))
    _remind_config(d.root, controller.port, 'starttls = false\nusername = "vanphong"\n')
    config = load_config(d.root / "tonghop.toml", env={"TONGHOP_SMTP_PASSWORD": "mat-khau-thu"})
    reminders = build_reminders(config)
    assert [r.code for r in reminders] == ["XA_LATE", "XA_NONE"]
    late = reminders[0]
    assert "Đang thực hiện" in late.subject
    assert "còn 1 ngày" in late.body and "trang “Kiểm tra giám sát”" in late.body
    copy = d.root / "out" / "phan-hoi" / "XA_LATE.xlsx"
    assert late.attachment == copy and "Kèm theo thư này" in late.body
    assert reminders[1].attachment is None and "Kèm theo" not in reminders[1].body

    sent, failed = send_reminders(config, reminders)

    assert sent == ["XA_LATE"] and failed == [
        "XA_NONE: danh sách đơn vị chưa có e-mail của đơn vị này"
    ]
    assert server.logins == [("vanphong", "mat-khau-thu")]
    (got,) = server.messages
    assert (got.sender, got.recipients) == ("vp@example.vn", ["late@example.vn"])
    msg = got.message
    assert msg["To"] == "late@example.vn" and msg["Subject"] == late.subject
    body = msg.get_body(("plain",))
    assert body is not None and body.get_content().rstrip("\n") == late.body
    assert "Kiểm tra giám sát" in body.get_content()
    (part,) = list(msg.iter_attachments())
    assert (
        part.get_content_type()
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert part.get_filename() == "phản-hồi-XA_LATE.xlsx"
    assert part.get_content() == copy.read_bytes()


def test_a_wrong_password_or_no_starttls_is_one_clear_error(
    tmp_path: Path, schema: Schema, smtp: tuple[Controller, Collect]
) -> None:
    controller, server = smtp
    d = District(tmp_path / "d", schema)
    d.add("XA_A", email="a@example.vn")
    d.sync(at(21))
    _remind_config(d.root, controller.port, 'starttls = false\nusername = "vanphong"\n')
    config = load_config(d.root / "tonghop.toml", env={"TONGHOP_SMTP_PASSWORD": "sai"})
    with pytest.raises(RemindError, match="từ chối phiên gửi"):
        send_reminders(config, build_reminders(config))
    config = load_config(d.root / "tonghop.toml", env={"TONGHOP_SMTP_PASSWORD": "mật-khẩu"})
    with pytest.raises(RemindError, match="không dấu"):
        send_reminders(config, build_reminders(config))
    # starttls = true (the default) against a server that does not offer it: refused, not sent
    # in the clear.
    _remind_config(d.root, controller.port, "")
    config = load_config(d.root / "tonghop.toml", env={})
    with pytest.raises(RemindError, match="từ chối phiên gửi"):
        send_reminders(config, build_reminders(config))
    assert server.messages == []


def test_remind_before_any_sync(tmp_path: Path, schema: Schema) -> None:
    d = District(tmp_path / "d", schema)
    d.add("XA_A")
    with pytest.raises(RemindError, match="hãy chạy `tonghop sync --config "):
        build_reminders(d.config)


@pytest.mark.parametrize(
    ("content", "reason"),
    [("{bad", "không phải JSON hợp lệ, dòng 1 cột 2"),
     ("{}", "thiếu thời điểm “as_of”"),
     ("[]", "không phải một đối tượng JSON"),
     ('{"as_of": "2023-03-21T09:00:00+07:00"}', "thiếu danh sách đơn vị"),
     (b"\xff{}", "không phải văn bản UTF-8")],
)  # fmt: skip
def test_a_broken_status_json_is_one_vietnamese_line(
    tmp_path: Path, schema: Schema, content: str | bytes, reason: str
) -> None:
    d = District(tmp_path / "d", schema)
    d.add("XA_A")
    d.sync(at(21))
    path = d.root / "out" / "status.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    res = tonghop("remind", "--config", d.root / "tonghop.toml")
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert reason in res.stderr and "hãy chạy lại `tonghop sync" in res.stderr, res.stderr
    assert english_words(res.stderr) == [], res.stderr


def test_one_unit_edited_by_hand_in_status_json_costs_only_that_unit(
    tmp_path: Path, schema: Schema
) -> None:
    d = District(tmp_path / "d", schema)
    d.add("XA_A")
    d.add("XA_B")
    d.sync(at(21))
    path = d.root / "out" / "status.json"
    doc = json.loads(path.read_text("utf-8"))
    doc["units"][0]["status"] = 5
    path.write_text(json.dumps(doc), "utf-8")
    res = tonghop("remind", "--config", d.root / "tonghop.toml")
    assert res.returncode == 0, res.stderr
    assert "1 đơn vị cần nhắc." in res.stdout and "XA_B" in res.stdout
    assert "bỏ qua đơn vị thứ 1" in res.stderr and "Traceback" not in res.stderr
