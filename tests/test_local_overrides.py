"""rules/local.yaml: a city's changes to a copied rule pack — disabled rules, changed parameters —
applied at load, validated like a rule file, fingerprinted and shown to auditors in summary.json."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.rules import DEFAULT_RULES_DIR, RuleError, load_pack
from pipelines.cli import write_outputs

RULE = "inspection-disclosure"
# ended Mon 2026-11-02; published Tue 11-10 = the 6th working day after (11-03..06, 11-09, 11-10)
INSPECTIONS = {"inspections.csv": "inspection_id,department,ended_at,published_at\nA,市住建局,2026-11-02,2026-11-10\n"}


def city_pack(tmp_path: Path, local: str | None) -> Path:
    """The shipped pack copied as a city would, with ``local`` as its local.yaml."""
    folder = tmp_path / "city-rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    if local is not None:
        (folder / "local.yaml").write_text(textwrap.dedent(local).lstrip("\n"), encoding="utf-8")
    return folder


def load_error(folder: Path) -> str:
    with pytest.raises(RuleError) as caught:
        load_pack(folder)
    return str(caught.value)


def test_shipped_pack_has_no_local_yaml_only_a_commented_example_that_changes_nothing(tmp_path):
    assert not (DEFAULT_RULES_DIR / "local.yaml").exists()
    example = (DEFAULT_RULES_DIR / "local.yaml.example").read_text(encoding="utf-8")
    assert "disable:" in example and "params:" in example  # documented
    shipped = load_pack()
    copied = load_pack(city_pack(tmp_path, example))
    assert [(r.id, r.spec.enabled) for r in copied.rules] == [(r.id, r.spec.enabled) for r in shipped.rules]
    assert copied.local_overrides["disabled"] == [] and copied.local_overrides["params"] == []
    assert shipped.local_overrides is None


def test_disabling_a_rule_removes_it_from_the_audit_and_the_summary(audit_export, tmp_path):
    rules_dir = city_pack(tmp_path, f"disable: [{RULE}]\n")
    run = audit_export(INSPECTIONS, rules_dir=rules_dir)
    ran = {r.rule_id for r in run.audit.results}
    assert RULE not in ran and "complaint-transfer" in ran
    summary = write_outputs(run.con, run.audit, tmp_path / "out", formats=("json",))
    assert RULE not in {r["rule_id"] for r in summary["rules"]}
    assert summary["rule_pack"]["local_overrides"]["disabled"] == [RULE]


def test_five_working_days_instead_of_ten_turns_a_timely_publication_into_a_violation(audit_export, tmp_path):
    shipped = audit_export(INSPECTIONS, only=[RULE])
    assert shipped.outcomes(RULE) == {"A": "compliant"}

    rules_dir = city_pack(tmp_path, f"""
        # 本地规定：5个工作日内公开
        params:
          {RULE}:
            within: {{working_days: 5}}
        """)
    run = audit_export(INSPECTIONS, only=[RULE], rules_dir=rules_dir)
    assert run.outcomes(RULE) == {"A": "violated"}
    [v] = run.violations(RULE)
    assert v["evidence"]["due_date"] == "2026-11-09"


def test_summary_fingerprint_version_and_overrides_show_what_local_yaml_changed(audit_export, tmp_path):
    shipped = load_pack()
    rules_dir = city_pack(tmp_path, f"params:\n  {RULE}:\n    within: {{working_days: 5}}\n    severity: warning\n")
    run = audit_export(INSPECTIONS, only=[RULE], rules_dir=rules_dir)
    summary = write_outputs(run.con, run.audit, tmp_path / "out", formats=("json",))
    pack = summary["rule_pack"]
    assert pack["digest"] != shipped.digest
    assert pack["version"].startswith(shipped.version + "+local.")
    assert pack["local_overrides"]["params"] == [
        {"rule_id": RULE, "field": "within", "was": {"working_days": 10}, "now": {"working_days": 5}},
        {"rule_id": RULE, "field": "severity", "was": "error", "now": "warning"}]
    assert pack["local_overrides"]["file"].endswith("local.yaml")
    # a different local.yaml is a different pack
    (rules_dir / "local.yaml").write_text(f"params:\n  {RULE}:\n    within: {{working_days: 6}}\n", encoding="utf-8")
    assert load_pack(rules_dir).digest != pack["digest"]


def test_a_mistyped_field_is_an_error_naming_local_yaml_its_line_and_the_field(tmp_path):
    folder = city_pack(tmp_path, f"""
        params:
          {RULE}:
            withn: {{working_days: 5}}
        """)
    message = load_error(folder)
    assert f"local.yaml 第3行 字段 field params.{RULE}.withn" in message and "未知字段" in message


def test_a_wrong_type_is_an_error_naming_local_yaml_its_line_and_the_nested_field(tmp_path):
    folder = city_pack(tmp_path, f"""
        disable: []
        params:
          {RULE}:
            within:
              working_days: 五
        """)
    message = load_error(folder)
    assert f"local.yaml 第5行 字段 field params.{RULE}.within.working_days" in message
    assert "取值无效" in message and f"{RULE}.yaml" not in message


def test_unknown_rule_ids_in_disable_and_params_are_errors_with_their_lines(tmp_path):
    folder = city_pack(tmp_path, """
        disable:
          - no-such-rule
        params:
          another-missing-rule: {severity: info}
        """)
    message = load_error(folder)
    assert "local.yaml 第2行 字段 field disable[0]: 未知规则 unknown rule id 'no-such-rule'" in message
    assert "local.yaml 第4行 字段 field params.another-missing-rule: 未知规则" in message


def test_id_and_check_cannot_be_overridden(tmp_path):
    folder = city_pack(tmp_path, f"params:\n  {RULE}:\n    check: text_clause\n")
    assert f"local.yaml 第3行 字段 field params.{RULE}.check: 不能在本地修改" in load_error(folder)


def test_an_override_that_breaks_another_field_names_the_rule_file_and_the_override(tmp_path):
    folder = city_pack(tmp_path, f"params:\n  {RULE}:\n    table: complaints\n")
    message = load_error(folder)
    assert f"{RULE}.yaml 第" in message and "字段 field from" in message and "ended_at" in message
    assert "local.yaml" in message  # says the overrides were applied


def test_a_misspelt_top_level_key_is_an_error(tmp_path):
    assert "local.yaml 第1行 字段 field disabled: 未知字段" in load_error(city_pack(tmp_path, f"disabled: [{RULE}]\n"))


def test_audit_with_a_broken_local_yaml_exits_2_naming_the_file(tmp_path, capsys):
    rules_dir = city_pack(tmp_path, f"params:\n  {RULE}:\n    within: {{working_days: -1}}\n")
    export = tmp_path / "export"
    export.mkdir()
    (export / "inspections.csv").write_text(INSPECTIONS["inspections.csv"], encoding="utf-8")
    code = main(["audit", str(export), "--out", str(tmp_path / "out"), "--rules", str(rules_dir), "--as-of", "2026-11-27"])
    err = capsys.readouterr().err
    assert code == 2 and "local.yaml" in err and "within.working_days" in err
    assert not (tmp_path / "out").exists()
