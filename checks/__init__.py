"""Check kinds: one module each, registered here and nowhere else.

A kind owns its whole story: everything about it is declared in its module (:class:`Kind`), and
the rest of ggzy reads the declarations — the rule loader validates a rule file with ``Spec``,
the engine runs the named ``PREPARES`` and the SQL of ``compile``, the rule catalogue reads the
parameters' labels from ``Spec``'s ``Field(description=…)``, and the reports show the evidence
as ``SHOWN`` says (handed to them as data by :func:`shown`, so ``reports`` never imports this
package). Adding a kind is adding a module here and its name to :data:`KINDS`.

Checks import only the foundation (``pipelines.schema``, ``pipelines.sql``,
``pipelines.sqlfuncs``) and each other; ``tests/test_layers.py`` holds them to it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Protocol, runtime_checkable

from .base import Context, RuleSpec, Shown

KINDS = ("deadline", "text_clause", "listed_party", "shared_attribute", "bid_prices",
         "min_interval", "ratio", "field_check", "coverage", "per_period")

#: preparations a kind may name in ``PREPARES`` -> the table each makes (the engine runs them,
#: once per export, before compiling: ``pipelines.notice_text``, ``pipelines.bidders``)
PREPARATIONS = {"notice_text": "notice_text", "bidders": "bidder_keys"}


@runtime_checkable
class Kind(Protocol):
    """What a check kind module declares.

    * ``Spec`` — its parameters (a :class:`RuleSpec` subclass; each parameter a pydantic
      ``Field(description=…)`` whose description is its Chinese label);
    * ``FIELDS`` — the names its message templates may use: name -> (result column, schema kind);
    * ``SHOWN`` — how its evidence is shown: a tuple of :class:`checks.base.Shown`;
    * ``PREPARES`` — names of :data:`PREPARATIONS` the engine runs before compiling it;
    * ``GROUPED`` — TRUE when it judges groups (lots, periods) rather than records;
    * ``compile(spec, ctx)`` — the SQL of its outcomes (``checks.base`` says which columns).
    """

    Spec: type[RuleSpec]
    FIELDS: dict[str, tuple[str, str]]
    SHOWN: tuple[Shown, ...]
    PREPARES: tuple[str, ...]
    GROUPED: bool

    def compile(self, spec: RuleSpec, ctx: Context) -> str: ...


def kind(name: str) -> Kind:
    """The module implementing check kind ``name``."""
    if name not in KINDS:
        raise KeyError(name)
    return import_module(f"checks.{name}")


def shown(names=KINDS) -> dict[str, list[dict]]:
    """check kind -> its evidence displays as plain data (``ReportData.kinds``)."""
    return {name: [s.as_dict() for s in kind(name).SHOWN] for name in names}
