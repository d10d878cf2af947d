"""Re-read an annotated copy before it is published: a copy that fails is dropped, never sent.

Checked on every copy: each name is stored once in the zip and every part has a content type;
the reader of the sync (sync.excel.read_xlsx) reads the same report from the copy as from the
unit's file; every mark is where readers look (one cell of that reference in its row, its
format filled with our colour, its comment in the sheet's comments part). A copy of modest
size is also read whole by openpyxl (every fill and comment seen there) and by calamine (every
value of every sheet equal to the original's); a large one, whose unmarked rows the in-place
editor copied byte for byte, is checked on the marked rows only, so the check stays bounded.
"""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile
from typing import Any

from lxml import etree
from openpyxl.utils.cell import get_column_letter

from sync.excel import WorkbookError, has_utf16_parts, read_xlsx
from sync.guard import Limits

from .sheet_stream import RowEditor, SheetBytes
from .xlsx_marks import Mark, Package
from .xlsx_notes import clean
from .xlsx_xml import CT, MAIN, Unsupported, coords, normalised_tree

# Worksheets up to this much XML in all are read whole by openpyxl and calamine to compare.
WHOLE_READ_BYTES = 4_000_000


class CopyRejected(Exception):
    """The copy differs from the unit's file or hides a mark; the message says how (English)."""


def verify_copy(original: bytes, copy: bytes, marks: dict[str, list[Mark]], limits: Limits,
                *, rewritten: bool = False, scanned: dict[str, SheetBytes] | None = None) -> None:  # fmt: skip
    """Raise ``CopyRejected`` unless ``copy`` is ``original`` with ``marks`` readable.

    ``rewritten``: the copy was written by openpyxl, not edited in place; it is then also
    loaded whole by openpyxl to see every mark. ``scanned``: the unit's sheets as the editor
    already scanned them (read-only), so a large one is not unpacked and scanned twice.
    """
    with zipfile.ZipFile(io.BytesIO(copy)) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(names) != len(set(names)):
            raise CopyRejected("a part stored twice")
        _content_types(zf, names)
        sizes = sum(i.file_size for i in infos if i.filename.startswith("xl/worksheets/"))
        sheets = _marks_in_xml(zf, copy, marks)
    if sizes > WHOLE_READ_BYTES:
        # Too large to read whole twice: the in-place editor copied every unmarked row byte
        # for byte, so the marked rows are compared, cell by cell.
        _same_marked_rows(original, sheets, marks, scanned)
        return
    if has_utf16_parts(original) or not _same_values(original, copy):
        _same_report(original, copy, limits)  # calamine cannot read the unit's file
    if rewritten:
        _marks_in_openpyxl(copy, marks)


def _same_report(original: bytes, copy: bytes, limits: Limits) -> None:
    """The sync's reader gets the same report from both (openpyxl for both, as the two
    readers differ in what they return, e.g. number formats)."""
    try:
        before = read_xlsx(original, engine="openpyxl", limits=limits)
        after = read_xlsx(copy, engine="openpyxl", limits=limits)
    except WorkbookError as exc:
        raise CopyRejected(f"the copy cannot be read: {exc}") from exc
    if before != after:
        raise CopyRejected("the report read from the copy differs from the unit's file")


def _same_marked_rows(original: bytes, sheets: dict[str, RowEditor], marks: dict[str, list[Mark]],
                      scanned: dict[str, SheetBytes] | None = None) -> None:  # fmt: skip
    try:
        with Package(original) as pkg:
            for title, found in marks.items():
                # The unit's sheet as the editor scanned it (unchanged bytes), or scanned now.
                known = (scanned or {}).get(title)
                before = RowEditor(known if known is not None else pkg.sheet_bytes(title))
                after = sheets[title]
                for row in {m.row for m in found}:
                    if _row_values(before, row) != _row_values(after, row):
                        raise CopyRejected(f"{title}: row {row} has other values in the copy")
    except (Unsupported, KeyError, zipfile.BadZipFile) as exc:
        raise CopyRejected(f"cannot compare the marked rows: {exc}") from exc


def _row_values(rows: RowEditor, number: int) -> dict[int, tuple[str, bytes]]:
    """Column → (type, content) of each cell of a row, as readers read it (the last of twins)."""
    if number not in rows.by_number:
        return {}
    out = {}
    for cell in rows.row(number).iterchildren(f"{{{MAIN}}}c"):
        content = b"".join(etree.tostring(child) for child in cell)
        if content or cell.get("t"):
            out[coords(cell.get("r", "A1"))[0]] = (cell.get("t", "n"), content)
        else:
            out.pop(coords(cell.get("r", "A1"))[0], None)
    return out


def _content_types(zf: zipfile.ZipFile, names: list[str]) -> None:
    root = normalised_tree(zf.read("[Content_Types].xml")).getroot()
    defaults = {(d.get("Extension") or "").lower() for d in root.iter(f"{{{CT}}}Default")}
    overrides = {(o.get("PartName") or "").lower() for o in root.iter(f"{{{CT}}}Override")}
    for name in names:
        if name.endswith("/") or name == "[Content_Types].xml":
            continue
        base = posixpath.basename(name)  # "_rels/.rels" has the extension "rels"
        ext = base.rsplit(".", 1)[1].lower() if "." in base else ""
        if "/" + name.lower() not in overrides and ext not in defaults:
            raise CopyRejected(f"{name} has no content type")


def _marks_in_xml(
    zf: zipfile.ZipFile, copy: bytes, marks: dict[str, list[Mark]]
) -> dict[str, RowEditor]:
    """Each filled mark: one cell of its reference in its row, with a format filled with our
    colour; checked on the rows alone, whatever the sheet's size."""
    editors: dict[str, RowEditor] = {}
    try:
        with Package(copy) as pkg:
            parts, styles_part = pkg.sheets, pkg.styles_part
            notes = {t: pkg.comments_part(t) for t, found in marks.items() if any(m.comment for m in found)}  # fmt: skip
        if styles_part is None:
            raise Unsupported("no styles part")
        styles = normalised_tree(zf.read(styles_part)).getroot()
    except (KeyError, Unsupported, zipfile.BadZipFile) as exc:
        raise CopyRejected(f"cannot re-read the copy: {exc}") from exc
    xfs = [x for x in styles.iterfind(f"{{{MAIN}}}cellXfs/{{{MAIN}}}xf")]
    fills = [f for f in styles.iterfind(f"{{{MAIN}}}fills/{{{MAIN}}}fill")]
    for title, found in marks.items():
        filled = [m for m in found if m.fill]
        try:
            rows = editors[title] = RowEditor(SheetBytes(zf.read(parts[title])))
        except (KeyError, Unsupported) as exc:
            raise CopyRejected(f"cannot re-read sheet {title!r}: {exc}") from exc
        for m in filled:
            cells = [c for c in rows.row(m.row).iterchildren(f"{{{MAIN}}}c")
                     if coords(c.get("r", "A1")) == (m.col, m.row)]  # fmt: skip
            if len(cells) != 1:
                raise CopyRejected(
                    f"{title}!R{m.row}C{m.col}: {len(cells)} cells of that reference"
                )
            xf = int(cells[0].get("s", "0") or 0)
            fill_id = int(xfs[xf].get("fillId", "0")) if xf < len(xfs) else -1
            colours = [] if not 0 <= fill_id < len(fills) else [
                c.get("rgb", "") for c in fills[fill_id].iter(f"{{{MAIN}}}fgColor")]  # fmt: skip
            if not any(c.upper().endswith(str(m.fill).upper()) for c in colours):
                raise CopyRejected(f"{title}!R{m.row}C{m.col}: the fill is not ours")
    for title, part in notes.items():
        _comments_there(zf, title, part, [m for m in marks[title] if m.comment])
    return editors


def _comments_there(zf: zipfile.ZipFile, title: str, part: str | None, marks: list[Mark]) -> None:
    if part is None:
        raise CopyRejected(f"{title}: no comments part")
    try:
        root = normalised_tree(zf.read(part)).getroot()
    except (KeyError, Unsupported) as exc:
        raise CopyRejected(f"{title}: cannot re-read the comments: {exc}") from exc
    texts: dict[str, list[str]] = {}
    for comment in root.iter(f"{{{MAIN}}}comment"):
        text = "".join(t.text or "" for t in comment.iter(f"{{{MAIN}}}t"))
        texts.setdefault((comment.get("ref") or "").upper(), []).append(text)
    for m in marks:
        found = texts.get(f"{get_column_letter(m.col)}{m.row}", [])
        if len(found) != 1 or _first_line(m.comment or "") not in found[0]:
            raise CopyRejected(f"{title}!R{m.row}C{m.col}: the comment is not there once")


def _same_values(original: bytes, copy: bytes) -> bool:
    """Whether calamine could read the unit's file; CopyRejected when the copy's values differ."""
    import python_calamine

    def values(data: bytes) -> dict[str, Any]:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}

    try:
        before = values(original)
    except MemoryError:
        raise
    except Exception:  # calamine's own error types: the reader used openpyxl for this file
        return False
    try:
        after = values(copy)
    except MemoryError:
        raise
    except Exception as exc:
        raise CopyRejected(f"calamine cannot read the copy: {exc}") from exc
    if before != after:
        raise CopyRejected("calamine reads other values from the copy")
    return True


def _marks_in_openpyxl(copy: bytes, marks: dict[str, list[Mark]]) -> None:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            wb = openpyxl.load_workbook(io.BytesIO(copy))
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl's many error types on a file it cannot read
        raise CopyRejected(f"openpyxl cannot read the copy: {exc}") from exc
    for title, found in marks.items():
        ws = wb[title]
        for m in found:
            cell = ws.cell(m.row, m.col)
            if m.fill and not str(cell.fill.fgColor.rgb or "").upper().endswith(m.fill.upper()):
                raise CopyRejected(f"openpyxl sees no fill on {title}!{cell.coordinate}")
            if m.comment and (
                cell.comment is None or _first_line(m.comment) not in cell.comment.text
            ):
                raise CopyRejected(f"openpyxl sees no comment on {title}!{cell.coordinate}")


def _first_line(text: str) -> str:
    return clean(text).splitlines()[0][:200] if text else ""
