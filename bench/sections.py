"""Named sections of bench/RESULTS.md that a bench script replaces without touching the rest."""

from __future__ import annotations

from pathlib import Path


def write_section(path: Path, title: str, lines: list[str]) -> None:
    """Replace the ``## title`` section of ``path`` with ``lines`` (appended when absent)."""
    text = path.read_text("utf-8") if path.exists() else "# Benchmark results\n"
    head = f"## {title}"
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.startswith("## "):
            skipping = line.strip() == head
            if skipping:
                continue
        if not skipping:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    out += ["", head, "", *lines]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out).rstrip("\n") + "\n", "utf-8")


def publish(path: Path, title: str, lines: list[str]) -> int:
    """Write ``lines`` as the ``title`` section of ``path`` and print them; the exit code."""
    write_section(path, title, lines)
    print("\n".join(lines))
    return 0


def met(flag: bool) -> str:
    """A goal's "met" column."""
    return "yes" if flag else "no"
