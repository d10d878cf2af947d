"""Fuzz the .xlsx reader: mutated XML parts and zip entries of a real unit file never make
reading and parsing raise anything but ``WorkbookError``, and never block (each example runs
in a worker with the job's time and memory limits)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.isolation import Failure, Isolated
from sheets_schema import ParseContext, Schema, parse_report
from sync.excel import WorkbookError, read_xlsx
from sync.guard import Limits
from tests.helpers import typed_workbook, valid_values

XML_BITS = [b"<!DOCTYPE x>", b"&bogus;", b"<c r=\"XFD1048576\"><v>1</v></c>", b"\x00", b"<",
            b"]]>", b"<row r=\"99999999\">", b"&#0;", b"<definedName name=\"x\">A1:XFD1</definedName>",
            b"\xff\xfe", b"<f>SUM(A1)</f>", b" t=\"e\"", b"<v>NaN</v>", b"$A$1:$XFD$1048576"]  # fmt: skip


@pytest.fixture(scope="module")
def good(schema: Schema) -> bytes:
    return typed_workbook(schema, valid_values(schema, "xa", "XA_F"))


def _parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _mutate(data: bytes, ops: list[tuple[int, int, int, int]]) -> bytes:
    parts = _parts(data)
    for which, kind, pos, arg in ops:
        i = which % len(parts)
        name, body = parts[i]
        at = pos % (len(body) + 1)
        if kind == 0:  # insert a hostile fragment
            body = body[:at] + XML_BITS[arg % len(XML_BITS)] + body[at:]
        elif kind == 1:  # delete a span
            body = body[:at] + body[at + arg % 200 :]
        elif kind == 2:  # flip a byte
            body = body[:at] + bytes([arg % 256]) + body[at + 1 :]
        elif kind == 3:  # drop the entry
            parts.pop(i)
            continue
        elif kind == 4:  # duplicate the entry under another sheet's name
            parts.append((f"xl/worksheets/sheet{arg % 12 + 1}.xml", body))
        parts[i] = (name, body)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts:
            zf.writestr(name, body)
    raw = out.getvalue()
    if ops and ops[0][1] == 5:  # damage the zip itself
        at = ops[0][2] % len(raw)
        raw = raw[:at] + bytes([ops[0][3] % 256]) + raw[at + 1 :]
    return raw


def _read_and_parse(job: tuple[bytes, Schema]) -> str:
    data, schema = job
    try:
        raw = read_xlsx(data, shapes=schema.shapes, limits=Limits())
    except WorkbookError as exc:
        assert exc.message_vi
        return "refused"
    parse_report(schema, raw, ParseContext("XA_F", "xa", None))
    return "parsed"


ops = st.lists(
    st.tuples(st.integers(0, 50), st.integers(0, 5), st.integers(0, 1 << 20), st.integers(0, 1 << 16)),
    min_size=1, max_size=6,
)  # fmt: skip


# Some mutations add a second ZIP entry under an existing name on purpose; zipfile warns.
@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=ops)
def test_mutated_workbooks_are_read_or_refused(good: bytes, schema: Schema, ops: Any) -> None:
    data = _mutate(good, ops)
    (out,) = Isolated(_read_and_parse, [(data, schema)], workers=1, memory_mb=512, seconds=30).run()
    assert not isinstance(out, Failure), out.reason  # raised, crashed, stalled or ran out of memory
    assert out in ("refused", "parsed")
