"""`tonghop remind`: the reminder each lagging unit needs, from the last sync's outputs.

A reminder says, in Vietnamese, where the unit stands, how long is left before its deadline,
and the first errors to fix with their tab and cell. `--send` e-mails them through the SMTP
server in ``[remind]``; the password comes from an environment variable, never the file.
An Excel unit with findings gets its annotated copy (``phan-hoi/<code>.xlsx``, written by the
last sync) attached, and the body says so.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import re
import shlex
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from ..config import Config
from ..model import Status, whole_percent
from ..oserrors import os_reason, read_reason
from ..outputs.feedback import FEEDBACK_DIR, MANIFEST, file_name
from ..roster import roster_of
from ..roster_fields import LINE_BREAKS, file_key, parse_emails

log = logging.getLogger("tonghop.remind")
MAX_LISTED = 10
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_FINDING_COLUMNS = {"unit_code", "severity", "tab", "cell", "message"}  # what a mail quotes


class RemindError(Exception):
    """Reminders cannot be built or sent at all; one line for the CLI."""


@dataclass(frozen=True)
class Reminder:
    code: str
    name: str
    email: str
    status: Status
    subject: str
    body: str
    attachment: Path | None = None  # the unit's annotated copy, when the last sync wrote one

    @property
    def attachment_name(self) -> str:
        """The attached file's name as the unit sees it."""
        return f"phản-hồi-{file_name(self.code)}"


def build_reminders(
    config: Config, as_of: datetime | None = None, out_dir: Path | None = None
) -> list[Reminder]:
    """One reminder per unit that has not submitted, from the status.json and findings.csv of
    the last sync into ``out_dir`` (default: [output] dir, as for `tonghop sync`)."""
    out = out_dir or config.output.dir
    sync = ["tonghop", "sync", "--config", str(config.path)]
    sync += ["--out-dir", str(out_dir)] if out_dir else []
    path = out / "status.json"
    try:
        status = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise RemindError(
            f"chưa có {path}: hãy chạy `{shlex.join(sync)}` trước (hoặc ghi --out-dir là thư "
            f"mục kết quả của lần đồng bộ)"
        ) from None
    except (OSError, ValueError) as exc:
        raise RemindError(
            f"không đọc được {path} ({read_reason(exc)}); hãy chạy lại `{shlex.join(sync)}`"
        ) from exc
    why = _not_ours(status)
    if why:
        raise RemindError(
            f"{path} không phải tệp do tonghop sync ghi ({why}); hãy chạy lại `{shlex.join(sync)}`"
        )
    now = (as_of or datetime.fromisoformat(status["as_of"])).astimezone(config.tz)
    findings: dict[str, list[dict[str, str]]] = {}
    found = out / "findings.csv"
    try:
        with found.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = _FINDING_COLUMNS - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"thiếu cột {', '.join(sorted(missing))}")
            for row in reader:
                if row["severity"] == "error":
                    findings.setdefault(row["unit_code"], []).append(row)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, csv.Error) as exc:
        why = "không đọc được theo dạng CSV" if isinstance(exc, csv.Error) else read_reason(exc)
        raise RemindError(
            f"không đọc được {found} ({why}); hãy chạy lại `{shlex.join(sync)}`"
        ) from exc
    roster = {u.code: u for u in roster_of(config)}
    copies = _copies(out / FEEDBACK_DIR)
    reminders = []
    for n, entry in enumerate(status["units"], start=1):
        if entry_why := _bad_entry(entry):  # one unit's entry edited by hand costs only it
            log.warning("%s: bỏ qua đơn vị thứ %d trong danh sách (%s)", path, n, entry_why)
            continue
        if entry["status"] == "closed":  # outside its active dates: listed, never expected
            continue
        unit_status = Status(entry["status"])
        if unit_status.submitted:
            continue
        unit = roster.get(entry["code"])
        deadline_at = config.deadline_at(unit.deadline if unit else None)
        attachment = _own_copy(out / FEEDBACK_DIR, entry["code"], copies)
        body = _body(entry, unit_status, deadline_at, now, findings.get(entry["code"], []),
                     config.deadline_text(unit.deadline if unit else None), attachment is not None)  # fmt: skip
        name = unit.name if unit else entry["name"]
        subject = f"Nhắc báo cáo sơ kết giữa nhiệm kỳ — {_one_line(name)} ({unit_status.label})"
        reminders.append(
            Reminder(
                entry["code"],
                entry["name"],
                unit.email if unit else "",
                unit_status,
                subject,
                body,
                attachment,
            )
        )
    return reminders


def _not_ours(status: object) -> str:
    """Why ``status`` is not a status.json as a sync writes it; "" when it is."""
    if not isinstance(status, dict):
        return "không phải một đối tượng JSON"
    try:
        moment = datetime.fromisoformat(str(status["as_of"]))
    except (KeyError, ValueError):
        return "thiếu thời điểm “as_of” hoặc không đúng dạng"
    if moment.tzinfo is None:
        return "thời điểm “as_of” thiếu múi giờ"
    if not isinstance(status.get("units"), list):
        return "thiếu danh sách đơn vị"
    return ""


def _bad_entry(entry: object) -> str:
    """Why one entry of status.json's "units" cannot be read; "" when it can."""
    if not isinstance(entry, dict):
        return "không phải một đối tượng JSON"
    for key in ("code", "name", "status"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            return f"thiếu “{key}” hoặc không phải chữ"
    if entry["status"] != "closed" and entry["status"] not in {s.value for s in Status}:
        return f"tình trạng “{entry['status']}” không có"
    done = entry.get("completeness")
    if done is not None and (isinstance(done, bool) or not isinstance(done, int | float)):
        return "“completeness” không phải số"
    for key in ("message", "link"):
        if not isinstance(entry.get(key) or "", str):
            return f"“{key}” không phải chữ"
    return ""


def _copies(folder: Path) -> dict[str, str]:
    """Unit code → the file-name key of its copy, as the last sync's manifest lists them."""
    try:
        doc = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(code): file_key(str(code)) for code in doc} if isinstance(doc, dict) else {}


def _own_copy(folder: Path, code: str, copies: dict[str, str]) -> Path | None:
    """The unit's annotated copy, only when the last sync wrote it for this code and no other.

    The roster keeps codes apart as file names; this is the second lock, so that a copy is
    never attached to another unit's mail whatever the folder holds.
    """
    key = copies.get(code)
    if key is None or sum(1 for other in copies.values() if other == key) != 1:
        return None
    path = folder / file_name(code)
    return path if path.is_file() else None


def _body(entry: dict, status: Status, deadline_at: datetime, now: datetime,
          errors: list[dict[str, str]], deadline_text: str, attached: bool = False) -> str:  # fmt: skip
    lines = [f"Kính gửi {entry['name']},", ""]
    lines.append(f"Báo cáo sơ kết giữa nhiệm kỳ của đơn vị hiện ở tình trạng “{status.label}”.")
    left = deadline_at - now
    if left.total_seconds() > 0:
        days = left.days
        when = f"còn {days} ngày" if days >= 1 else f"còn {int(left.total_seconds() // 3600)} giờ"
        lines.append(f"{deadline_text} ({when}).")
    else:
        lines.append(f"{deadline_text}: đã quá hạn {(-left).days} ngày, đề nghị hoàn thành ngay.")
    if entry.get("completeness") is not None:
        pct = str(whole_percent(float(entry["completeness"])))
        lines.append(f"Mức hoàn thành: {pct}%.")
    if status is Status.INVALID or status is Status.UNREACHABLE:
        lines.append(entry.get("message") or "")
    if errors:
        lines += ["", f"Còn {len(errors)} lỗi cần sửa:"]
        for row in errors[:MAX_LISTED]:
            where = (
                f"trang “{row['tab']}”, ô {row['cell']}" if row["cell"] else f"trang “{row['tab']}”"
            )
            lines.append(f" - {where}: {row['message']}" if row["tab"] else f" - {row['message']}")
        if len(errors) > MAX_LISTED:
            lines.append(f" - và {len(errors) - MAX_LISTED} lỗi khác.")
    if not entry.get("confirmed") and status not in (Status.INVALID, Status.UNREACHABLE):
        lines += ["", "Khi hoàn thành, chọn “Có” ở ô “Đã hoàn thành, gửi Ban Thường vụ Huyện ủy” "
                      "(trang Thông tin). Báo cáo được tính là đã nộp khi đã xác nhận và không còn lỗi."]  # fmt: skip
    if attached:
        lines += ["", "Kèm theo thư này là bản sao tệp báo cáo của đơn vị: ô có lỗi được tô đỏ, ô "
                      "cần xem lại được tô vàng, mỗi ô có ghi chú nói cần sửa gì. Hãy sửa trong tệp "
                      "của đơn vị rồi gửi lại; bản sao chỉ để xem."]  # fmt: skip
    if entry.get("link", "").startswith("http"):
        lines += ["", f"Bảng tính của đơn vị: {entry['link']}"]
    lines += ["", "Trân trọng,", "Văn phòng Huyện ủy"]
    return "\n".join(lines)


def send_reminders(config: Config, reminders: list[Reminder]) -> tuple[list[str], list[str]]:
    """E-mail each reminder; return (codes sent, 'code: why' for those not sent).

    Only a server that cannot be reached or refuses the session stops everything
    (``RemindError``); any failure of one message (an address the server refuses, a broken
    connection, an attachment gone) is that unit's, and the others are still sent.
    """
    r = config.remind
    if not r.smtp_host or not r.sender:
        raise RemindError(
            f"{config.path}: muốn gửi lời nhắc, ghi máy chủ thư vào [remind] smtp_host và địa "
            f"chỉ gửi vào [remind] sender"
        )
    senders, why = parse_emails(r.sender)
    if why or len(senders) != 1:
        raise RemindError(f"{config.path}: [remind] sender: {why or 'chỉ được một địa chỉ'}")
    sent: list[str] = []
    failed: list[str] = []
    smtp: smtplib.SMTP | None = _session(config)
    try:
        for rem in reminders:
            try:
                msg = _message(senders[0], rem)
            except (ValueError, OSError) as exc:
                failed.append(f"{rem.code}: {_why(exc)}")
                continue
            try:
                if smtp is None:
                    smtp = _session(config)  # the server dropped us: one new session
                smtp.send_message(msg)
            except smtplib.SMTPServerDisconnected as exc:
                smtp = None
                failed.append(f"{rem.code}: máy chủ thư ngắt kết nối ({exc})")
                continue
            except smtplib.SMTPRecipientsRefused as exc:
                refused = ", ".join(f"{a} ({c} {m.decode(errors='replace')})"
                                    for a, (c, m) in exc.recipients.items())  # fmt: skip
                failed.append(f"{rem.code}: máy chủ thư từ chối địa chỉ {refused}")
                continue
            except (smtplib.SMTPException, RemindError, OSError, ValueError) as exc:
                failed.append(f"{rem.code}: {_why(exc)}")
                continue
            sent.append(rem.code)
            log.info("đã gửi thư nhắc tới %s (%s)", rem.code, rem.email)
    finally:
        if smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
    return sent, failed


def summary(sent: list[str], failed: list[str]) -> str:
    """The one line `remind --send` ends with."""
    total = len(sent) + len(failed)
    line = f"Đã gửi {len(sent)}/{total} thư nhắc"
    if failed:
        codes = ", ".join(f.split(":", 1)[0] for f in failed[:10])
        more = f" và {len(failed) - 10} đơn vị khác" if len(failed) > 10 else ""
        line += f"; không gửi được {len(failed)}: {codes}{more}"
    return line + "."


def _message(sender: Address, rem: Reminder) -> EmailMessage:
    """The e-mail for one reminder; ValueError (Vietnamese) when it cannot be addressed."""
    if not rem.email:
        raise ValueError("danh sách đơn vị chưa có e-mail của đơn vị này")
    addresses, why = parse_emails(rem.email)
    if why or not addresses:
        raise ValueError(f"e-mail trong danh sách đơn vị không dùng được: {why}")
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = addresses  # one Address per recipient: never re-parsed from a joined string
    msg["Subject"] = _one_line(rem.subject)
    msg.set_content(rem.body)
    if rem.attachment is not None:
        data = rem.attachment.read_bytes()
        msg.add_attachment(data, *XLSX_TYPE, filename=rem.attachment_name)
    return msg


def _one_line(text: str) -> str:
    # The roster refuses line breaks in names; status.json is ours, but a header must never
    # carry one whatever reaches it.
    return " ".join(re.split(f"[{re.escape(LINE_BREAKS)}]+", text))


def _session(config: Config) -> smtplib.SMTP:
    r = config.remind
    try:
        smtp = smtplib.SMTP(r.smtp_host, r.smtp_port, timeout=30)
    except OSError as exc:
        raise RemindError(
            f"không kết nối được máy chủ thư (SMTP) {r.smtp_host}:{r.smtp_port} ({_why(exc)}); kiểm "
            f"tra [remind] smtp_host, smtp_port và mạng"
        ) from exc
    try:
        if r.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if r.username:
            smtp.login(r.username, r.password)
    except (smtplib.SMTPException, OSError) as exc:
        smtp.close()
        raise RemindError(
            f"máy chủ thư (SMTP) {r.smtp_host} từ chối phiên gửi ({_why(exc)}); kiểm tra tên đăng "
            f"nhập, mật khẩu và [remind] starttls"
        ) from exc
    except UnicodeEncodeError as exc:  # smtplib sends AUTH as ASCII only
        smtp.close()
        raise RemindError(
            f"đăng nhập SMTP {r.smtp_host}: tên đăng nhập và mật khẩu chỉ được dùng chữ "
            f"không dấu (ASCII); hãy đặt mật khẩu không có chữ tiếng Việt có dấu"
        ) from exc
    return smtp


def _why(exc: Exception) -> str:
    # The server's own reply (an SMTPException, also an OSError) is quoted as it is: it names
    # the refusal. The system's words for a socket or a file are said in Vietnamese.
    if isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException):
        return os_reason(exc)
    return str(exc)
