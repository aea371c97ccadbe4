"""A CSV file's bytes made readable for DuckDB: encoding, line endings, huge cells.

DuckDB reads UTF-8 CSV itself, fast; this module only looks at the bytes (in C-speed passes:
strict decoding, ``bytes.count``) and, when the file is not plain UTF-8 with one kind of line
ending, writes a UTF-8, LF-only temporary copy (the input is never modified). What it cannot
read it refuses with an :class:`ExportError` naming the file, the line and the reason; what it
reads only by repairing it is reported as a :class:`Note` (a data-quality finding, with the
line), never silently:

* UTF-8 (with or without BOM) is read as is; GB18030/GBK is transcoded;
* UTF-16 (with a BOM, as Excel's "Unicode text" saves it, or LE/BE without one) is transcoded, not called binary;
* a UTF-8 file with a few lines in GBK (a pasted row): those lines are decoded as GB18030 and
  each is reported by line number — without this the whole file would be read as GB18030 and
  every Chinese value would be mojibake;
* CRLF and LF mixed in one file: normalised to LF; a carriage return standing alone (neither
  CRLF nor the file's only line ending) is refused, naming the line;
* cells of any size: :func:`max_line_size` raises DuckDB's 2 MB line limit to the file's size.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = path.write_bytes("a,b\\r\\n1,甲\\n2,乙\\n".encode("utf-8"))
>>> info = inspect(path); info.encoding, info.needs_copy, [n.reason[:5] for n in info.notes]
('utf-8', True, ['换行符混用'])
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

_CHUNK = 1 << 24
_DEFAULT_MAX_LINE = 2_097_152  # DuckDB's default max_line_size


class ExportError(Exception):
    """An export file that cannot be read at all. The message is Chinese + English and names the file."""


@dataclass(frozen=True)
class Note:
    """Something the reader repaired or noticed in a file, reported as a data-quality finding."""

    line: int | None  # physical line in the file (1 = the header line), when known
    column: str | None
    reason: str  # Chinese, naming what was done
    check: str  # a key of pipelines.contract.CHECKS
    severity: str = "warning"


@dataclass
class TextInfo:
    encoding: str  # 'utf-8', 'gb18030', 'utf-16' or 'utf-8+gb18030' (mixed, repaired per line)
    needs_copy: bool  # True when DuckDB must read a repaired UTF-8/LF copy
    notes: list[Note] = field(default_factory=list)
    gbk_lines: list[int] = field(default_factory=list)  # 1-based lines decoded as GB18030
    codec: str = ""  # the Python codec of a UTF-16 file
    lone_cr: bool = False  # a carriage return not followed by LF, in a file that has LF line ends


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if not head.strip().lstrip(codecs.BOM_UTF8).strip() and path.stat().st_size <= len(head):
        raise ExportError(f"{path.name}: 文件为空 / file is empty")
    return head


def utf16_codec(head: bytes) -> str | None:
    """The UTF-16 codec of a file's first bytes: by its BOM, or (no BOM) by where the NUL bytes of
    ASCII characters fall; None when it is not UTF-16."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    even, odd = head[0::2], head[1::2]
    if len(head) < 4 or min(even.count(0), odd.count(0)) > 0.05 * len(even):
        return None
    if odd.count(0) > 0.4 * len(odd):
        return "utf-16-le"
    return "utf-16-be" if even.count(0) > 0.4 * len(even) else None


def _scan(path: Path, decode: bool = True):
    """One pass: (first byte offset that is not UTF-8 or None, CRLF count, lone-CR count, LF count);
    without ``decode`` the offset is always None."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    bad, offset, crlf, cr, lf, tail = None, 0, 0, 0, 0, b""
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            if bad is None and decode:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad = offset + exc.start
            joined = tail + chunk
            crlf += joined.count(b"\r\n") - tail.count(b"\r\n")
            cr += chunk.count(b"\r")
            lf += chunk.count(b"\n")
            tail, offset = chunk[-1:], offset + len(chunk)
        if bad is None and decode:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
    return bad, crlf, cr - crlf, lf


def _line_of(path: Path, offset: int) -> int:
    """1-based physical line (LF-counted) of a byte offset."""
    line, done = 1, 0
    with open(path, "rb") as handle:
        while done < offset:
            chunk = handle.read(min(_CHUNK, offset - done))
            if not chunk:
                break
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def _utf8_lines_with_gbk(path: Path) -> tuple[list[int], int] | None:
    """For a file that is not UTF-8 as a whole: the lines that are not UTF-8 when the other
    non-ASCII lines are UTF-8 (a mixed file), with the count of UTF-8 non-ASCII lines; None
    when the file is better read whole as GB18030."""
    bad, good, start = [], 0, 0
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.isascii():
                try:
                    line.decode("utf-8")
                    good += 1
                except UnicodeDecodeError as exc:
                    bad.append(number)
                    try:
                        line.decode("gb18030")
                    except UnicodeDecodeError:
                        raise ExportError(_undecodable(path, number, start + exc.start)) from None
            start += len(line)
    return (bad, good) if good > len(bad) else None


def _undecodable(path: Path, line: int, offset: int) -> str:
    return (f"{path.name}: 第 {line} 行（第 {offset} 字节处）无法按 UTF-8 或 GB18030 解码 / line {line}: "
            f"cannot be decoded as UTF-8 or GB18030 at byte offset {offset}")


def inspect(path: Path, trust_utf8: bool = False) -> TextInfo:
    """How to read a CSV file; raises ExportError when it cannot be read as text at all.
    ``trust_utf8``: do not decode the file to check it is UTF-8 — the caller's reader (DuckDB)
    checks that itself, and calls ``inspect`` again without it when it finds a byte that is not."""
    head = _head(path)
    codec = utf16_codec(head)
    if codec:
        try:
            with open(path, encoding=codec) as handle:
                for _ in iter(lambda: handle.read(_CHUNK), ""):
                    pass
        except UnicodeError as exc:
            raise ExportError(f"{path.name}: 看似 UTF-16 编码但无法解码（{exc}）/ looks like UTF-16 but "
                              f"cannot be decoded: {exc}") from None
        return TextInfo("utf-16", True, codec=codec)
    if b"\x00" in head:
        raise ExportError(f"{path.name}: 不是文本 CSV 文件（含二进制内容）/ not a text CSV file (binary content)")
    bad, crlf, lone_cr, lf = _scan(path, decode=not trust_utf8)
    info = TextInfo("utf-8", False)
    if bad is not None:
        mixed = _utf8_lines_with_gbk(path)
        if mixed is None:
            info = _whole_gb18030(path, bad)
        else:
            info = TextInfo("utf-8+gb18030", True, gbk_lines=mixed[0])
            shown = "、".join(str(n) for n in mixed[0][:20]) + ("等" if len(mixed[0]) > 20 else "")
            info.notes.append(Note(mixed[0][0], None,
                                   f"文件为 UTF-8，但第 {shown} 行（共 {len(mixed[0])} 行）是 GBK 编码，已按 GBK 读取，请核对 / "
                                   f"lines {shown} are GBK in a UTF-8 file; read as GBK", "encoding"))
    if crlf and crlf < lf:  # CRLF and LF mixed
        info.needs_copy = True
        info.notes.append(Note(None, None, f"换行符混用（{crlf} 行 CRLF，{lf - crlf} 行 LF），已统一读取 / "
                                           "mixed CRLF and LF line endings, normalised", "line_endings"))
    info.lone_cr = bool(lone_cr and lf)
    return info


def _whole_gb18030(path: Path, bad_utf8: int) -> TextInfo:
    try:
        with open(path, encoding="gb18030") as handle:
            for _ in iter(lambda: handle.read(_CHUNK), ""):
                pass
    except UnicodeDecodeError:
        raise ExportError(_undecodable(path, _line_of(path, bad_utf8), bad_utf8)) from None
    return TextInfo("gb18030", True)


def first_lone_cr_line(path: Path) -> int | None:
    """1-based line of the first carriage return not followed by LF, if any (error path only)."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if b"\r" in line.removesuffix(b"\n").removesuffix(b"\r") or (line.endswith(b"\r")):
                return number
    return None


def utf8_copy(path: Path, info: TextInfo, target: Path) -> Path:
    """Write the UTF-8, LF-only copy DuckDB reads (lines listed in ``info.gbk_lines`` decoded as
    GB18030); returns ``target``."""
    gbk = set(info.gbk_lines)
    with open(target, "w", encoding="utf-8", newline="") as dst:
        if info.encoding in ("utf-16", "gb18030", "utf-8"):
            codec = info.codec or ("utf-8-sig" if info.encoding == "utf-8" else info.encoding)
            with open(path, encoding=codec, newline="") as src:
                carry = ""
                for chunk in iter(lambda: src.read(_CHUNK), ""):
                    chunk = carry + chunk
                    carry = "\r" if chunk.endswith("\r") else ""
                    dst.write(chunk[:len(chunk) - len(carry)].replace("\r\n", "\n"))
                dst.write(carry)
            return target
        with open(path, "rb") as src:  # mixed: line by line
            for number, line in enumerate(src, start=1):
                text = line.decode("gb18030" if number in gbk else "utf-8-sig" if number == 1 else "utf-8")
                dst.write(text.replace("\r\n", "\n"))
    return target


def max_line_size(path: Path) -> int:
    """DuckDB's max_line_size for this file: at least its default (2 MB), up to the file's size,
    so a cell of any size in a file that fits in memory is read, not refused."""
    return max(_DEFAULT_MAX_LINE, path.stat().st_size + 1)
