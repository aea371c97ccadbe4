"""Real tender documents for tests: Word files by python-docx, PDFs by fpdf2 with Noto Sans CJK.

The PDFs carry a genuine text layer (an embedded CFF subset with a ToUnicode map, as Word and
WPS exports do). Subsetting the 20 MB Noto collection takes seconds, so it is done once, to the
characters the tests draw (every CJK character in ``tests/*.py`` and ``benchmarks/documents.py``),
and kept in the temporary folder under a name that changes with those characters.
"""

from __future__ import annotations

import hashlib
import tempfile
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUNCTUATION = "，。、；：？！“”‘’（）《》【】—…·０１２３４５６７８９"


def _characters() -> str:
    sources = [*sorted((ROOT / "tests").glob("*.py")), ROOT / "benchmarks" / "documents.py"]
    text = "".join(p.read_text(encoding="utf-8") for p in sources if p.is_file())
    cjk = {c for c in text if ord(c) > 0x2000}
    return "".join(sorted(cjk | set(PUNCTUATION) | {chr(c) for c in range(0x20, 0x7F)}))


@lru_cache(maxsize=1)
def cjk_font() -> Path:
    """A subset of Noto Sans CJK SC with the characters tests and the benchmark draw."""
    import noto_cjk_sans_otc
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = _characters()
    digest = hashlib.sha256(chars.encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"ggzy-test-cjk-{digest}.otf"
    if not path.is_file():
        font = TTFont(str(noto_cjk_sans_otc.FONT_PATH), fontNumber=2)  # 2: Simplified Chinese
        options = subset.Options()
        options.layout_features, options.name_IDs, options.notdef_outline = [], ["*"], True
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        partial = path.with_suffix(".part")
        font.save(str(partial))
        partial.replace(path)
    return path


def pdf_file(path: Path, pages: list[list[str]], *, password: str | None = None, size: float = 10.5) -> Path:
    """A PDF with one line of text per item, each page's lines from the top; ``password``
    encrypts it (a user password is needed to open it)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("cjk", fname=str(cjk_font()))
    pdf.set_font("cjk", size=size)
    for lines in pages:
        pdf.add_page()
        for number, line in enumerate(lines):
            pdf.text(20, 25 + number * size * 0.6, line)
    if password:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    pdf.output(str(path))
    return path


def scanned_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF of page images only, as a scanner makes it: no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("L", (400, 560), 255)
    ImageDraw.Draw(image).rectangle((40, 60, 360, 90), fill=0)  # a dark bar where text would be
    pdf = FPDF(format="A4")
    for _ in range(pages):
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=190)
    pdf.output(str(path))
    return path


def docx_file(path: Path, paragraphs: list[str] = (), table: list[list[str]] | None = None,
              header: str | None = None, textbox: str | None = None, after: list[str] = ()) -> Path:
    """A Word file: paragraphs, then a table (rows of cells), then more paragraphs; optionally a
    header and a text box (DrawingML, with the VML fallback Word writes beside it)."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(r) for r in table))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    for text in after:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if textbox:
        _add_textbox(document, textbox)
    document.save(str(path))
    return path


def _add_textbox(document, text: str) -> None:
    from docx.oxml import parse_xml

    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:v="urn:schemas-microsoft-com:vml"')
    box = f'<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>'
    run = parse_xml(f'<w:r {ns}><mc:AlternateContent><mc:Choice Requires="wps"><wps:txbx>{box}</wps:txbx>'
                    f'</mc:Choice><mc:Fallback><v:textbox>{box}</v:textbox></mc:Fallback></mc:AlternateContent></w:r>')
    document.add_paragraph()._p.append(run)


# --- the two tender documents of the shipped sample export (examples/sample-export/notices/) ------

SAMPLE_CLAUSE = ("投标人不得被最高人民法院在信用中国(黑龙江鹤岗)网站或鹤岗市信用信息共享平台中列入失信被执行人名单。"
                 "投标单位、企业法定代表人及授权委托人不得存在行贿犯罪记录行为，严禁参与项目投标。")


def write_sample_documents(folder: Path) -> None:
    """N022.docx: the credit condition complete, in the qualification table (compliant);
    N023.pdf: only the 失信被执行人 part, wrapped over lines as a typesetter does (violated)."""
    docx_file(folder / "N022.docx",
              ["兴山区道路照明改造工程招标文件", "第一章 招标公告", "一、项目概况：兴山区主干道路灯及配电改造。",
               "二、投标人资格要求（见下表）"],
              table=[["序号", "要求", "内容"],
                     ["1", "资质要求", "具备城市及道路照明工程专业承包三级及以上资质。"],
                     ["2", "信用要求", SAMPLE_CLAUSE],
                     ["3", "项目经理", "具备机电工程专业二级及以上注册建造师执业资格。"]],
              after=["三、投标截止时间：2026年6月11日9时00分。"], header="兴山区道路照明改造工程 招标文件")
    rule = "投标人不得被最高人民法院在信用中国(黑龙江鹤岗)网站或鹤岗市信用信息共享平台中列入失信被执行人名单。"
    body = "二、投标人资格要求：具备水利水电工程施工总承包三级及以上资质，且具有有效的安全生产许可证。" + rule
    lines = [body[i:i + 34] for i in range(0, len(body), 34)]
    pdf_file(folder / "N023.pdf",
             [["东山区新华镇灌区渠道改造工程", "招标文件", "招标人：鹤岗市东山区水务局", "2026年4月"],
              ["第一章 招标公告", "一、项目概况：新华镇灌区干渠、支渠衬砌改造。", *lines,
               "三、投标截止时间：2026年5月12日9时00分。"]], size=12)
