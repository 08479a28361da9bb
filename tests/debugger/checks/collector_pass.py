"""collector-pass (lab 5): one pass of the clock collector, seen from guest
memory, and the page it wrote, seen in the swap disk image on the host.

Boots `test=lab5_workload run=swap-linear` (a buffer larger than memory)
with a swap disk. Breaks at vm::scan_process (os/vm/collector_support.cpp:
the collector's scan of one process, Process* and quota as its arguments),
reads the victim's user page-table entries, its vpages and the recency list,
then runs to the return and reads them again. The first pass that takes
something is checked:
  - every entry the pass unmapped now holds its vpage reference (the vpage
    its frame's descriptor named), with the same W bit;
  - each such vpage's dirty flag is the dirty bit its entry had: D set ->
    the vpage is dirty, or its write has started (its store is swap, it still
    has its frame, pinned); D clear on a vpage that was clean -> still clean;
  - accessed entries that were kept have A clear now;
  - no more entries were taken than the quota;
  - the scanned process is now the top of the recency list (g_top).
Then one written page: its contents are read from guest memory, the run
goes on to vm::page_written for its frame (the write ended), and the swap
disk image (swap.img in the run's directory) must hold those bytes at
slot * 4096, the slot its vpage names.
"""
import os

from checks import kstate

KERNEL_TEST = "lab5_workload"   # the manifest adds `run=swap-linear ...`
PRESENT, WRITABLE, ACCESSED, DIRTY = 1, 2, 0x20, 0x40
VPAGE_DIRTY = 1                  # VPage::kDirty
SWAP_STORE = 1                   # vm::kSwap
MAX_PASSES = 40
PAGE = 4096


def snapshot(dbg, proc_address):
    """(user entries, {frame: descriptor owner}) of the process at proc_address."""
    procs = {p.address: p for p in kstate.processes(dbg)}
    dbg.expect(proc_address in procs, f"process 0x{proc_address:08x} is not on the recency list")
    p = procs[proc_address]
    dbg.expect(p.directory != 0, f"process {p.pid} has no address space")
    return p, kstate.user_entries(dbg, p.directory)


def descriptors(dbg, fa):
    """Every frame descriptor, (owner, map count) by physical frame, in one read."""
    words = kstate.read_phys_bulk(dbg, fa.storage_base, 2 * fa.total)
    return lambda phys: tuple(words[2 * fa.index_of(phys):2 * fa.index_of(phys) + 2])


def vpages(dbg, handles):
    """{handle: kstate.VPage} for `handles`, from one dump of the pool."""
    if not handles:
        return {}
    slots = dbg.read_symbol("g_vpages", 1)[0]
    words = kstate.unpack_words(dbg.dump_virt(slots, 16 * max(handles)))
    out = {}
    for h in handles:
        w = words[4 * (h - 1):4 * h]
        out[h] = kstate.VPage(w[0], w[1], w[2], w[3] & 0xFFFF, (w[3] >> 16) & 0xFF, w[3] >> 24)
    return out


def one_pass(dbg, fa):
    """Stop at scan_process, run to its return: (process, quota, before,
    after, owners, vpages before, vpages after, descriptors after)."""
    dbg.clear_breakpoints()
    dbg.run_to("vm::scan_process")
    esp = dbg.regs()["esp"]
    ret, proc_address, quota = dbg.read_virt(esp, 3)
    p, before = snapshot(dbg, proc_address)
    desc = descriptors(dbg, fa)
    owners = {lin: desc(e & ~0xFFF)[0] for lin, e in before.items() if e & PRESENT}
    candidates = sorted(set(owners.values()))  # every vpage the pass may unmap
    vp_before = vpages(dbg, candidates)
    dbg.clear_breakpoints()
    dbg.run_to(ret)
    _, after = snapshot(dbg, proc_address)
    return p, quota, before, after, owners, vp_before, vpages(dbg, candidates), descriptors(dbg, fa)


def check(dbg):
    fa = None
    for _ in range(MAX_PASSES):
        if fa is None:
            dbg.run_to("vm::scan_process")   # the frame array exists by now
            fa = kstate.frame_array(dbg)
            dbg.clear_breakpoints()
        p, quota, before, after, owners, vpages_before, vpages_after, desc = one_pass(dbg, fa)
        taken = [lin for lin, e in before.items() if e & PRESENT and not after.get(lin, 0) & PRESENT]
        if taken:
            break
    else:
        dbg.expect(False, f"no pass of {MAX_PASSES} took an entry")

    dbg.expect(len(taken) <= quota, f"the pass took {len(taken)} entries, the quota is {quota}")
    written = []
    for lin in taken:
        old, new, v = before[lin], after.get(lin, 0), owners[lin]
        dbg.expect(new != 0 and kstate.entry_vpage(new) == v,
                   f"0x{lin:08x}: entry 0x{new:08x} after the pass, expected vpage {v}'s reference")
        dbg.expect(bool(new & WRITABLE) == bool(old & WRITABLE),
                   f"0x{lin:08x}: W was {bool(old & WRITABLE)}, the not-present entry says {bool(new & WRITABLE)}")
        vp, was = vpages_after[v], vpages_before[v]
        frame = old & ~0xFFF
        if old & DIRTY:
            in_write = vp.store == SWAP_STORE and vp.frame == frame and desc(frame)[1] >= 1
            dbg.expect(vp.flags & VPAGE_DIRTY or in_write,
                       f"0x{lin:08x}: D was set, but vpage {v} is clean and not being written "
                       f"(store {vp.store}, frame 0x{vp.frame:08x})")
            if in_write and not vp.flags & VPAGE_DIRTY:
                written.append((lin, v, frame, vp.store_offset))
        elif not was.flags & VPAGE_DIRTY:
            dbg.expect(not vp.flags & VPAGE_DIRTY, f"0x{lin:08x}: D was clear, but vpage {v} is dirty now")
    kept = [lin for lin, e in before.items() if e & PRESENT and e & ACCESSED and after.get(lin, 0) & PRESENT]
    for lin in kept:
        dbg.expect(not after[lin] & ACCESSED, f"0x{lin:08x}: kept, but A is still set (0x{after[lin]:08x})")
    top = dbg.read_symbol("g_top")[0]
    dbg.expect(top == p.address, f"g_top is 0x{top:08x}, the scanned process {p.pid} is at 0x{p.address:08x}")
    dbg.expect(written, f"the pass took {len(taken)} entries but started no write (nothing dirty?)")

    # The page on its way out, then in the disk image once its write ended.
    lin, v, frame, slot = written[0]
    data = dbg.dump_virt(kstate.KERNEL_BASE + frame, PAGE)
    dbg.clear_breakpoints()
    for _ in range(200):
        dbg.run_to("vm::page_written")
        if dbg.read_virt(dbg.regs()["esp"] + 4)[0] == frame:
            break
    else:
        dbg.expect(False, f"the write of frame 0x{frame:08x} never ended")
    dbg.clear_breakpoints()
    image = os.path.join(dbg.session.workdir, "swap.img")
    with open(image, "rb") as f:
        f.seek(slot * PAGE)
        on_disk = f.read(PAGE)
    dbg.expect(on_disk == data, f"swap.img slot {slot} does not hold the page of vpage {v} (0x{lin:08x}): "
               f"first words {on_disk[:8].hex()} on disk, {data[:8].hex()} in memory")
