"""The roster's fields that leave the program: unit codes (file names) and e-mail addresses.

A code names files (``phan-hoi/<code>.xlsx``, the unit's snapshot), tabs and rows, so it is
kept to what every file system takes: letters, digits, ``_`` and ``-``, at most 64 bytes in
UTF-8, and no two codes may name the same file (after the file-name mapping and case folding,
as Windows and macOS compare names). An e-mail cell holds one address, or several separated
by ``;``; each is parsed by the standard library's address parser, so ``a@x, b@y`` or
``not an email`` never reaches an SMTP envelope. No roster field may hold a line break: a
name goes into a mail's Subject, an address into its To.
"""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr

MAX_CODE_BYTES = 64
_CODE = re.compile(r"[^\W_]|[_-]")  # a letter or digit (any script), "_" or "-"
# What str.splitlines() breaks on: CR, LF, VT, FF, FS, GS, RS, NEL, LS (U+2028), PS (U+2029).
LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")


def file_stem(code: str) -> str:
    """A code as the stem of a file name: anything but letters, digits, ``.-_`` becomes ``_``.

    The one mapping every file named after a unit uses (``phan-hoi/<stem>.xlsx``).
    """
    return re.sub(r"[^\w.-]", "_", code).lstrip(".") or "_"


def file_key(code: str) -> str:
    """What a code is as a file name, compared as Windows and macOS compare names."""
    return file_stem(code).casefold()


def code_problem(code: str) -> str | None:
    """Why ``code`` cannot be a unit code (Vietnamese), or None."""
    bad = sorted({ch for ch in code if not _CODE.fullmatch(ch)})
    if bad:
        shown = " ".join(repr(ch) if ch.isprintable() and ch != " " else f"U+{ord(ch):04X}"
                         for ch in bad[:5])  # fmt: skip
        return (
            f'mã "{_short(code)}" có ký tự không dùng được trong tên tệp ({shown}); mã chỉ gồm '
            f"chữ, số, dấu _ và dấu -, ví dụ XA_VINH_HUNG"
        )
    size = len(code.encode("utf-8"))
    if size > MAX_CODE_BYTES:
        return (
            f'mã "{_short(code)}" dài {size} byte, quá {MAX_CODE_BYTES} byte (chữ có dấu tính '
            f"2–3 byte); hãy đặt mã ngắn hơn"
        )
    return None


def line_break_problem(text: str) -> str | None:
    """Why ``text`` cannot be a roster field (it holds a line break), or None."""
    found = _LINE_BREAK.search(text)
    if found is None:
        return None
    return (
        f"có dấu xuống dòng (U+{ord(found.group()):04X}) ở ký tự thứ {found.start() + 1}; "
        f"mỗi ô chỉ một dòng: xóa dấu xuống dòng (Alt+Enter trong Excel)"
    )


def parse_emails(text: str) -> tuple[list[Address], str | None]:
    """The addresses of an e-mail cell (one, or several separated by ``;``) and the problem.

    Each part is either a bare address (``vp@vinhloi.gov.vn``) or a named one
    (``Văn phòng <vp@vinhloi.gov.vn>``). On a problem the list is empty.
    """
    if not text:
        return [], None
    if broke := line_break_problem(text):
        return [], f"e-mail {broke}"
    out: list[Address] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            return [], f'e-mail "{_short(text)}" có phần trống giữa hai dấu ";"'
        address = _address(part)
        if address is None:
            return [], (
                f'"{_short(part)}" không phải một địa chỉ e-mail; viết mỗi ô một địa chỉ '
                f"(vp@vinhloi.gov.vn), nhiều địa chỉ thì ngăn bằng dấu ;"
            )
        out.append(address)
    return out, None


def _address(part: str) -> Address | None:
    name, spec = "", part
    if "<" in part or ">" in part:
        name, spec = parseaddr(part)
        if not spec or part.count("<") != 1 or not part.rstrip().endswith(">"):
            return None
    if "," in spec or any(ch.isspace() for ch in spec):
        return None
    try:
        address = Address(display_name=name, addr_spec=spec)
    except (HeaderParseError, ValueError, IndexError):
        return None
    domain = address.domain
    if not address.username or "." not in domain or domain.startswith(".") or ".." in domain:
        return None
    if address.addr_spec != spec:  # the parser read only part of it, or rewrote it
        return None
    return address


def _short(text: str, limit: int = 60) -> str:
    text = _LINE_BREAK.sub("⏎", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
