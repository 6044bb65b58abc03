#!/usr/bin/env python3
"""Capture benchmark of the sched source: pipe ping-pong pairs for N seconds,
untraced, under `ktel record --sources sched` (default settings) and under
`trace-cmd record` of the same seven events with the same per-CPU buffer.
Prints the workload's throughput in each case, events captured and events lost.

trace-cmd runs through bench/trace_cmd_unshared.sh (it aborts on this VM
otherwise) into a pre-created instance (-B).

usage: sched_capture_compare.py --ktel build/release/src/cli/ktel [--seconds 10] [--pairs 2]
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

EVENTS = ["sched_switch", "sched_wakeup", "sched_wakeup_new", "sched_migrate_task",
          "sched_process_fork", "sched_process_exec", "sched_process_exit"]
TRACEFS = "/sys/kernel/tracing"
ROUNDS_RE = re.compile(r"pingpong: (\d+) round trips in ([\d.]+) s")

def workload(ktel, seconds, pairs):
    one = f"{ktel} __workload pingpong {seconds}s"
    return ["sh", "-c", " & ".join([one] * pairs) + "; wait"]


def rounds_per_second(stderr):
    found = ROUNDS_RE.findall(stderr)
    if not found:
        sys.exit("no pingpong result in:\n" + stderr[-2000:])
    return sum(int(n) / float(s) for n, s in found)


def run(argv, env=None):
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv[:6])}... exited {p.returncode}:\n{p.stderr[-3000:]}")
    return p


def untraced(args):
    return {"tool": "untraced", "rps": rounds_per_second(run(workload(args.ktel, args.seconds, args.pairs)).stderr)}


def ktel_record(args, tmp):
    ep = os.path.join(tmp, "ep")
    p = run([args.ktel, "record", "-q", "--sources", "sched", "--require", "sched", "-o", ep, "--"]
            + workload(args.ktel, args.seconds, args.pairs))
    meta = json.load(open(os.path.join(ep, "meta.json")))
    db = sqlite3.connect(os.path.join(ep, "episode.db"))
    events = db.execute("SELECT SUM(events_parsed) FROM capture_stats WHERE phase='final'").fetchone()[0]
    switches = db.execute("SELECT COUNT(*) FROM sched_switch").fetchone()[0]
    s = meta["sources"]["sched"]
    return {"tool": "ktel record", "rps": rounds_per_second(p.stderr), "events": events,
            "switches": switches, "lost": s["lost"], "buffer_kb": s["details"].get("buffer_kb_granted")}


def trace_cmd(args, tmp, buffer_kb):
    inst = f"ktelbench-tc-{os.getpid()}"
    os.makedirs(os.path.join(TRACEFS, "instances", inst))
    wrapper = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trace_cmd_unshared.sh")
    dat = os.path.join(tmp, "trace.dat")
    ev = []
    for e in EVENTS:
        ev += ["-e", f"sched:{e}"]
    try:
        p = run([wrapper, inst, "trace-cmd", "record", "-B", inst, "-b", str(buffer_kb)]
                + ev + ["-o", dat, "--"] + workload(args.ktel, args.seconds, args.pairs))
    finally:
        if os.path.isdir(os.path.join(TRACEFS, "instances", inst)):
            os.rmdir(os.path.join(TRACEFS, "instances", inst))
    stat = subprocess.run(["trace-cmd", "report", "--stat", "-i", dat], capture_output=True, text=True).stdout
    lost = sum(int(x) for x in re.findall(r"overrun: (\d+)", stat))
    lost += sum(int(x) for x in re.findall(r"dropped events: (\d+)", stat))
    rep = subprocess.run(["trace-cmd", "report", "-i", dat], capture_output=True, text=True).stdout
    events = sum(1 for line in rep.splitlines() if re.search(r"\] +[\d.]+: sched_", line))
    switches = sum(1 for line in rep.splitlines() if "sched_switch:" in line)
    return {"tool": "trace-cmd record", "rps": rounds_per_second(p.stderr), "events": events,
            "switches": switches, "lost": lost, "buffer_kb": buffer_kb}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ktel", required=True)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--pairs", type=int, default=2)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (ftrace instances)")
    tmp = tempfile.mkdtemp(prefix="ktel-capture-bench-")
    try:
        rows = [untraced(args), ktel_record(args, tmp)]
        if shutil.which("trace-cmd"):
            rows.append(trace_cmd(args, tmp, rows[1]["buffer_kb"] or 8192))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = rows[0]["rps"]
    print(f"\nsched capture, {args.pairs} ping-pong pair(s) for {args.seconds} s, {os.cpu_count()} CPUs\n")
    print(f"| {'tool':16} | {'round trips/s':>13} | {'vs untraced':>11} | {'events':>10} | {'events/s':>9} | {'switches':>9} | {'lost':>6} |")
    print("|" + "-" * 18 + "|" + "|".join("-" * (w + 1) + ":" for w in (13, 11, 10, 9, 9, 6)) + "|")
    for r in rows:
        ev = r.get("events")
        print(f"| {r['tool']:16} | {r['rps']:13.0f} | {100 * r['rps'] / base:10.1f}% | "
              f"{ev if ev is not None else '':>10} | "
              f"{(ev / args.seconds) if ev else 0:9.0f} | {r.get('switches', ''):>9} | {r.get('lost', ''):>6} |")


if __name__ == "__main__":
    main()
