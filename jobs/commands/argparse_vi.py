"""argparse in Vietnamese: the frame around our help texts and the reasons it gives itself.

argparse builds its own words ("usage:", "options:", "show this help message and exit", "the
following arguments are required: …") from English strings. ``ViArgumentParser`` replaces
those it puts in the help (group titles, the usage prefix, -h's help) and translates the
reasons of its errors, so a person sees one language whatever they mistype. Option names,
command names and the values typed are left as they are.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

USAGE = "cách dùng: "
POSITIONALS = "tham số"
OPTIONALS = "tùy chọn"
HELP = "in hướng dẫn này rồi thoát"

_TYPES = {"int": "số nguyên", "float": "số", "_instant": "thời điểm"}

# argparse's reasons (Python 3.11–3.13), most specific first; groups are kept as typed.
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the following arguments are required: (.*)"), r"thiếu tham số bắt buộc: \1"),
    (re.compile(r"unrecognized arguments: (.*)"), r"không hiểu tham số: \1"),
    (
        re.compile(r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)"),
        r"tham số \1: không có lựa chọn \2; chọn một trong: \3",
    ),
    (re.compile(r"argument (\S+): expected one argument"), r"tham số \1: cần một giá trị"),
    (
        re.compile(r"argument (\S+): expected at least one argument"),
        r"tham số \1: cần ít nhất một giá trị",
    ),
    (re.compile(r"argument (\S+): expected (\S+) arguments?"), r"tham số \1: cần \2 giá trị"),
    (
        re.compile(r"argument (\S+): ignored explicit argument (.*)"),
        r"tham số \1: không nhận giá trị \2",
    ),
    (
        re.compile(r"argument (\S+): not allowed with argument (\S+)"),
        r"tham số \1: không dùng cùng \2",
    ),
    (
        re.compile(r"ambiguous option: (\S+) could match (.*)"),
        r"tùy chọn \1 chưa rõ, có thể là: \2",
    ),
    (re.compile(r"argument (\S+): (.*)"), r"tham số \1: \2"),
]
_INVALID_VALUE = re.compile(r"invalid (\S+) value: (.*)")


def translate(message: str) -> str:
    """An argparse error reason in Vietnamese (ours, already Vietnamese, pass through)."""
    invalid = _INVALID_VALUE.search(message)
    if invalid:
        kind = _TYPES.get(invalid.group(1), invalid.group(1))
        message = message.replace(invalid.group(0), f"{invalid.group(2)} không phải {kind} hợp lệ")
    for pattern, vietnamese in _REASONS:
        if pattern.fullmatch(message):
            return pattern.sub(vietnamese, message)
    return message


class ViHelpFormatter(argparse.HelpFormatter):
    """Help with a Vietnamese usage prefix."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, USAGE if prefix is None else prefix)


class ViArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words are Vietnamese; subcommands inherit it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ViHelpFormatter)
        # Parents are merged group by group *title*: merge them once the titles are ours, or
        # their options would land in a second "tùy chọn" group.
        parents = kwargs.pop("parents", [])
        super().__init__(*args, **kwargs)
        self._positionals.title = POSITIONALS
        self._optionals.title = OPTIONALS
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = HELP
        for parent in parents:
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def error(self, message: str) -> NoReturn:
        """Usage, then one line: the command and the reason in Vietnamese; exit code 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {translate(message)}\n")
