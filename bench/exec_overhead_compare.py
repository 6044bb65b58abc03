#!/usr/bin/env python3
"""Overhead of the exec source (eBPF) on fork/exec-heavy work, against its goals.

Three measurements, one table:
1. In-kernel cost: with kernel.bpf_stats_enabled=1 (restored afterwards),
   `ktel record --sources exec` over paced fork+exec; the run_time_ns and
   run_cnt of ktel's programs (on_exec, on_fork, on_exit, on_switch; matched by
   name and by the prog ids in ktel's /proc/PID/fdinfo) are read while it records,
   and the difference between the first and last reading gives ns per run.
   on_exec/on_fork/on_exit run once per exec/fork/exit (goal <= 2000 ns);
   on_switch runs on every context switch of the machine, so it is reported
   per switch, as a share of the programs' total and per exec.
2. Paced execs: bench/exec_storm spawns the program (default the static
   exec_true) at --rate per second for --seconds under `ktel record`; goal 0
   lost (meta.json) and one exec_events row per exec that ran. The rate really
   achieved (execs that ran / time until the last was reaped) is reported
   beside the untraced one; when one worker falls short, two are tried too.
3. Sequential loop: --loop-count fork+exec+wait of /bin/true timed inside
   exec_storm (ktel's start-up and table building are not counted), untraced,
   under `--exec-scope tree` and under `--exec-scope all`, alternating, median
   of --rounds runs each; goal: slowdown <= 10 %.

  bench/exec_overhead_compare.py --ktel build/release/src/cli/ktel
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROGRAMS = ["on_exec", "on_fork", "on_exit", "on_switch"]
STATS_SYSCTL = Path("/proc/sys/kernel/bpf_stats_enabled")
COST_GOAL_NS = 2000
SLOWDOWN_GOAL_PCT = 10.0


def verdict(ok):
    return "PASS" if ok else "FAIL"


def read_json_file(path):
    return json.loads(Path(path).read_text().strip().splitlines()[-1])


def bpf_programs():
    out = subprocess.run(["bpftool", "prog", "show", "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def prog_ids_held_by(pid):
    """Ids of the BPF programs whose fds process `pid` holds (fdinfo's prog_id;
    Debian's bpftool lists no pids, and other recorders may run programs of the
    same names at the same time)."""
    ids = set()
    fdinfo = Path(f"/proc/{pid}/fdinfo")
    try:
        entries = list(fdinfo.iterdir())
    except OSError:
        return ids
    for entry in entries:
        try:
            for line in entry.read_text().splitlines():
                if line.startswith("prog_id:"):
                    ids.add(int(line.split()[1]))
        except OSError:
            continue
    return ids


def ktel_programs(ktel_pid):
    """run_time_ns/run_cnt of ktel's exec programs by name, with their ids;
    None until all four are loaded."""
    held = prog_ids_held_by(ktel_pid)
    found = {}
    for p in bpf_programs():
        if p.get("name") in PROGRAMS and p["id"] in held:
            found[p["name"]] = {"id": p["id"], "run_time_ns": p.get("run_time_ns", 0),
                                "run_cnt": p.get("run_cnt", 0)}
    return found if len(found) == len(PROGRAMS) else None


class Recording:
    """`ktel record --sources exec` of a command into a fresh episode."""

    def __init__(self, args, tmp, name, command, scope="tree"):
        self.episode = Path(tmp) / name
        self.argv = [args.ktel, "record", "-q", "--sources", "exec", "--require", "exec",
                     "--exec-scope", scope, "-o", str(self.episode), "--"] + command

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        return self.proc

    def finish(self):
        _, err = self.proc.communicate()
        if self.proc.returncode != 0:
            sys.exit(f"ktel record exited {self.proc.returncode}:\n{err[-3000:]}")
        return self

    def run(self):
        self.start()
        return self.finish()

    def meta(self):
        return json.loads((self.episode / "meta.json").read_text())

    def exec_rows(self, filename, ppid=None):
        """exec_events rows of `filename` (exec'd by children of `ppid`, when given:
        under --exec-scope all, other processes may exec it too)."""
        db = sqlite3.connect(self.episode / "episode.db")
        try:
            if ppid is None:
                return db.execute("SELECT COUNT(*) FROM exec_events WHERE filename = ?",
                                  (filename,)).fetchone()[0]
            return db.execute("SELECT COUNT(*) FROM exec_events WHERE filename = ? AND ppid = ?",
                              (filename, ppid)).fetchone()[0]
        finally:
            db.close()

    def remove(self):
        shutil.rmtree(self.episode, ignore_errors=True)


def lost_of(meta):
    s = meta["sources"]["exec"]
    return s.get("lost", 0), s.get("details", {}).get("lost", {})


def storm(args, mode, out, **kw):
    argv = [args.storm, mode, "--out", str(out)]
    for k, v in kw.items():
        argv += [f"--{k}", str(v)]
    return argv


# 1. In-kernel cost per event ------------------------------------------------

def measure_cost(args, tmp):
    previous = STATS_SYSCTL.read_text().strip()
    STATS_SYSCTL.write_text("1\n")
    try:
        out = Path(tmp) / "cost.json"
        rec = Recording(args, tmp, "cost", storm(args, "paced", out, rate=args.cost_rate,
                                                  seconds=args.cost_seconds,
                                                  program=args.program))
        proc = rec.start()
        first = last = None
        first_t = last_t = None
        while proc.poll() is None:
            snap = ktel_programs(proc.pid)
            if snap is not None:
                now = time.monotonic()
                if first is None:
                    first, first_t = snap, now
                else:
                    last, last_t = snap, now
            time.sleep(0.25)
        rec.finish()
    finally:
        STATS_SYSCTL.write_text(previous + "\n")
    if first is None or last is None:
        sys.exit("ktel's exec programs were never seen twice in `bpftool prog show`")
    if any(first[n]["id"] != last[n]["id"] for n in PROGRAMS):
        sys.exit(f"ktel's program ids changed while it recorded: {first} {last}")
    delta = {n: {k: last[n][k] - first[n][k] for k in ("run_time_ns", "run_cnt")}
             for n in PROGRAMS}
    storm_result = read_json_file(out)
    details = rec.meta()["sources"]["exec"].get("details", {})
    tables = details.get("tables", {})
    recorded = {"on_exec": tables.get("exec_events"), "on_fork": tables.get("forks"),
                "on_exit": details.get("exits")}
    rec.remove()
    return {"delta": delta, "window_s": last_t - first_t, "storm": storm_result,
            "stats_was": previous, "recorded": recorded}


def cost_rows(cost):
    d = cost["delta"]
    total = sum(d[n]["run_time_ns"] for n in PROGRAMS)
    rows = []
    for n in ("on_exec", "on_fork", "on_exit"):
        cnt, ns = d[n]["run_cnt"], d[n]["run_time_ns"]
        if cnt == 0:
            rows.append((f"{n}: ns per event", f"<= {COST_GOAL_NS} ns", "no runs", "FAIL"))
            continue
        per = ns / cnt
        # Runs include out-of-scope events (other processes), which return
        # early; the episode's count of recorded ones shows the mix.
        rec = cost["recorded"].get(n)
        rec_txt = f", {rec:,} recorded in all" if rec is not None else ""
        rows.append((f"{n}: ns per run ({cnt:,} runs{rec_txt}, {100 * ns / total:.1f} % of BPF time)",
                     f"<= {COST_GOAL_NS} ns", f"{per:,.0f} ns", verdict(per <= COST_GOAL_NS)))
    sw = d["on_switch"]
    execs = max(1, d["on_exec"]["run_cnt"])
    per_switch = sw["run_time_ns"] / max(1, sw["run_cnt"])
    rows.append((f"on_switch: ns per context switch ({sw['run_cnt']:,} switches)", "report",
                 f"{per_switch:,.0f} ns", "-"))
    rows.append(("on_switch: share of the 4 programs' BPF time", "report",
                 f"{100 * sw['run_time_ns'] / max(1, total):.1f} %", "-"))
    rows.append(("on_switch: BPF time per exec (switches/exec x ns)", "report",
                 f"{sw['run_time_ns'] / execs:,.0f} ns ({sw['run_cnt'] / execs:.1f} sw/exec)", "-"))
    return rows


# 2. Paced execs -----------------------------------------------------------

def measure_paced(args, tmp, workers, traced):
    out = Path(tmp) / f"paced-{workers}-{int(traced)}.json"
    command = storm(args, "paced", out, rate=args.rate, seconds=args.seconds,
                    workers=workers, program=args.program)
    if not traced:
        subprocess.run(command, check=True)
        return {"storm": read_json_file(out)}
    rec = Recording(args, tmp, f"paced-{workers}", command).run()
    lost, details = lost_of(rec.meta())
    result = {"storm": read_json_file(out), "lost": lost, "lost_details": details,
              "rows": rec.exec_rows(args.program)}
    rec.remove()
    return result


def paced_rows(args, runs):
    rows = []
    for workers, untraced, traced in runs:
        s = traced["storm"]
        label = f"{args.rate:,.0f}/s x {args.seconds:g} s, {workers} worker(s)"
        rows.append((f"{label}: execs/s achieved (untraced: {untraced['storm']['rate']:,.0f})",
                     f">= {args.rate:,.0f}", f"{s['rate']:,.0f}",
                     verdict(s["rate"] >= 0.99 * args.rate)))
        nonzero = {k: v for k, v in traced["lost_details"].items() if v}
        rows.append((f"{label}: lost (meta.json)", "0",
                     f"{traced['lost']}" + (f" {nonzero}" if nonzero else ""),
                     verdict(traced["lost"] == 0 and not nonzero)))
        rows.append((f"{label}: exec_events rows / execs run", "all",
                     f"{traced['rows']:,} / {s['ok']:,}", verdict(traced["rows"] == s["ok"])))
    return rows


# 3. Sequential loop -------------------------------------------------------

def measure_loop(args, tmp):
    configs = ["untraced", "tree", "all"]
    elapsed = {c: [] for c in configs}
    cpu = {c: [] for c in configs}
    checks = {c: [] for c in configs}
    for r in range(args.rounds):
        for c in configs:
            out = Path(tmp) / f"loop-{c}-{r}.json"
            command = storm(args, "loop", out, count=args.loop_count, program="/bin/true")
            if c == "untraced":
                subprocess.run(command, check=True)
                s = read_json_file(out)
            else:
                rec = Recording(args, tmp, f"loop-{c}-{r}", command, scope=c).run()
                s = read_json_file(out)
                lost, _ = lost_of(rec.meta())
                checks[c].append((lost, rec.exec_rows("/bin/true", s["pid"]), s["ok"]))
                rec.remove()
            elapsed[c].append(s["elapsed_ns"] / 1e9)
            cpu[c].append(s["cpu_ns"] / 1e9)
            print(f"  loop round {r + 1}/{args.rounds} {c:8}: {s['elapsed_ns'] / 1e9:.2f} s, "
                  f"CPU {s['cpu_ns'] / 1e9:.2f} s", file=sys.stderr)
    return elapsed, cpu, checks


def loop_rows(args, elapsed, cpu, checks):
    base = statistics.median(elapsed["untraced"])
    rows = [(f"{args.loop_count:,} fork+exec+wait /bin/true, untraced (median of "
             f"{args.rounds})", "baseline", f"{base:.2f} s", "-")]
    for c in ("tree", "all"):
        med = statistics.median(elapsed[c])
        slow = 100 * (med / base - 1)
        lost = sum(x[0] for x in checks[c])
        rows_seen = sum(x[1] for x in checks[c])
        execs = sum(x[2] for x in checks[c])
        rows.append((f"  under --exec-scope {c}: slowdown (median {med:.2f} s; "
                     f"rows {rows_seen:,}/{execs:,}, lost {lost})",
                     f"<= {SLOWDOWN_GOAL_PCT:g} %", f"{slow:+.1f} %",
                     verdict(slow <= SLOWDOWN_GOAL_PCT)))
    # CPU time of the loop and its children (BPF programs run on their
    # time) is less swayed by other load on the machine than wall time.
    cpu_base = statistics.median(cpu["untraced"])
    for c in ("tree", "all"):
        med = statistics.median(cpu[c])
        rows.append((f"  under --exec-scope {c}: CPU time of loop + children (median {med:.2f} s "
                     f"vs {cpu_base:.2f} s)", "report", f"{100 * (med / cpu_base - 1):+.1f} %", "-"))
    return rows


def print_table(rows):
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len("goal"), max(len(r[1]) for r in rows))
    w2 = max(len("measured"), max(len(r[2]) for r in rows))
    print(f"| {'measurement':{w0}} | {'goal':>{w1}} | {'measured':>{w2}} | verdict |")
    print(f"|{'-' * (w0 + 2)}|{'-' * (w1 + 1)}:|{'-' * (w2 + 1)}:|---------|")
    for name, goal, measured, v in rows:
        print(f"| {name:{w0}} | {goal:>{w1}} | {measured:>{w2}} | {v:7} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ktel", required=True)
    ap.add_argument("--storm", help="exec_storm (default: <build>/bench/exec_storm)")
    ap.add_argument("--program", help="what the paced runs exec (default: <build>/bench/exec_true)")
    ap.add_argument("--rate", type=float, default=5000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--cost-rate", type=float, default=1000)
    ap.add_argument("--cost-seconds", type=float, default=8)
    ap.add_argument("--loop-count", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--skip", default="", help="comma-separated: cost,paced,loop")
    args = ap.parse_args()
    # SIGTERM unwinds like an error, so bpf_stats_enabled is still restored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if os.geteuid() != 0:
        sys.exit("needs root (BPF programs, kernel.bpf_stats_enabled)")
    build = Path(args.ktel).resolve().parents[2]
    args.storm = args.storm or str(build / "bench" / "exec_storm")
    args.program = os.path.abspath(args.program or str(build / "bench" / "exec_true"))
    for exe in (args.ktel, args.storm, args.program):
        if not os.access(exe, os.X_OK):
            sys.exit(f"{exe} is not built (cmake --build --preset release --target ktel "
                     "exec_storm exec_true)")
    skip = set(filter(None, args.skip.split(",")))
    load_before = os.getloadavg()[0]

    tmp = tempfile.mkdtemp(prefix="ktel-exec-bench-")
    rows = []
    notes = []
    try:
        if "cost" not in skip:
            cost = measure_cost(args, tmp)
            rows += cost_rows(cost)
            notes.append(f"cost: {cost['window_s']:.1f} s between the bpftool readings, "
                         f"{cost['storm']['rate']:,.0f} execs/s of {os.path.basename(args.program)}"
                         f" (asked {args.cost_rate:,.0f}); kernel.bpf_stats_enabled restored "
                         f"to {cost['stats_was']}")
        if "paced" not in skip:
            runs = []
            for workers in (1, 2):
                untraced = measure_paced(args, tmp, workers, traced=False)
                traced = measure_paced(args, tmp, workers, traced=True)
                runs.append((workers, untraced, traced))
                if traced["storm"]["rate"] >= 0.99 * args.rate:
                    break
            rows += paced_rows(args, runs)
        if "loop" not in skip:
            elapsed, cpu, checks = measure_loop(args, tmp)
            rows += loop_rows(args, elapsed, cpu, checks)
            for c, xs in elapsed.items():
                notes.append(f"loop {c:8}: " + " ".join(f"{x:.2f}" for x in xs) + " s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nexec source overhead, {os.cpu_count()} CPUs, load {load_before:.1f} before / "
          f"{os.getloadavg()[0]:.1f} after\n")
    print_table(rows)
    for n in notes:
        print(n)


if __name__ == "__main__":
    main()
