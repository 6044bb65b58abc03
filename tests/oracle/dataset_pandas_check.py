#!/usr/bin/env python3
"""Reads a `ktel dataset build` output directory with pandas (an independent
CSV reader) and checks what researchers rely on: the exact columns and dtypes,
row counts equal to dataset_meta.json, every trace's rows contiguous and in
time order, time_diff consistent with timestamps, and no trace in two splits
(unless split_level is event, where exactly one may straddle train/test_seen).

usage: dataset_pandas_check.py DATASET_DIR
"""
import json
import sys
from pathlib import Path

import pandas as pd

COLUMNS = ["timestamp", "time_diff", "task_name", "pid", "cpu", "prev_state", "prev_comm",
           "workload_type", "trace_id"]
DTYPES = {"timestamp": "float64", "time_diff": "float64", "pid": "int64", "cpu": "int64"}
TEXT = {c: str for c in ["task_name", "prev_state", "prev_comm", "workload_type", "trace_id"]}


def check_file(path, failures):
    df = pd.read_csv(path, dtype=TEXT, keep_default_na=False)
    if list(df.columns) != COLUMNS:
        failures.append(f"{path}: columns {list(df.columns)}")
        return df
    for col, dtype in DTYPES.items():
        if len(df) and str(df[col].dtype) != dtype:
            failures.append(f"{path}: {col} is {df[col].dtype}, not {dtype}")
    for trace_id, rows in df.groupby("trace_id", sort=False):
        idx = rows.index.to_numpy()
        if len(idx) and idx[-1] - idx[0] + 1 != len(idx):
            failures.append(f"{path}: rows of trace {trace_id} are not contiguous")
        ts = rows["timestamp"].to_numpy()
        if (ts[1:] < ts[:-1]).any():
            failures.append(f"{path}: trace {trace_id} goes back in time")
        diffs = rows["time_diff"].to_numpy()
        # timestamp has 6 decimals (truncated), time_diff 9: they agree within 1 us.
        if len(ts) > 1 and (abs(diffs[1:] - (ts[1:] - ts[:-1])) > 1.01e-6).any():
            failures.append(f"{path}: trace {trace_id} time_diff disagrees with timestamps")
    return df


def main():
    out = Path(sys.argv[1])
    meta = json.loads((out / "dataset_meta.json").read_text())
    failures = []
    frames = {name: check_file(out / f"{name}.csv", failures)
              for name in ["all", "train", "test_seen", "test_unseen"]}
    for name in ["train", "test_seen", "test_unseen"]:
        if len(frames[name]) != meta[f"{name}_events"]:
            failures.append(f"{name}.csv has {len(frames[name])} rows, meta says "
                            f"{meta[name + '_events']}")
    if len(frames["all"]) != meta["total_events"]:
        failures.append(f"all.csv has {len(frames['all'])} rows, meta {meta['total_events']}")
    ids = {name: set(frames[name]["trace_id"]) for name in ["train", "test_seen", "test_unseen"]}
    shared = (ids["train"] & ids["test_seen"]) | (ids["train"] & ids["test_unseen"]) | (
        ids["test_seen"] & ids["test_unseen"])
    allowed = 1 if meta["split_level"] == "event" else 0
    if len(shared) > allowed:
        failures.append(f"traces in two splits: {sorted(shared)}")
    if meta["unseen_category"] is not None:
        bad = set(frames["test_unseen"]["workload_type"]) - {meta["unseen_category"]}
        if bad or meta["unseen_category"] in set(frames["train"]["workload_type"]):
            failures.append("the unseen category leaks into train, or other categories into test_unseen")
    for f in failures:
        print("FAIL", f)
    print(f"{out}: {len(frames['all'])} rows read by pandas {pd.__version__}: "
          f"{'ok' if not failures else 'FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
