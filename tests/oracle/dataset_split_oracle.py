#!/usr/bin/env python3
"""Independent check of `ktel dataset build`'s split (docs/formats/dataset.md):
recomputes from the run JSONs, with Python's own random.Random(seed), which
split every trace belongs to, and compares with dataset_meta.json.

usage: dataset_split_oracle.py RAW_DIR DATASET_META_JSON
"""
import json
import math
import random
import sys
from pathlib import Path


def expected_splits(raw_dir, seed, ratio, unseen_split):
    runs = {}
    for meta_path in sorted(Path(raw_dir).glob("*.json")):
        meta = json.loads(meta_path.read_text())
        runs[meta_path.stem] = meta["category"]
    order = sorted(runs, key=lambda r: (runs[r], r))
    categories = sorted(set(runs.values()))
    rng = random.Random(seed)
    unseen = None
    if unseen_split and len(categories) >= 3:
        unseen = rng.choice(categories)
    split = {}
    for category in categories:
        members = [r for r in order if runs[r] == category]
        if category == unseen:
            split.update({r: "test_unseen" for r in members})
            continue
        rng.shuffle(members)
        n_train = max(1, int(len(members) * ratio))
        split.update({r: "train" if i < n_train else "test_seen" for i, r in enumerate(members)})
    return split, unseen


def main():
    raw_dir, meta_path = sys.argv[1], sys.argv[2]
    meta = json.loads(Path(meta_path).read_text())
    split, unseen = expected_splits(raw_dir, meta["seed"], meta["train_ratio"], meta["unseen_split"])
    failures = []
    if meta["unseen_category"] != unseen:
        failures.append(f"unseen_category {meta['unseen_category']!r}, oracle says {unseen!r}")
    for t in meta["traces"]:
        if t["split"] != split.get(t["run"]):
            failures.append(f"{t['run']}: split {t['split']}, oracle says {split.get(t['run'])}")
    if len(meta["traces"]) != len(split):
        failures.append(f"{len(meta['traces'])} traces in meta, {len(split)} runs in {raw_dir}")
    for f in failures:
        print("MISMATCH", f)
    print(f"{len(split)} traces checked, unseen category {unseen!r}: "
          f"{'ok' if not failures else 'FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
