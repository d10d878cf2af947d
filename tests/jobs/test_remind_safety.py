"""`remind --send` against a real local SMTP server: each unit gets its own mail and copy only,
and one address the server refuses never stops the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from jobs.commands.remind import build_reminders, send_reminders, summary
from jobs.config import load_config
from jobs.roster import RosterError
from sheets_schema import Schema
from sync.excel import read_xlsx
from tests.jobs.district import District
from tests.jobs.test_cli import tonghop
from tests.jobs.test_remind import Collect, _free_port, _remind_config
from tests.jobs.test_sync import at


class Refusing(Collect):
    """Refuses one recipient at RCPT TO, as a real server does for an unknown mailbox."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:  # fmt: skip
        if address == self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def server() -> Any:
    handler = Refusing("bad@example.vn")
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def _district(root: Path, schema: Schema, n: int) -> District:
    d = District(root, schema)
    for i in range(n):
        code = f"XA_{i:02d}"
        d.add(code, email="bad@example.vn" if i == 3 else f"{code.lower()}@example.vn")
        d.save(code, d.values(code, ks_kl_dang_vien=7 + i, tt_so_dang_vien=100 + i), at(20))
    return d


def test_each_unit_gets_only_its_own_copy_and_one_refusal_stops_nothing(
    tmp_path: Path, schema: Schema, server: Any
) -> None:
    controller, handler = server
    d = _district(tmp_path / "d", schema, 6)
    d.sync(at(21))
    _remind_config(d.root, controller.port)
    config = load_config(d.root / "tonghop.toml", env={})
    reminders = build_reminders(config)
    assert len(reminders) == 6
    sent, failed = send_reminders(config, reminders)
    assert sorted(sent) == [f"XA_{i:02d}" for i in range(6) if i != 3]
    assert len(failed) == 1 and failed[0].startswith("XA_03: ") and "bad@example.vn" in failed[0]
    assert summary(sent, failed) == "Đã gửi 5/6 thư nhắc; không gửi được 1: XA_03."
    assert len(handler.messages) == 5
    for got in handler.messages:
        (rcpt,) = got.recipients
        code = rcpt.split("@")[0].upper()
        assert got.message["To"] == rcpt and code in got.message["Subject"]
        (part,) = list(got.message.iter_attachments())
        assert part.get_content() == (d.root / "out" / "phan-hoi" / f"{code}.xlsx").read_bytes()
        # The copy is the unit's own file: its own code and its own figure inside.
        raw = read_xlsx(part.get_content())
        assert code in repr(raw) and f"{100 + int(code[-2:])}" in repr(raw)


def test_colliding_codes_stop_before_any_mail(tmp_path: Path, schema: Schema, server: Any) -> None:
    d = District(tmp_path / "d", schema)
    d.add("CQ_NH", email="a@example.vn")
    d.add("CQ/NH", email="b@example.vn")
    with pytest.raises(RosterError) as caught:
        d.sync(at(21))
    assert any("dòng 2 và 3" in p and '"CQ_NH" và "CQ/NH"' in p for p in caught.value.problems)
    assert not (d.root / "out").exists()


def test_a_line_break_in_a_roster_email_is_a_roster_error_not_a_traceback(
    tmp_path: Path, schema: Schema, server: Any
) -> None:
    controller, handler = server
    d = _district(tmp_path / "d", schema, 2)
    d.sync(at(21))
    _remind_config(d.root, controller.port)
    d.units[1]["email"] = "xa_01@example.vn\r\nBcc: all@example.vn"
    d.units[0]["name"] = "Xã\u2028Bcc: all@example.vn"
    d.write_roster()
    _remind_config(d.root, controller.port)
    res = tonghop("remind", "--config", d.root / "tonghop.toml", "--send")
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert "xuống dòng" in res.stderr and "dòng 2" in res.stderr
    assert handler.messages == []


def test_remind_send_ends_with_one_summary_line(
    tmp_path: Path, schema: Schema, server: Any
) -> None:
    controller, handler = server
    d = _district(tmp_path / "d", schema, 5)
    d.sync(at(21))
    _remind_config(d.root, controller.port)
    res = tonghop("remind", "--config", d.root / "tonghop.toml", "--send")
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "Đã gửi 4/5 thư nhắc; không gửi được 1: XA_03."
    assert len(handler.messages) == 4
