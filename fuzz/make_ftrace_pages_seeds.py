#!/usr/bin/env python3
# Writes the seed corpus fuzz/corpus/ftrace_pages/: real ring-buffer pages from
# testdata/ftrace (cut after their commit: the fuzz target zero-pads, so they
# read back the same) and hand-built pages with every record type and
# malformation of src/sources/sched/page_walker.h. x86_64 layout: 8-byte
# timestamp, 8-byte commit, records from offset 16, 5/27-bit record headers.
import os, struct

here = os.path.dirname(os.path.abspath(__file__))
testdata = os.path.join(here, '..', 'testdata', 'ftrace')
out = os.path.join(here, 'corpus', 'ftrace_pages')
MISSED, STORED = 1 << 31, 1 << 30

def ids():
    """Event ids of the mixed capture's formats, by name."""
    res = {}
    base = os.path.join(testdata, 'mixed', 'formats')
    for system in os.listdir(base):
        d = os.path.join(base, system)
        if not os.path.isdir(d):
            continue
        for ev in os.listdir(d):
            for line in open(os.path.join(d, ev, 'format')):
                if line.startswith('ID:'):
                    res[ev] = int(line[3:])
    return res

def page(ts, body, commit=None, flags=0, missed=None):
    c = len(body) if commit is None else commit
    tail = struct.pack('<Q', missed) if missed is not None else b''
    word = c | flags
    if word & MISSED:
        word |= 0xffffffff00000000  # as the kernel leaves it
    return struct.pack('<QQ', ts, word) + body + tail

def hdr(type_len, delta):
    return struct.pack('<I', type_len | (delta << 5))

def data(delta, payload, long=False):
    if not long and len(payload) <= 112 and len(payload) % 4 == 0:
        return hdr(len(payload) // 4, delta) + payload
    n = len(payload)
    return hdr(0, delta) + struct.pack('<I', n + 4) + payload + bytes(-n % 4)

def switch(i, prev=b'sh', state=0x100):
    return struct.pack('<HBBi16siiq16sii', i['sched_switch'], 1, 0, 42, prev, 42, 120, state,
                       b'swapper/0', 0, 120)

def exec_(i, name):
    fixed = struct.pack('<HBBiIii', i['sched_process_exec'], 0, 0, 7, 0, 7, 7)
    loc = len(fixed) | ((len(name) + 1) << 16)
    return fixed[:8] + struct.pack('<I', loc) + fixed[12:] + name + b'\0'

def rename(i, old, new):
    return struct.pack('<HBBii16s16sh', i['task_rename'], 0, 0, 9, 9, old, new, -1000) + b'\0\0'

def main():
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if not f.startswith('regress_'):
            os.remove(os.path.join(out, f))
    write = lambda name, b: open(os.path.join(out, name), 'wb').write(b)
    # Real pages, cut after commit (+ the stored missed count).
    for case, cpu, idx in [('basic', 0, 0), ('basic', 1, 0), ('mixed', 0, 1), ('mixed', 1, 0),
                           ('lost', 0, 0), ('lost', 1, 2)]:
        raw = open(os.path.join(testdata, case, 'cpu%d.pages' % cpu), 'rb').read()
        p = raw[idx * 4096:(idx + 1) * 4096]
        word = struct.unpack_from('<Q', p, 8)[0] & 0xffffffff
        end = 16 + (word & ~(MISSED | STORED)) + (8 if word & STORED else 0)
        write('real_%s_cpu%d_page%d' % (case, cpu, idx), p[:end])
    # The basic capture's pages with a type_len 0 record and a time extend.
    for cpu in (0, 1):
        raw = open(os.path.join(testdata, 'basic', 'cpu%d.pages' % cpu), 'rb').read()
        for n in range(len(raw) // 4096):
            p = raw[n * 4096:(n + 1) * 4096]
            commit = struct.unpack_from('<Q', p, 8)[0] & 0x3fffffff
            off, kinds = 0, set()
            while off < commit:
                w = struct.unpack_from('<I', p, 16 + off)[0]
                t = w & 31
                kinds.add(t if t in (0, 29, 30, 31) else 'd')
                off += 4 + (struct.unpack_from('<I', p, 20 + off)[0] if t == 0 else
                            t * 4 if t <= 28 else 4)
            odd = sorted(kinds & {0, 30})
            if odd:
                write('real_basic_cpu%d_page%d_type%s' % (cpu, n, '_'.join(map(str, odd))),
                      p[:16 + commit])
    i = ids()
    sw = switch(i)
    write('edge_every_record_type', page(1000, data(1, sw) + struct.pack('<II', 30 | (5 << 5), 3) +
          data(2, exec_(i, b'/' + b'x' * 150), long=True) + hdr(29, 1) + struct.pack('<I', 12) +
          bytes(8) + struct.pack('<II', 31 | (7 << 5), 99) + data(0, rename(i, b'a', b'"q"\\\xff'))))
    write('edge_missed_stored', page(5, data(1, sw), flags=MISSED | STORED, missed=4242))
    write('edge_missed_no_count', page(5, data(1, sw), flags=MISSED))
    write('edge_null_padding', page(5, data(1, sw) + hdr(29, 0) + data(1, sw)))
    write('edge_commit_beyond_page', page(5, data(1, sw), commit=5000))
    write('edge_event_beyond_commit', page(5, data(1, sw) + data(1, sw), commit=70))
    write('edge_zero_length', page(5, hdr(0, 1) + struct.pack('<I', 4)))
    write('edge_bad_padding', page(5, hdr(29, 3) + struct.pack('<I', 0xfffffff0)))
    write('edge_bad_data_loc', page(5, data(1, exec_(i, b'/bin/true')[:8] +
                                             struct.pack('<I', 200 | (9 << 16)) + bytes(8))))
    write('edge_short_payload', page(5, data(1, sw[:40])))
    write('edge_unknown_id', page(5, data(1, struct.pack('<H', 65000) + sw[2:])))
    write('edge_two_pages_backwards', page(9000, data(1, sw)) + bytes(4096 - 16 - 68) +
          page(10, data(1, sw)))

main()
