"""Which customer a row is: its id as the input wrote it, its (snapshot, id) key, and the keys
scored so far in one input, so that a repeated id is rejected wherever it falls."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from churn.date_parsing import NUMERIC_DATE
from churn.errors import ChurnError
from churn.raw_text import as_text, blank_mask, without
from churn.snapshot_dates import order_examples, read_snapshot_months

NO_SNAPSHOT = (type(None), None)


class SeenKeys:
    """The (snapshot, id) keys scored so far in one input, as 64-bit hashes (8 bytes per row)
    in a few sorted runs, each at least twice the next one's size, so that a repeat is
    rejected whichever chunk it falls in. One sorted array, re-sorted with every chunk, cost
    ~1 s in scoring 2 million rows; runs merged by size cost ~log2(rows / chunk) passes."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []
        self.snapshots: dict[tuple[type, object], np.uint64] = {}  # see snapshot_hashes
        self.examples: tuple = ()  # dates that told the day/month order: see order_examples
        # numeric dates read before any told their order (05/03/2026 alone), keyed as written:
        # the id hashes of their rows, re-keyed by month once a later chunk tells the order
        self.unread: dict[tuple[type, object], list[np.ndarray]] = {}

    def snapshot_hashes(self, distinct) -> np.ndarray:
        """A hash per distinct snapshot value of a chunk (pd.factorize's uniques), then one for
        no snapshot; each value is read once per input (chunks hold the same handful)."""
        keys = [(type(value), value) for value in distinct]  # 1 and 1.0 read apart
        fresh = [at for at, key in enumerate(keys) if key not in self.snapshots]
        if fresh:
            text, told = snapshot_text(distinct[fresh]), self.examples
            keys_of = distinct_snapshot_keys(distinct[fresh], self.examples)
            self.examples = tuple(order_examples(pd.Series([*self.examples, *text.dropna()])))
            hashed = pd.util.hash_pandas_object(keys_of, index=False)
            self.snapshots.update(zip([keys[at] for at in fresh], hashed.to_numpy(), strict=True))
            left = keys_of["snapshot_text"]  # no month: no regex pass when all were (~0.7 ms)
            undated = left.str.extract(NUMERIC_DATE)[0].notna() if left.notna().any() else ()
            self.unread |= {keys[fresh[at]]: [] for at in np.flatnonzero(undated)}
            if self.examples != told and self.unread:
                self.read_unread()
        if NO_SNAPSHOT not in self.snapshots:
            self.snapshots[NO_SNAPSHOT] = no_snapshot_hash()
        return np.asarray([*(self.snapshots[key] for key in keys), self.snapshots[NO_SNAPSHOT]])

    def hold_unread(self, hashes: np.ndarray, codes: np.ndarray, distinct) -> None:
        """Remember the id hashes of a chunk's rows whose snapshot is a numeric date no value
        has told the order of yet (see read_unread); codes: pd.factorize's, of distinct."""
        for at, value in enumerate(distinct):
            if (type(value), value) in self.unread:
                self.unread[(type(value), value)].append(hashes[codes == at])

    def read_unread(self) -> None:
        """The numeric dates keyed as written, read again now that a chunk told the order: each
        keyed by its month from now on, and the rows scored with it before remembered under that
        key too, so that a customer on 05/03/2026 in one chunk and on 17/03/2026 in a later one
        is one March repeat, as validate reads the whole column."""
        keys = list(self.unread)
        values = pd.Series([value for _, value in keys], dtype=object)
        keys_of = distinct_snapshot_keys(values, self.examples)
        hashed = pd.util.hash_pandas_object(keys_of, index=False).to_numpy()
        for key, month, snapshot in zip(keys, keys_of["snapshot"], hashed, strict=True):
            if pd.notna(month):
                self.snapshots[key] = snapshot
                ids = np.concatenate([np.empty(0, np.uint64), *self.unread.pop(key)])
                with np.errstate(over="ignore"):
                    self.repeats(ids ^ (snapshot * SPREAD))

    def repeats(self, hashes: np.ndarray) -> np.ndarray:
        """Which hashes were seen before or repeat an earlier one here; remembers the rest.
        The hashes are looked up in sorted order (binary searches of sorted keys stay in
        cache)."""
        order = np.argsort(hashes)  # ~3x faster than a stable sort of 64-bit keys
        ordered = hashes[order]
        repeat = np.zeros(len(hashes), dtype=bool)
        repeat[1:] = ordered[1:] == ordered[:-1]  # a later copy within the chunk
        if repeat.any():  # equal hashes must keep their input order: the first copy is kept
            order = np.argsort(hashes, kind="stable")
            ordered = hashes[order]
        for run in self.runs:
            at = np.searchsorted(run, ordered)
            inside = at < len(run)
            repeat[inside] |= run[at[inside]] == ordered[inside]
        self.runs.append(ordered[~repeat])
        while len(self.runs) > 1 and len(self.runs[-2]) <= 2 * len(self.runs[-1]):
            newest, older = self.runs.pop(), self.runs[-1]  # disjoint: a linear merge
            self.runs[-1] = np.insert(older, np.searchsorted(older, newest), newest)
        found = np.empty_like(repeat)
        found[order] = repeat
        return found


def snapshot_text(values: object) -> pd.Series:
    """Snapshot values as text, missing-value markers ("NA", "null", "-" ...) as missing: the
    contract reads them so in every column, and the API reads them so in the snapshot field."""
    text = pd.Series(values).astype("string")
    return without(text, blank_mask(as_text(text)))  # as_text: text.str.strip(), ~4x cheaper


def text_of_rows(column: pd.Series, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """column.iloc[positions] as snapshot_text, each distinct value formatted once (a snapshot
    column holds a handful of dates: formatting 50,000 of them per chunk was a tenth of scoring)."""
    codes, distinct = pd.factorize(column.iloc[positions])
    return snapshot_text(distinct).array.take(codes, allow_fill=True)


def snapshot_keys(column: pd.Series, positions: np.ndarray) -> pd.DataFrame:
    """column.iloc[positions] as (month, text) keys: dates as their calendar month, as validate
    reads them (2026-06-01, 17/06/2026 and 2026-06-17T08:00:00 are one snapshot: see
    distinct_snapshot_keys), other values as their text, missing
    ones (and missing-value markers) as neither. Each distinct value is read once, as
    text_of_rows formats it."""
    codes, distinct = pd.factorize(column.iloc[positions])
    keys = distinct_snapshot_keys(distinct)
    return pd.DataFrame({name: keys[name].array.take(codes, allow_fill=True) for name in keys})


def distinct_snapshot_keys(distinct: object, examples: tuple = ()) -> pd.DataFrame:
    """snapshot_keys of distinct snapshot values, one row each: a date by its calendar month, read
    as validate reads data.timestamp (snapshot_dates.read_snapshot_months: 2026-03-04,
    17/03/2026 and 2026-03-19T08:00Z are one snapshot), numeric dates in the order examples
    (earlier values: see snapshot_dates.order_examples) and these tell; values that are no date,
    or dates whose order nothing tells (05/03/2026 alone), compared as written."""
    text = snapshot_text(distinct)
    values = pd.Series([*examples, *text.astype(object)], dtype=object)
    try:
        months = read_snapshot_months(values, "")[len(examples) :].reset_index(drop=True)
    except ChurnError:  # day or month first: a guess would join or part snapshots
        months = pd.Series(pd.NaT, index=text.index, dtype="period[M]")
    stamps = months.dt.to_timestamp().dt.as_unit("us")
    return pd.DataFrame({"snapshot": stamps, "snapshot_text": text.where(stamps.isna())})


@cache
def no_snapshot_hash() -> np.uint64:
    """The hash of no snapshot (see SeenKeys.snapshot_hashes), the same in every input: read
    once per process, not once per SeenKeys (a third of scoring one API record)."""
    none = distinct_snapshot_keys(pd.Series([None], dtype=object))
    return pd.util.hash_pandas_object(none, index=False).iloc[0]


# Odd 64-bit constant (the golden ratio's): spreads a snapshot's hash before it meets an id's.
SPREAD = np.uint64(0x9E3779B97F4A7C15)


def key_hashes(
    ids: pd.Series, frame: pd.DataFrame, positions: np.ndarray, timestamp: str, seen: SeenKeys
) -> np.ndarray:
    """A 64-bit hash per (snapshot, id) key of the rows with an id: the ids' text through
    Python's string hash (SipHash; keys live for one run only), mixed with a hash of the
    snapshot key (see SeenKeys.snapshot_hashes); hashing the keys as a frame was a tenth of
    scoring."""
    text = ids.to_numpy(dtype=object)
    hashes = np.fromiter(map(hash, text), dtype=np.int64, count=len(text)).view(np.uint64)
    if not timestamp or timestamp not in frame.columns:
        return hashes
    codes, distinct = pd.factorize(frame[timestamp].iloc[positions])  # missing -> -1: the last
    snapshots = seen.snapshot_hashes(distinct)
    seen.hold_unread(hashes, codes, distinct)
    with np.errstate(over="ignore"):
        return hashes ^ (snapshots[codes] * SPREAD)


def repeated_ids(
    frame: pd.DataFrame, valid: pd.DataFrame, positions: np.ndarray, data, seen: SeenKeys
) -> np.ndarray:
    """Valid rows whose id (within its snapshot, when the input has the timestamp column) was
    scored before (the contract's check made them customer_ids: "100001.0" repeats "100001");
    rows without an id are never repeats."""
    if not data.id or data.id not in valid.columns:
        return np.zeros(len(valid), dtype=bool)
    ids = valid[data.id].astype("string")
    has_id = ids.notna().to_numpy()
    repeat = np.zeros(len(valid), dtype=bool)
    hashes = key_hashes(ids[has_id], frame, positions[has_id], data.timestamp, seen)
    repeat[has_id] = seen.repeats(hashes)
    return repeat


def verbatim_ids(frame: pd.DataFrame, id_column: str, positions: np.ndarray) -> pd.Series | None:
    """The scored rows' ids exactly as the input wrote them (" C1 " keeps its spaces), so scores
    join back to the source; None when the input holds the ids as numbers (the contract's text
    of 12.0 is "12")."""
    if not id_column or id_column not in frame.columns:
        return None
    raw = frame[id_column]
    if isinstance(raw.dtype, pd.CategoricalDtype):  # Parquet dictionary columns
        raw = raw.astype(object)
    if pd.api.types.infer_dtype(raw, skipna=True) != "string":
        return None
    return raw.iloc[positions].astype("string").reset_index(drop=True)
