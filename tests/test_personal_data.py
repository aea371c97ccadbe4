"""Personal data (鹤发改公管〔2022〕216号 四(二), DOMAIN.md "Personal data"): complainants' names,
phones and IDs appear in NO output — every file of every format, resolved.jsonl, due_soon.jsonl,
the ledger's tables, ``ggzy history`` — and resident IDs appear only masked; --show-personal-data
is an explicit, logged option (Chinese warning on stderr, user and time in summary.json)."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import json
import re
import zipfile
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from reports import outputs
from test_ledger import SAMPLE, week2_export

RESIDENT_ID = re.compile(r"\d{17}[\dX]")


def complainant_identity() -> list[str]:
    """Every complainant name, phone and ID in the sample export (which the week-2 export keeps)."""
    with open(SAMPLE / "complaints.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = [row[col] for row in rows for col in ("投诉人", "投诉人电话", "投诉人证件号") if row[col]]
    assert len(found) == 3 * len(rows) >= 24
    return found


def resident_ids() -> list[str]:
    """Every resident ID of legal representatives, agents and listed persons in the sample export."""
    bids = (SAMPLE / "bids.csv").read_text(encoding="utf-8")
    listed = (SAMPLE / "credit_list.csv").read_text(encoding="gb18030")
    found = sorted(set(RESIDENT_ID.findall(bids + listed)) - {""})
    assert "230402197803121236" in found and len(found) >= 4
    return found


def file_texts(folder: Path) -> dict[str, str]:
    """The text of every file under ``folder``; zip containers (xlsx, docx) member by member."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    texts[f"{path.relative_to(folder)}:{member}"] = archive.read(member).decode("utf-8", "ignore")
        else:
            texts[str(path.relative_to(folder))] = data.decode("utf-8", "ignore")
    return texts


def ledger_texts(path: Path) -> dict[str, str]:
    """Every value of every table of the ledger, as text."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {f"ledger:{t}": "\n".join(map(str, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
    finally:
        con.close()


def leaks(texts: dict[str, str], secrets: list[str]) -> dict[str, list[str]]:
    return {name: found for name, text in texts.items() if (found := [s for s in secrets if s in text])}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two weeks into one ledger with the shipped rule pack and every output format; week 2 a
    second time with --show-personal-data; then ``ggzy history``. Week 1's as-of (11-25) puts
    complaint TS2026-04 on the due-soon list; week 2 resolves complaint TS2026-05."""
    root = tmp_path_factory.mktemp("personal")
    export2 = week2_export(root / "export2")  # an input: holds the complainants, is not scanned
    base = root / "outputs"  # every output folder, and the ledger
    book = base / "ledger.duckdb"
    seen, printed, running = {}, {}, {}
    with pytest.MonkeyPatch.context() as patch:
        md = outputs.WRITERS["md"]  # writes into a staging folder: the run's name is kept apart
        patch.setitem(outputs.WRITERS, "md", lambda data, out: (seen.__setitem__(running["name"], data), md(data, out)))
        for name, export, as_of, extra in (("week1", SAMPLE, "2026-11-25", []),
                                           ("week2", export2, "2026-12-04", []),
                                           ("authorised", export2, "2026-12-04", ["--show-personal-data"])):
            running["name"] = name
            with pytest.MonkeyPatch.context() as streams:
                out, err = io.StringIO(), io.StringIO()
                streams.setattr("sys.stdout", out)
                streams.setattr("sys.stderr", err)
                main(["audit", str(export), "--out", str(base / name), "--as-of", as_of, "--ledger", str(book),
                      *extra])
                history_out = io.StringIO()
                streams.setattr("sys.stdout", history_out)
                assert main(["history", "--ledger", str(book)]) == 0
            printed[name] = out.getvalue() + err.getvalue() + history_out.getvalue()
            printed[name + ":stderr"] = err.getvalue()
    return {"base": base, "book": book, "data": seen, "printed": printed}


def test_the_fixture_outputs_hold_complaints_in_resolved_and_due_soon(runs):
    """So that the scans below look where complainant data could leak."""
    base = runs["base"]
    due = (base / "week1" / "due_soon.jsonl").read_text(encoding="utf-8")
    assert '"record_id":"TS2026-04"' in due
    resolved = (base / "week2" / "resolved.jsonl").read_text(encoding="utf-8")
    assert '"record_id":"TS2026-05"' in resolved
    assert {"violations.jsonl", "summary.json", "data_quality.jsonl", "report.md", "resolved.jsonl",
            "due_soon.jsonl"} <= {p.name for p in (base / "week2").iterdir()}


def test_no_output_file_ledger_row_or_printed_line_holds_a_complainants_identity(runs):
    secrets = complainant_identity()
    texts = {**file_texts(runs["base"]), **ledger_texts(runs["book"]), **runs["printed"]}
    assert any("TS2026-05" in t for t in texts.values())  # the scan reads what it should
    assert leaks(texts, secrets) == {}


def test_resident_ids_appear_only_masked_without_show_personal_data(runs):
    ids = resident_ids()
    base = runs["base"]
    texts = {**file_texts(base / "week1"), **file_texts(base / "week2"), **ledger_texts(runs["book"]),
             "printed": runs["printed"]["week1"] + runs["printed"]["week2"]}
    assert leaks(texts, ids) == {}
    masked = "2304**********1236"  # B004's legal representative, matched on the bribery list
    assert any(masked in t for t in texts.values())  # shown, masked


def test_show_personal_data_warns_in_chinese_and_is_recorded_with_user_and_time(runs):
    stderr = runs["printed"]["authorised:stderr"]
    assert "警告" in stderr and "--show-personal-data" in stderr and "授权" in stderr
    summary = json.loads((runs["base"] / "authorised" / "summary.json").read_text(encoding="utf-8"))
    assert summary["options"]["show_personal_data"] is True
    by = summary["options"]["show_personal_data_by"]
    assert by["user"] == getpass.getuser()
    at = dt.datetime.fromisoformat(by["at"])
    assert at.utcoffset() == dt.timedelta(hours=8)
    assert abs(dt.datetime.now(dt.timezone.utc) - at) < dt.timedelta(minutes=10)
    assert runs["data"]["authorised"].show_personal_data is True
    report = (runs["base"] / "authorised" / "report.md").read_text(encoding="utf-8")
    assert "经授权的内部运行" in report and by["user"] in report
    con = duckdb.connect(str(runs["book"]), read_only=True)
    [(options,)] = con.execute("SELECT options FROM runs WHERE as_of = DATE '2026-12-04'").fetchall()
    con.close()
    assert json.loads(options)["show_personal_data_by"]["user"] == by["user"]


def test_without_show_personal_data_nothing_is_logged_and_nothing_warned(runs):
    assert runs["printed"]["week2:stderr"] == ""
    summary = json.loads((runs["base"] / "week2" / "summary.json").read_text(encoding="utf-8"))
    assert summary["options"]["show_personal_data"] is False and "show_personal_data_by" not in summary["options"]
    assert runs["data"]["week2"].show_personal_data is False
    assert "经授权的内部运行" not in (runs["base"] / "week2" / "report.md").read_text(encoding="utf-8")
