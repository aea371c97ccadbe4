"""Tender documents as published (.docx, .pdf) checked for the 八(二) credit clause, on real files."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.audit import run_audit
from pipelines.document_cache import load_documents
from pipelines.documents import Budget, Unreadable, read_document
from tests.conftest import AuditRun, write_export
from tests.document_files import docx_file, pdf_file, scanned_pdf

RULE, PERSONS = "credit-clause", "credit-clause-persons"
DEBTOR = "投标人不得被列入失信被执行人名单。"
BRIBERY = "投标单位、企业法人代表人及授权委托人不得存在行贿犯罪记录行为，严禁参与项目投标。"
FULL = DEBTOR + BRIBERY
PROJECTS = "project_id,department\nP1,市住建局\n"


def _audit(folder: Path, documents: list[str], *, cache: Path | None = None, only=(RULE, PERSONS)) -> AuditRun:
    rows = "".join(f"{Path(name).stem},P1,招标文件,,{name}\n" for name in documents)
    files = {"projects.csv": PROJECTS, "notices.csv": "notice_id,project_id,notice_type,content,content_file\n" + rows}
    write_export(folder, files)
    con, audit = run_audit(folder, only=list(only), as_of=dt.date(2026, 11, 27), document_cache=cache)
    return AuditRun(con, audit)


@pytest.fixture
def export(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    return folder


def _wrapped(sentence: str, width: int) -> list[str]:
    """A sentence as a typesetter breaks it: full lines of ``width`` characters, the rest after."""
    return [sentence[i:i + width] for i in range(0, len(sentence), width)]


# --- Word ----------------------------------------------------------------------------------------

def test_clause_in_a_docx_table_is_compliant_and_a_half_clause_is_quoted_with_its_cell(export):
    docx_file(export / "D1.docx", ["第三章 投标人须知"], table=[["资格要求", "内容"], ["信用", FULL]])
    docx_file(export / "D2.docx", ["第三章 投标人须知"], table=[["资格要求", "内容"], ["信用", DEBTOR]])
    run = _audit(export, ["D1.docx", "D2.docx"])
    assert run.outcomes(RULE) == {"D1": "compliant", "D2": "violated"}
    [v] = run.violations(RULE)
    assert v["evidence"]["missing"] == ["bribery_record"]
    assert v["evidence"]["sentences"] == ["表1第2行第2列：投标人不得被列入失信被执行人名单"]


def test_clause_in_docx_running_text_and_missing_in_docx(export):
    docx_file(export / "D1.docx", ["一、招标条件", "二、投标人资格要求", FULL, "三、其他"])
    docx_file(export / "D2.docx", ["一、招标条件", "二、投标人资格要求", BRIBERY])
    run = _audit(export, ["D1.docx", "D2.docx"])
    assert run.outcomes(RULE) == {"D1": "compliant", "D2": "violated"}
    [v] = run.violations(RULE)
    assert v["evidence"]["missing"] == ["dishonest_debtor"]
    assert v["evidence"]["sentences"] == ["第3段：投标单位、企业法人代表人及授权委托人不得存在行贿犯罪记录行为,严禁参与项目投标"]
    assert run.outcomes(PERSONS) == {"D1": "compliant", "D2": "compliant"}


def test_docx_header_and_text_box_are_read_once_each(tmp_path):
    path = docx_file(tmp_path / "d.docx", ["正文"], header="鹤岗市招标文件", textbox="失信被执行人不得投标")
    parts, pages = read_document(path)
    assert parts == [("第1段", "正文"), ("文本框1", "失信被执行人不得投标"), ("第1节页眉", "鹤岗市招标文件")]
    assert pages == 0


def test_merged_docx_cells_are_read_once(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = DEBTOR
    document.save(str(tmp_path / "m.docx"))
    parts, _ = read_document(tmp_path / "m.docx")
    assert parts == [("表1第1行第1列", DEBTOR)]


# --- PDF -----------------------------------------------------------------------------------------

def test_clause_in_a_pdf_text_layer_and_missing_in_a_pdf(export):
    pdf_file(export / "P1.pdf", [["第一章 招标公告"], ["第二章 资格要求", DEBTOR, BRIBERY]])
    pdf_file(export / "P2.pdf", [["第一章 招标公告"], ["第二章 资格要求", DEBTOR]])
    run = _audit(export, ["P1.pdf", "P2.pdf"])
    assert run.outcomes(RULE) == {"P1": "compliant", "P2": "violated"}
    [v] = run.violations(RULE)
    assert v["evidence"]["missing"] == ["bribery_record"]
    assert v["evidence"]["sentences"] == ["第2页：投标人不得被列入失信被执行人名单"]


def test_clause_split_across_pdf_line_breaks_is_one_sentence(export):
    body = "第二章 资格要求：" + FULL
    lines = _wrapped(body, 21)  # breaks inside 失信被执|行人 and 授权委|托人
    assert any(line.endswith("失信被执") for line in lines) and any(line.endswith("授权委") for line in lines)
    pdf_file(export / "P1.pdf", [["第一章 招标公告", "本章说明", *lines, "1.下一条"]], size=20)  # lines as wide as a page
    run = _audit(export, ["P1.pdf"])
    assert run.outcomes(RULE) == {"P1": "compliant"}
    assert run.outcomes(PERSONS) == {"P1": "compliant"}  # 授权委托人 is whole in the bribery sentence
    text = run.con.execute("SELECT text FROM notice_text").fetchone()[0]
    assert text.split("\n") == ["第一章招标公告", "本章说明", "第二章资格要求:" + FULL.replace("，", ","), "1.下一条"]


def test_short_pdf_lines_and_new_items_keep_their_breaks(export):
    lines = ["1.投标单位、授权委托人不得有行贿犯罪记录", "2.法定代表人须持身份证到场"]
    pdf_file(export / "P1.pdf", [["一、说明" + "甲" * 30, *lines]], size=14)
    run = _audit(export, ["P1.pdf"], only=[PERSONS])
    [v] = run.violations(PERSONS)
    assert v["evidence"]["missing"] == ["legal_representative"]
    assert v["evidence"]["sentences"] == ["第1页：1.投标单位、授权委托人不得有行贿犯罪记录"]


# --- what cannot be read ----------------------------------------------------------------------

def test_scanned_encrypted_corrupt_and_legacy_files_are_not_evaluable_with_their_reason(export):
    scanned_pdf(export / "S.pdf")
    pdf_file(export / "E.pdf", [[FULL]], password="secret")
    (export / "C.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (export / "L.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    (export / "O.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)  # an encrypted docx
    run = _audit(export, ["S.pdf", "E.pdf", "C.docx", "L.doc", "O.docx"])
    assert set(run.outcomes(RULE).values()) == {"not_evaluable"} and len(run.outcomes(RULE)) == 5
    assert run.violations() == []
    reasons = {r: str(why) for r, why in run.reasons(RULE).items()}
    assert reasons["S"] == "扫描件，无文字层" and "加密" in reasons["E"] and "损坏" in reasons["C"]
    assert ".doc" in reasons["L"] and "加密" in reasons["O"]
    data = dict(run.con.execute(
        "SELECT json_extract_string(reason, '$.file'), reason FROM notice_text WHERE reason IS NOT NULL").fetchall())
    data = {file: json.loads(reason) for file, reason in data.items()}
    assert data["S.pdf"] == {"code": "file_unreadable", "text": "扫描件，无文字层", "cause": "scanned", "pages": 2,
                             "file": "S.pdf"}
    assert [data[f]["cause"] for f in ("E.pdf", "C.docx", "O.docx")] == ["encrypted", "corrupt", "encrypted"]
    assert data["L.doc"] == {"code": "file_unsupported", "text": reasons["L"], "format": ".doc", "file": "L.doc"}


def test_zip_bomb_docx_is_refused_from_its_directory_before_inflating(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (8 * 2**20))  # 8 MB of zeros, a few KB packed
    assert path.stat().st_size < 64 * 2**10
    with pytest.raises(Unreadable) as caught:
        read_document(path, Budget(max_unzipped=4 * 2**20))
    assert caught.value.params["cause"] == "zip_bomb" and "压缩炸弹" in caught.value.text


def test_pdf_over_the_page_or_size_budget_is_refused(tmp_path):
    path = pdf_file(tmp_path / "long.pdf", [["第一页"], ["第二页"], ["第三页"]])
    with pytest.raises(Unreadable) as pages:
        read_document(path, Budget(max_pages=2))
    with pytest.raises(Unreadable) as size:
        read_document(path, Budget(max_bytes=100))
    assert (pages.value.params["cause"], pages.value.params["pages"]) == ("too_many_pages", 3)
    assert size.value.params["cause"] == "too_large"


def test_a_document_outside_the_export_is_refused_unread(export, tmp_path):
    pdf_file(tmp_path / "outside.pdf", [[FULL]])
    run = _audit(export, ["../outside.pdf"])
    assert run.reasons(RULE) == {"outside": "正文文件路径超出导出文件夹，未读取"}


# --- the cache -----------------------------------------------------------------------------------

def test_second_run_takes_every_document_from_the_cache_without_reading_it(export, tmp_path):
    cache = tmp_path / "cache"
    docx_file(export / "D1.docx", [FULL])
    pdf_file(export / "P1.pdf", [[DEBTOR]])
    first = _audit(export, ["D1.docx", "P1.pdf"], cache=cache)
    assert first.outcomes(RULE) == {"D1": "compliant", "P1": "violated"}
    assert first.con.execute("SELECT list(from_cache) FROM document_text").fetchone()[0] == [False, False]
    files = sorted(cache.rglob("*.parquet"))
    assert len(files) == 2
    # Proof that the second run does not open P1.pdf: its cached text is replaced by a full clause.
    [pdf_cache] = [f for f in files if f.name.endswith(".pdf.parquet")]
    table = pq.read_table(pdf_cache).to_pylist()[0]
    pq.write_table(pq.read_table(pdf_cache).from_pylist([{**table, "text": FULL}], schema=pq.read_schema(pdf_cache)),
                   pdf_cache)
    second = _audit(export, ["D1.docx", "P1.pdf"], cache=cache)
    assert second.con.execute("SELECT list(from_cache) FROM document_text").fetchone()[0] == [True, True]
    assert second.outcomes(RULE) == {"D1": "compliant", "P1": "compliant"}


def test_a_changed_document_is_read_again(tmp_path):
    path, cache, con = tmp_path / "d.docx", tmp_path / "cache", duckdb.connect()
    docx_file(path, [DEBTOR])
    assert load_documents(con, {"d.docx": path}, cache) == {"documents": 1, "read": 1, "from_cache": 0}
    assert load_documents(con, {"d.docx": path}, cache) == {"documents": 1, "read": 0, "from_cache": 1}
    docx_file(path, [FULL])
    assert load_documents(con, {"d.docx": path}, cache) == {"documents": 1, "read": 1, "from_cache": 0}
    assert con.execute("SELECT text FROM document_text").fetchone()[0] == FULL.replace("，", ",")


def test_the_rule_says_which_formats_are_read_and_the_budgets_that_refuse_a_file():
    from pipelines.rules import load_pack

    rule = next(r for r in load_pack().rules if r.spec.id == RULE)
    text, budget = rule.spec.description, Budget()
    for said in (".docx", ".pdf", "扫描件", ".doc", ".wps", "压缩炸弹", "已加密"):
        assert said in text, said
    assert f"{budget.max_bytes // 2**20} MB" in text and f"{budget.max_pages} 页" in text


def test_a_document_that_cannot_be_opened_is_not_evaluable_and_the_audit_goes_on(tmp_path, monkeypatch):
    import pipelines.document_cache as cache

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    docx_file(tmp_path / "locked.docx", [FULL])
    docx_file(tmp_path / "open.docx", [FULL])
    real = cache._sha256
    monkeypatch.setattr(cache, "_sha256", lambda path: denied(path) if path.name == "locked.docx" else real(path))
    con = duckdb.connect()
    load_documents(con, {"locked.docx": tmp_path / "locked.docx", "open.docx": tmp_path / "open.docx"})
    rows = dict(con.execute("SELECT file, reason FROM document_text").fetchall())
    assert json.loads(rows["locked.docx"]) == {"code": "file_unreadable", "text": "正文文件无法读取", "cause": "io_error",
                                               "error": "PermissionError", "file": "locked.docx"}
    assert rows["open.docx"] is None
