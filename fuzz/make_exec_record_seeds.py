#!/usr/bin/env python3
"""Writes the seeds of the exec_record fuzz target (fuzz/corpus/exec_record/):
records laid out as src/sys/bpf/exec_record.h defines them."""
import struct
from pathlib import Path

out = Path(__file__).parent / "corpus" / "exec_record"
out.mkdir(parents=True, exist_ok=True)
HDR = "<HHIQ"  # version, type, size, ts


def exec_rec(args, full, argc, comm=b"true", filename=b"/bin/true"):
    body = struct.pack("<iiiIQ16sIIII256s", 10, 11, 1, 0, 7, comm, len(filename), len(args),
                       full, argc, filename)
    size = 16 + len(body) + len(args)
    return struct.pack(HDR, 1, 0, size, 123) + body + args


def exit_rec(code, flags=1):
    body = struct.pack("<iiiIIIQQQ16s", 10, 10, 1, code, flags, 0, 5_000_000, 2560, 99, b"true")
    return struct.pack(HDR, 1, 2, 16 + len(body), 124) + body


def fork_rec():
    body = struct.pack("<iiiiIIQQ16s", 1, 1, 10, 10, 0, 0, 7, 55, b"sh")
    return struct.pack(HDR, 1, 1, 16 + len(body), 122) + body


def rss_rec(samples, claimed=None):
    n = len(samples) if claimed is None else claimed
    body = struct.pack("<iIQQQQQQ", 10, n, 99, 51200, 10_000_000, 500, 100, 4000)
    body += b"".join(struct.pack("<QQ", ts, pages) for ts, pages in samples)
    return struct.pack(HDR, 2, 3, 16 + len(body), 125) + body


seeds = {
    "seed_rss": rss_rec([(100, 25600), (200, 51200), (300, 100)]),
    "seed_rss_claims_more": rss_rec([(100, 1)], claimed=64),
    "seed_exec_hostile": exec_rec(b"sh\0-c\0echo '; DROP TABLE x\0a,b\"c\0<script>\0", 44, 5),
    "seed_exec_cut": exec_rec(b"true\0abc", 100, 9),
    "seed_fork": fork_rec(),
    "seed_exit_code": exit_rec(7 << 8),
    "seed_exit_signal": exit_rec(9),
    "seed_exit_core": exit_rec(0x80 | 11),
    "seed_short": struct.pack(HDR, 1, 0, 400, 1)[:12],
    "seed_bad_version": struct.pack(HDR, 9, 2, 16, 1),
}
for name, data in seeds.items():
    (out / name).write_bytes(data)
