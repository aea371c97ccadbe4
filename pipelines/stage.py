"""The stage a command has reached, named in the one line an internal error prints (exit 4)."""

from __future__ import annotations

_current = ["开始 starting"]


def set_stage(text: str) -> None:
    _current[0] = text


def current() -> str:
    return _current[0]
