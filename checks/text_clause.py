"""Check kind ``text_clause``: a notice's text states every required element of a clause.

Serves 鹤发改公管〔2022〕216号 八(二): tender notices and tender documents must state the credit
condition — bidders not listed as 失信被执行人, and the bidding entity, its legal representative
and its authorised agent without a bribery-crime record (行贿犯罪记录). The text is the notice's
normalised text (``pipelines.notice_text``: HTML stripped, full-width → half-width, traditional →
simplified, whitespace and pinyin glosses removed); the phrases are normalised the same way.

An element is present when any one of its phrasings occurs. With ``within_sentences_of`` the
elements are looked for only in the sentences (split on 。；;！!？? and line breaks) that contain
one of those phrases; a text with no such sentence is not applicable.

Outcome per record:

* no text (empty, side file missing, unreadable, unsupported type) → not evaluable, with why;
* ``within_sentences_of`` given and no sentence mentions it → not applicable;
* an element with no phrasing present → violated (``evidence.missing`` names the elements);
* otherwise → compliant.

A violation's ``evidence.sentences`` quotes the text read: the scoped sentences (first three), or
in whole-text mode the first sentence holding each element found; a sentence from a tender
document starts with its place (``第12页：…``, ``表1第3行第3列：…``, ``notice_text.places``).

Example rule::

    check: text_clause
    elements:
      dishonest_debtor: {label: 失信被执行人条款, any_of: [失信被执行人]}
      bribery_record: {label: 行贿犯罪记录条款, any_of: [行贿犯罪]}
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipelines.sql import contains_any, ident, literal
from pipelines.sqlfuncs import normalise_phrase

from .base import Context, RuleSpec, Shown, json_object, reason_of

GROUPED = False
#: the engine makes the notices' normalised text first: table notice_text(_row, text, problem, problem_code)
PREPARES = ("notice_text",)
TABLE = "notice_text"

#: message-template name -> (result column, kind)
FIELDS = {"missing": ("missing_text", "text")}

SHOWN = (
    Shown("notice_type", "公告类型"),
    Shown("missing_labels", "缺少要素", "list"),
    Shown("found.*", "已有表述", "list"),
    Shown("sentences", "相关语句", "list"),
    Shown("within_sentences_of", "检查范围（含以下词语的句子）", "list", excel=False),
    Shown("missing", "缺少", "list", excel=False),
)

#: sentence ends (a regex class for RE2 and Python); after NFKC only 。;!?\n occur, the rest are kept for clarity
_SPLIT = r"[。；;！!？?\n]"


def _phrases(values: list[str]) -> list[str]:
    """Normalised phrases, distinct, in the author's order; an empty one is an error."""
    out = []
    for value in values:
        phrase = normalise_phrase(value)
        if not phrase:
            raise ValueError(f"短语 {value!r} 规范化后为空 / phrase is empty after normalisation")
        if phrase not in out:
            out.append(phrase)
    return out


class Element(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(description="要素名称（消息中的说法）")
    any_of: list[str] = Field(min_length=1, description="任一表述出现即视为已载明")

    @field_validator("any_of")
    @classmethod
    def _normalised(cls, value: list[str]) -> list[str]:
        return _phrases(value)


class Spec(RuleSpec):
    elements: dict[str, Element] = Field(min_length=1, description="须载明的要素")
    within_sentences_of: list[str] | None = Field(None, min_length=1, description="只在含这些词的句子中查找")

    @field_validator("within_sentences_of")
    @classmethod
    def _normalised(cls, value: list[str] | None) -> list[str] | None:
        return _phrases(value) if value else value

    @field_validator("elements")
    @classmethod
    def _names(cls, value: dict) -> dict:
        bad = [name for name in value if not re.fullmatch(r"[a-z][a-z0-9_]*", name)]
        if bad:
            raise ValueError(f"要素名应为小写英文标识 / element names must be lower_snake_case: {', '.join(bad)}")
        return value

    def columns_read(self) -> list[str]:
        return [*self.columns_used(), "content", "content_file"]

    def problems(self) -> list[tuple[tuple, str]]:
        found = super().problems()
        if self.table != "notices":
            found.append((("table",), "text_clause 只适用于 notices（公告与招标文件）/ applies to table notices only"))
        return found

    @model_validator(mode="after")
    def _phrases_fit_in_a_sentence(self):
        if self.within_sentences_of:
            split = [p for e in self.elements.values() for p in e.any_of if re.search(_SPLIT, p)]
            if split:
                raise ValueError(f"限定句内查找时，短语不能含句末标点 / phrases cannot span sentences: {split}")
        return self


def _list(values) -> str:
    return "[" + ", ".join(literal(v) for v in values) + "]::VARCHAR[]"


def _quoted(sentences: str) -> str:
    """Sentences as evidence: each at most 160 characters, after the place of the document part
    that holds it (``第12页：…``, ``表2第3行第2列：…``); inline notices have no places. The
    sentence's position is found once, not once per place."""
    located = f"list_transform({sentences}, lambda x: {{'s': x, 'at': strpos(text, x)}})"
    place = "list_filter(places, lambda p: p.start <= y.at)[-1].place"
    return f"list_transform({located}, lambda y: concat_ws('：', {place}, left(y.s, 160)))"


def _regex_literal(phrase: str) -> str:
    """A phrase as an RE2 pattern matching it literally (ASCII punctuation as ``\\x{..}``)."""
    return "".join(c if c.isalnum() or ord(c) > 127 else f"\\x{{{ord(c):02x}}}" for c in phrase)


def _scoped_sentence(scope: list[str]) -> str:
    """RE2: a whole sentence (a run between two of ``_SPLIT``) holding one of ``scope``'s phrases —
    ``regexp_extract_all`` returns, in one pass, exactly the sentences that splitting the text on
    ``_SPLIT`` and keeping those with a phrase would (phrases never hold a sentence end)."""
    inner = _SPLIT[1:-1]
    return f"[^{inner}]*(?:{'|'.join(_regex_literal(p) for p in scope)})[^{inner}]*"


def compile(spec: Spec, ctx: Context) -> str:  # noqa: A001 - the kind's verb
    names = list(spec.elements)
    scope = spec.within_sentences_of
    split = f"regexp_split_to_array(text, {literal(_SPLIT)})"
    if scope:  # the sentences that mention the scope; the first three are quoted
        if all(p and not re.search(_SPLIT, p) for p in scope):  # one regex pass finds the sentences
            sentences = f"regexp_extract_all(text, {literal(_scoped_sentence(scope))})"
        else:  # a phrase no sentence can hold (or an empty one): split and filter, as it says
            sentences = f"list_filter({split}, lambda x: {contains_any('x', scope)})"
        firsts, shown = "[]::VARCHAR[]", "sentences[1:3]"
    else:  # the whole text, as one; quoted: the first sentence holding each element's phrases, once
        sentences = "[replace(text, chr(10), '')]"
        firsts = ", ".join(f"list_filter({split}, lambda s: len(list_filter({ident('found_' + n)}, "
                           f"lambda p: contains(s, p))) > 0)[1]" for n in names)
        firsts = f"list_filter([{firsts}], lambda x: x IS NOT NULL)"
        shown = "list_filter(firsts, lambda x, i: list_position(firsts, x) = i)"
    found = ", ".join(f"list_filter({_list(e.any_of)}, lambda p: contains(body, p)) AS {ident('found_' + n)}"
                      for n, e in spec.elements.items())
    missing = ", ".join(f"IF(len({ident('found_' + n)}) = 0, {literal(n)}, NULL)" for n in names)
    label_of = " ".join(f"WHEN {literal(n)} THEN {literal(e.label)}" for n, e in spec.elements.items())
    evidence = json_object(
        missing="missing", missing_labels="missing_labels", notice_type="notice_type",
        found=json_object(**{n: ident("found_" + n) for n in names}),
        **({"within_sentences_of": _list(scope)} if scope else {}),
        sentences=_quoted(shown))
    return f"""
    WITH t AS (
        SELECT s._row, s.notice_type, n.text, n.places,
               coalesce(n.reason, {reason_of("coalesce(n.problem_code, 'text_missing')", "coalesce(n.problem, '正文未准备')",
                                             file="s.content_file")}) AS problem
        FROM {ctx.source} s LEFT JOIN {TABLE} n USING (_row)),
    sentences AS (SELECT *, {sentences} AS sentences FROM t),
    body AS (SELECT *, array_to_string(sentences, chr(10)) AS body FROM sentences),
    found AS (SELECT *, {found} FROM body),
    missing AS (SELECT *, list_filter([{missing}], lambda x: x IS NOT NULL) AS missing FROM found),
    judged AS (
        SELECT *, list_transform(missing, lambda x: CASE x {label_of} END) AS missing_labels,
               CASE WHEN text IS NULL THEN 'not_evaluable'
                    WHEN len(sentences) = 0 THEN 'not_applicable'
                    WHEN len(missing) > 0 THEN 'violated'
                    ELSE 'compliant' END AS outcome
        FROM missing),
    violated AS (  -- evidence is kept for violations only; CASE runs the quoting for those rows alone
        SELECT *, CASE WHEN outcome = 'violated' THEN {firsts} END AS firsts FROM judged)
    SELECT _row, outcome,
           problem AS reason,
           CAST(NULL AS VARCHAR) AS severity,
           CASE WHEN outcome = 'violated' THEN {evidence} END AS evidence,
           array_to_string(missing_labels, '、') AS missing_text
    FROM violated
    """
