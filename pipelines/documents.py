"""The text of a tender document as published (``.docx``, ``.pdf``), for the 八(二) credit clause.

鹤发改公管〔2022〕216号 八(二) requires the credit condition in 招标公告 *and* 招标文件; platforms
publish tender documents as Word or PDF files of 50–300 pages, the qualification requirements
often in a table. This module turns one file into *parts* — ``(place, text)`` pairs, a place
being where a person finds the text again: ``第12页`` (PDF), ``第35段``, ``表2第3行第2列``,
``第1节页眉``, ``文本框1`` (Word) — or says honestly why it cannot (:class:`Unreadable`, whose
:meth:`~Unreadable.reason` is the structured not-evaluable reason). It never passes a file it
could not read, and a hostile file costs at most the :class:`Budget`.

Word (python-docx over lxml, entities never resolved): body paragraphs and tables in document
order (merged cells once, nested tables inside their cell), content controls, text boxes (the
DrawingML copy, not its VML fallback), and every section's headers and footers. The zip
directory is checked before anything is inflated: more members, or more declared uncompressed
bytes, than the budget allows is refused as a zip bomb (``zipfile`` itself refuses a member
that inflates past its declared size). An encrypted ``.docx`` is an OLE container, not a zip,
and is named as such. Legacy ``.doc``/``.wps`` are not read (no maintained pure reader).

PDF — pypdfium2 (PDFium, Chrome's PDF engine; Apache-2.0/BSD-3; binary wheels). Measured on
2026-12-03 on this 2-core machine, one 100-page CJK document, warm, text of every page:

=================  ==========================  ===============================  ==========
library            fpdf2 file (embedded        reportlab file (STSong-Light,    licence
                   Noto Sans CJK, CFF)         non-embedded CID font)
=================  ==========================  ===============================  ==========
pypdfium2 5.15     0.06–0.10 s, text correct   3.9 s, text correct              Apache/BSD
pypdf 7.1          0.43–0.72 s, NUL-garbled    1.2 s, text correct              BSD-3
pdfminer.six 2026  0.25–0.50 s, *no text*      6.8 s, text correct              MIT
=================  ==========================  ===============================  ==========

pypdfium2 is 7–12× faster on embedded fonts (the common case: Word/WPS exports embed subsets),
the only one of the three that read both files, and reports encryption as its own error code
(``benchmarks/documents.py --compare-libraries`` repeats the fpdf2 column: 0.11 s, 1.29 s, 0.54 s).
Its cost on non-embedded CID fonts (≈ 30 ms a page, glyph substitution) is paid once per file:
the text is cached by sha256 (:mod:`pipelines.document_cache`). PDFium is C++, so files are read
in worker processes: a crash costs that file, not the audit.

Line breaks in a PDF are layout, not sentences: a line running to the right margin continues on
the next (``失信被执`` / ``行人`` is one word) unless the next line is indented or starts an item
(``1.``, ``（二）``, ``三、``, ``第四条``); other line ends stay sentence boundaries. A PDF with no
text on any page is a scan (``扫描件，无文字层``; OCR is out of scope); one whose text layer is
mostly private-use or replacement characters has fonts without a Unicode map and is refused too.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

FORMATS = (".docx", ".pdf")
LEGACY = {".doc": "旧版 Word 文件（.doc）", ".wps": "WPS 文字文件（.wps）"}
SUFFIXES = (*FORMATS, *LEGACY)  # every suffix this module answers for
_MB = 2**20


@dataclass(frozen=True)
class Budget:
    """What one file may cost before it is refused (not evaluable, never read further)."""

    max_bytes: int = 200 * _MB  # the file on disk, either format
    max_pages: int = 3000  # PDF pages
    max_unzipped: int = 512 * _MB  # .docx: all members, as the zip directory declares them
    max_members: int = 5000  # .docx: zip members
    max_chars: int = 20_000_000  # text extracted from one file

    def key(self) -> str:
        return f"{self.max_bytes}-{self.max_pages}-{self.max_unzipped}-{self.max_members}-{self.max_chars}"


class Unreadable(Exception):
    """A document that cannot be judged; ``code`` is ``file_unreadable`` or ``file_unsupported``."""

    def __init__(self, code: str, text: str, **params):
        super().__init__(text)
        self.code, self.text, self.params = code, text, params

    def reason(self, file: str | None = None) -> dict:
        """The not-evaluable reason as data: ``{"code", "text", "file", ...params}``."""
        return {"code": self.code, "text": self.text, **({"file": file} if file else {}), **self.params}


def read_document(path: Path, budget: Budget = Budget()) -> tuple[list[tuple[str, str]], int]:
    """``(parts, pages)`` of a ``.docx`` or ``.pdf`` (pages: PDF page count, else 0); raises
    :class:`Unreadable`."""
    refused = precheck(path, budget)
    if refused:
        raise refused
    docx = path.suffix.lower() == ".docx"
    parts, pages = (_docx_parts(path, budget), 0) if docx else _pdf_parts(path, budget)
    if sum(len(text) for _, text in parts) > budget.max_chars:
        raise Unreadable("file_unreadable", f"文字超过 {budget.max_chars} 字的上限，未读取",
                         cause="too_much_text", limit=budget.max_chars)
    return parts, pages


def precheck(path: Path, budget: Budget = Budget()) -> Unreadable | None:
    """What is refused before a byte is read: a format not read, a file over the size budget."""
    suffix = path.suffix.lower()
    if suffix in LEGACY:
        return Unreadable("file_unsupported", f"{LEGACY[suffix]}无法读取，请提供 .docx 或 .pdf 版本", format=suffix)
    if suffix not in FORMATS:
        return Unreadable("file_unsupported", f"正文文件格式 {suffix or '（无扩展名）'} 不支持", format=suffix)
    size = path.stat().st_size
    if size <= budget.max_bytes:
        return None
    return Unreadable("file_unreadable", f"文件大小 {size / _MB:.0f} MB 超过上限 {budget.max_bytes / _MB:.0f} MB，未读取",
                      cause="too_large", bytes=size, limit=budget.max_bytes)


def _corrupt(what: str, error: BaseException | None = None) -> Unreadable:
    detail = {"error": type(error).__name__} if error else {}
    return Unreadable("file_unreadable", f"文件已损坏或不是有效的 {what}，无法读取", cause="corrupt", **detail)


# --- Word ----------------------------------------------------------------------------------------

_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
       "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
_W = "{%s}" % _NS["w"]
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: an encrypted .docx or a renamed .doc


def _check_zip(path: Path, budget: Budget) -> None:
    """Refuse before inflating: not a zip, too many members, too many declared bytes."""
    with path.open("rb") as fh:
        if fh.read(8) == _OLE:
            raise Unreadable("file_unreadable", "文件已加密（或为改名的旧版 .doc），无法读取", cause="encrypted")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _corrupt(".docx（无法解压）") from None
    declared = sum(i.file_size for i in infos)
    if len(infos) > budget.max_members or declared > budget.max_unzipped:
        raise Unreadable("file_unreadable",
                         f"解压后 {declared / _MB:.0f} MB、{len(infos)} 个成员，超过上限 {budget.max_unzipped / _MB:.0f} MB、"
                         f"{budget.max_members} 个，疑为压缩炸弹，未读取",
                         cause="zip_bomb", unzipped_bytes=declared, members=len(infos), limit=budget.max_unzipped)


def _docx_parts(path: Path, budget: Budget) -> list[tuple[str, str]]:
    import docx
    from docx.opc.exceptions import OpcError
    from lxml import etree

    _check_zip(path, budget)
    try:
        document = docx.Document(str(path))
        parts = _body_parts(document.element.body)
        for number, section in enumerate(document.sections, 1):
            for attr, label in (("header", "页眉"), ("first_page_header", "首页页眉"), ("even_page_header", "偶数页页眉"),
                                ("footer", "页脚"), ("first_page_footer", "首页页脚"), ("even_page_footer", "偶数页页脚")):
                part = getattr(section, attr)
                if not part.is_linked_to_previous:
                    parts += [(f"第{number}节{label}", text) for _, text in _body_parts(part._element)]
    except (zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError, EOFError, OpcError) as exc:
        raise _corrupt(".docx", exc) from None
    return parts


_TEXT = None  # compiled on first use (lxml imported lazily)
_BOXES = None


def _xpaths():
    global _TEXT, _BOXES
    if _TEXT is None:
        from lxml import etree

        own = "[count(ancestor::w:p) = $depth]"  # not in a text box's paragraph inside this one
        _TEXT = etree.XPath(f".//w:t{own} | .//w:br{own} | .//w:cr{own}", namespaces=_NS)
        _BOXES = etree.XPath(".//w:txbxContent[not(ancestor::mc:Fallback)]", namespaces=_NS)
    return _TEXT, _BOXES


def _paragraph(p) -> str:
    """A paragraph's text; a manual line break stays a line break; text boxes are read apart."""
    text, _ = _xpaths()
    depth = sum(1 for _ in p.iterancestors(_W + "p")) + 1
    return "".join(node.text or "" if node.tag == _W + "t" else "\n" for node in text(p, depth=depth))


def _children(container):
    """Paragraphs and tables of a body or cell, in order, content controls opened."""
    for child in container.iterchildren():
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag == _W + "sdt":
            for content in child.iterchildren(_W + "sdtContent"):
                yield from _children(content)


def _blocks(container, label: str = "") -> list[tuple[str, str]]:
    """One part per paragraph with text (numbered as a reader counts them) and per table cell."""
    parts: list[tuple[str, str]] = []
    paragraphs = tables = 0
    for child in _children(container):
        if child.tag == _W + "p":
            text = _paragraph(child)
            if text.strip():
                paragraphs += 1
                parts.append((f"{label}第{paragraphs}段", text))
        else:
            tables += 1
            parts += _table(child, f"{label}表{tables}")
    return parts


def _table(tbl, label: str) -> list[tuple[str, str]]:
    """One part per cell (its paragraphs as lines; a merged cell once), nested tables after it."""
    parts = []
    for r, row in enumerate(tbl.iterchildren(_W + "tr"), 1):
        for c, cell in enumerate(row.iterchildren(_W + "tc"), 1):
            here, lines, nested, count = f"{label}第{r}行第{c}列", [], [], 0
            for child in _children(cell):
                if child.tag == _W + "p":
                    lines.append(_paragraph(child))
                else:
                    count += 1
                    nested += _table(child, f"{here}内表{count}")
            parts += [(here, "\n".join(lines)), *nested]
    return parts


def _body_parts(body) -> list[tuple[str, str]]:
    _, boxes = _xpaths()
    parts = _blocks(body)
    for number, box in enumerate(boxes(body), 1):
        parts += [(f"文本框{number}", "\n".join(text for _, text in _blocks(box)))]
    return parts


# --- PDF -----------------------------------------------------------------------------------------

#: a line that starts a new item: 1. 1、 (1) （一） 一、 第三条 ① ■ ● ※
_ITEM = re.compile(r"\s*(?:\d+(?:\.\d+)*[.、．)）]|[(（][\d一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、"
                   r"|第[\d一二三四五六七八九十百]+[章节条款]|[\u2460-\u2473\u25a0-\u25ff\u2605\u203b])")
_CONTROL = re.compile("[\ue000-\uf8ff\ufffd\x00-\x08\x0e-\x1f]")


def _pdf_parts(path: Path, budget: Budget) -> tuple[list[tuple[str, str]], int]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if exc.err_code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            raise Unreadable("file_unreadable", "文件已加密，无法读取", cause="encrypted") from None
        raise _corrupt(".pdf") from None
    try:
        pages = len(pdf)
        if not pages:
            raise _corrupt(".pdf（没有页面）")
        if pages > budget.max_pages:
            raise Unreadable("file_unreadable", f"PDF 共 {pages} 页，超过上限 {budget.max_pages} 页，未读取",
                             cause="too_many_pages", pages=pages, limit=budget.max_pages)
        parts, chars = [], 0
        for number in range(pages):
            page = pdf[number]
            try:
                textpage = page.get_textpage()
                text = _page_text(textpage, page.get_width())
                textpage.close()
            finally:
                page.close()
            chars += len(text)
            if chars > budget.max_chars:
                raise Unreadable("file_unreadable", f"文字超过 {budget.max_chars} 字的上限，未读取",
                                 cause="too_much_text", limit=budget.max_chars)
            parts.append((f"第{number + 1}页", text))
    except pdfium.PdfiumError:
        raise _corrupt(".pdf") from None
    finally:
        pdf.close()
    _text_layer_usable([t for _, t in parts], pages)
    return parts, pages


def _text_layer_usable(texts: list[str], pages: int) -> None:
    visible = "".join("".join(t.split()) for t in texts)
    if not visible:
        raise Unreadable("file_unreadable", "扫描件，无文字层", cause="scanned", pages=pages)
    if len(_CONTROL.findall(visible)) > len(visible) / 2:
        raise Unreadable("file_unreadable", "文字层无法解码为文字（字体缺少 Unicode 映射），无法读取", cause="no_unicode")


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _page_text(textpage, page_width: float) -> str:
    """The page's text, soft-wrapped lines joined (see the module docstring)."""
    text = textpage.get_text_range()
    lines, geometry, index, pos = [], [], 0, 0  # index: PDFium's, in UTF-16 code units; pos: Python's
    for match in re.finditer(r"\r\n|\r|\n|$", text):
        line = text[pos:match.start()]
        stripped = line.strip()
        if stripped:
            lead = _units(line[: len(line) - len(line.lstrip())])
            left, bottom, _, top = textpage.get_charbox(index + lead)
            right = textpage.get_charbox(index + lead + _units(stripped) - 1)[2]
            geometry.append((left, right, max(top - bottom, 1.0)))
            lines.append(stripped)
        index += _units(text[pos:match.end()])
        pos = match.end()
        if not match.group():
            break
    if not lines:
        return ""
    margin_left = min(g[0] for g in geometry)
    margin_right = max(g[1] for g in geometry)
    wide = margin_right - margin_left >= 0.4 * page_width
    out = [lines[0]]
    for (prev, (_, right, size)), (line, (left, _, _)) in zip(zip(lines, geometry), zip(lines[1:], geometry[1:])):
        soft = (wide and right >= margin_right - 1.5 * size and left <= margin_left + 1.5 * size
                and not _ITEM.match(line))
        out.append(line if soft else "\n" + line)
    return "".join(out)
