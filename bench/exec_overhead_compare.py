#!/usr/bin/env python3
"""Overhead of the exec source (eBPF) on fork/exec-heavy work, against its goals.

Three measurements, one table:
1. In-kernel cost: with kernel.bpf_stats_enabled=1 (restored afterwards),
   `ktel record --sources exec` over fork+exec, once one at a time (loop:
   the programs' own cost) and once paced (--cost-rate/s, many children
   alive: the same with both CPUs busy); the run_time_ns and
   run_cnt of ktel's programs (on_exec, on_fork, on_exit, on_switch; matched by
   name and by the prog ids in ktel's /proc/PID/fdinfo) are read while it records,
   and the difference between the first and last reading gives ns per run.
   on_exec/on_fork/on_exit run once per exec/fork/exit (goal <= 2000 ns);
   on_switch runs on every context switch of the machine, so it is reported
   per switch, as a share of the programs' total and per exec. Beside each,
   the cost per run of an empty program at the same attach point
   (bench/exec_floor, attached after ktel's, read over the same window): what
   the machine charges any program there (on a VM that can be a good part).
2. Paced execs: bench/exec_storm spawns the program (default the static
   exec_true) at --rate per second for --seconds under `ktel record`; goal 0
   lost (meta.json) and one exec_events row per exec that ran. The rate really
   achieved (execs that ran / time until the last was reaped) is reported
   beside the untraced one; when one worker falls short, two are tried too.
3. Record rate: fork+exec is slow on some machines (a VM here: ~3 ms per
   exec, a few hundred execs/s on 2 CPUs), so the ring and its reader are
   also driven by `exec_storm threads` (create+join threads for --seconds:
   a fork and an exit record each); goal: at least the records/s and bytes/s
   that --rate processes/s would write (bytes per process from the paced
   run), 0 lost, one forks row per thread.
4. Sequential loop: --loop-count fork+exec+wait of /bin/true timed inside
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
FLOOR_PROGRAMS = ["floor_exec", "floor_fork", "floor_exit", "floor_switch"]
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


def programs_of(pid, names, programs):
    """run_time_ns/run_cnt of the programs `pid` holds, by name, with their
    ids; None until all of `names` are loaded."""
    held = prog_ids_held_by(pid)
    found = {}
    for p in programs:
        if p.get("name") in names and p["id"] in held:
            found[p["name"]] = {"id": p["id"], "run_time_ns": p.get("run_time_ns", 0),
                                "run_cnt": p.get("run_cnt", 0)}
    return found if len(found) == len(names) else None


def ktel_programs(ktel_pid):
    return programs_of(ktel_pid, PROGRAMS, bpf_programs())


class Floor:
    """bench/exec_floor: empty programs at the same attach points, attached
    after ktel's (so they run second, on warm caches: a floor that does not
    flatter ktel). Their cost per run is what any program costs there."""

    def __init__(self, path):
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"exec_floor failed: {self.proc.stderr.read()[-2000:]}")

    def snapshot(self, programs):
        got = programs_of(self.proc.pid, FLOOR_PROGRAMS, programs)
        return None if got is None else {n: got["floor_" + n[3:]] for n in PROGRAMS}

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait()


class Recording:
    """`ktel record --sources exec` of a command into a fresh episode."""

    def __init__(self, args, tmp, name, command, scope="tree"):
        self.episode = Path(tmp) / name
        self.argv = ([args.ktel, "record", "-q", "--sources", "exec", "--require", "exec",
                      "--exec-scope", scope, "-o", str(self.episode)] + args.record_args
                     + ["--"] + command)

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

def measure_cost(args, tmp, mode):
    """mode "loop": one fork+exec+wait at a time (the programs' own cost);
    "paced": --cost-rate/s with up to 64 children alive per worker (the same
    programs with both CPUs busy)."""
    previous = STATS_SYSCTL.read_text().strip()
    STATS_SYSCTL.write_text("1\n")
    try:
        out = Path(tmp) / f"cost-{mode}.json"
        if mode == "loop":
            command = storm(args, "loop", out, count=args.cost_loop_count, program=args.program)
        else:
            command = storm(args, "paced", out, rate=args.cost_rate, seconds=args.cost_seconds,
                            program=args.program)
        rec = Recording(args, tmp, f"cost-{mode}", command)
        proc = rec.start()
        floor = None
        first = last = None
        first_t = last_t = None
        while proc.poll() is None:
            programs = bpf_programs()
            snap = programs_of(proc.pid, PROGRAMS, programs)
            if snap is not None and floor is None and not args.no_floor:
                floor = Floor(args.floor)
                continue
            if snap is not None and floor is not None:
                snap = {"ktel": snap, "floor": floor.snapshot(programs)}
                if snap["floor"] is None:
                    snap = None
            elif snap is not None:
                snap = {"ktel": snap, "floor": None}
            if snap is not None:
                now = time.monotonic()
                if first is None:
                    first, first_t = snap, now
                else:
                    last, last_t = snap, now
            time.sleep(0.25)
        rec.finish()
        if floor is not None:
            floor.stop()
    finally:
        STATS_SYSCTL.write_text(previous + "\n")
    if first is None or last is None:
        sys.exit("ktel's exec programs were never seen twice in `bpftool prog show`")
    if any(first["ktel"][n]["id"] != last["ktel"][n]["id"] for n in PROGRAMS):
        sys.exit(f"ktel's program ids changed while it recorded: {first} {last}")

    def delta_of(key):
        if first[key] is None:
            return None
        return {n: {k: last[key][n][k] - first[key][n][k] for k in ("run_time_ns", "run_cnt")}
                for n in PROGRAMS}
    delta = delta_of("ktel")
    floor_delta = delta_of("floor")
    storm_result = read_json_file(out)
    details = rec.meta()["sources"]["exec"].get("details", {})
    tables = details.get("tables", {})
    recorded = {"on_exec": tables.get("exec_events"), "on_fork": tables.get("forks"),
                "on_exit": details.get("exits")}
    rec.remove()
    return {"mode": mode, "delta": delta, "floor": floor_delta, "window_s": last_t - first_t,
            "storm": storm_result,
            "stats_was": previous, "recorded": recorded}


def per_run(delta, name):
    return delta[name]["run_time_ns"] / max(1, delta[name]["run_cnt"])


def floor_text(cost, name):
    if cost["floor"] is None:
        return ""
    return f"; empty program: {per_run(cost['floor'], name):,.0f} ns"


def cost_rows(cost):
    d = cost["delta"]
    total = sum(d[n]["run_time_ns"] for n in PROGRAMS)
    mode = cost["mode"]
    rows = []
    for n in ("on_exec", "on_fork", "on_exit"):
        cnt, ns = d[n]["run_cnt"], d[n]["run_time_ns"]
        if cnt == 0:
            rows.append((f"{mode}: {n}: ns per event", f"<= {COST_GOAL_NS} ns", "no runs", "FAIL"))
            continue
        per = ns / cnt
        # Runs include out-of-scope events (other processes), which return
        # early; the episode's count of recorded ones shows the mix.
        rec = cost["recorded"].get(n)
        rec_txt = f", {rec:,} recorded in all" if rec is not None else ""
        rows.append((f"{mode}: {n}: ns per run ({cnt:,} runs{rec_txt}, {100 * ns / total:.1f} % of BPF time"
                     f"{floor_text(cost, n)})",
                     f"<= {COST_GOAL_NS} ns", f"{per:,.0f} ns", verdict(per <= COST_GOAL_NS)))
    sw = d["on_switch"]
    execs = max(1, d["on_exec"]["run_cnt"])
    per_switch = sw["run_time_ns"] / max(1, sw["run_cnt"])
    # The average includes each exited process's final switch, where its exit
    # record is completed and sent (a lookup and a ring write).
    rows.append((f"{mode}: on_switch: ns per context switch ({sw['run_cnt']:,} switches, "
                 f"final ones of exits included{floor_text(cost, 'on_switch')})", "report",
                 f"{per_switch:,.0f} ns", "-"))
    rows.append((f"{mode}: on_switch: share of the 4 programs' BPF time", "report",
                 f"{100 * sw['run_time_ns'] / max(1, total):.1f} %", "-"))
    rows.append((f"{mode}: on_switch: BPF time per exec (switches/exec x ns)", "report",
                 f"{sw['run_time_ns'] / execs:,.0f} ns ({sw['run_cnt'] / execs:.1f} sw/exec)", "-"))
    return rows


# 3. Record rate --------------------------------------------------------------

def measure_churn(args, tmp):
    out = Path(tmp) / "threads.json"
    command = storm(args, "threads", out, seconds=args.seconds, workers=1)
    rec = Recording(args, tmp, "threads", command).run()
    details = rec.meta()["sources"]["exec"].get("details", {})
    storm_result = read_json_file(out)
    db = sqlite3.connect(rec.episode / "episode.db")
    try:
        # The storm is the recorded root: its pid has the first exec row.
        pid = db.execute("SELECT pid FROM exec_events ORDER BY ts_ns LIMIT 1").fetchone()[0]
        thread_rows = db.execute("SELECT COUNT(*) FROM forks WHERE is_thread = 1 AND "
                                 "parent_pid = ?", (pid,)).fetchone()[0]
    finally:
        db.close()
    lost, lost_details = lost_of(rec.meta())
    rec.remove()
    return {"storm": storm_result, "details": details, "lost": lost,
            "lost_details": lost_details, "thread_rows": thread_rows}


def churn_rows(args, churn, bytes_per_process):
    s, d = churn["storm"], churn["details"]
    seconds = s["elapsed_ns"] / 1e9
    records_s = d.get("records", 0) / seconds
    bytes_s = d.get("raw_bytes", 0) / seconds
    want_records = 3 * args.rate  # a fork, an exec and an exit per process
    want_bytes = args.rate * bytes_per_process
    label = f"thread churn, {s['threads']:,} threads in {seconds:.0f} s"
    return [
        (f"{label}: records/s through the ring (= {args.rate:,.0f} processes/s x 3)",
         f">= {want_records:,.0f}", f"{records_s:,.0f}", verdict(records_s >= want_records)),
        (f"{label}: bytes/s through the ring (= {args.rate:,.0f} x {bytes_per_process:,.0f} B)",
         f">= {want_bytes / 1e6:.2f} MB/s", f"{bytes_s / 1e6:.2f} MB/s",
         verdict(bytes_s >= want_bytes)),
        (f"{label}: lost, all types", "0", f"{churn['lost']:,}",
         verdict(churn["lost"] == 0)),
        (f"{label}: thread fork rows (one per thread; + the worker)", f"{s['threads']:,} + 1",
         f"{churn['thread_rows']:,}", verdict(churn["thread_rows"] == s["threads"] + 1)),
    ]


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
    meta_details = rec.meta()["sources"]["exec"].get("details", {})
    result = {"storm": read_json_file(out), "lost": lost, "lost_details": details,
              "rows": rec.exec_rows(args.program),
              "raw_bytes": meta_details.get("raw_bytes", 0)}
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


# 4. Sequential loop -------------------------------------------------------

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
    ap.add_argument("--floor", help="exec_floor (default: <build>/bench/exec_floor)")
    ap.add_argument("--no-floor", action="store_true",
                    help="do not attach the empty programs beside ktel's")
    ap.add_argument("--program", help="what the paced runs exec (default: <build>/bench/exec_true)")
    ap.add_argument("--record-arg", dest="record_args", action="append", default=[],
                    help="one more argument for every `ktel record` (repeat), e.g. "
                         "--record-arg=--exec-ring-size=4096")
    ap.add_argument("--rate", type=float, default=5000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--cost-rate", type=float, default=1000)
    ap.add_argument("--cost-seconds", type=float, default=8)
    ap.add_argument("--cost-loop-count", type=int, default=2000)
    ap.add_argument("--loop-count", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--skip", default="", help="comma-separated: cost,paced,churn,loop")
    args = ap.parse_args()
    # SIGTERM unwinds like an error, so bpf_stats_enabled is still restored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if os.geteuid() != 0:
        sys.exit("needs root (BPF programs, kernel.bpf_stats_enabled)")
    build = Path(args.ktel).resolve().parents[2]
    args.storm = args.storm or str(build / "bench" / "exec_storm")
    args.floor = args.floor or str(build / "bench" / "exec_floor")
    if not args.no_floor and not os.access(args.floor, os.X_OK):
        sys.exit(f"{args.floor} is not built (a build with the eBPF backend); or --no-floor")
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
    bytes_per_process = 700.0
    try:
        if "cost" not in skip:
            for mode in ("loop", "paced"):
                cost = measure_cost(args, tmp, mode)
                rows += cost_rows(cost)
                asked = (f"asked {args.cost_rate:,.0f}/s" if mode == "paced"
                         else "one at a time")
                rate = cost["storm"].get("rate") or (
                    cost["storm"]["ok"] * 1e9 / cost["storm"]["elapsed_ns"])
                notes.append(f"cost {mode}: {cost['window_s']:.1f} s between the bpftool readings, "
                             f"{rate:,.0f} execs/s of {os.path.basename(args.program)} ({asked}); "
                             f"kernel.bpf_stats_enabled restored to {cost['stats_was']}")
        if "paced" not in skip:
            runs = []
            for workers in (1, 2):
                untraced = measure_paced(args, tmp, workers, traced=False)
                traced = measure_paced(args, tmp, workers, traced=True)
                runs.append((workers, untraced, traced))
                if traced["storm"]["rate"] >= 0.99 * args.rate:
                    break
            rows += paced_rows(args, runs)
            traced = runs[-1][2]
            if traced["rows"] > 0:
                bytes_per_process = traced["raw_bytes"] / traced["rows"]
        if "churn" not in skip:
            churn = measure_churn(args, tmp)
            rows += churn_rows(args, churn, bytes_per_process)
            notes.append(f"churn: bytes per process {bytes_per_process:,.0f} "
                         + ("(from the paced run)" if "paced" not in skip else
                            "(assumed: an exec with a short argv, a fork and an exit)"))
        if "loop" not in skip:
            elapsed, cpu, checks = measure_loop(args, tmp)
            rows += loop_rows(args, elapsed, cpu, checks)
            for c, xs in elapsed.items():
                notes.append(f"loop {c:8}: " + " ".join(f"{x:.2f}" for x in xs) + " s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nexec source overhead, {os.cpu_count()} CPUs, load {load_before:.1f} before / "
          f"{os.getloadavg()[0]:.1f} after"
          + (f", ktel record {' '.join(args.record_args)}" if args.record_args else "") + "\n")
    print_table(rows)
    for n in notes:
        print(n)


if __name__ == "__main__":
    main()
