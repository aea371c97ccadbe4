#!/usr/bin/env python3
"""The peer ggzy must beat: a lean pandas script of the five headline checks, as a good analyst
would write it (issue #13) — pyarrow CSV reader, vectorised pandas/numpy, a numpy working-day
index from ``chinese_calendar``; no data contract, no evidence, no reports.

    python benchmarks/peer_pandas.py EXPORT_DIR [--as-of 2026-12-31]

Prints one JSON line: the violation count of each check, named by the ggzy rule it mirrors
(credit-clause, inspection-disclosure, complaint-transfer, dishonest-bidder, bribery-record).
``compare.py`` checks these counts equal ggzy's — the honesty check: a peer that counts
differently is not doing the same work, and its time would mean nothing.

What each check does (the same law as the rule files, and nothing more):
- credit-clause (八(二)): 招标/资格预审/采购公告 and 招标文件 of projects that are not land or mining
  rights must contain 失信被执行人 and 行贿犯罪 (also traditional script and HTML; NFKC only on the
  rows that miss, the way an analyst would fix the misses).
- inspection-disclosure (三(三)): published within 10 working days after ``ended_at``.
- complaint-transfer (四(二)): complaints whose competent department is given and differs from the
  receiver transferred within 3 working days after receipt.
- dishonest-bidder / bribery-record (八(二)): the bidder (USCC, else normalised name), or for
  bribery its legal rep or agent (resident ID, else name = possible match), is on the list on the
  bid date (``submitted_at``, else the project's ``bid_deadline``): listed_at ≤ d < removed_at.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

NOTICE_TYPES = ["招标公告", "资格预审公告", "采购公告", "招标文件"]
T2S = str.maketrans("執賄錄記為條權", "执贿录记为条权")


def read(data: Path, name: str, columns: list[str]) -> pd.DataFrame:
    """One table, only the columns needed, all as text (Arrow strings)."""
    opts = pacsv.ConvertOptions(include_columns=columns, column_types={c: "string" for c in columns},
                                strings_can_be_null=True)
    parse = pacsv.ParseOptions(newlines_in_values=True)  # notice bodies span lines
    return pacsv.read_csv(data / f"{name}.csv", parse_options=parse, convert_options=opts).to_pandas(types_mapper=pd.ArrowDtype)


def to_day(s: pd.Series) -> np.ndarray:
    """'YYYY-MM-DD[ HH:MM:SS]' → datetime64[D] (NaT when empty or unreadable)."""
    return pd.to_datetime(s.str.slice(0, 10), format="%Y-%m-%d", errors="coerce").to_numpy("datetime64[D]")


class WorkingDays:
    """Index of working days (statutory holidays and 调休 included) for due-date arithmetic."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        import chinese_calendar

        self.days = np.array(chinese_calendar.get_workdays(first, last), dtype="datetime64[D]")

    def add(self, start: np.ndarray, n: int) -> np.ndarray:
        """The n-th working day after ``start`` (counting from the next day); NaT stays NaT."""
        ok = ~np.isnat(start)
        pos = np.searchsorted(self.days, start[ok], side="right") + n - 1
        out = np.full(start.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        out[ok] = self.days[np.minimum(pos, len(self.days) - 1)]
        return out


def late(start: np.ndarray, done: np.ndarray, n: int, wd: WorkingDays, as_of: np.datetime64) -> np.ndarray:
    due = wd.add(start, n)
    return ~np.isnat(due) & np.where(np.isnat(done), due < as_of, done > due)


def credit_clause(data: Path, projects: pd.DataFrame) -> int:
    n = read(data, "notices", ["project_id", "notice_type", "content"])
    excluded = projects.loc[projects.trade_type.isin(["土地使用权", "矿业权"]), "project_id"]
    n = n[n.notice_type.isin(NOTICE_TYPES) & ~n.project_id.isin(excluded) & n.content.notna()]
    text = n.content
    ok = text.str.contains("失信被执行人", regex=False) & text.str.contains("行贿犯罪", regex=False)
    # the misses: traditional script, full-width, HTML tags, spaces — normalise only those
    fixed = text[~ok].map(lambda t: unicodedata.normalize("NFKC", t).translate(T2S), na_action="ignore")
    fixed = fixed.astype(pd.ArrowDtype(pa.string())).str.replace(r"<[^>]*>|\s+", "", regex=True)
    ok2 = fixed.str.contains("失信被执行人", regex=False) & fixed.str.contains("行贿犯罪", regex=False)
    return int((~ok2).sum())


def deadlines(data: Path, wd: WorkingDays, as_of: np.datetime64) -> dict:
    i = read(data, "inspections", ["ended_at", "published_at"])
    c = read(data, "complaints", ["received_by", "competent_department", "received_at", "transferred_at"])
    c = c[c.competent_department.notna() & (c.competent_department != c.received_by)]
    return {"inspection-disclosure": int(late(to_day(i.ended_at), to_day(i.published_at), 10, wd, as_of).sum()),
            "complaint-transfer": int(late(to_day(c.received_at), to_day(c.transferred_at), 3, wd, as_of).sum())}


def norm_name(s: pd.Series) -> pd.Series:
    """Company names compared after NFKC (full-width brackets → half-width) and without spaces."""
    uniq = pd.Series(s.dropna().unique())
    mapped = dict(zip(uniq, uniq.map(lambda t: "".join(unicodedata.normalize("NFKC", t).split()))))
    return s.map(mapped)


def on_list(hits: pd.DataFrame) -> pd.Series:
    """bid ids whose bid date falls in a listing window."""
    d = hits.bid_date.to_numpy("datetime64[D]")
    listed, removed = to_day(hits.listed_at), to_day(hits.removed_at)
    inside = (~np.isnat(listed)) & (listed <= d) & (np.isnat(removed) | (d < removed))
    return hits.loc[inside, "bid_id"]


def match(bids: pd.DataFrame, entries: pd.DataFrame, id_col: str, name_col: str, norm) -> pd.Series:
    """Bids matching an entry by ID (both have one) or by name (either lacks one)."""
    e = entries[["subject_id", "subject_name", "listed_at", "removed_at"]]
    b = bids[["bid_id", "bid_date", id_col, name_col]]
    by_id = b[b[id_col].notna()].merge(e[e.subject_id.notna()], left_on=id_col, right_on="subject_id")
    b_name, e_name = b.assign(key=norm(b[name_col])), e.assign(key=norm(e.subject_name))
    by_name = b_name[b_name.key.notna()].merge(e_name[e_name.key.notna()], on="key")
    by_name = by_name[by_name[id_col].isna() | by_name.subject_id.isna()]
    return pd.concat([on_list(by_id), on_list(by_name)])


def listed(data: Path, projects: pd.DataFrame) -> dict:
    bids = read(data, "bids", ["bid_id", "project_id", "bidder_name", "bidder_uscc", "legal_rep_name",
                               "legal_rep_id", "agent_name", "agent_id", "submitted_at"])
    deadline = bids.project_id.map(projects.set_index("project_id").bid_deadline)
    bids["bid_date"] = np.where(np.isnat(d := to_day(bids.submitted_at)), to_day(deadline), d)
    credit = read(data, "credit_list", ["list_type", "subject_name", "subject_id", "listed_at", "removed_at"])
    dishonest, bribery = (credit[credit.list_type == t] for t in ("失信被执行人", "行贿犯罪记录"))
    person = lambda s: s.str.replace("[\\s\u3000]", "", regex=True)  # noqa: E731
    bribed = pd.concat([match(bids, bribery, "bidder_uscc", "bidder_name", norm_name),
                        match(bids, bribery, "legal_rep_id", "legal_rep_name", person),
                        match(bids, bribery, "agent_id", "agent_name", person)])
    return {"dishonest-bidder": int(match(bids, dishonest, "bidder_uscc", "bidder_name", norm_name).nunique()),
            "bribery-record": int(bribed.nunique())}


def run(data: Path, as_of: dt.date) -> dict:
    projects = read(data, "projects", ["project_id", "trade_type", "bid_deadline"])
    wd = WorkingDays(dt.date(2004, 1, 1), dt.date(2026, 12, 31))
    counts = {"credit-clause": credit_clause(data, projects)}
    counts.update(deadlines(data, wd, np.datetime64(as_of)))
    counts.update(listed(data, projects))
    return counts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--as-of", default="2026-12-31")
    a = ap.parse_args(argv)
    print(json.dumps(run(a.data, dt.date.fromisoformat(a.as_of)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
