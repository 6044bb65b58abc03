#!/usr/bin/env python3
"""Compares the CPU cost of sampling 1,000 sleeping processes at 10 Hz.

Rows: ktel's ProcSource with the procfs backend (via `proc_sampler_bench
--sample-for`), the same with status read every 10th tick, the BPF task
iterator backend (when the bench was built with it and runs as root; skipped
with the reason otherwise), and a naive pure-Python sampler of the same four
files per process (reference).
Cost is split in two: "startup CPU ms" is what the sampler spent before its
first tick (for ktel: ProcSource::start(), which for the BPF backend is mostly
the one-time program load and verification; for Python: interpreter start and
imports), and "% core steady" is the CPU time of the sampling after that, as a
share of one core over the same wall time. A long recording pays the first
once and the second all along, so they are reported apart.

  bench/proc_sampler_compare.py --bench build/<you>/bench/proc_sampler_bench
"""
import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time

NAIVE = textwrap.dedent(r"""
    import json, os, resource, sys, time
    root, seconds, interval = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])

    def tree(root):
        parent = {}
        for name in os.listdir('/proc'):
            if not name.isdigit():
                continue
            try:
                with open(f'/proc/{name}/stat') as f:
                    s = f.read()
            except OSError:
                continue
            parent[int(name)] = int(s[s.rindex(')') + 2:].split()[1])
        members, frontier = {root}, [root]
        while frontier:
            p = frontier.pop()
            for c, pp in parent.items():
                if pp == p and c not in members:
                    members.add(c)
                    frontier.append(c)
        return members

    def sample(pid):
        row = {}
        try:
            with open(f'/proc/{pid}/stat') as f:
                fields = f.read()
            fields = fields[fields.rindex(')') + 2:].split()
            row['utime'], row['stime'] = int(fields[11]), int(fields[12])
            row['rss'] = int(fields[21])
            with open(f'/proc/{pid}/status') as f:
                for line in f:
                    if line.startswith(('voluntary_ctxt', 'nonvoluntary_ctxt')):
                        k, v = line.split(':')
                        row[k] = int(v)
            with open(f'/proc/{pid}/io') as f:
                for line in f:
                    k, v = line.split(':')
                    row[k] = int(v)
            with open(f'/proc/{pid}/schedstat') as f:
                row['sched'] = [int(x) for x in f.read().split()]
        except OSError:
            return None
        return row

    def cpu_ns():
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return int((ru.ru_utime + ru.ru_stime) * 1e9)

    start_cpu = cpu_ns()
    start = time.monotonic()
    next_t, ticks, rows, skipped = start, 0, 0, 0
    while time.monotonic() - start < seconds:
        rows += sum(1 for p in tree(root) if sample(p) is not None)
        ticks += 1
        next_t += interval
        now = time.monotonic()
        while next_t < now:
            next_t += interval
            skipped += 1
        time.sleep(max(0.0, next_t - now))
    end_cpu = cpu_ns()
    wall = int((time.monotonic() - start) * 1e9)
    print(json.dumps({'cpu_ns': end_cpu, 'wall_ns': wall, 'start_cpu_ns': start_cpu,
                      'sample_cpu_ns': end_cpu - start_cpu, 'sample_wall_ns': wall,
                      'rows': rows, 'ticks': ticks, 'skipped': skipped}))
""")


def spawn_sleepers(n):
    """A bash parent with n `sleep` children, in its own session."""
    parent = subprocess.Popen(
        ['bash', '-c', f'for i in $(seq {n}); do sleep 100000 & done; wait'],
        start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        kids = 0
        for name in os.listdir('/proc'):
            if name.isdigit():
                try:
                    with open(f'/proc/{name}/stat') as f:
                        s = f.read()
                except OSError:
                    continue
                if int(s[s.rindex(')') + 2:].split()[1]) == parent.pid:
                    kids += 1
        if kids >= n:
            return parent
        time.sleep(0.2)
    os.killpg(parent.pid, signal.SIGKILL)
    sys.exit(f'only {kids} of {n} sleepers started')


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--bench', default=os.path.join(here, '..', 'build', 'proc-release', 'bench',
                                                    'proc_sampler_bench'))
    ap.add_argument('--processes', type=int, default=1000)
    ap.add_argument('--seconds', type=float, default=10)
    ap.add_argument('--hz', type=float, default=10)
    ap.add_argument('--skip-python', action='store_true')
    ap.add_argument('--skip-bpf', action='store_true')
    args = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 4 * args.processes * 2 + 256  # the reader keeps fds for half the soft limit
    if soft < need and hard >= need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))

    parent = spawn_sleepers(args.processes)
    interval_ms = int(1000 / args.hz)
    results = []
    try:
        base = [args.bench, '--sample-for', str(args.seconds), '--pid', str(parent.pid),
                '--interval-ms', str(interval_ms), '--backend', 'procfs']
        results.append(('ktel procfs (4 files every tick)', run_json(base)))
        results.append(('ktel procfs, status every 10th tick',
                        run_json(base + ['--status-every', '10'])))
        if not args.skip_bpf:
            bpf = subprocess.run(base + ['--backend', 'bpf'], capture_output=True, text=True)
            if bpf.returncode == 0:
                results.append(('ktel bpf_task_iter',
                                json.loads(bpf.stdout.strip().splitlines()[-1])))
            else:
                print(f'bpf backend skipped: {bpf.stderr.strip()}', file=sys.stderr)
        if not args.skip_python:
            results.append(('naive Python (same 4 files)',
                            run_json([sys.executable, '-c', NAIVE, str(parent.pid),
                                      str(args.seconds), str(1 / args.hz)])))
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()

    print(f'{args.processes} sleeping processes, {args.hz:g} Hz, {args.seconds:g} s, '
          f'{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}')
    # "% core steady" is sampling CPU / sampling wall time; on a loaded machine
    # a sampler that cannot keep up skips ticks and looks cheaper, so "per tick
    # x Hz" (the cost of actually holding the cadence) is the column to
    # compare. Startup is one-time and kept out of both.
    print(f'{"sampler":40} {"% core steady":>13} {"% core per tick x Hz":>21} '
          f'{"ms CPU/tick":>12} {"startup CPU ms":>15} {"ticks":>6} {"skipped":>8} '
          f'{"rows":>8}')
    for name, r in results:
        pct = 100.0 * r['sample_cpu_ns'] / r['sample_wall_ns']
        per_tick = r['sample_cpu_ns'] / max(1, r['ticks']) / 1e6
        projected = per_tick * args.hz / 10.0
        print(f'{name:40} {pct:13.2f} {projected:21.2f} {per_tick:12.3f} '
              f'{r["start_cpu_ns"] / 1e6:15.1f} {r["ticks"]:6} {r["skipped"]:8} {r["rows"]:8}')

if __name__ == '__main__':
    main()
