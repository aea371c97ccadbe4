"""Small exports for the collusion tests (围标串标): lots, bids with the §40 columns, notices, and
a copy of the shipped rule pack with one rule file's parameters changed."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from pipelines.rules import DEFAULT_RULES_DIR

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

BID_COLUMNS = ("bid_id", "project_id", "bidder_name", "bidder_uscc", "price", "status", "is_winner",
               "file_machine_code", "mac_address", "ip_address", "agent_id", "project_manager_id",
               "deposit_account", "legal_rep_id")

SHARED_RULES = ["shared-machine-code", "shared-mac", "shared-ip", "shared-agent", "shared-project-manager",
                "shared-deposit-account", "shared-legal-rep"]
PRICE_RULES = ["price-identical", "price-pattern", "single-valid-bid", "all-but-winner-rejected", "cover-bidding"]


def uscc(body: str) -> str:
    """A valid USCC (GB 32100-2015) from its first 17 characters."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS))
    return body + ALPHABET[(31 - total % 31) % 31]


def resident_id(body: str) -> str:
    """A valid resident ID (GB 11643-1999) from its first 17 digits."""
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]


#: bidders A…H with valid USCCs
CO = {k: uscc(f"9123040{i}MA1B2C3D") for i, k in enumerate("ABCDEFGH")}
NAMES = {k: f"鹤岗市{k}建筑工程有限公司" for k in CO}


def bid(bid_id: str, lot: str, who: str, **values) -> dict:
    """One bid of bidder ``who`` (A…H) in ``lot``; other columns given as keywords."""
    return {"bid_id": bid_id, "project_id": lot, "bidder_name": NAMES[who], "bidder_uscc": CO[who],
            "status": "有效", **values}


def export(bids: list[dict], lots: dict[str, str] | None = None, notices: list[tuple] | None = None,
           columns: tuple[str, ...] = BID_COLUMNS) -> dict:
    """{file: CSV text}: projects (lot -> trade type, 市住建局, budget 1 000 000), bids, and notices
    ((notice_id, project_id, notice_type) rows) when given."""
    lots = lots or {}
    ids = dict.fromkeys([b["project_id"] for b in bids] + list(lots))
    projects = "project_id,department,trade_type,budget,bid_deadline\n" + "".join(
        f"{p},市住建局,{lots.get(p, '工程建设')},1000000,2026-0{i % 9 + 1}-10\n" for i, p in enumerate(ids))
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([columns, *([b.get(c, "") for c in columns] for b in bids)])
    files = {"projects.csv": projects, "bids.csv": text.getvalue()}
    if notices is not None:
        files["notices.csv"] = "notice_id,project_id,notice_type,content\n" + "".join(
            f"{n},{p},{t},投标人不得被列入失信被执行人名单，不得存在行贿犯罪记录。\n" for n, p, t in notices)
    return files


def pack_with(tmp_path: Path, rule_file: str, replace: dict[str, str]) -> Path:
    """A copy of the shipped rule pack with text in one rule file replaced (old -> new)."""
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    path = folder / rule_file
    text = path.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return folder
