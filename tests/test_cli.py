"""The ``ggzy`` command, run in-process: listing rules, the files an audit writes, exit codes
by ``--fail-on``, and quiet output when piped."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from pipelines import cli as cli_module
from helpers import run_cli
from pipelines.cli import main
from pipelines.rules import DEFAULT_RULES_DIR, load_pack

AS_OF = "2026-11-27"
# ended Mon 2026-03-02 -> due Mon 2026-03-16 (10 working days); published 03-31 is late
INSPECTIONS = ("抽查编号,实施部门,检查结束时间,抽查结果公开时间\n"
               "LATE,市住建局,2026-03-02,2026-03-31\n"
               "OK,市水务局,2026-03-02,2026-03-10\n"
               "BAD,市水务局,2026-02-30,2026-03-10\n")
# spinners rich draws (braille dots, lines), cursor movement and carriage returns
NOISE = re.compile("[\x1b\r\u2800-\u28ff]|⠋|⠙|⠹")


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")
    return folder


cli = run_cli  # (exit code, stdout, stderr) of ggzy ARGS run in-process


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def rules_with_severity(tmp_path: Path, severity: str) -> Path:
    """The shipped rules with inspection-disclosure at ``severity``."""
    folder = tmp_path / f"rules-{severity}"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    path = folder / "inspection-disclosure.yaml"
    text = path.read_text(encoding="utf-8")
    assert "severity: error\n" in text
    path.write_text(text.replace("severity: error\n", f"severity: {severity}\n"), encoding="utf-8")
    return folder


# --------------------------------------------------------------------------------- ggzy rules

def test_rules_lists_every_rule_id_of_the_shipped_pack(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    code, out, _ = cli(capsys, "rules")
    pack = load_pack()
    assert code == 0
    assert {"inspection-disclosure", "complaint-transfer"} <= set(pack.ids())
    for rule_id in pack.ids():
        assert re.search(rf"(?<![\w-]){re.escape(rule_id)}(?![\w-])", out), rule_id
    assert pack.version in out and f"{len(pack.rules)} 条规则" in out


def test_rules_piped_at_80_columns_shows_ids_in_full(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, _ = cli(capsys, "rules")
    assert code == 0
    for rule_id in load_pack().ids():
        assert rule_id in out, rule_id


def test_rules_from_another_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(DEFAULT_RULES_DIR / "inspection-disclosure.yaml", folder)
    code, out, _ = cli(capsys, "rules", "--rules", folder)
    assert code == 0 and "inspection-disclosure" in out and "complaint-transfer" not in out


# --------------------------------------------------------------------------------- ggzy audit: outputs

def test_audit_writes_violations_summary_report_and_data_quality(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS})
    out_dir = tmp_path / "reports" / "week-48"  # created, parents too
    code, out, _ = cli(capsys, "audit", export, "--out", out_dir, "--as-of", AS_OF, "--only", "inspection-disclosure")
    assert code == 1  # an error-severity violation
    assert {p.name for p in out_dir.iterdir()} >= {"data_quality.jsonl", "report.md", "summary.json",
                                                    "violations.jsonl"}

    [violation] = jsonl(out_dir / "violations.jsonl")
    assert {"rule_id", "severity", "table", "record_id", "project_id", "department", "basis", "message",
            "evidence"} <= set(violation)
    assert (violation["rule_id"], violation["record_id"], violation["department"], violation["severity"]) == (
        "inspection-disclosure", "LATE", "市住建局", "error")
    assert violation["table"] == "inspections" and "三(三)" in violation["basis"]
    assert violation["evidence"]["due_date"] == "2026-03-16"

    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] == AS_OF
    assert summary["rule_pack"]["version"] == load_pack().version
    sha = hashlib.sha256((export / "inspections.csv").read_bytes()).hexdigest()
    assert summary["export"]["files"]["inspections.csv"]["sha256"] == sha
    assert "complaints" in summary["export"]["missing_tables"]
    [rule] = summary["rules"]
    assert (rule["rule_id"], rule["checked"], rule["violated"], rule["compliant"], rule["not_evaluable"]) == (
        "inspection-disclosure", 3, 1, 1, 1)
    assert {w["text"]: w["count"] for w in rule["reasons"]} == {"检查结束时间无法识别": 1}
    assert summary["totals"]["violations"] == 1 and summary["totals"]["data_quality_findings"] == 1

    [finding] = jsonl(out_dir / "data_quality.jsonl")
    assert (finding["file"], finding["row"], finding["column"], finding["value"]) == (
        "inspections.csv", 3, "ended_at", "2026-02-30")

    report = (out_dir / "report.md").read_text(encoding="utf-8")
    assert "inspection-disclosure" in report and "LATE" in report

    assert "违规 1 条" in out and "抽查结果未在检查结束后10个工作日内公开" in out  # the rule's title, not its id


def test_audit_with_no_violations_writes_empty_violations_and_exits_0(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": "抽查编号,实施部门,检查结束时间,抽查结果公开时间\n"
                                                            "OK,市水务局,2026-03-02,2026-03-10\n"})
    code, _, _ = cli(capsys, "audit", export, "--out", tmp_path / "out", "--as-of", AS_OF)
    assert code == 0
    assert jsonl(tmp_path / "out" / "violations.jsonl") == []
    assert jsonl(tmp_path / "out" / "data_quality.jsonl") == []
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert {r["rule_id"] for r in summary["rules"]} == set(load_pack().ids()) - {
        r.id for r in load_pack().rules if not r.spec.enabled}


def test_audit_leaves_the_export_folder_unchanged(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS.encode("gb18030")})
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in export.iterdir()}
    cli(capsys, "audit", export, "--out", tmp_path / "out", "--as-of", AS_OF)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in export.iterdir()} == before


# --------------------------------------------------------------------------------- --fail-on

@pytest.mark.parametrize("severity, fail_on, expected", [
    ("warning", "error", 0),
    ("warning", "warning", 1),
    ("error", "error", 1),
    ("error", "warning", 1),
    ("info", "warning", 0),
])
def test_fail_on_sets_the_exit_code_by_violation_severity(capsys, tmp_path, severity, fail_on, expected):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS})
    rules_dir = rules_with_severity(tmp_path, severity)
    code, _, err = cli(capsys, "audit", export, "--out", tmp_path / "out", "--as-of", AS_OF, "--rules", rules_dir,
                       "--only", "inspection-disclosure", "--fail-on", fail_on)
    assert code == expected, err
    [violation] = jsonl(tmp_path / "out" / "violations.jsonl")
    assert violation["severity"] == severity  # written whatever the exit code


def test_fail_on_default_is_error(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS})
    rules_dir = rules_with_severity(tmp_path, "warning")
    code, _, _ = cli(capsys, "audit", export, "--out", tmp_path / "out", "--as-of", AS_OF, "--rules", rules_dir)
    assert code == 0


def test_fail_on_rejects_other_values(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS})
    code, _, err = cli(capsys, "audit", export, "--out", tmp_path / "out", "--fail-on", "critical")
    assert code == 2 and "--fail-on" in err


@pytest.mark.parametrize("value", ["lots", "0%", "120%", "10MB", "-1GB"])
def test_memory_rejects_unreadable_or_too_small_limits_with_exit_2(capsys, tmp_path, value):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS})
    code, _, err = cli(capsys, "audit", export, "--out", tmp_path / "out", f"--memory={value}")
    assert code == 2 and "--memory" in err and not (tmp_path / "out").exists()


def test_memory_limit_is_recorded_and_findings_are_unchanged(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS})
    code, _, _ = cli(capsys, "audit", export, "--out", tmp_path / "out", "--as-of", AS_OF, "--memory", "512MB")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert code == 1 and summary["options"]["memory"] == "512MB"
    assert [v["record_id"] for v in jsonl(tmp_path / "out" / "violations.jsonl")] == ["LATE"]


def test_memory_sets_duckdbs_limit_and_a_spill_folder_that_is_removed_at_exit():
    from pipelines import memory
    from pipelines.sql import connect

    con = connect()
    applied = memory.apply(con, "1GiB")
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    spill = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    assert applied["memory_limit_mib"] == 1024 and limit.replace(" ", "") in ("1.0GiB", "1024.0MiB")
    assert spill == applied["temp_directory"] and Path(spill).is_dir()
    half = memory.parse("50%")
    assert 0.45 * memory.total_ram() <= half <= 0.55 * memory.total_ram()


# --------------------------------------------------------------------------------- quiet when piped

def test_piped_audit_output_has_no_progress_noise(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS})
    code, out, err = cli(capsys, "audit", export, "--out", tmp_path / "out", "--as-of", AS_OF)
    assert code == 1
    assert not NOISE.search(out) and not NOISE.search(err), (out, err)
    assert "starting" not in err and "读取" not in err and "规则 " not in err  # no status lines at all
    assert err == ""
    assert "审计结果" in out  # the summary is still printed


def test_piped_validate_output_has_no_progress_noise(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS.encode("gbk")})
    code, out, err = cli(capsys, "validate", export)
    assert code == 1  # the impossible date is a contract error
    assert not NOISE.search(out + err)
    assert "inspections.csv: 3 行, csv/gb18030" in out and "日期无法识别" in out


def test_on_a_terminal_the_audit_shows_progress_so_the_noise_check_can_see_it(capsys, tmp_path, monkeypatch):
    """The same audit with stderr a terminal does draw a status line: the quiet output above
    is the piped behaviour, not a spinner that never runs."""
    screen = io.StringIO()
    monkeypatch.setattr(cli_module, "err", Console(file=screen, force_terminal=True, width=100))
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS})
    code, _, _ = cli(capsys, "audit", export, "--out", tmp_path / "out", "--as-of", AS_OF)
    assert code == 1
    assert NOISE.search(screen.getvalue())


def test_validate_of_a_clean_export_exits_0(capsys, tmp_path):
    export = write(tmp_path / "export", {"inspections.csv": "抽查编号,实施部门,检查结束时间\nC1,市住建局,2026-03-05\n"})
    code, out, _ = cli(capsys, "validate", export, "--as-of", "2026-03-10")  # fresh as of then (the gate)
    assert code == 0 and "数据契约校验通过" in out and "missing tables" in out


# ------------------------------------------------------- issue #9.7: data is text, never rich markup

def test_markup_and_emoji_codes_in_data_are_printed_as_they_are(capsys, tmp_path):
    name = "[bold red]x[blink]:thumbs_up:.csv"  # no slash: a file name
    export = write(tmp_path / "export", {"inspections.csv": INSPECTIONS, name: "a\n"})
    code, out, err = cli(capsys, "audit", export, "--out", tmp_path / "out", "--as-of", AS_OF,
                         "--only", "inspection-disclosure")
    assert code == 1
    assert name in err and "👍" not in out + err


def test_rule_titles_with_markup_are_listed_literally(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    path = folder / "inspection-disclosure.yaml"
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(title, 'title: "[link=http://x]点我[/link] :x: 未公开"'), encoding="utf-8")
    monkeypatch.setattr(cli_module.out, "_width", 400)  # the CLI's own console, wide enough for one line a title
    code, out, _ = cli(capsys, "rules", "--rules", folder)
    assert code == 0 and "[link=http://x]点我[/link] :x: 未公开" in out and "❌" not in out


# ------------------------------------------------------- issue #9.8: installs the way users install

def test_version_and_the_exit_codes_are_in_the_help(capsys):
    from importlib.metadata import version

    code, out, _ = cli(capsys, "--version")
    assert code == 0 and out.strip() == f"ggzy {version('ggzy')}"
    for command in ([], ["audit"], ["validate"]):
        code, out, _ = cli(capsys, *command, "--help")
        assert code == 0
        for exit_code in range(5):
            assert re.search(rf"^\s+{exit_code}\s+\S", out, re.M), (command, out)


def test_every_argument_has_help_text():
    parser = cli_module._parser()
    sub = next(a for a in parser._actions if a.choices and isinstance(a.choices, dict))
    for name, command in [("ggzy", parser), *sub.choices.items()]:
        for action in command._actions:
            if action.dest in ("help", "command"):
                continue
            assert action.help and action.help.strip(), (name, action.dest)


def test_the_shipped_pack_is_package_data_found_with_importlib_resources():
    import tomllib
    from fnmatch import fnmatch
    from importlib.resources import files

    assert Path(str(files("ggzy_rules"))).resolve() == DEFAULT_RULES_DIR.resolve()
    config = tomllib.loads((DEFAULT_RULES_DIR.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["ggzy_rules"] == "rules" and "ggzy_rules" in config["packages"]
    globs = config["package-data"]["ggzy_rules"]
    shipped = [p.relative_to(DEFAULT_RULES_DIR).as_posix() for p in DEFAULT_RULES_DIR.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".py"]
    assert {"pack.yaml", "clauses.yaml", "coverage.yaml", "local.yaml.example", "collusion/network.yaml"} <= set(shipped)
    missing = [f for f in shipped if not any(fnmatch(f, g) and f.count("/") == g.count("/") for g in globs)]
    assert missing == [], f"files of rules/ a wheel would not carry: {missing}"
