#!/usr/bin/env python3
"""Benchmark of `ktel dataset build` at the size of the published dataset
(19 M sched_switch events), against a straightforward Python script doing the
same job (read each trace, write all.csv and the split files). Prints a table
of wall time, events/s and peak RSS.

The input is generated once into --work (default /var/tmp/ktel-dataset-bench)
from a real episode: its sched_switch rows are repeated with shifted
timestamps into 30 episodes (5 categories x 6 runs) holding --events rows in
all. Reused on later runs when present.

usage: bench/dataset_build_compare.py --ktel build/release/src/cli/ktel
           [--template EPISODE] [--events 19000000] [--skip-python]
"""
import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

CATEGORIES = ["hackbench", "sysbench_cpu", "sysbench_threads", "cpu_bound", "io_mixed"]
RUNS = 6


def record_template(ktel, work):
    ep = work / "template"
    if (ep / "done.marker").exists():
        return ep
    shutil.rmtree(ep, ignore_errors=True)
    subprocess.run([ktel, "record", "--sources", "sched", "-q", "-o", str(ep), "--",
                    ktel, "__workload", "pingpong", "2s"], check=True, stdout=subprocess.DEVNULL)
    return ep


def generate(ktel, template, work, events):
    raw = work / "data" / "raw"
    stamp = work / "data" / f"generated-{events}"
    if stamp.exists():
        return work / "data"
    shutil.rmtree(work / "data", ignore_errors=True)
    raw.mkdir(parents=True)
    tpl_db = template / "episode.db"
    con = sqlite3.connect(tpl_db)
    schema = con.execute("SELECT sql FROM sqlite_master WHERE name='sched_switch'").fetchone()[0]
    tpl_rows, lo, hi = con.execute("SELECT COUNT(*), MIN(ts_ns), MAX(ts_ns) FROM sched_switch").fetchone()
    con.close()
    span = hi - lo + 1000
    traces = len(CATEGORIES) * RUNS
    per_trace = events // traces
    meta = json.loads((template / "meta.json").read_text())
    for ci, category in enumerate(CATEGORIES):
        for run in range(1, RUNS + 1):
            name = f"{category}_w_run{run}"
            ep = raw / name
            ep.mkdir()
            db = sqlite3.connect(ep / "episode.db")
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            db.execute(schema)
            db.execute(f"ATTACH '{tpl_db}' AS tpl")
            copies = (per_trace + tpl_rows - 1) // tpl_rows
            db.execute(
                "INSERT INTO sched_switch SELECT t_mono_ns + k * ?1, t_wall_ns + k * ?1, source, "
                "available_in_deployment, ts_ns + k * ?1, cpu, prev_comm, prev_pid, prev_prio, "
                "prev_state, next_comm, next_pid, next_prio FROM "
                "(WITH RECURSIVE c(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM c WHERE k + 1 < ?2) "
                "SELECT k FROM c), tpl.sched_switch ORDER BY k, tpl.sched_switch.rowid LIMIT ?3",
                (span, copies, per_trace))
            db.commit()
            db.close()
            meta["id"] = f"bench-{name}"
            (ep / "meta.json").write_text(json.dumps(meta))
            (ep / "done.marker").write_text("bench\n")
            (raw / f"{name}.json").write_text(json.dumps(
                {"trace_id": f"bench-{name}", "workload": f"{category}_w", "category": category}))
            print(f"generated {name}: {per_trace} rows", file=sys.stderr)
    stamp.write_text("")
    return work / "data"


def run_measured(argv):
    """Wall time (s) and peak RSS (KiB) of one command, from GNU time."""
    proc = subprocess.run(["/usr/bin/time", "-f", "KTEL_TIME %e %M"] + argv,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"{argv[0]} failed: {proc.stderr[-2000:]}")
    line = [l for l in proc.stderr.splitlines() if l.startswith("KTEL_TIME ")][-1]
    _, wall, rss = line.split()
    return float(wall), int(rss)


PYTHON_BASELINE = r'''
import csv, json, random, sqlite3, sys
from pathlib import Path
data = Path(sys.argv[1]); out = Path(sys.argv[2]); out.mkdir(exist_ok=True)
runs = [(json.loads(p.read_text()), p.with_suffix("")) for p in sorted((data / "raw").glob("*.json"))]
rng = random.Random(42)
cats = sorted({m["category"] for m, _ in runs})
unseen = rng.choice(cats)
split = {}
for c in cats:
    members = [m["trace_id"] for m, _ in runs if m["category"] == c]
    if c == unseen:
        split.update({t: "test_unseen" for t in members}); continue
    rng.shuffle(members); n = max(1, int(len(members) * 0.8))
    split.update({t: "train" if i < n else "test_seen" for i, t in enumerate(members)})
header = "timestamp,time_diff,task_name,pid,cpu,prev_state,prev_comm,workload_type,trace_id".split(",")
files = {s: open(out / f"{s}.csv", "w", newline="") for s in ["all", "train", "test_seen", "test_unseen"]}
writers = {s: csv.writer(f) for s, f in files.items()}
for w in writers.values(): w.writerow(header)
for meta, ep in runs:
    db = sqlite3.connect(ep / "episode.db")
    prev = None
    for ts, cpu, name, pid, state, pcomm in db.execute(
            "SELECT ts_ns, cpu, next_comm, next_pid, prev_state, prev_comm FROM sched_switch ORDER BY rowid"):
        diff = 0 if prev is None else ts - prev; prev = ts
        row = [f"{ts // 10**9}.{ts % 10**9 // 1000:06d}", f"{diff // 10**9}.{diff % 10**9:09d}",
               name, pid, cpu, state, pcomm, meta["category"], meta["trace_id"]]
        writers["all"].writerow(row); writers[split[meta["trace_id"]]].writerow(row)
for f in files.values(): f.close()
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ktel", required=True)
    ap.add_argument("--template")
    ap.add_argument("--events", type=int, default=19_000_000)
    ap.add_argument("--work", default="/var/tmp/ktel-dataset-bench")
    ap.add_argument("--skip-python", action="store_true")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    template = Path(args.template) if args.template else record_template(args.ktel, work)
    data = generate(args.ktel, template, work, args.events)
    rows = []
    wall, rss = run_measured([args.ktel, "dataset", "build", str(data), "-q"])
    meta = json.loads((data / "dataset_meta.json").read_text())
    events = meta["total_events"]
    rows.append(("ktel dataset build", wall, events / wall, rss))
    if not args.skip_python:
        out = work / "python-out"
        wall, rss = run_measured([sys.executable, "-c", PYTHON_BASELINE, str(data), str(out)])
        rows.append(("python csv + sqlite3 (same job)", wall, events / wall, rss))
    print(f"\ndataset build, {events:,} sched_switch events in {meta['num_traces']} traces "
          f"({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})")
    print(f"{'tool':<34} {'wall s':>8} {'events/s':>12} {'peak RSS MiB':>13}")
    for name, wall, rate, rss in rows:
        print(f"{name:<34} {wall:>8.1f} {rate:>12,.0f} {rss / 1024:>13.1f}")
    print("goal: under 60 s and under 2048 MiB peak for 19 M events")


if __name__ == "__main__":
    main()
