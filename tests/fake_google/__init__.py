"""A local fake of Google Sheets v4 and Drive v3 for tests: see `server.FakeGoogle`."""

from .drive import SHEET_MIME, XLSX_MIME, FakeFile
from .server import FAULT_KINDS, SERVICE_ACCOUNT_EMAIL, FakeGoogle, RequestRecord, TokenGrant

__all__ = [
    "FAULT_KINDS",
    "SERVICE_ACCOUNT_EMAIL",
    "SHEET_MIME",
    "XLSX_MIME",
    "FakeFile",
    "FakeGoogle",
    "RequestRecord",
    "TokenGrant",
]
