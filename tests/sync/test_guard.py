"""The cheap checks on their own: each cap refuses just past it, with a Vietnamese reason."""

from __future__ import annotations

import io
import os
import socket
import zipfile
from pathlib import Path

import pytest

from sheets_schema import Schema
from sync.excel import read_xlsx
from sync.guard import Limits, WorkbookError, open_parts, read_regular_file
from tests.helpers import typed_workbook, valid_values


@pytest.fixture(scope="module")
def good(schema: Schema) -> bytes:
    return typed_workbook(schema, valid_values(schema, "xa", "XA_G"))


def with_part(data: bytes, name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr(name, body)
    return out.getvalue()


def refused(data: bytes, limits: Limits, words: str) -> None:
    with pytest.raises(WorkbookError) as err:
        open_parts(data, limits)
    assert words in err.value.message_vi, err.value.message_vi


def test_each_zip_cap(good: bytes) -> None:
    open_parts(good, Limits())  # the real report passes every default
    refused(good, Limits(max_zip_entries=5), "số phần trong tệp")
    refused(good, Limits(max_uncompressed_mb=0), "dung lượng khi giải nén")
    padded = with_part(good, "xl/media/pad.xml", b" " * (3 << 20))  # 3 MB of spaces: ~1000:1
    refused(padded, Limits(), "tỉ lệ nén")
    assert open_parts(padded, Limits(max_compression_ratio=5000))
    refused(good, Limits(max_defined_names=10), "số tên vùng")


def test_dtd_in_utf16_and_entities(good: bytes) -> None:
    body = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY b "c">]><a/>'
    refused(with_part(good, "docProps/custom.xml", body.encode("utf-16")), Limits(), "DTD")
    refused(with_part(good, "docProps/custom.xml", b"<a>&b;</a>"), Limits(), "thực thể")
    assert open_parts(with_part(good, "docProps/custom.xml", b"<a>&amp;&#233;&#xE9;</a>"), Limits())


def test_only_regular_files_within_the_size(tmp_path: Path, good: bytes) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(good)
    assert read_regular_file(path, Limits()) == good
    with pytest.raises(WorkbookError, match="over the cap"):
        read_regular_file(path, Limits(max_file_mb=0))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "s.xlsx"))
    for special in (tmp_path / "s.xlsx", tmp_path):
        with pytest.raises(WorkbookError) as err:
            read_regular_file(special, Limits())
        assert "không phải tệp" in err.value.message_vi or "thư mục" in err.value.message_vi
    sock.close()
    os.symlink(path, tmp_path / "link.xlsx")  # a link to a regular file is read as that file
    assert read_regular_file(tmp_path / "link.xlsx", Limits()) == good


def test_names_outside_the_schema_are_not_read(good: bytes, schema: Schema) -> None:
    raw = read_xlsx(good, shapes=schema.shapes)
    assert set(raw.blocks) <= set(schema.shapes)
    hc = raw.blocks["hc_bang"]
    assert (hc.height, hc.width) == schema.shapes["hc_bang"] and hc.covers is None
