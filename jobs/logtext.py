"""The frame of the command line's log lines, in Vietnamese.

Library code logs with the standard levels; only the commands install this formatter, so the
time, level and logger name around each message read "CẢNH BÁO", "LỖI"… instead of "WARNING".
"""

from __future__ import annotations

import logging

LEVEL_NAMES = {
    logging.DEBUG: "GỠ LỖI",
    logging.INFO: "THÔNG TIN",
    logging.WARNING: "CẢNH BÁO",
    logging.ERROR: "LỖI",
    logging.CRITICAL: "LỖI NGHIÊM TRỌNG",
}
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class VietnameseFormatter(logging.Formatter):
    """A formatter that names the level in Vietnamese; the record itself is left as it was, so
    other handlers (a library's, a test's) still see the standard names."""

    def format(self, record: logging.LogRecord) -> str:
        standard = record.levelname
        record.levelname = LEVEL_NAMES.get(record.levelno, standard)
        try:
            return super().format(record)
        finally:
            record.levelname = standard


def stderr_handler() -> logging.Handler:
    """A handler to stderr with the Vietnamese frame, for ``logging.basicConfig(handlers=…)``."""
    handler = logging.StreamHandler()
    handler.setFormatter(VietnameseFormatter(FORMAT))
    return handler
