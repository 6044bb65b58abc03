#!/usr/bin/env python3
"""Writes the hand-built seeds of the exec_raw fuzz target (fuzz/corpus/exec_raw/):
raw/exec/records.bin files (docs/formats/exec-raw.md) holding records laid out
as src/sys/bpf/exec_record.h defines them. The real_* seeds are captures of
`ktel record --sources exec` (see fuzz/README.md) and are not written here."""
import struct
from pathlib import Path

HDR = "<HHIQ"  # version, type, size, ts


def header(page_size=4096, max_args=64, max_bytes=4096, version=1):
    return b"KTELEXEC" + struct.pack("<IIIIII", 1, version, page_size, max_args, max_bytes, 0)


def frame(record):
    return struct.pack("<I", len(record)) + record


def exec_rec(ts, pid, ppid, args, argc, comm=b"true", filename=b"/bin/true"):
    body = struct.pack("<iiiIQ16sIIII256s", pid, pid, ppid, 0, 7, comm, len(filename), len(args),
                       len(args), argc, filename)
    return struct.pack(HDR, 1, 0, 16 + len(body) + len(args), ts) + body + args


def fork_rec(ts, parent, child_pid, child_tid, thread=False):
    body = struct.pack("<iiiiIIQQ16s", parent, parent, child_pid, child_tid, int(thread), 0, 7,
                       ts - 1, b"sh")
    return struct.pack(HDR, 1, 1, 16 + len(body), ts) + body


def exit_rec(ts, pid, tid, code, last=True, start=0):
    body = struct.pack("<iiiIIIQQQ16s", pid, tid, 1, code, 3 if last else 0, 0,
                       5_000_000 if last else 0, 2560 if last else 0, start, b"true")
    return struct.pack(HDR, 1, 2, 16 + len(body), ts) + body


def rss_rec(ts, pid, start, samples):
    body = struct.pack("<iIQQQQQQ", pid, len(samples), start, max(p for _, p in samples),
                       10_000_000, samples[-1][0], samples[-1][1], 50)
    body += b"".join(struct.pack("<QQ", t, p) for t, p in samples)
    return struct.pack(HDR, 2, 3, 16 + len(body), ts) + body


def capture(*records, version=1):
    return header(version=version) + b"".join(frame(r) for r in records)


def main():
    out = Path(__file__).parent / "corpus" / "exec_raw"
    out.mkdir(parents=True, exist_ok=True)
    lifecycle = capture(fork_rec(100, 1, 10, 10),
                        exec_rec(110, 10, 1, b"sh\0-c\0echo '; DROP\0<script>\0", 4, b"sh", b"/bin/sh"),
                        exit_rec(200, 10, 10, 7 << 8))
    seeds = {
        "seed_lifecycle": lifecycle,
        "seed_threads": capture(fork_rec(100, 10, 10, 11, thread=True),
                                exit_rec(150, 10, 11, 0, last=False),
                                exit_rec(160, 10, 10, 9, start=50)),
        "seed_pid_reuse": capture(fork_rec(100, 1, 10, 10), exec_rec(110, 10, 1, b"a\0", 1),
                                  fork_rec(300, 1, 10, 10), exit_rec(310, 10, 10, 0)),
        "seed_exit_before_start": capture(exit_rec(10, 5, 5, 0, start=500)),
        # Version 2 (--exec-rss): the RSS record comes before its exit record,
        # and one of a process still running at the end.
        "seed_rss": capture(fork_rec(100, 1, 10, 10), rss_rec(190, 10, 99, [(120, 25600), (150, 100)]),
                            exit_rec(200, 10, 10, 0, start=99),
                            rss_rec(400, 11, 300, [(350, 5)]), version=2),
        "seed_cut_tail": lifecycle[:-5],
        "seed_bad_frame_length": header() + struct.pack("<I", 0),
        "seed_header_only": header(),
        "seed_bad_magic": b"KTELEXEX" + header()[8:],
    }
    for name, data in seeds.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main()
