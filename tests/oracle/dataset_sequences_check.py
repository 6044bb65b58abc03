#!/usr/bin/env python3
"""Independent check of `ktel dataset sequences`: numpy loads every array with
the shape sequences_meta.json gives, and the windows are recomputed from the
CSVs with Python's csv module: same count, never crossing a trace, inputs and
targets equal to the vocabulary ids of the right events.

usage: dataset_sequences_check.py DATASET_DIR [SEQ_DIR]
"""
import csv
import json
import sys
from pathlib import Path

import numpy as np


def main():
    data = Path(sys.argv[1])
    seq = Path(sys.argv[2]) if len(sys.argv) > 2 else data / "sequences"
    meta = json.loads((seq / "sequences_meta.json").read_text())
    vocab = json.loads((seq / "vocab.json").read_text(), strict=False)
    L, stride = meta["seq_len"], meta["stride"]
    ids = {k: {v if k != "pid" else int(v): i for i, v in enumerate(vocab[k]) if i >= 2}
           for k in ["task_name", "pid", "prev_state"]}
    failures = []
    csv.field_size_limit(1 << 24)
    for split in ["train", "test_seen", "test_unseen"]:
        info = meta["splits"][split]
        x = np.load(seq / info["inputs"])
        yt = np.load(seq / info["target_task"])
        yp = np.load(seq / info["target_pid"])
        for name, arr, shape in [("inputs", x, (info["windows"], L, 4)),
                                 ("target_task", yt, (info["windows"],)),
                                 ("target_pid", yp, (info["windows"],))]:
            if arr.dtype != np.int32 or arr.shape != tuple(shape):
                failures.append(f"{split} {name}: {arr.dtype} {arr.shape}, expected int32 {shape}")
        # Recompute the windows from the CSV.
        with open(data / f"{split}.csv", newline="", encoding="utf-8", errors="surrogateescape") as f:
            rows = list(csv.DictReader(f))
        enc = [(ids["task_name"].get(r["task_name"], 1), ids["pid"].get(int(r["pid"]), 1),
                ids["prev_state"].get(r["prev_state"], 1), int(r["cpu"]), r["trace_id"]) for r in rows]
        expected = []
        start = 0
        while start < len(enc):
            end = start
            while end < len(enc) and enc[end][4] == enc[start][4]:
                end += 1
            for s in range(start, end - L, stride):
                expected.append(s)
            start = end
        if len(expected) != info["windows"]:
            failures.append(f"{split}: {info['windows']} windows, python counts {len(expected)}")
            continue
        step = max(1, len(expected) // 2000)  # a sample of windows on big splits
        for w in range(0, len(expected), step):
            s = expected[w]
            window = enc[s:s + L + 1]
            if len({e[4] for e in window}) != 1:
                failures.append(f"{split} window {w} crosses a trace")
            if [list(e[:4]) for e in window[:L]] != x[w].tolist():
                failures.append(f"{split} window {w}: inputs differ")
            if window[L][0] != yt[w] or window[L][1] != yp[w]:
                failures.append(f"{split} window {w}: targets differ")
            if len(failures) > 10:
                break
    for f in failures[:20]:
        print("FAIL", f)
    print(f"{seq}: numpy {np.__version__}: {'ok' if not failures else 'FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
