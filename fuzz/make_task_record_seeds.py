#!/usr/bin/env python3
# Writes the seed corpus fuzz/corpus/task_record_decode/: hand-built KtelTaskRecords
# (layout of src/sys/bpf/task_record.h, version 1) with plausible values.
import struct, os
FMT = '<IIiiiIII16s' + 'Q'*27 + 'Q' + 'qqq'
LEADER, MM, IO, SI, PREV = 1, 2, 4, 8, 0x10
ALL = MM | IO | SI | PREV
def rec(tgid, tid, ppid, comm, flags=ALL, state=1, exit_state=0, nthreads=1, base=1):
    b = base
    u64 = [123_000_000_000 + b, 40_000_000*b, 12_000_000*b, 52_500_123*b, 39_000_000*b, 11_000_000*b,
           150*b, 2*b, 10*b, 3*b, 4096*b, 512*b, 0, 8192*b, 70_000*b, 12*b,
           1_000_000*b, 200_000*b, 1_250_000*b, 900_000*b, 180_000*b, 30*b, 0, 1000*b, 100*b, 0, 0,
           2100*b]
    rss = [210*b, 35*b, 0]
    return struct.pack(FMT, 1, flags, tid, tgid, ppid, state, exit_state, nthreads,
                       comm.encode()[:15].ljust(16, b'\0'), *u64, *rss)
assert struct.calcsize(FMT) == 296
d = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'task_record_decode') + '/'
open(d+'single_process', 'wb').write(rec(4242, 4242, 1, 'sleep', ALL | LEADER))
open(d+'three_threads', 'wb').write(rec(500, 500, 1, 'worker', ALL | LEADER, nthreads=3) +
    rec(500, 502, 1, 'worker', ALL, state=0, nthreads=3, base=2) +
    rec(500, 501, 1, 'a) b (c', ALL, nthreads=3, base=3))
open(d+'mixed_tree', 'wb').write(rec(2, 2, 0, 'kthreadd', IO | SI | PREV | LEADER, state=1) +
    rec(77, 77, 2, 'zombie', ALL | LEADER, state=0, exit_state=0x20) +
    rec(90, 91, 77, 'orphan-thread', ALL, base=4) +
    rec(100, 100, 77, 'idle\x01\x7f', ALL | LEADER, state=0x402) +
    rec(101, 101, 77, 'frozen', ALL | LEADER, state=0x8001))
open(d+'truncated', 'wb').write(rec(4242, 4242, 1, 'sleep', ALL | LEADER)[:200])
