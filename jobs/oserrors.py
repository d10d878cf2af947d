"""What an operating-system error means, in Vietnamese, for the messages people read.

The system's own words (``exc.strerror``) are English, or the PC's language on Windows, and
``str(exc)`` adds "[Errno 2]" and the path again; neither belongs in a Vietnamese message.
Every place that tells a person why a file or folder could not be used says ``os_reason(exc)``,
and ``read_reason(exc)`` when the file was there but its text is not what it should be.
"""

from __future__ import annotations

import errno
import json
import socket
import ssl

# By errno's name: every platform has the first ones; a name the platform lacks is left out
# (getattr), so this module imports wherever the job runs.
_BY_NAME = {
    "ENOENT": "không có thư mục hoặc tệp này",
    "EISDIR": "đây là một thư mục",
    "ENOTDIR": "một phần của đường dẫn là tệp, không phải thư mục",
    "EEXIST": "đã có một tệp trùng tên",
    "EACCES": "không có quyền ghi/đọc",
    "EPERM": "không có quyền ghi/đọc",
    "ENOSPC": "ổ đĩa hết chỗ trống",
    "EROFS": "ổ đĩa chỉ cho đọc",
    "ENAMETOOLONG": "tên tệp quá dài đối với hệ thống tệp",
    "ENOTEMPTY": "thư mục không trống",
    "EBUSY": "tệp hoặc thư mục đang được chương trình khác dùng",
    "EINVAL": "tên tệp có ký tự hoặc dạng hệ thống không nhận",
    "ELOOP": "đường dẫn có liên kết vòng",
    "EIO": "lỗi đọc/ghi ổ đĩa",
    "EDQUOT": "đã hết hạn mức dung lượng",
    "EMFILE": "đang mở quá nhiều tệp cùng lúc",
    # A connection (the SMTP server of `remind`) fails with an OSError too.
    "ECONNREFUSED": "máy chủ từ chối kết nối",
    "ECONNRESET": "máy chủ ngắt kết nối",
    "ETIMEDOUT": "hết thời gian chờ",
    "ENETUNREACH": "không tới được mạng",
    "EHOSTUNREACH": "không tới được máy chủ",
}
_REASONS = {
    code: text
    for name, text in _BY_NAME.items()
    if (code := getattr(errno, name, None)) is not None
}

# Windows gives a file another program holds open (Excel, Word) as EACCES; its own code says more.
_WINDOWS_REASONS = {
    32: "tệp đang mở trong chương trình khác (Excel, Word)",  # ERROR_SHARING_VIOLATION
    33: "tệp đang bị chương trình khác khóa",  # ERROR_LOCK_VIOLATION
}


def os_reason(exc: OSError) -> str:
    """A short Vietnamese reason for ``exc``, by its error number; never the system's words."""
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINDOWS_REASONS:
        return _WINDOWS_REASONS[winerror]
    # These carry the resolver's or the TLS library's numbers, not the system's.
    if isinstance(exc, socket.gaierror):
        return "không tìm thấy tên máy chủ"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "chứng chỉ của máy chủ không hợp lệ"
    if isinstance(exc, ssl.SSLError):
        return "lỗi mã hóa kết nối (TLS)"
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    if isinstance(exc, TimeoutError):  # a socket's timeout carries no errno
        return "hết thời gian chờ"
    if exc.errno is None:
        return "lỗi hệ điều hành"
    return f"lỗi hệ điều hành (mã {exc.errno})"


def read_reason(exc: OSError | ValueError) -> str:
    """Why a text file (JSON, CSV) could not be read, in Vietnamese.

    A ValueError other than the decoders' is returned as its text: it is the caller's own
    check, already in Vietnamese.
    """
    if isinstance(exc, OSError):
        return os_reason(exc)
    if isinstance(exc, json.JSONDecodeError):
        return f"không phải JSON hợp lệ, dòng {exc.lineno} cột {exc.colno}"
    if isinstance(exc, UnicodeDecodeError):
        return "không phải văn bản UTF-8"
    return str(exc)
