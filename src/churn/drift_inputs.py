"""The rows the drift stage and check compare: read from a file, folder, glob or URL; the rows
validate quarantines left out and counted; the stage's months (see drift_window)."""

from __future__ import annotations

import argparse

import pandas as pd

from churn.data_params import DataParams, ids_of
from churn.drift_contract import contract_rows, scored_columns
from churn.drift_quarantine import merged_counts, without_quarantined, without_undated
from churn.drift_window import stage_window, training_window
from churn.params import DriftParams
from churn.partial_columns import check_spellings
from churn.table_sources import table_files, with_partitions
from churn.tables import read_table


def read_frame(source: str, data: DataParams) -> pd.DataFrame:
    """One table from a file, folder, glob or URL (CSV in data's format, or Parquet)."""
    tables = {
        path: with_partitions(read_table(path, data.delimiter, data.decimal, ids_of(data)), folders)
        for path, folders in table_files(source).items()
    }
    check_spellings(tables)  # as ingest does
    return pd.concat(list(tables.values()), ignore_index=True)


def validated_rows(
    frame: pd.DataFrame, data: DataParams, rules, where: str, batch=False, held=None
):
    """(the rows validate keeps, the drift.json fields counting those it quarantines, the type
    validate gave each column or {}); rules: (spec kinds, policies, the contract validate applied
    or None). With the contract, validate's own checks (see drift_contract; batch: a batch to
    score, see contract_rows; held: the types its new columns are held to); without, the rows
    without a snapshot, then those without_quarantined leaves out."""
    kinds, policies, contract = rules
    if contract is not None:
        scored = scored_columns(frame, data, kinds) if batch else None
        return contract_rows(frame, contract, policies, data, where, scored, held)
    frame, undated = without_undated(frame, data, where)
    frame, quarantined = without_quarantined(frame, kinds, policies, data, where)
    return frame, merged_counts(undated, quarantined), {}


def compared_frames(args: argparse.Namespace, data: DataParams, params: DriftParams, rules):
    """(reference, current, why they are not compared or None, the sources they come from, the
    drift.json fields counting the rows left out, the type validate gave each column or {});
    rules: see validated_rows. The check leaves rows out only with --contract or, from the
    reference, --training-window."""
    if args.command == "stage":
        frame, left_out, kinds = validated_rows(read_frame(args.data, data), data, rules, args.data)
        window = stage_window(frame, params, data, args.data)
        return (*window, (args.data, args.data), left_out, kinds)
    reference, current = read_frame(args.reference, data), read_frame(args.current, data)
    left_out, kinds = {}, {}
    if args.training_window or rules[2] is not None:
        reference, left_out, kinds = validated_rows(reference, data, rules, args.reference)
    if args.training_window:  # the months the stage compares
        reference = training_window(reference, data, args.reference, params.min_rows)
    if rules[2] is not None:  # the batch as batch scoring would check it, typed as the reference
        current, dropped, current_kinds = validated_rows(
            current, data, rules, args.current, True, kinds
        )
        left_out, kinds = merged_counts(left_out, dropped), current_kinds | kinds
    return reference, current, None, (args.reference, args.current), left_out, kinds
