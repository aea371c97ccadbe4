"""What a CI system reads: JUnit XML and annotations (GitHub workflow commands, GitLab Code Quality).

Takes the records (``pipelines.ci.CiCase`` and ``CiNote``, read by attribute) built by ``pipelines.ci`` from an audit or a
validation, so the same writers serve ``ggzy audit`` (a test case per rule) and
``ggzy validate`` (a test case per contract check and per gate check).

JUnit follows the schema CI systems commonly accept (the Ant/JUnitReport layout: ``testsuites``
→ ``testsuite`` with name, timestamp, hostname, tests, failures, errors, skipped, time, then
``properties``, ``testcase``…, ``system-out``, ``system-err``; a failing case carries one
``failure`` with message and type). Text is cleaned of characters XML 1.0 cannot hold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_GH_ESCAPES = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_GH_PROPERTY_ESCAPES = {**_GH_ESCAPES, ":": "%3A", ",": "%2C"}
GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
ANNOTATION_LIMIT = 50  # per level; GitHub shows only the first few anyway, the rest go in one line


def _clean(text) -> str:
    return _XML_ILLEGAL.sub("\ufffd", str(text))


def junit_xml(cases: list, run_name: str, properties: dict[str, str], seconds: float = 0.0) -> bytes:
    """The JUnit document: one testsuite per ``CiCase.suite``, in first-seen order."""
    root = ET.Element("testsuites", name=_clean(run_name))
    now = dt.datetime.now().replace(microsecond=0).isoformat()
    host = socket.gethostname() or "localhost"
    suites: dict[str, list] = {}
    for case in cases:
        suites.setdefault(case.suite, []).append(case)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for i, (suite_name, members) in enumerate(suites.items()):
        counts = {"tests": len(members), "failures": sum(c.status == "failure" for c in members),
                  "errors": 0, "skipped": sum(c.status == "skipped" for c in members)}
        for k, v in counts.items():
            totals[k] += v
        suite = ET.SubElement(root, "testsuite", name=_clean(suite_name), package="ggzy", id=str(i),
                              timestamp=now, hostname=host, time=f"{seconds if i == 0 else 0:.3f}",
                              **{k: str(v) for k, v in counts.items()})
        props = ET.SubElement(suite, "properties")
        for name, value in properties.items():
            ET.SubElement(props, "property", name=_clean(name), value=_clean(value))
        for case in members:
            tc = ET.SubElement(suite, "testcase", name=_clean(case.name), classname=_clean(case.classname), time="0")
            if case.status == "failure":
                failure = ET.SubElement(tc, "failure", message=_clean(case.message), type=case.severity)
                failure.text = _clean("\n".join(case.details))
            elif case.status == "skipped":
                ET.SubElement(tc, "skipped", message=_clean(case.message))
        ET.SubElement(suite, "system-out")
        ET.SubElement(suite, "system-err")
    root.attrib.update({k: str(v) for k, v in totals.items()})
    root.set("time", f"{seconds:.3f}")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_junit(path: Path, cases: list, run_name: str, properties: dict[str, str],
                seconds: float = 0.0) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(junit_xml(cases, run_name, properties, seconds))
    return path


def _escape(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(ch, ch) for ch in str(text))


def github_commands(notes: list, limit: int = ANNOTATION_LIMIT) -> list[str]:
    """GitHub Actions workflow commands (``::error file=…,line=…,title=…::message``)."""
    lines, shown = [], {}
    level_word = {"error": "error", "warning": "warning", "info": "notice"}
    for note in notes:
        shown[note.level] = shown.get(note.level, 0) + 1
        if shown[note.level] > limit:
            continue
        props = [f"{k}={_escape(v, _GH_PROPERTY_ESCAPES)}" for k, v in
                 (("file", note.file), ("line", note.line), ("title", note.title)) if v not in (None, "")]
        lines.append(f"::{level_word[note.level]} {','.join(props)}::{_escape(note.message, _GH_ESCAPES)}")
    for level, n in shown.items():
        if n > limit:
            lines.append(f"::{level_word[level]}::另有 {n - limit} 条{level}级问题未逐条标注，见输出文件 / "
                         f"{n - limit} more not annotated")
    return lines


def gitlab_code_quality(notes: list) -> list[dict]:
    """GitLab Code Quality report entries (a JSON array the merge-request widget reads)."""
    return [{"description": note.message, "check_name": note.title,
             "fingerprint": hashlib.sha256(f"{note.title}\0{note.key}\0{note.message}".encode()).hexdigest(),
             "severity": GITLAB_SEVERITY.get(note.level, "info"),
             "location": {"path": note.file or "", "lines": {"begin": note.line or 1}}}
            for note in notes]


def write_annotations(kind: str, notes: list, out_dir: Path | None, echo) -> Path | None:
    """GitHub: print the commands (``echo``); GitLab: write gl-code-quality-report.json into ``out_dir``."""
    if kind == "github":
        for line in github_commands(notes):
            echo(line)
        return None
    path = Path(out_dir or ".") / "gl-code-quality-report.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gitlab_code_quality(notes), ensure_ascii=False, indent=1), encoding="utf-8")
    return path
