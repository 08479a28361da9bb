#!/usr/bin/python3
"""memmap.py: a picture of physical memory (the frame array) and the process
recency list of a running kernel, read through the Bochs debugger (lab 5).

    tools/memmap.py [--kernel build/reference/kernel.elf]
                    [--cmdline "test=lab5_workload run=swap-recency"]
                    [--megs 8] [--swap 32] [--at SYMBOL] [--hits N]
                    [--pass] [--out build/memmap.svg]

Boots the kernel with the debugger, stops at the N-th execution of SYMBOL
(default vm::scan_process: the collector is about to scan a process) and
draws every frame of the frame array as a cell, coloured by state:
  free, kernel (page tables, directories: frames in use with no vpage),
  resident clean, resident dirty (the vpage's flag or a mapping's D bit),
  shared (map count 2 or more), under I/O (the store's pin: more mappings
  counted than present entries point at the frame), resident but unmapped
  (a vpage still on the frame, no entry maps it).
Beside it, the recency list top first, with each process's resident pages.
With --pass (SYMBOL must be vm::scan_process) it draws two pictures, before
the pass and after it (OUT-before.svg, OUT-after.svg). SVG: any browser.
`make memmap` runs it (AT=, HITS=, KCMD=, MEGS=, SWAP=).
"""
import argparse
import os
import secrets
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tests", "debugger"))

from harness import bochs, debugger, iso, paths, procs, symbols  # noqa: E402
from checks import kstate  # noqa: E402

PRESENT, DIRTY = 1, 0x40
VPAGE_DIRTY = 1
COLOURS = {
    "free": "#e8e8e8", "kernel": "#555555", "clean": "#6aa84f", "dirty": "#cc4125",
    "shared": "#3d85c6", "under I/O": "#f1c232", "unmapped": "#a64d79",
}
CELL, COLUMNS = 7, 64


def state(dbg):
    """(frame states in frame-array order, recency list [(pid, name, resident)])."""
    fa = kstate.frame_array(dbg)
    words = kstate.read_phys_bulk(dbg, fa.storage_base, 2 * fa.total)
    procs_ = kstate.processes(dbg)
    pte_maps, dirty_frames, recency = {}, set(), []
    for p in procs_:
        resident = 0
        if p.alive and p.directory:
            for e in kstate.user_entries(dbg, p.directory).values():
                if e & PRESENT:
                    resident += 1
                    frame = e & ~0xFFF
                    pte_maps[frame] = pte_maps.get(frame, 0) + 1
                    if e & DIRTY:
                        dirty_frames.add(frame)
        recency.append((p.pid, p.name, resident))
    slots = dbg.read_symbol("g_vpages", 1)[0]
    owners = [words[2 * i] for i in range(fa.total)]
    live = [o for o, m in zip(owners, words[1::2]) if o and m != kstate.FREE]
    pool = kstate.unpack_words(dbg.dump_virt(slots, 16 * max(live))) if live else []
    cells = []
    for first_pfn, count, index in fa.spans:
        for i in range(count):
            owner, maps = words[2 * (index + i)], words[2 * (index + i) + 1]
            frame = (first_pfn + i) << 12
            flags = pool[4 * (owner - 1) + 3] >> 24 if owner else 0
            if maps == kstate.FREE:
                cells.append("free")
            elif not owner:
                cells.append("under I/O" if maps > pte_maps.get(frame, 0) else "kernel")
            elif maps > pte_maps.get(frame, 0):
                cells.append("under I/O")
            elif maps == 0:
                cells.append("unmapped")
            elif maps >= 2:
                cells.append("shared")
            elif flags & VPAGE_DIRTY or frame in dirty_frames:
                cells.append("dirty")
            else:
                cells.append("clean")
    return cells, recency


def svg(cells, recency, title):
    """The picture as SVG text."""
    rows = (len(cells) + COLUMNS - 1) // COLUMNS
    grid_w, grid_h = COLUMNS * CELL, rows * CELL
    width, height = grid_w + 380, max(grid_h, 40 + 18 * (len(recency) + len(COLOURS) + 3)) + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" '
           f'font-size="12"><rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="14">{title}</text>']
    for i, c in enumerate(cells):
        x, y = 10 + (i % COLUMNS) * CELL, 40 + (i // COLUMNS) * CELL
        out.append(f'<rect x="{x}" y="{y}" width="{CELL - 1}" height="{CELL - 1}" fill="{COLOURS[c]}"/>')
    x0, y = grid_w + 30, 50
    counts = {c: cells.count(c) for c in COLOURS}
    for name, colour in COLOURS.items():
        out.append(f'<rect x="{x0}" y="{y - 10}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x0 + 16}" y="{y}">{name}: {counts[name]}</text>')
        y += 18
    y += 18
    out.append(f'<text x="{x0}" y="{y}">recency list (top = ran last)</text>')
    for pid, name, resident in recency:
        y += 18
        out.append(f'<text x="{x0}" y="{y}">pid {pid:<3} {name[:16]:<16} {resident:>5} resident</text>')
    out.append("</svg>")
    return "\n".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    print(f"memmap: wrote {paths.rel(path)}")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kernel", default=os.path.join(ROOT, "build", "reference", "kernel.elf"))
    p.add_argument("--cmdline", default="test=lab5_workload run=swap-recency")
    p.add_argument("--megs", type=int, default=8)
    p.add_argument("--swap", type=int, default=32)
    p.add_argument("--at", default="vm::scan_process")
    p.add_argument("--hits", type=int, default=1)
    p.add_argument("--pass", dest="whole_pass", action="store_true")
    p.add_argument("--out", default=os.path.join(ROOT, "build", "memmap.svg"))
    args = p.parse_args(argv)
    procs.install()
    workdir = os.path.join(os.path.dirname(os.path.abspath(args.kernel)), "runs", "memmap")
    token = secrets.token_hex(8)
    image = iso.cached(args.kernel, f"{args.cmdline} token={token}", workdir)
    symfile = symbols.for_kernel(args.kernel, workdir)
    session = bochs.BochsSession(image, workdir=workdir, megs=args.megs, symfile=symfile, swap_mib=args.swap)
    dbg = debugger.Debugger(session, args.kernel, symfile, budget=0, wall_timeout=600)
    try:
        dbg.start()
        for _ in range(args.hits):
            dbg.clear_breakpoints()
            dbg.run_to(args.at)
        where = f"{args.at} (hit {args.hits}), {dbg.ticks:,} instructions"
        base = os.path.splitext(args.out)[0]
        if args.whole_pass:
            ret = dbg.read_virt(dbg.regs()["esp"])[0]
            cells, recency = state(dbg)
            write(base + "-before.svg", svg(cells, recency, f"before a collection pass: {where}"))
            dbg.clear_breakpoints()
            dbg.run_to(ret)
            cells, recency = state(dbg)
            write(base + "-after.svg", svg(cells, recency, "after the pass"))
        else:
            cells, recency = state(dbg)
            write(args.out, svg(cells, recency, where))
        session.quit()
    finally:
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
