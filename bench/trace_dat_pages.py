#!/usr/bin/env python3
"""Extracts the raw ring-buffer pages and format files of a trace-cmd
trace.dat (file version 6, uncompressed: `trace-cmd record --file-version 6`)
into ktel's raw/sched layout, so ktel, libtraceevent and `trace-cmd report`
can be timed on the same capture:

    <out>/formats/header_page, header_event, <system>/<event>/format
    <out>/cpu<N>.pages

Layout per trace-cmd.dat.v6(5). When the events were recorded into an
instance (`-B name`), its per-CPU sections come from the BUFFER option (id 3);
the buffer holding the most data is extracted.
    bench/trace_dat_pages.py trace.dat OUT_DIR
"""
import os
import struct
import sys

OPTION_BUFFER = 3


class Reader:
    def __init__(self, data):
        self.d, self.at = data, 0

    def take(self, n):
        if self.at + n > len(self.d):
            sys.exit("trace.dat: truncated at offset %d" % self.at)
        b = self.d[self.at:self.at + n]
        self.at += n
        return b

    def u16(self):
        return struct.unpack("<H", self.take(2))[0]

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def cstr(self):
        end = self.d.index(b"\0", self.at)
        s = self.d[self.at:end].decode()
        self.at = end + 1
        return s


def cpu_sections(r, cpus):
    return [(r.u64(), r.u64()) for _ in range(cpus)]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data = open(sys.argv[1], "rb").read()
    out = sys.argv[2]
    r = Reader(data)
    if r.take(3) != b"\x17\x08\x44" or r.take(7) != b"tracing":
        sys.exit("not a trace.dat file")
    version = r.cstr()
    if version != "6":
        sys.exit("trace.dat version %s; record with --file-version 6" % version)
    endian, long_size, page_size = r.take(1)[0], r.take(1)[0], r.u32()
    if endian != 0 or long_size != 8:
        sys.exit("only little-endian, 64-bit traces are supported")
    os.makedirs(os.path.join(out, "formats"), exist_ok=True)
    for name in ("header_page", "header_event"):
        if r.cstr() != name:
            sys.exit("expected %s section" % name)
        open(os.path.join(out, "formats", name), "wb").write(r.take(r.u64()))
    for _ in range(r.u32()):  # ftrace's own events (function, print, ...): not needed
        r.take(r.u64())
    for _ in range(r.u32()):
        system = r.cstr()
        for _ in range(r.u32()):
            text = r.take(r.u64())
            name = text.split(b"\n", 1)[0].split(b":", 1)[1].strip().decode()
            d = os.path.join(out, "formats", system, name)
            os.makedirs(d, exist_ok=True)
            open(os.path.join(d, "format"), "wb").write(text)
    r.take(r.u32())  # kallsyms
    r.take(r.u32())  # printk formats
    r.take(r.u64())  # saved cmdlines
    cpus = r.u32()
    buffers = []  # (name, [(offset, size)] per CPU)
    tag = r.take(10)
    if tag == b"options  \0":
        while True:
            opt = r.u16()
            if opt == 0:
                break
            body = Reader(r.take(r.u32()))
            if opt == OPTION_BUFFER:
                offset = body.u64()
                buffers.append((body.cstr(), offset))
        tag = r.take(10)
    if tag != b"flyrecord\0":
        sys.exit("no flyrecord section (latency traces are not supported)")
    sections = [("", cpu_sections(r, cpus))]
    for name, offset in buffers:
        b = Reader(data)
        b.at = offset
        if data[offset:offset + 10] == b"flyrecord\0":
            b.take(10)
        sections.append((name, cpu_sections(b, cpus)))
    name, best = max(sections, key=lambda s: sum(size for _, size in s[1]))
    total = 0
    for cpu, (offset, size) in enumerate(best):
        if size % page_size:
            sys.exit("cpu%d data of %d bytes is not whole %d-byte pages" % (cpu, size, page_size))
        open(os.path.join(out, "cpu%d.pages" % cpu), "wb").write(data[offset:offset + size])
        total += size
    print("extracted buffer '%s': %d CPUs, %d pages of %d bytes" %
          (name or "top", cpus, total // page_size, page_size))


if __name__ == "__main__":
    main()
