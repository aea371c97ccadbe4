"""ggzy's version and the versions of the JSON documents it writes, for tools that read them.

A reader checks ``schema_version`` before trusting a field: it changes when a field is renamed
or its meaning changes (adding a field does not change it).
"""

from __future__ import annotations

from importlib import metadata

#: document -> version of its layout
SCHEMA_VERSIONS = {"summary": "2", "validation": "1"}


def ggzy_version() -> str:
    """The installed distribution's version (pyproject.toml), '0+unknown' when not installed."""
    try:
        return metadata.version("ggzy")
    except metadata.PackageNotFoundError:
        return "0+unknown"
