"""A file or folder the system refuses is explained in Vietnamese, by what went wrong.

The system's own words ("No such file or directory", "File exists") are English; every
command here hits a real refusal on a real file system and must say it in Vietnamese, once,
on one line, with exit code 2 and no traceback.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import pytest

from jobs.oserrors import os_reason
from sheets_schema import Schema
from tests.jobs.district import District
from tests.jobs.test_cli import tonghop
from tests.jobs.test_language import english_words


def _refused(call: object, *args: object) -> OSError:
    try:
        call(*args)  # type: ignore[operator]
    except OSError as exc:
        return exc
    raise AssertionError("the system accepted it")


def test_each_refusal_has_its_own_vietnamese_reason(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    cases = {
        "không có thư mục hoặc tệp này": _refused(Path.read_bytes, tmp_path / "none"),
        "đây là một thư mục": _refused(Path.write_bytes, tmp_path, b""),
        "một phần của đường dẫn là tệp, không phải thư mục": _refused(Path.mkdir, afile / "d"),
        "đã có một tệp trùng tên": _refused(Path.mkdir, afile),
        "tên tệp quá dài đối với hệ thống tệp": _refused(
            Path.write_bytes, tmp_path / ("a" * 300), b""
        ),
    }
    for reason, exc in cases.items():
        assert os_reason(exc) == reason, exc
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "ổ đĩa hết chỗ trống"
    assert os_reason(OSError(9999, "Something odd")) == "lỗi hệ điều hành (mã 9999)"
    # A name server's or a timeout's errors are OSErrors whose numbers are not the system's.
    assert os_reason(_refused(socket.getaddrinfo, "no-such-host.invalid", 25)) == (
        "không tìm thấy tên máy chủ"
    )
    assert os_reason(TimeoutError("timed out")) == "hết thời gian chờ"


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_without_write_permission_is_named_so(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        assert os_reason(_refused(Path.write_bytes, locked / "a", b"")) == "không có quyền ghi/đọc"
    finally:
        locked.chmod(0o700)


def _one_vietnamese_line(res: object) -> str:
    err = res.stderr  # type: ignore[attr-defined]
    assert res.returncode == 2, err  # type: ignore[attr-defined]
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert english_words(err) == [], err
    return str(err)


def test_annotate_into_a_missing_folder(tmp_path: Path) -> None:
    blank = tmp_path / "t.xlsx"
    assert tonghop("template", "--out", blank).returncode == 0
    res = tonghop("check", blank, "--annotate", tmp_path / "none" / "dir" / "a.xlsx")
    err = _one_vietnamese_line(res)
    assert "không có thư mục hoặc tệp này" in err


def test_template_over_a_folder_says_so_once(tmp_path: Path) -> None:
    (tmp_path / "dd.xlsx").mkdir()
    err = _one_vietnamese_line(tonghop("template", "--out", "dd.xlsx", cwd=tmp_path))
    assert err.count("không ghi được") == 1, err
    assert "đây là một thư mục" in err


@pytest.fixture
def district(tmp_path: Path, schema: Schema) -> District:
    d = District(tmp_path / "d", schema)
    d.add("XA_A")
    (d.root / "afile").write_text("một tệp, không phải thư mục")
    return d


@pytest.mark.parametrize(
    ("out_dir", "reason"),
    [("afile", "đã có một tệp trùng tên"),
     ("afile/out", "một phần của đường dẫn là tệp, không phải thư mục")],
)  # fmt: skip
def test_sync_into_a_file_says_what_is_in_the_way(
    district: District, out_dir: str, reason: str
) -> None:
    res = tonghop(
        "sync", "--config", district.root / "tonghop.toml", "--out-dir", out_dir, cwd=district.root
    )
    err = _one_vietnamese_line(res)
    assert reason in err and "[output] dir" in err


def test_state_under_a_file_is_one_line_not_a_traceback(district: District) -> None:
    config = district.root / "tonghop.toml"
    config.write_text(
        config.read_text("utf-8").replace("state/tonghop.sqlite", "afile/tonghop.sqlite"), "utf-8"
    )
    err = _one_vietnamese_line(tonghop("sync", "--config", config))
    assert "đã có một tệp trùng tên" in err and "[output] state" in err

    res = tonghop("doctor", "--config", config)
    (line,) = [ln for ln in res.stdout.splitlines() if "Thư mục trạng thái" in ln]
    assert line.startswith("✗") and "đã có một tệp trùng tên" in line, res.stdout
    assert english_words(line) == [], line


@pytest.mark.parametrize("province", [False, True])
def test_demo_into_a_file_is_one_line_not_a_traceback(tmp_path: Path, province: bool) -> None:
    (tmp_path / "afile").write_text("x")
    res = tonghop("demo", "--dir", "afile", *(["--province"] if province else []), cwd=tmp_path)
    err = _one_vietnamese_line(res)
    assert f"không tạo được {'tỉnh' if province else 'huyện'} mẫu ở afile" in err
    assert "tệp" in err and "--dir" in err
