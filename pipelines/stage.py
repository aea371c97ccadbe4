"""The stage a command has reached, named in the one line an internal error prints (exit 4)."""

from __future__ import annotations

import logging

_current = ["开始 starting"]


def set_stage(text: str) -> None:
    """Remember the stage, and log it (``--verbose``, ``--log-file``)."""
    _current[0] = text
    logging.getLogger("ggzy").info(text)


def current() -> str:
    return _current[0]
