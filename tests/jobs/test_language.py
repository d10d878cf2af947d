"""Everything the command line says to a person is Vietnamese: help, errors, demo, check.

The check is a word-list heuristic: after taking out what is allowed to stay as it is (option
names, command names, ids, file names, paths, placeholders), no common English word may be
left. The list holds words that are not also Vietnamese written without diacritics ("do",
"to", "in" are left out for that reason).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.commands.cli import build_parser
from jobs.demo.district import CONFIG
from jobs.province.demo import PROVINCE
from tests.jobs.test_cli import tonghop

REPO = Path(__file__).resolve().parents[2]

ENGLISH = set(
    """
    the and of for with this that these from is are be been not such show help message exit
    usage options optional arguments argument positional error required file files folder unit
    units run runs write writes read reads each every default instead more detail log generate
    print prints check validate here then which when will should may can into only also use
    used set fix number reminders reminder send sheet sheets create list report reports
    workbook invalid choice expected one value version program corrupt missing found cannot
    could or by at as it its was were have has blank template pull consolidate their own
    config configuration credentials access lagging person signed storage needed beside
    findings json optionally demo district mix seed
    """.split()
)

# What may stay in another language: --options and -v, ids (with _ or all capitals), file names
# and paths, ISO times, placeholders in capitals, and the program and command names.
_ALLOWED = re.compile(
    r"--?[a-z][\w-]*"  # options
    r"|\S*[/\\.]\S*"  # paths, file names, .xlsx
    r"|\w*_\w*"  # ids, TONGHOP_CONFIG
    r"|\b[A-ZĐ]{2,}\b"  # placeholders (TỆP, MÃ), JSON, SMTP
    r"|\[[a-z_]+\]( [a-z_]+\b)?"  # [output] dir: a config section and key
    r"|\b[a-z_]+ ="  # a config line quoted back: key = value
    r"|\d\S*"  # numbers, times
)
COMMANDS = ("sync", "check", "template", "demo", "doctor", "provision", "remind", "tonghop")


def english_words(text: str) -> list[str]:
    """The common English words left in ``text`` once the allowed tokens are taken out."""
    text = _ALLOWED.sub(" ", text)
    words = re.findall(r"[A-Za-z]+", text)
    return [w for w in words if w.lower() in ENGLISH and w not in COMMANDS]


def test_the_heuristic_finds_english() -> None:
    assert english_words("usage: tonghop sync [-h]\noptions:\n  -h  show this help message")
    assert english_words("r.xlsx: (no such file)") == ["such", "file"]
    assert not english_words("cách dùng: tonghop sync [--config TỆP] TONGHOP_CONFIG demo/out")


def _subcommands() -> list[str]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    return sorted(sub.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", ["", *_subcommands()])
def test_help_is_vietnamese(command: str) -> None:
    res = tonghop(*([command] if command else []), "--help")
    assert res.returncode == 0, res.stderr
    assert "cách dùng: tonghop" in res.stdout
    assert english_words(res.stdout) == [], res.stdout


def test_every_option_has_help() -> None:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    parsers = [parser, *sub.choices.values()]  # type: ignore[union-attr]
    for p in parsers:
        for action in p._actions:
            assert action.help, (p.prog, action.option_strings or action.dest)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["syn"],
        ["sync", "--bogus"],
        ["sync", "--as-of", "hôm qua"],
        ["sync", "--as-of"],
        ["demo", "--units", "mười"],
        ["template"],
        ["check"],
    ],
)
def test_argument_errors_are_vietnamese(argv: list[str]) -> None:
    res = tonghop(*argv)
    assert res.returncode == 2
    assert "cách dùng: tonghop" in res.stderr and ": lỗi: " in res.stderr, res.stderr
    assert english_words(res.stderr) == [], res.stderr


def test_demo_output_is_vietnamese(tmp_path: Path) -> None:
    res = tonghop("demo", "--dir", tmp_path / "demo", "--units", "40")
    assert res.returncode == 0, res.stderr
    assert "huyện mẫu 40 đơn vị" in res.stderr and "Chạy thử: tonghop sync" in res.stderr
    assert english_words(res.stderr) == [], res.stderr


@pytest.mark.parametrize(
    "content",
    [
        None,
        b"plain text, not a workbook",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
        b"PK\x03\x04 broken zip",
    ],
)
def test_check_reasons_are_vietnamese(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "bao-cao.xlsx"
    if content is not None:
        path.write_bytes(content)
    res = tonghop("check", path)
    assert res.returncode == 2
    assert english_words(res.stderr) == [], res.stderr


def test_sync_setup_errors_are_vietnamese(tmp_path: Path) -> None:
    config = tmp_path / "tonghop.toml"
    config.write_text(
        '[report]\ndeadline = 2023-03-23\n[units]\nregistry = "units.csv"\n'
        '[source]\nkind = "excel"\nfolder = "khong-co"\n',
        encoding="utf-8",
    )
    (tmp_path / "units.csv").write_text("code,name,type\nXA_A,Xã A,xa\n", encoding="utf-8")
    res = tonghop("sync", "--config", config)
    assert res.returncode == 2
    assert "không phải thư mục" in res.stderr
    assert english_words(res.stderr) == [], res.stderr


def test_a_windows_path_in_the_config_says_how_to_write_it(tmp_path: Path) -> None:
    config = tmp_path / "tonghop.toml"
    config.write_text('[source]\nfolder = "C:\\Users\\vp\\bao-cao"\n', encoding="utf-8")
    res = tonghop("doctor", "--config", config)
    assert res.returncode == 2
    assert 'viết dấu / thay cho \\, ví dụ "C:/' in res.stderr
    assert "gấp đôi dấu \\" in res.stderr
    assert english_words(res.stderr) == [], res.stderr


def test_the_log_of_a_verbose_sync_is_vietnamese(tmp_path: Path) -> None:
    """What `sync -v` writes to stderr (a line per unit, the run's summary, the clean-up of a
    killed run, a damaged file) and its frame (the level names) is Vietnamese."""
    demo = tmp_path / "demo"
    assert tonghop("demo", "--dir", demo, "--units", "10").returncode == 0
    config = demo / "tonghop.toml"
    as_of = "2023-03-25T09:00:00+07:00"
    first = tonghop("sync", "--config", config, "--as-of", as_of, "-v")
    assert first.returncode == 0, first.stderr
    # A temporary file a killed run left, and a unit's file damaged since the first run.
    out = next(p for p in demo.rglob("tong-hop.xlsx")).parent
    (out / ".tong-hop.xlsx.4242.tmp").write_bytes(b"half written")
    broken = sorted((demo / "sheets").glob("*.xlsx"))[0]
    broken.write_bytes(b"PK\x03\x04 broken zip")
    second = tonghop("sync", "--config", config, "--as-of", as_of, "-v")
    assert second.returncode == 0, second.stderr
    for res in (first, second):
        assert "THÔNG TIN tonghop.sync: lần chạy" in res.stderr, res.stderr
        assert "GỠ LỖI tonghop.sync: đơn vị" in res.stderr, res.stderr
        for level in ("DEBUG", "INFO", "WARNING", "ERROR"):
            assert level not in res.stderr, res.stderr
        assert english_words(res.stderr) == [], res.stderr
    assert "đã xóa 1 tệp tạm" in second.stderr, second.stderr
    assert "tệp không đổi" in second.stderr and "đọc tệp mới" in second.stderr


def test_the_level_names_are_vietnamese_only_in_the_cli_frame() -> None:
    import logging

    from jobs.logtext import VietnameseFormatter

    record = logging.LogRecord("tonghop.sync", logging.WARNING, __file__, 1, "x %s", ("y",), None)
    text = VietnameseFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert text == "CẢNH BÁO tonghop.sync: x y"
    assert record.levelname == "WARNING"  # other handlers (pytest's, a library's) see it as it was


@pytest.mark.parametrize(
    "module", ["jobs.commands.bench", "bench.province", "bench.history", "bench.grouping"]
)
def test_bench_help_and_errors_are_vietnamese(module: str) -> None:
    """`make bench` and the benches the README names are run by people too: their help and
    their argument errors."""
    run = [sys.executable, "-m", module]
    shown = subprocess.run([*run, "--help"], capture_output=True, text=True, check=False,
                           cwd=REPO)  # fmt: skip
    assert shown.returncode == 0 and f"cách dùng: python -m {module}" in shown.stdout
    assert english_words(shown.stdout) == [], shown.stdout
    wrong = subprocess.run([*run, "--units", "mười"], capture_output=True, text=True,
                           check=False, cwd=REPO)  # fmt: skip
    assert wrong.returncode == 2 and ": lỗi: " in wrong.stderr
    assert english_words(wrong.stderr) == [], wrong.stderr


@pytest.mark.parametrize("config", [CONFIG, PROVINCE], ids=["district", "province"])
def test_the_demo_configs_comments_are_vietnamese(config: str) -> None:
    """Offices copy the demo's tonghop.toml and edit it: its comments are read, its keys stay."""
    comments = [line[line.index("#") :] for line in config.splitlines() if "#" in line]
    assert len(comments) > 3
    assert english_words("\n".join(comments)) == [], comments
