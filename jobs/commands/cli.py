"""The `tonghop` command line: parse arguments, call one library function, map errors to exit codes.

Exit codes: 0 done; 1 the thing checked has errors (check, doctor); 2 could not run (bad
arguments, configuration, unreadable file, another sync running).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sheets_schema import (
    Code,
    Finding,
    ParseContext,
    ParsedReport,
    SchemaError,
    Severity,
    UnitInfo,
    load_schema,
    render_template,
)
from sync.guard import Limits

from .. import __version__
from ..config import DEFAULT_TIMEZONE, Config, ConfigError, load_config
from ..model import whole_percent
from ..roster import RosterError, roster_of
from .argparse_vi import ViArgumentParser
from .check import CheckResult, UnreadableFile, check_file

if TYPE_CHECKING:
    from ..job import SyncResult


class CliError(Exception):
    """A reason the command could not run: printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    p = ViArgumentParser(
        prog="tonghop",
        description="Tổng hợp báo cáo kiểm điểm giữa nhiệm kỳ của các đơn vị cơ sở.",
    )
    p.add_argument("--version", action="version", version=f"tonghop {__version__}",
                   help="in phiên bản rồi thoát")  # fmt: skip
    p.add_argument("-v", "--verbose", action="count", default=0, help="ghi nhật ký chi tiết hơn")
    # -v is accepted after the command too (`tonghop sync -v`), as people type it.
    verbose = ViArgumentParser(add_help=False)
    verbose.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                         help="ghi nhật ký chi tiết hơn (-vv: chi tiết nữa)")  # fmt: skip
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH", title="các lệnh",
                           help="xem cách dùng từng lệnh: tonghop LỆNH --help")  # fmt: skip
    config_help = (
        "tệp cấu hình (mặc định: biến TONGHOP_CONFIG, hoặc tonghop.toml ở thư mục đang đứng)"
    )
    as_of_help = "coi thời điểm này là “bây giờ” (ISO 8601 có độ lệch múi giờ), ví dụ 2023-03-22T23:59:59+07:00"  # fmt: skip

    def command(name: str, what: str, config: str = config_help, **kw: Any) -> Any:
        """A subcommand with -v and --config TỆP (``config``: its help; "" for none)."""
        parser = sub.add_parser(name, parents=[verbose], help=what, **kw)
        if config:
            parser.add_argument("--config", type=Path, metavar="TỆP", help=config)
        return parser

    s = command("sync", "đọc báo cáo mọi đơn vị, kiểm tra và ghi bảng tổng hợp")
    s.add_argument("--as-of", type=_instant, metavar="THỜI_ĐIỂM", help=as_of_help)
    s.add_argument("--only", nargs="+", metavar="MÃ", help="chỉ đọc các đơn vị có mã này")
    s.add_argument("--out-dir", type=Path, metavar="THƯ_MỤC",
                   help="ghi kết quả vào thư mục này thay cho [output] dir")  # fmt: skip

    c = command("check", "kiểm tra một tệp báo cáo (.xlsx) đã điền",
                "tệp cấu hình, để tìm đơn vị của --unit trong danh sách")  # fmt: skip
    c.add_argument("file", type=Path, metavar="TỆP", help="tệp báo cáo .xlsx cần kiểm tra")
    c.add_argument("--unit", metavar="MÃ", help="mã đơn vị (trong danh sách) của tệp này")
    c.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    c.add_argument("--annotate", type=Path, metavar="OUT.xlsx",
                   help="ghi thêm một bản sao của TỆP, tô và ghi chú từng ô có lỗi")  # fmt: skip

    t = command("template", "ghi mẫu báo cáo trống ra tệp .xlsx",
                "tệp cấu hình, để lấy danh sách đơn vị khi có --unit")  # fmt: skip
    t.add_argument("--out", type=Path, required=True, metavar="TỆP", help="tệp .xlsx sẽ ghi")
    t.add_argument("--unit", metavar="MÃ", help="điền sẵn mã và tên của đơn vị này")

    d = command("demo", "tạo một huyện mẫu để chạy thử (cấu hình, danh sách đơn vị, tệp báo cáo)",
                config="")  # fmt: skip
    d.add_argument("--dir", type=Path, default=Path("demo"), metavar="THƯ_MỤC",
                   help="thư mục tạo huyện mẫu (mặc định: demo)")  # fmt: skip
    d.add_argument("--units", type=int, default=None, metavar="SỐ",
                   help="số đơn vị (mặc định: danh sách đơn vị của huyện Vĩnh Lợi)")  # fmt: skip
    d.add_argument("--out-dir", type=Path, metavar="THƯ_MỤC",
                   help="nơi lệnh sync của huyện mẫu ghi kết quả (mặc định: THƯ_MỤC/out)")  # fmt: skip
    d.add_argument("--seed", type=int, default=2023, metavar="SỐ",
                   help="hạt giống ngẫu nhiên: cùng số cho cùng huyện mẫu (mặc định: 2023)")  # fmt: skip
    d.add_argument("--province", action="store_true",
                   help="7 huyện mẫu (đã đồng bộ) và cấu hình tỉnh tổng hợp từ kết quả của các huyện")  # fmt: skip

    doc = command("doctor", "kiểm tra cấu hình, tài khoản, quyền truy cập và từng bảng tính đơn vị")
    doc.add_argument(
        "--google-probe",
        action="store_true",
        help="thử trên Google thật một lần: tạo một bảng tính thử từ mẫu như khi cấp cho đơn "
        "vị, đọc lại những gì Google giữ, nhập thử như đơn vị rồi xóa bảng tính thử",
    )

    pv = command("provision", "Google: tạo bảng tính cho từng đơn vị từ mẫu báo cáo")
    pv.add_argument(
        "--oauth",
        action="store_true",
        help="tạo bảng tính bằng tài khoản Google của một người đăng nhập (không cần Bộ nhớ "
        "dùng chung); dùng [google] oauth_client, hoặc client_secret.json cạnh tệp cấu hình",
    )
    pv.add_argument(
        "--oauth-port",
        type=int,
        default=0,
        metavar="CỔNG",
        help="như --oauth, nhưng nhận kết quả đăng nhập ở cổng cố định này và không tự mở "
        "trình duyệt: dùng trên máy chủ không có trình duyệt, chuyển tiếp cổng qua SSH "
        "(ssh -L CỔNG:localhost:CỔNG máy-chủ) rồi mở địa chỉ được in ra trên máy của mình",
    )

    r = command("remind", "liệt kê (và gửi) lời nhắc cho các đơn vị chậm nộp")
    r.add_argument("--as-of", type=_instant, metavar="THỜI_ĐIỂM", help=as_of_help)
    r.add_argument("--out-dir", type=Path, metavar="THƯ_MỤC",
                   help="đọc kết quả ở thư mục này (như `sync --out-dir`)")  # fmt: skip
    r.add_argument(
        "--send",
        action="store_true",
        help="gửi lời nhắc qua thư điện tử (cấu hình SMTP trong tệp cấu hình)",
    )
    h = command(
        "history", "lịch sử sửa từng ô của một đơn vị: giá trị cũ → mới, lúc nào, ai sửa",
        description="Mọi thay đổi giá trị các ô của đơn vị giữa các phiên bản hệ thống đã đọc.",
    )  # fmt: skip
    h.add_argument("code", metavar="MÃ", help="mã đơn vị")
    h.add_argument("--field", metavar="MÃ_TRƯỜNG",
                   help="chỉ một trường (mã trường, ví dụ tt_so_chi_bo)")  # fmt: skip
    h.add_argument("--since", metavar="THỜI_ĐIỂM",
                   help="chỉ các thay đổi từ thời điểm này (2023-03-23 hoặc 2023-03-23T08:00+07:00)")  # fmt: skip
    return p


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} không phải thời điểm ISO 8601 có độ lệch múi giờ, ví dụ 2023-03-22T23:59:59+07:00"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} thiếu độ lệch múi giờ; thêm vào cuối, ví dụ +07:00"
        )
    return value


def _utf8_output() -> None:
    """Write UTF-8 whatever the platform picked. Windows gives a redirected stream (the Task
    Scheduler's `>> file`) the ANSI code page, which has no "Đ" or "ạ": every line would be
    garbled, and the first one on stdout would end the run with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_output()
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        as_of = getattr(args, "as_of", None)
        if as_of is not None:
            from ..job import as_of_problem

            if why := as_of_problem(as_of):
                raise CliError(why)
        code = int(COMMANDS[args.command](args))
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except (CliError, ConfigError, RosterError, SchemaError) as exc:
        # One plain line, never wrapped: cron mails and logs read it as it is.
        reason = " ".join(str(exc).split())
        print(f"tonghop {args.command}: {reason}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`tonghop check --json | head -1`): stop quietly. Point stdout
        # at devnull so the interpreter's last flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # as a shell reports a process ended by SIGPIPE
    except KeyboardInterrupt:
        print("tonghop: đã dừng (Ctrl+C)", file=sys.stderr)
        return 130


def _console(*, stderr: bool = False) -> Console:
    """A console for our output. Not on a terminal (cron, a pipe, a file) nothing wraps: a
    command or path in a message must stay on one line to be copied and run as printed."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, soft_wrap=not stream.isatty())


def _tty() -> bool:
    return sys.stdout.isatty()


def _setup_logging(verbose: int) -> None:
    """Warnings only by default (sync prints its own line); -v adds the run's summary and a
    line per unit; -vv adds library detail."""
    from jobs.logtext import stderr_handler  # level names in Vietnamese: "CẢNH BÁO", "LỖI"

    logging.basicConfig(
        level=logging.DEBUG if verbose > 1 else logging.WARNING,
        handlers=[stderr_handler()],
    )
    logging.getLogger("tonghop").setLevel(logging.DEBUG if verbose else logging.WARNING)
    for ours in ("jobs", "sync"):
        logging.getLogger(ours).setLevel(
            logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
        )
    for noisy in ("urllib3", "google", "gspread"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose > 2 else logging.WARNING)


def _config(
    args: argparse.Namespace, *, required: bool = True, district: str = ""
) -> Config | None:
    """The configuration; ``district`` names a command that needs a district's (its units'
    roster), refused for a province's with a line saying so."""
    path = getattr(args, "config", None)
    if (
        not required
        and path is None
        and not os.environ.get("TONGHOP_CONFIG")
        and not Path("tonghop.toml").exists()
    ):
        return None
    config = load_config(path, env=os.environ)
    if district and config.source.kind == "districts":
        raise CliError(
            f'{config.path} là cấu hình của tỉnh ([source] kind = "districts"), không có danh '
            f"sách đơn vị: lệnh {district} dùng với tonghop.toml của một huyện; ở cấp tỉnh chỉ "
            f"dùng sync và doctor"
        )
    return config


# ---------------------------------------------------------------------- check
def cmd_check(args: argparse.Namespace) -> int:
    config = _config(args, required=False, district="check --unit") if args.unit else None
    schema = load_schema(config.report.schema if config else "midterm_2020_2025")
    tz = ZoneInfo(config.report.timezone if config else DEFAULT_TIMEZONE)
    unit_type = None
    if config and args.unit:
        units = {u.code: u for u in roster_of(config)}
        if args.unit not in units:
            raise CliError(f"đơn vị {args.unit!r} không có trong danh sách {config.units.registry}")
        unit_type = units[args.unit].type
    ctx = ParseContext(unit_code=args.unit, unit_type=unit_type, today=datetime.now(tz).date())
    try:
        result = check_file(args.file, schema, ctx, config.limits if config else None)
    except UnreadableFile as exc:
        if args.json:  # a script still gets its object: one "unreadable" error, nothing read
            unread = Finding(Severity.ERROR, Code.UNREADABLE, "", "", "", str(exc), "")
            report = ParsedReport({}, [unread], 0, 0, False, is_template=False)
            print(json.dumps(CheckResult(args.unit, report).as_json(), ensure_ascii=False,
                             indent=2), flush=True)  # fmt: skip
        raise CliError(str(exc)) from exc
    # The findings first: a copy that cannot be made must not hide them.
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2), flush=True)
    else:
        _print_check(result)
    if args.annotate:
        _annotate(args.file, args.annotate, result, config.limits if config else None)
    return 1 if result.report.errors else 0


def _annotate(source: Path, target: Path, result: CheckResult, limits: Limits | None) -> None:
    from .check import write_annotated

    try:
        write_annotated(source, target, result, limits)
    except ValueError as exc:
        raise CliError(str(exc)) from exc


def _print_check(result: CheckResult) -> None:
    out = _console()
    r = result.report
    by_tab: dict[str, list[Finding]] = {}
    for f in r.findings:
        by_tab.setdefault(f.tab or "—", []).append(f)
    for tab, findings in by_tab.items():
        table = Table(title=escape(tab), title_justify="left", show_lines=False, expand=True)
        table.add_column("Ô", no_wrap=True)
        table.add_column("Mức", no_wrap=True)
        table.add_column("Trường", no_wrap=True)
        table.add_column("Nội dung")
        for f in findings:
            sev = "[red]Lỗi[/]" if f.is_error else "[yellow]Cảnh báo[/]"
            table.add_row(escape(f.cell), sev, escape(f.field), escape(f.message))
        out.print(table)
    who = escape(result.unit_code or "?")
    out.print(
        f"Đơn vị {who}: hoàn thành {whole_percent(r.completeness)}% ({r.items_filled}/{r.items_total} mục), "
        f"{r.errors} lỗi, {r.warnings} cảnh báo, "
        f"{'đã' if r.confirmed else 'chưa'} xác nhận hoàn thành.".replace(".", ",", 1),
        highlight=False,
    )


# ---------------------------------------------------------------------- template
def cmd_template(args: argparse.Namespace) -> int:
    config = _config(args, required=bool(args.unit), district="template --unit")
    if args.out.suffix.lower() != ".xlsx":  # Excel refuses to open a workbook named otherwise
        raise CliError(f"--out {args.out}: mẫu báo cáo phải là tệp .xlsx (đặt tên có đuôi .xlsx)")
    schema = load_schema(config.report.schema if config else "midterm_2020_2025")
    unit = None
    if args.unit:
        assert config is not None
        units = {u.code: u for u in roster_of(config)}
        if args.unit not in units:
            raise CliError(f"đơn vị {args.unit!r} không có trong danh sách {config.units.registry}")
        u = units[args.unit]
        unit = UnitInfo(u.code, u.name, u.type)
    data = render_template(schema, unit)
    _write_atomic(args.out, data)
    _console(stderr=True).print(f"đã ghi {args.out}", highlight=False, markup=False)
    return 0


def _write_atomic(path: Path, data: bytes) -> None:
    from ..oserrors import os_reason
    from ..outputs import OutputError, atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda fh: fh.write(data))
    except OutputError as exc:  # it names the file already
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"không ghi được {path}: {os_reason(exc)}") from exc


# ---------------------------------------------------------------------- sync
def cmd_sync(args: argparse.Namespace) -> int:
    """The scheduled job. Without a terminal: silent when nothing changed, one line when
    something did, the reason when it could not run; one line per run in [output] log."""
    from .. import runlog
    from ..job import SyncError, SyncOptions, run_sync
    from ..sources import SourceSetupError, make_source, make_status_writer

    config = _config(args)
    assert config is not None
    if config.source.kind == "districts":  # a province: its units are the districts' outputs
        return _sync_province(args, config)
    out_dir = args.out_dir or config.output.dir
    before = runlog.units_shown(out_dir)
    try:
        try:
            source = make_source(config)
            writer = make_status_writer(config)
        except SourceSetupError as exc:
            raise CliError(str(exc)) from exc
        options = SyncOptions(as_of=args.as_of, only=args.only, out_dir=args.out_dir,
                              progress=sys.stderr.isatty())  # fmt: skip
        try:
            result = run_sync(config, source, options, writer)
        except SyncError as exc:
            raise CliError(str(exc)) from exc
    except (CliError, ConfigError, RosterError, SchemaError) as exc:
        runlog.append(config.output.log, datetime.now(config.tz), f"tonghop sync: lỗi: {exc}",
                      create=False)  # fmt: skip
        raise
    found = runlog.changes(before, runlog.units_shown(out_dir))
    counts = runlog.summary(result.run.counts, result.run.as_of, None)
    line = f"tonghop sync: lần chạy {result.run.run_id}, {counts}; " + (
        f"thay đổi: {found.text()}" if found else "không có thay đổi"
    )
    sheet_failed = result.status_sheet not in ("", "written")
    if sheet_failed:
        line += f"; {result.status_sheet}"
    workbook = result.outputs.get("tong-hop.xlsx")
    runlog.append(config.output.log, datetime.now(config.tz),
                  line + (f"; bảng tổng hợp: {workbook}" if workbook else ""))  # fmt: skip
    if _tty() or args.verbose:
        _print_sync(result)
        if found:
            _console().print(f"Thay đổi: {found.text()}", highlight=False, markup=False)
    elif found or sheet_failed:
        # cron, the Task Scheduler, a pipe: one line, only when there is something to say.
        print(line, file=sys.stderr)
    return 0


def _print_sync(result: SyncResult) -> None:
    from ..model import Status

    out = _console()
    c = result.run.counts
    table = Table(
        title=f"Tình trạng nộp báo cáo — {result.run.as_of:%d/%m/%Y %H:%M}", title_justify="left"
    )
    table.add_column("Tình trạng")
    table.add_column("Số đơn vị", justify="right")
    for status in Status:
        if c.get(status.value):
            table.add_row(escape(status.label), str(int(c[status.value])))
    table.add_row("[bold]Dự kiến[/]", f"[bold]{int(c['expected'])}[/]")
    out.print(table)
    out.print(
        f"Đã nộp {int(c['submitted'])}/{int(c['expected'])}, đúng hạn {int(c['on_time'])}/{int(c['expected'])}. "
        f"{result.run.deadline_text}",
        highlight=False,
        markup=False,
    )
    out.print(
        f"bảng tổng hợp: {result.outputs.get('tong-hop.xlsx')}", highlight=False, markup=False
    )
    if result.status_sheet and result.status_sheet != "written":
        out.print(f"[yellow]{escape(result.status_sheet)}[/]", highlight=False)


# ---------------------------------------------------------------------- demo
def cmd_demo(args: argparse.Namespace) -> int:
    if args.units is not None and args.units < 1:
        raise CliError("--units phải từ 1 trở lên")
    try:
        return _demo(args)
    except OSError as exc:  # --dir names a file, or a folder that cannot be written
        from ..oserrors import os_reason

        where = f"{exc.filename}: " if exc.filename else ""
        raise CliError(
            f"không tạo được {'tỉnh' if args.province else 'huyện'} mẫu ở {args.dir} "
            f"({where}{os_reason(exc)}); hãy chọn --dir là một thư mục ghi được"
        ) from exc


def _demo(args: argparse.Namespace) -> int:
    from ..demo import DEMO_AS_OF, make_demo

    if args.province:
        from ..province.demo import make_province_demo

        made = make_province_demo(args.dir, args.units, args.seed)
        run_it = shlex.join(
            ["tonghop", "sync", "--config", str(made.config), "--as-of", DEMO_AS_OF]
        )
        _console(stderr=True).print(f"Đã tạo tỉnh mẫu {made.districts} huyện ở {args.dir}.\n"
                                    f"Chạy thử: {run_it}", highlight=False, markup=False)  # fmt: skip
        return 0
    result = make_demo(args.dir, args.units, args.seed, out_dir=args.out_dir)
    mix = ", ".join(
        f"{_DEMO_SCENARIOS.get(k, k)} {v}"
        for k, v in sorted(result.scenarios.items(), key=lambda kv: -kv[1])
    )
    run_it = shlex.join(["tonghop", "sync", "--config", str(result.config), "--as-of", DEMO_AS_OF])
    _console(stderr=True).print(
        f"Đã tạo huyện mẫu {result.units} đơn vị ở {result.folder} ({mix}).\nChạy thử: {run_it}",
        highlight=False,
        markup=False,
    )
    return 0


# What each demo unit was made to do, in the words of the workbook's statuses.
_DEMO_SCENARIOS = {
    "on_time": "đúng hạn",
    "late": "trễ hạn",
    "in_progress": "đang thực hiện",
    "not_started": "chưa bắt đầu",
    "errors": "còn lỗi",
    "invalid": "sai mẫu",
    "extended": "được gia hạn",
    "closed": "không phải nộp",
}


# ---------------------------------------------------------------------- remind
def cmd_remind(args: argparse.Namespace) -> int:
    from .remind import RemindError, build_reminders, send_reminders, summary

    config = _config(args, district="remind")
    assert config is not None
    try:
        reminders = build_reminders(config, args.as_of, args.out_dir)
        out = _console()
        for rem in reminders:
            out.rule(escape(f"{rem.code} → {rem.email or '(chưa có e-mail)'}"))
            out.print(rem.subject, style="bold", highlight=False, markup=False)
            out.print(rem.body, highlight=False, markup=False)
        out.print(f"{len(reminders)} đơn vị cần nhắc.", highlight=False)
        if not args.send:
            return 0
        sent, failed = send_reminders(config, reminders)
    except RemindError as exc:
        raise CliError(str(exc)) from exc
    for line in failed:
        out.print(f"  {line}", highlight=False, markup=False)
    out.print(summary(sent, failed), highlight=False, markup=False)
    return 1 if failed else 0


# ---------------------------------------------------------------------- doctor
def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import blocks_sync, run_doctor

    config = _config(args)
    assert config is not None
    checks = run_doctor(config, google_probe=args.google_probe)
    out = _console()
    if _tty():
        table = Table(title=escape(f"Kiểm tra cấu hình — {config.path}"), title_justify="left",
                      expand=True)  # fmt: skip
        table.add_column("", no_wrap=True)
        table.add_column("Kiểm tra")
        table.add_column("Kết quả")
        table.add_column("Cách sửa")
        for c in checks:
            mark = "[green]✓[/]" if c.ok else "[red]✗[/]"
            table.add_row(mark, escape(c.name), escape(c.detail), escape(c.fix))
        out.print(table)
    else:
        # Not a terminal: one line per check, so a suggested command stays whole.
        out.print(f"Kiểm tra cấu hình — {config.path}", highlight=False, markup=False)
        for c in checks:
            fix = f" — Cách sửa: {c.fix}" if c.fix else ""
            out.print(f"{'✓' if c.ok else '✗'} {c.name}: {c.detail}{fix}", highlight=False,
                      markup=False)  # fmt: skip
    failed = [c for c in checks if not c.ok]
    blocking = [c for c in failed if blocks_sync(c)]
    out.print(f"Đạt {len(checks) - len(failed)}/{len(checks)} mục kiểm tra.", highlight=False)
    sync = shlex.join(["tonghop", "sync", "--config", str(config.path)])
    who = "huyện" if config.source.kind == "districts" else "đơn vị"
    if blocking:
        out.print(
            f"{len(blocking)} lỗi sẽ làm `{sync}` dừng: hãy sửa các dòng ✗ ở trên.",
            highlight=False,
            markup=False,
        )
    elif failed:
        out.print(
            f"`{sync}` chạy được; các {who} đánh dấu ✗ sẽ hiện lỗi của mình ở tình trạng.",
            highlight=False,
            markup=False,
        )
    return 1 if blocking else 0


# ---------------------------------------------------------------------- provision
def cmd_provision(args: argparse.Namespace) -> int:
    from .doctor import ProvisionFailed, run_provision

    config = _config(args, district="provision")
    assert config is not None
    try:
        created, warnings = run_provision(
            config, oauth=args.oauth or bool(args.oauth_port), oauth_port=args.oauth_port
        )
    except ProvisionFailed as exc:
        raise CliError(str(exc)) from exc
    out = _console()
    for code, url in created.items():
        out.print(f"{code}: {url}", highlight=False, markup=False)
    for code, text in warnings:
        out.print(f"⚠ {code}: {text}", highlight=False, markup=False)
    out.print(
        f"{len(created)} bảng tính đơn vị đã sẵn sàng (khu vực Việt Nam, múi giờ Hà Nội); đã "
        f"ghi vào danh sách đơn vị: {config.units.registry}"
        + (f"; {len(warnings)} cảnh báo cần xem ở trên" if warnings else ""),
        highlight=False,
        markup=False,
    )
    return 0


def _sync_province(args: argparse.Namespace, config: Config) -> int:
    from ..province.sync import ProvinceError, run_province

    if args.only:
        raise CliError(
            f"{config.path} là cấu hình của tỉnh: tỉnh luôn đọc kết quả của mọi huyện, không dùng "
            f"được --only; bỏ --only rồi chạy lại"
        )
    try:
        result = run_province(config, args.as_of, args.out_dir)
    except ProvinceError as exc:
        raise CliError(str(exc)) from exc
    used = sum(1 for r in result.reads if r.status.value == "ok")
    c = result.run.counts
    line = (
        f"tonghop sync (tỉnh): lần chạy {result.run.run_id}, {used}/{len(result.reads)} huyện dùng "
        f"được, {int(c.get('submitted', 0))}/{int(c.get('expected', 0))} đơn vị đã nộp"
        if result.rewritten
        else f"tonghop sync (tỉnh): lần chạy {result.run.run_id}, kết quả các huyện không đổi"
    )
    for r in result.reads:
        if r.status.value != "ok":
            line += f"; {r.entry.name}: {r.status.label.lower()}"
    _console().print(line, highlight=False, markup=False)
    return 0


# ---------------------------------------------------------------------- history
def cmd_history(args: argparse.Namespace) -> int:
    from ..history import HistoryError, history_text

    config = _config(args, district="history")
    assert config is not None
    try:
        lines = history_text(config, args.code, args.field, args.since)
    except HistoryError as exc:
        raise CliError(str(exc)) from exc
    out = _console()
    for line in lines:
        out.print(line, highlight=False, markup=False)
    return 0


COMMANDS = {
    "check": cmd_check,
    "template": cmd_template,
    "sync": cmd_sync,
    "demo": cmd_demo,
    "remind": cmd_remind,
    "doctor": cmd_doctor,
    "provision": cmd_provision,
    "history": cmd_history,
}
