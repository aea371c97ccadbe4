"""Check kinds: one module each, registered here and nowhere else.

A kind module defines ``Spec`` (a :class:`checks.base.RuleSpec` subclass holding the kind's
parameters, validated when a rule file is loaded), ``FIELDS`` (the names it offers message
templates, each with its schema kind) and ``compile(spec, ctx) -> str`` (the SQL of outcomes);
optionally ``prepare(con, export)``, run before compiling, for data the kind derives once
(e.g. the normalised notice text).
"""

from importlib import import_module

KINDS = ("deadline", "text_clause", "listed_party", "shared_attribute", "bid_prices",
         "min_interval", "ratio", "field_check", "coverage", "per_period")


def kind(name: str):
    """The module implementing check kind ``name``."""
    if name not in KINDS:
        raise KeyError(name)
    return import_module(f"checks.{name}")
