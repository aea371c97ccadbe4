"""What an audit concludes, for people and for CI: one verdict and one exit code, decided once.

summary.json carries them (with ``ggzy_version`` and ``schema_version``), and the CLI exits with
the same code, so a pipeline that reads the file and one that reads the exit status agree.

=====  ====================  ==========================================================
code   verdict               when
=====  ====================  ==========================================================
0      ``pass``              nothing at or above ``--fail-on`` (``none``: never fails)
1      ``findings``          violations at or above ``--fail-on``
2      ``strict_failed``     ``--strict`` and a table a rule needs is missing, or contract errors
3      ``nothing_checked``   no rule judged a single record: not a clean result
=====  ====================  ==========================================================
(2 and 4 are also used for unusable input and internal errors, before any summary exists.)
"""

from __future__ import annotations

from .versions import SCHEMA_VERSIONS, ggzy_version

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
FAIL_ON = ("none", "info", "warning", "error")


def at_or_above(severity: str, fail_on: str) -> bool:
    return fail_on != "none" and SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK[fail_on]


def decide(audit, by_severity: dict[str, int], options: dict) -> dict:
    """The verdict fields of summary.json for this audit and these options."""
    fail_on = options.get("fail_on") or "error"
    strict_failed = options.get("strict") and (any(not r.evaluated for r in audit.results)
                                                or any(f.severity == "error" for f in audit.findings))
    if strict_failed:
        code, verdict = 2, "strict_failed"
    elif any(n and at_or_above(severity, fail_on) for severity, n in by_severity.items()):
        code, verdict = 1, "findings"
    elif audit.checked_nothing:
        code, verdict = 3, "nothing_checked"
    else:
        code, verdict = 0, "pass"
    return {"ggzy_version": ggzy_version(), "schema_version": SCHEMA_VERSIONS["summary"],
            "verdict": verdict, "exit_code": code}
