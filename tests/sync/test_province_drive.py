"""A province reads a district whose outputs are shared as a Google Drive folder.

The province's real `tonghop sync` drives the real gspread HTTP client against the fake Drive:
the folder is looked up, listed and its two files downloaded (alt=media), into a local copy that
is then read as a folder district is. The figures must be those the same district gives from
its own folder.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jobs.commands.cli import main
from jobs.config import ConfigError, load_config
from jobs.province.demo import make_province_demo
from tests.fake_google import FakeGoogle
from tests.fake_google.drive import SHEET_MIME

from .conftest import SA_EMAIL

AS_OF = "2023-03-25T09:00:00+07:00"
FOLDER = "1VinhLoiKetQuaSoKet2023"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("province-drive") / "demo"
    make_province_demo(folder, units=5, seed=7)
    return folder


@pytest.fixture
def province(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             fake: FakeGoogle, key_file: Path) -> Path:  # fmt: skip
    copy = tmp_path / "demo"
    shutil.copytree(built, copy, symlinks=True, copy_function=shutil.copy2)
    monkeypatch.setenv("TONGHOP_GOOGLE_API_URL", fake.url)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    config = copy / "tinh" / "tonghop.toml"
    text = config.read_text("utf-8")
    config.write_text(text + f'\n[google]\ncredentials = "{key_file.as_posix()}"\n', "utf-8")
    return copy


def _sync(province: Path, as_of: str = AS_OF) -> None:
    assert (
        main(["sync", "--config", str(province / "tinh" / "tonghop.toml"), "--as-of", as_of]) == 0
    )


def _province_sheet(province: Path) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(province / "tinh" / "out" / "tong-hop.xlsx")["Toàn tỉnh"]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def _status(province: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads((province / "tinh" / "out" / "status.json").read_text("utf-8"))
    return {d["code"]: d for d in doc["districts"]}


def _share(fake: FakeGoogle, out: Path) -> None:
    """The district puts its out/ on Drive: both files with their times, plus an older
    values.csv kept beside it ("keep both" on a second upload)."""
    fake.add_folder(FOLDER)
    fake.add_file("values.csv", b"not the newest", parents=[FOLDER],
                  modified_time=datetime(2023, 3, 1, tzinfo=UTC))  # fmt: skip
    for name in ("status.json", "values.csv"):
        path = out / name
        moment = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        fake.add_file(name, path.read_bytes(), parents=[FOLDER], modified_time=moment)


def _point_at_drive(province: Path, folder: str) -> None:
    config = province / "tinh" / "tonghop.toml"
    text = config.read_text("utf-8")
    assert 'folder = "../vinh-loi/out"' in text
    config.write_text(text.replace('folder = "../vinh-loi/out"', f'drive_folder = "{folder}"'),
                      "utf-8")  # fmt: skip


def _downloads(fake: FakeGoogle) -> list[str]:
    return [r.path for r in fake.requests if r.query.get("alt") == ["media"]]


def test_a_drive_folder_district_gives_the_figures_of_its_own_folder(
    province: Path, fake: FakeGoogle
) -> None:
    _sync(province)
    from_folder = _province_sheet(province)

    _share(fake, province / "vinh-loi" / "out")
    _point_at_drive(province, f"https://drive.google.com/drive/folders/{FOLDER}?usp=sharing")
    (province / "vinh-loi" / "out").rename(province / "vinh-loi" / "elsewhere")
    fake.reset_log()
    _sync(province, "2023-03-26T09:00:00+07:00")
    assert _status(province)["VINH_LOI"]["status"] == "ok"
    assert _province_sheet(province)[1:] == from_folder[1:]  # the title row carries the time
    assert len(_downloads(fake)) == 2  # the newest of each name, never the older values.csv
    assert all(r.auth == "valid" for r in fake.requests if r.api == "drive")

    # Nothing changed on Drive: one lookup and one listing, no download, outputs kept.
    workbook = province / "tinh" / "out" / "tong-hop.xlsx"
    before = workbook.stat().st_mtime_ns
    fake.reset_log()
    _sync(province, "2023-03-27T09:00:00+07:00")
    assert _downloads(fake) == [] and len(fake.requests) <= 3
    assert workbook.stat().st_mtime_ns == before


def test_a_folder_not_shared_is_missing_with_what_to_do_and_the_rest_goes_on(
    province: Path, fake: FakeGoogle
) -> None:
    _point_at_drive(province, FOLDER)  # never shared with the province's account
    _sync(province)
    status = _status(province)
    assert status["VINH_LOI"]["status"] == "missing"
    message = status["VINH_LOI"]["message"]
    assert "Chia sẻ" in message and SA_EMAIL in message and FOLDER in message
    assert sum(d["status"] == "ok" for d in status.values()) == len(status) - 1


def test_a_values_csv_drive_converted_to_a_sheet_is_refused(
    province: Path, fake: FakeGoogle
) -> None:
    out = province / "vinh-loi" / "out"
    fake.add_folder(FOLDER)
    fake.add_file("status.json", (out / "status.json").read_bytes(), parents=[FOLDER])
    fake.add_file("values.csv", b"", parents=[FOLDER], mime_type=SHEET_MIME)
    _point_at_drive(province, FOLDER)
    _sync(province)
    district = _status(province)["VINH_LOI"]
    assert district["status"] == "invalid" and "Google Trang tính" in district["message"]
    assert _downloads(fake) == []


def test_a_drive_folder_entry_is_checked_when_the_config_is_read(province: Path) -> None:
    config = province / "tinh" / "tonghop.toml"
    text = config.read_text("utf-8")
    for bad, said in (
        ('drive_folder = "https://example.com/x"', "không phải đường liên kết hay mã"),
        ('folder = "../vinh-loi/out"\ndrive_folder = "1AbcdefghijK"', "một trong hai"),
    ):
        config.write_text(text.replace('folder = "../vinh-loi/out"', bad), "utf-8")
        with pytest.raises(ConfigError, match=said):
            load_config(config, env={})


def test_doctor_reads_each_district_as_the_sync_will(
    province: Path, fake: FakeGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    _point_at_drive(province, FOLDER)  # not shared yet
    (province / "gia-rai" / "out" / "values.csv").unlink()
    config = str(province / "tinh" / "tonghop.toml")
    assert main(["doctor", "--config", config]) == 0  # the province still runs
    out = capsys.readouterr().out
    lines = {line.split(":")[0]: line for line in out.splitlines()}
    assert lines["✗ Kết quả của Huyện ủy Vĩnh Lợi (VINH_LOI)"].count(SA_EMAIL) == 1
    assert "Không thấy tệp values.csv" in lines["✗ Kết quả của Thị ủy Giá Rai (GIA_RAI)"]
    assert lines["✓ Kết quả của Huyện ủy Hòa Bình (HOA_BINH)"]
    assert "✓ Chỉ tiêu của tỉnh" in out and "Danh sách đơn vị" not in out
    assert "các huyện đánh dấu ✗" in out

    _share(fake, province / "vinh-loi" / "out")
    assert main(["doctor", "--config", config]) == 0
    out = capsys.readouterr().out
    assert "✓ Kết quả của Huyện ủy Vĩnh Lợi (VINH_LOI): 5 đơn vị" in out
