"""YAML files read safely, with the line of every field kept for error messages.

Rule files, the mapping file and calendar years are written by people; when one is wrong the
message must name the file, the line and the field. PyYAML's safe loader gives the data, its
composer (also safe: it builds nodes, never objects) gives the lines.

>>> doc = YamlDoc.from_text("id: a\\nwithin:\\n  working_days: ten\\n", "r.yaml")
>>> doc.data["within"]["working_days"], doc.line_of(("within", "working_days"))
('ten', 3)

Every YAML file a user or an export supplies (rule files, pack.yaml, local.yaml, mapping.yaml,
clauses, coverage, network parameters, calendar years) is parsed here and nowhere else, and
none may use anchors or aliases: a 500-byte alias bomb would otherwise expand to gigabytes.
Without aliases a document's nodes are bounded by its bytes, so loading is linear.

>>> YamlDoc.from_text("a: &x [1]\\nb: *x\\n", "m.yaml")
Traceback (most recent call last):
...
pipelines.yamlfile.YamlError: m.yaml 第1行 YAML 不允许锚点与别名（&x）/ anchors and aliases are not allowed
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class YamlError(ValueError):
    """A YAML file people wrote is wrong; the message names file, line and field. ``line`` and
    ``problem`` are the parts, for callers that word their messages themselves."""

    def __init__(self, message: str, line: int | None = None, problem: str | None = None):
        super().__init__(message)
        self.line, self.problem = line, problem or message


#: libyaml's safe loader when PyYAML was built with it (same safe constructors as
#: yaml.safe_load, about ten times faster — a pack of sixty rules loads on every audit)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases(text: str, path: str) -> None:
    """Raise YamlError at the first anchor or alias in ``text`` (one linear pass of the parser,
    only when the text holds ``&`` or ``*`` at all)."""
    if "&" not in text and "*" not in text:
        return
    try:
        for event in yaml.parse(text, Loader=_SAFE_LOADER):
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
                line = event.start_mark.line + 1
                problem = f"YAML 不允许锚点与别名（{sign}{anchor}）/ anchors and aliases are not allowed"
                raise YamlError(f"{path} 第{line}行 {problem}", line, problem)
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None


def compose(text: str, path: str) -> yaml.Node | None:
    """The node tree of a YAML text (safe: nodes, never objects), aliases refused."""
    _refuse_aliases(text, path)
    try:
        return yaml.compose(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None


def _syntax_error(path: str, exc: yaml.YAMLError) -> YamlError:
    mark = getattr(exc, "problem_mark", None)
    where = f"第{mark.line + 1}行 " if mark else ""
    return YamlError(f"{path} {where}YAML 语法错误 syntax error: {exc}", mark.line + 1 if mark else None,
                     f"YAML 语法错误 syntax error: {getattr(exc, 'problem', None) or exc}")


def _bad_value(text: str, path: str, exc: ValueError) -> YamlError:
    """The first scalar PyYAML cannot construct (a timestamp like ``2026-10-32``), with its line.

    >>> str(_bad_value("a: 1\\nb: 2026-10-32\\n", "r.yaml", ValueError("day is out of range for month")))
    "r.yaml 第2行 取值无效 invalid value '2026-10-32' (day is out of range for month); 写成带引号的文本 / quote it if it is text"
    """
    loader = _SAFE_LOADER(text)
    try:
        nodes = [loader.get_single_node()]
    finally:
        loader.dispose()
    while nodes:
        node = nodes.pop(0)
        if isinstance(node, yaml.ScalarNode):
            try:
                _SAFE_LOADER("").construct_object(node)
            except ValueError:
                return YamlError(f"{path} 第{node.start_mark.line + 1}行 取值无效 invalid value {node.value!r} ({exc}); "
                                 "写成带引号的文本 / quote it if it is text")
        elif isinstance(node, yaml.MappingNode):
            nodes += [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            nodes += node.value
    return YamlError(f"{path}: 取值无效 invalid value ({exc})")


@dataclass
class YamlDoc:
    path: str
    data: Any
    text: str
    _root: yaml.Node | None = None

    @classmethod
    def from_text(cls, text: str, path: str) -> "YamlDoc":
        _refuse_aliases(text, path)
        try:
            data = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            raise _syntax_error(path, exc) from None
        except ValueError as exc:  # a date-shaped value that is no date (2026-10-32): PyYAML raises bare
            raise _bad_value(text, path, exc) from None
        except RecursionError:  # the pure-Python loader on deep nesting (libyaml stops at its own limit)
            raise YamlError(f"{path}: YAML 嵌套过深 / nested too deeply") from None
        return cls(path, data, text)

    @property
    def root(self) -> yaml.Node | None:
        """The node tree, composed only when a line number is needed (errors)."""
        if self._root is None:
            self._root = compose(self.text, self.path)
        return self._root

    @classmethod
    def load(cls, path: Path) -> "YamlDoc":
        if Path(path).is_dir():
            raise YamlError(f"{path}: 是文件夹，不是 YAML 文件 / is a directory, not a YAML file")
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise YamlError(f"{path}: 无法读取 cannot read: {exc}") from None
        return cls.from_text(text, str(path))

    def line_of(self, loc: tuple) -> int | None:
        """1-based line of the node at ``loc`` (keys and list indexes); the nearest parent's
        line when the field itself is absent (e.g. a required field left out)."""
        node, line = self.root, (self.root.start_mark.line + 1 if self.root else None)
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = next((v for k, v in node.value if k.value == str(part)), None)
                key = next((k for k, v in node.value if k.value == str(part)), None)
                if found is None:
                    return line
                node, line = found, key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def error(self, loc: tuple, problem: str) -> YamlError:
        field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")
        line = self.line_of(loc)
        where = f" 第{line}行" if line else ""
        return YamlError(f"{self.path}{where} 字段 field {field or '(根 root)'}: {problem}")


def pydantic_problem(err: dict) -> str:
    """One pydantic error as a short Chinese + English phrase."""
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "未知字段（拼写错误？）unknown field (typo?)"
    if kind == "missing":
        return "缺少必填字段 required field missing"
    return f"取值无效 invalid value: {err.get('msg', '')}"


def validate_with(doc: YamlDoc, model, data=None, base_loc: tuple = ()):
    """Validate ``data`` (default: the whole document) with a pydantic model; on failure raise
    one YamlError listing every problem with its line."""
    import pydantic

    try:
        return model.model_validate(doc.data if data is None else data)
    except pydantic.ValidationError as exc:
        problems = [str(doc.error(base_loc + tuple(e["loc"]), pydantic_problem(e))) for e in exc.errors()]
        raise YamlError("\n".join(problems)) from None
