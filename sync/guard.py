"""Cheap checks on a unit's file before any XML in it is parsed.

A unit's file is untrusted: it may be a FIFO that blocks a reader forever, a link to
/dev/zero, a zip bomb, an XML part with a DTD (billion laughs), or a workbook with a value at
XFD1048576 that makes a reader allocate a full sheet. Everything here looks only at sizes,
headers and a few bytes, so a hostile file is refused in milliseconds and with bounded memory,
and what passes is handed to openpyxl or calamine already known to be small and DTD-free.

``Limits`` holds every cap; ``[limits]`` in tonghop.toml sets them (jobs/config.py).
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted .xlsx files and old .xls files are OLE containers
_DEFINED_NAME = re.compile(rb"<(?:\w+:)?definedName\b")
# An entry this small cannot be a bomb whatever its ratio (a sheet of empty styled cells
# compresses ~100×); the ratio cap applies above it.
_RATIO_FLOOR = MIB
_CHUNK = 256 * 1024
# An entity reference other than XML's five and character references: without a DTD it is
# undefined, and readers differ (expat fails, calamine reads it as text).
_UNDEFINED_ENTITY = re.compile(rb"&(?!(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
# What unpacking a damaged or lying entry raises: bad CRC or header, a damaged deflate stream,
# an unsupported method or an encrypted entry, a stream that ends early.
_UNZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
)


@dataclass(frozen=True)
class Limits:
    """Caps on one unit's file and on the work of reading it; defaults far above real reports.

    A real report is ~20 KB as a file, ~100 KB unzipped, ~15 parts and ~120 defined names, and
    is read in ~50 ms using ~50 MiB.
    """

    max_file_mb: int = 20
    max_zip_entries: int = 1000
    max_uncompressed_mb: int = 100
    max_compression_ratio: int = 200
    max_defined_names: int = 10_000
    unit_memory_mb: int = 512
    unit_seconds: int = 30


class WorkbookError(Exception):
    """A file that cannot be read as an .xlsx workbook; the message says why, in English."""

    def __init__(self, reason: str, message_vi: str) -> None:
        super().__init__(reason)
        self.message_vi = message_vi


_BROKEN_VI = "Tệp bảng tính bị hỏng, không mở được. Hãy mở bằng Excel, lưu lại và gửi lại."
_HOSTILE_VI = (
    "Tệp chứa nội dung không được phép trong bảng tính báo cáo ({what}). Hãy tải mẫu báo cáo, "
    "chép số liệu vào đó và gửi lại."
)


def too_big(what: str, found: str, cap: str) -> WorkbookError:
    """The refusal for a file over one of the caps: what, how much, and the cap."""
    return WorkbookError(
        f"{what}: {found} over the cap of {cap}",
        f"Tệp quá lớn hoặc quá phức tạp để đọc ({what}: {found}, giới hạn {cap}). "
        "Hãy tải mẫu báo cáo, chép số liệu vào đó và gửi lại; nếu tệp đúng là lớn như vậy, "
        "báo Huyện ủy nâng giới hạn trong mục [limits] của tonghop.toml.",
    )


def read_regular_file(path: Path, limits: Limits) -> bytes:
    """The bytes of ``path`` if it is a regular file within the size cap.

    A FIFO, socket or device (also behind a symlink, e.g. to /dev/zero) is refused without
    blocking: the file is opened with O_NONBLOCK and checked with fstat on the open descriptor,
    so a swap after the first check changes nothing. At most cap + 1 bytes are read.
    Raises ``WorkbookError`` for a refused file and ``OSError`` when it cannot be opened.
    """
    cap = limits.max_file_mb * MIB
    _refuse_special(os.stat(path).st_mode, path)
    # Windows has no O_NONBLOCK (nor FIFOs to block on); O_BINARY keeps its reads raw.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        _refuse_special(st.st_mode, path)
        if st.st_size > cap:
            raise too_big("kích thước tệp", _mb(st.st_size), f"{limits.max_file_mb} MB")
        chunks = []
        left = cap + 1
        while left > 0:
            chunk = os.read(fd, min(left, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > cap:
        raise too_big("kích thước tệp", f"hơn {limits.max_file_mb} MB", f"{limits.max_file_mb} MB")
    return data


def _refuse_special(mode: int, path: Path) -> None:
    if stat.S_ISDIR(mode):
        raise WorkbookError(
            f"{path} is a folder", f"“{path.name}” là thư mục, không phải tệp báo cáo."
        )
    if not stat.S_ISREG(mode):
        kind = (
            "FIFO"
            if stat.S_ISFIFO(mode)
            else "socket"
            if stat.S_ISSOCK(mode)
            else "device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "special file"
        )
        raise WorkbookError(
            f"{path} is a {kind}, not a regular file",
            f"“{path.name}” không phải tệp thông thường (là {kind}). Hãy đặt tệp báo cáo "
            ".xlsx thật vào thư mục, không dùng liên kết tới thiết bị hay tệp đặc biệt.",
        )


def _mb(size: int) -> str:
    return f"{size / MIB:.1f} MB"


# What to tell a unit whose workbook is in another program's format: where to click in that
# program to save it as .xlsx (LibreOffice names the type "Excel 2007-365").
ODS_VI = (
    "Tệp là bảng tính LibreOffice/OpenOffice (.ods), chương trình chỉ đọc .xlsx: hãy mở tệp, "
    "lưu lại dạng .xlsx: Tệp → Lưu thành → Excel 2007-365, rồi gửi lại."
)
XLS_VI = (
    "Tệp có mật khẩu hoặc là định dạng .xls cũ. Hãy bỏ mật khẩu và lưu lại dạng .xlsx "
    "(Tệp → Lưu thành → Sổ làm việc Excel)."
)


def is_ods(data: bytes) -> bool:
    """An OpenDocument spreadsheet: ODF puts its uncompressed "mimetype" entry first."""
    return data[30:38] == b"mimetype" and b"opendocument.spreadsheet" in data[38:160]


def check_signature(data: bytes) -> None:
    """Refuse encrypted/old .xls files, .ods files and anything that is not a zip."""
    if data[:4] == _OLE_MAGIC:
        raise WorkbookError("the file is encrypted or an old .xls workbook", XLS_VI)
    if is_ods(data):
        raise WorkbookError("an OpenDocument spreadsheet (.ods), not an .xlsx workbook", ODS_VI)
    if not data.startswith(b"PK"):
        raise WorkbookError(
            "not an .xlsx workbook (no zip signature)",
            "Tệp không phải bảng tính Excel (.xlsx). Hãy tải mẫu báo cáo và điền vào đó.",
        )


def open_parts(data: bytes, limits: Limits) -> dict[str, bytes]:
    """Every entry of the .xlsx zip, unpacked after the caps were checked on its directory.

    Order: signature; the central directory's entry count, total declared size and each
    entry's compression ratio (nothing decompressed yet); then each entry is unpacked through
    zipfile, which stops at the declared size and checks the CRC, so a header that lies about
    the size ends in an error, never in more bytes than the caps allow; then every part is
    refused if it declares a DTD or an entity, and workbook.xml if it holds too many names.
    """
    check_signature(data)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise WorkbookError(f"corrupt .xlsx workbook: {exc}", _BROKEN_VI) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_zip_entries:
            raise too_big("số phần trong tệp", str(len(infos)), str(limits.max_zip_entries))
        total = sum(i.file_size for i in infos)
        if total > limits.max_uncompressed_mb * MIB:
            raise too_big("dung lượng khi giải nén", _mb(total), f"{limits.max_uncompressed_mb} MB")
        packed = sum(i.compress_size for i in infos)
        if total > _RATIO_FLOOR and total > limits.max_compression_ratio * max(packed, 1):
            raise too_big(
                "tỉ lệ nén", f"{total // max(packed, 1)}:1", f"{limits.max_compression_ratio}:1"
            )
        for info in infos:
            if (
                info.file_size > _RATIO_FLOOR
                and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)
            ):
                raise too_big(
                    f"tỉ lệ nén của phần {info.filename}",
                    f"{info.file_size // max(info.compress_size, 1)}:1",
                    f"{limits.max_compression_ratio}:1",
                )
        parts: dict[str, bytes] = {}
        for info in infos:
            if info.is_dir():
                continue
            try:
                parts[info.filename] = _unpack(zf, info)
            except _UNZIP_ERRORS as exc:
                raise WorkbookError(
                    f"corrupt .xlsx entry {info.filename}: {exc}", _BROKEN_VI
                ) from exc
    for name, body in list(parts.items()):
        if declares_dtd(body):
            raise WorkbookError(
                f"{name} declares a DTD or an entity",
                _HOSTILE_VI.format(what=f"khai báo DTD/ENTITY trong {name}"),
            )
        if _is_xml(name):
            # A part in UTF-16 is scanned, and handed on, as UTF-8: every byte scan after this
            # (entities here, error cells and formulas in the reader) sees its characters.
            parts[name] = body = as_utf8(body)
        if _is_xml(name) and (bad := _UNDEFINED_ENTITY.search(body)):
            raise WorkbookError(
                f"{name} uses an undefined entity at byte {bad.start()}",
                _HOSTILE_VI.format(what=f"tham chiếu thực thể không xác định trong {name}"),
            )
    workbook = parts.get("xl/workbook.xml", b"")
    count = len(_DEFINED_NAME.findall(workbook))
    if count > limits.max_defined_names:
        raise too_big("số tên vùng", str(count), str(limits.max_defined_names))
    return parts


def _unpack(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One entry, unpacked a chunk at a time. ``ZipFile.read`` inflates the whole compressed
    stream in one call, so a header that understates the size still costs the real size in
    memory; reading in chunks stops at the stated size, and the CRC check then fails."""
    chunks = []
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


_ENCODING_DECL = re.compile(
    rb"""^(\s*<\?xml\b[^>]*?\bencoding\s*=\s*["'])([A-Za-z0-9._-]+)(["'])"""
)


def as_utf8(body: bytes) -> bytes:
    """An XML part stored in UTF-16 (with a byte-order mark, or starting ``<`` as two bytes)
    as UTF-8, its declaration saying so; any other part as it is."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif body[:2] == b"<\x00":
        encoding = "utf-16-le"
    elif body[:2] == b"\x00<":
        encoding = "utf-16-be"
    else:
        return body
    try:
        text = body.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise WorkbookError(f"an XML part in broken UTF-16: {exc}", _BROKEN_VI) from exc
    return _ENCODING_DECL.sub(rb"\1UTF-8\3", text.encode("utf-8"), count=1)


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml"))


def declares_dtd(body: bytes) -> bool:
    """True when an XML part has a DOCTYPE or an ENTITY declaration (in UTF-8 or UTF-16)."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        return True
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or body[:2] in (b"<\x00", b"\x00<"):
        try:
            text = body.decode("utf-16")
        except UnicodeDecodeError:
            return True  # an XML part we cannot even decode is not handed to a parser
        return "<!DOCTYPE" in text or "<!ENTITY" in text
    return False
