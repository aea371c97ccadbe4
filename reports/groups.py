"""groups.jsonl: the bidder groups behind the 围标串标 findings (EXPORT-V1 "Collusion findings"),
one JSON object per group of two or more bidders, strongest first, for tools and investigators.
Values on edges are the findings' values, personal IDs already masked (pipelines.networks)."""

from __future__ import annotations

import json
from pathlib import Path


def write_groups(groups: list[dict], out_dir: Path) -> Path:
    """Write ``groups.jsonl`` (empty when no group was found or the collusion rules did not run)."""
    path = Path(out_dir) / "groups.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for group in groups:
            handle.write(json.dumps(group, ensure_ascii=False) + "\n")
    return path
