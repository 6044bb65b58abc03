#!/usr/bin/env python3
"""Compares ktel's ftrace text import with a naive regex-per-line Python parser.

The trace is the committed Linux 6.18 capture testdata/ftrace_text/sched_local.txt
replicated to --mib MiB with timestamps shifted 2 s per copy (written by
`ftrace_text_bench --write-trace`), so every row parses the same bytes from
the page cache (the file is read once before timing).

Rows:
  ktel parse, N threads   import_text_trace with a consumer that only counts
                          (`ftrace_text_bench --import`): read + parse + hand-over
  ktel import ftrace-text the whole command (with --ktel): parse, the sched
                          tables and derived tables written to SQLite
  python regex per line   what collection scripts do: one re.match for the
                          line layout, one for the event's fields, a dict per event

  bench/ftrace_text_compare.py --bench build/<release>/bench/ftrace_text_bench \\
      [--ktel build/<release>/src/cli/ktel] [--mib 64]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

LINE = re.compile(r'^\s*(?P<comm>.*)-(?P<pid>\d+)\s+(?:\(\s*(?:\d+|-+)\)\s+)?\[(?P<cpu>\d+)\]\s+'
                  r'(?:\S+\s+)?(?P<ts>\d+\.\d+):\s+(?P<event>\w+):\s*(?P<body>.*)$')
BODIES = {
    'sched_switch': re.compile(r'prev_comm=(.*) prev_pid=(-?\d+) prev_prio=(-?\d+) '
                               r'prev_state=(\S+) ==> next_comm=(.*) next_pid=(-?\d+) '
                               r'next_prio=(-?\d+)$'),
    'sched_wakeup': re.compile(r'comm=(.*) pid=(-?\d+) prio=(-?\d+) target_cpu=(\d+)$'),
    'sched_wakeup_new': re.compile(r'comm=(.*) pid=(-?\d+) prio=(-?\d+) target_cpu=(\d+)$'),
    'sched_migrate_task': re.compile(r'comm=(.*) pid=(-?\d+) prio=(-?\d+) orig_cpu=(\d+) '
                                     r'dest_cpu=(\d+)$'),
    'sched_process_fork': re.compile(r'comm=(.*) pid=(-?\d+) child_comm=(.*) child_pid=(-?\d+)$'),
    'sched_process_exec': re.compile(r'filename=(.*) pid=(-?\d+) old_pid=(-?\d+)$'),
    'sched_process_exit': re.compile(r'comm=(.*) pid=(-?\d+) prio=(-?\d+)(?: group_dead=(\w+))?$'),
}

NAIVE = r'''
import re, sys, time, json, resource
LINE = re.compile(%r)
BODIES = {k: re.compile(v) for k, v in %r.items()}
t0 = time.perf_counter()
events = malformed = 0
out = []
with open(sys.argv[1], encoding='utf-8', errors='replace') as f:
    for line in f:
        if line.startswith('#') or not line.strip():
            continue
        m = LINE.match(line.rstrip('\n'))
        if not m:
            malformed += 1
            continue
        body = BODIES.get(m.group('event'))
        b = body.match(m.group('body')) if body else None
        if body and not b:
            malformed += 1
            continue
        ts = m.group('ts')
        s, frac = ts.split('.')
        out.append({'ts_ns': int(s) * 10**9 + int(frac.ljust(9, '0')), 'cpu': int(m.group('cpu')),
                    'pid': int(m.group('pid')), 'event': m.group('event'),
                    'fields': b.groups() if b else m.group('body')})
        events += 1
        if len(out) >= 100000:
            out.clear()
secs = time.perf_counter() - t0
print(json.dumps({'events': events, 'malformed': malformed, 'seconds': secs,
                  'max_rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
''' % (LINE.pattern, {k: v.pattern for k, v in BODIES.items()})


def run_json(argv):
    r = subprocess.run(argv, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        sys.exit(f'{argv[0]} failed ({r.returncode}): {r.stderr.strip()}')
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_ktel_import(ktel, trace, threads):
    out = tempfile.mkdtemp(prefix='ktel_ftrace_cmp_')
    shutil.rmtree(out)
    try:
        t0 = time.perf_counter()
        r = subprocess.run([ktel, 'import', 'ftrace-text', trace, '--output', out,
                            '--threads', str(threads)], capture_output=True, text=True, check=False)
        secs = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit(f'ktel import failed: {r.stderr.strip()}')
        meta = json.load(open(os.path.join(out, 'meta.json')))
        return {'events': meta['sources']['sched']['details']['events'],
                'malformed': meta['sources']['sched']['details']['malformed_lines'],
                'seconds': secs}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--bench', required=True, help='path to ftrace_text_bench (Release build)')
    ap.add_argument('--ktel', help='path to ktel, to time the whole `ktel import ftrace-text`')
    ap.add_argument('--mib', type=int, default=64, help='size of the replicated trace')
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix='ktel_ftrace_cmp_') as tmp:
        trace = os.path.join(tmp, 'trace.txt')
        subprocess.run([args.bench, f'--write-trace={trace}', f'--mib={args.mib}'], check=True)
        size = os.path.getsize(trace)
        with open(trace, 'rb') as f:  # warm the page cache for every row alike
            while f.read(1 << 24):
                pass
        rows = []
        for threads in (1, 2):
            r = run_json([args.bench, f'--import={trace}', f'--threads={threads}'])
            rows.append((f'ktel parse, {threads} thread{"s" if threads > 1 else ""}', r))
        if args.ktel:
            for threads in (1, 2):
                rows.append((f'ktel import ftrace-text --threads {threads} (SQLite)',
                             run_ktel_import(args.ktel, trace, threads)))
        rows.append(('python regex per line (naive)', run_json([sys.executable, '-c', NAIVE, trace])))

        print(f'trace: {size / 2**20:.1f} MiB, {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f} '
              '(compare numbers only on a quiet machine)')
        print(f'{"parser":46} {"seconds":>8} {"MB/s":>9} {"events/s":>12} {"events":>10} '
              f'{"malformed":>9} {"vs python":>9}')
        py_secs = rows[-1][1]['seconds']
        for name, r in rows:
            secs = r['seconds']
            print(f'{name:46} {secs:8.3f} {size / 1e6 / secs:9.1f} {r["events"] / secs:12,.0f} '
                  f'{r["events"]:10,} {r["malformed"]:9,} {py_secs / secs:8.1f}x')


if __name__ == '__main__':
    main()
