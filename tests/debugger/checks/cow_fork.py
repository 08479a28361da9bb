"""cow-fork (lab 4): after fork, parent and child map one frame until the
child writes; then the child has a frame of its own. Seen by the MMU.

Boots `test=run run=fork-probe` (user/programs/fork-probe.cpp): the parent
writes a page, forks, and the two stop at four checkpoints, in this order:
  1 parent, after fork      2 child, before its write
  3 child, after its write  4 parent, the child still alive
A checkpoint is a getpid system call with the checkpoint number in ebx, the
page's address in ecx and the first word the caller should see there in edx.
The check breaks in the kernel's sys_getpid (file-local: found in the ELF
symbol table) and reads them from the trap frame (its argument, [esp+4]).

At every stop, from guest memory only:
  - the current process is the top of the recency list (g_top) and CR3 is its
    page directory (Process::space -> AddressSpace::m_directory);
  - `page ADDR` (Bochs's walk under the current CR3) agrees with a walk of the
    page tables read with xp;
  - the counts of address_space.h are exact over the user page tables of every
    live process (kstate.check_counts): map counts, vpage references, owners.
Across the stops:
  - 1 and 2: `page ADDR` shows the same frame under the parent's CR3 and the
    child's, read-only in both; map count 2, the vpage has 2 references and
    is copy-on-write; the frame holds the parent's data;
  - 3: a different frame, writable, holding the child's data, map count 1,
    its vpage has 1 reference and is not copy-on-write; the old frame still
    holds the parent's data, map count 1;
  - 4: the parent still maps the old frame with its data, and the child's
    entry (walked in the child's directory) maps the new one.
"""
import re

from checks import kstate

KERNEL_TEST = "run"          # the manifest adds `run=fork-probe`
CHECKPOINTS = (1, 2, 3, 4)
PARENT, CHILD = (1, 4), (2, 3)
TRAP_EBX, TRAP_EDX, TRAP_ECX = 4, 5, 6   # word offsets in TrapFrame (os/arch/x86/trap.h)
WRITABLE = 2
COPY_ON_WRITE = 1 << 1                    # VPage::kCopyOnWrite


def walk(dbg, directory, linear):
    """The raw page-table entry for `linear` under `directory`, read with xp
    (0 if there is no page table)."""
    pde = dbg.read_phys(directory + 4 * (linear >> 22))[0]
    if not pde & kstate.PRESENT:
        return 0
    return dbg.read_phys((pde & ~0xFFF) + 4 * ((linear >> 12) & 0x3FF))[0]


def stop(dbg, fa):
    """What one checkpoint shows: a dict, after the per-stop checks."""
    esp = dbg.regs()["esp"]
    frame_at = dbg.read_virt(esp + 4)[0]
    trap = dbg.read_virt(frame_at, 8)
    number, linear, word = trap[TRAP_EBX], trap[TRAP_ECX], trap[TRAP_EDX]
    dbg.expect(number in CHECKPOINTS and linear & 0xFFF == 0,
               f"getpid with ebx={number}, ecx=0x{linear:08x}: not a fork-probe checkpoint")

    procs = [p for p in kstate.processes(dbg) if p.alive and p.directory]
    dbg.expect(procs, "no live process with an address space")
    me = procs[0]
    cr3 = dbg.creg()["cr3"] & ~0xFFF
    dbg.expect(cr3 == me.directory,
               f"checkpoint {number}: CR3 0x{cr3:08x}, but the top process (pid {me.pid}) has directory "
               f"0x{me.directory:08x}")

    page = dbg.page(linear)
    dbg.expect(page.present, f"checkpoint {number}: `page 0x{linear:08x}` shows no mapping:\n{page.text}")
    entry = walk(dbg, me.directory, linear)
    frame = page.phys & ~0xFFF
    dbg.expect(entry & kstate.PRESENT and entry & ~0xFFF == frame,
               f"checkpoint {number}: `page` maps 0x{frame:08x}, the page tables hold 0x{entry:08x}")
    pte = re.search(r"PTE: 0x([0-9a-f]+)", page.text)
    if pte:
        dbg.expect(int(pte.group(1), 16) & ~0xFFF == frame, f"`page` printed a PTE for another frame:\n{page.text}")
    data = dbg.read_phys(frame)[0]
    dbg.expect(data == word, f"checkpoint {number}: the frame 0x{frame:08x} holds 0x{data:08x}, "
               f"the process expects 0x{word:08x}")

    spaces = {p.pid: kstate.user_entries(dbg, p.directory) for p in procs}
    kstate.check_counts(dbg, fa, list(spaces.values()))
    owner, map_count = kstate.descriptor(dbg, fa, frame)
    return {"number": number, "word": word, "pid": me.pid, "process": me, "procs": procs, "linear": linear,
            "frame": frame, "entry": entry, "map_count": map_count, "vpage": kstate.vpage(dbg, owner),
            "cr3": cr3, "spaces": spaces}


def check(dbg):
    """Stop at the four checkpoints and compare what parent and child map."""
    getpid = dbg.symbol_address("sys_getpid")
    dbg.run_to(getpid)
    fa = kstate.frame_array(dbg)
    seen = {}
    while True:
        s = stop(dbg, fa)
        dbg.expect(s["number"] == len(seen) + 1,
                   f"checkpoint {s['number']} came after {sorted(seen)}: the program's order is 1, 2, 3, 4")
        seen[s["number"]] = s
        if s["number"] == 3:    # the parent's frame, while the child has its own
            old = seen[1]["frame"]
            old_word = dbg.read_phys(old)[0]
            _, old_count = kstate.descriptor(dbg, fa, old)
            dbg.expect(old_word == seen[1]["word"] and old_count == 1,
                       f"after the child's write the parent's frame 0x{old:08x} holds 0x{old_word:08x} "
                       f"(expected 0x{seen[1]['word']:08x}) with map count {old_count} (expected 1)")
        if len(seen) == len(CHECKPOINTS):
            break
        dbg.cont()
        dbg.expect(dbg.regs().get("eip") == getpid, "stopped somewhere else than sys_getpid")

    parent, child = seen[1], seen[2]
    dbg.expect(seen[4]["pid"] == parent["pid"] and seen[3]["pid"] == child["pid"] and parent["pid"] != child["pid"],
               f"checkpoints ran in pids {[seen[n]['pid'] for n in CHECKPOINTS]}: expected parent, child, child, "
               "parent")
    dbg.expect(child["process"].parent == parent["process"].address,
               f"pid {child['pid']}'s parent is not pid {parent['pid']}")
    dbg.expect(parent["cr3"] != child["cr3"], "parent and child run under the same CR3")

    # 1, 2: one frame, read-only for both, copy-on-write, two mappings.
    shared = parent["frame"]
    dbg.expect(child["frame"] == shared,
               f"before the child writes, `page 0x{parent['linear']:08x}` maps 0x{shared:08x} under the parent's "
               f"CR3 and 0x{child['frame']:08x} under the child's")
    for s in (parent, child):
        dbg.expect(not s["entry"] & WRITABLE, f"checkpoint {s['number']}: the shared page's entry 0x{s['entry']:08x} "
                   "is writable: the first write would not fault")
        dbg.expect(s["map_count"] == 2 and s["vpage"].refs == 2 and s["vpage"].flags & COPY_ON_WRITE,
                   f"checkpoint {s['number']}: shared frame map count {s['map_count']}, its vpage "
                   f"{s['vpage'].refs} references, flags 0x{s['vpage'].flags:x} (expected 2, 2, copy-on-write)")

    # 3: the child's own frame.
    after = seen[3]
    dbg.expect(after["frame"] != shared, f"after the child's write it still maps the shared frame 0x{shared:08x}")
    dbg.expect(after["entry"] & WRITABLE, f"after the child's write its entry 0x{after['entry']:08x} is read-only")
    dbg.expect(after["map_count"] == 1 and after["vpage"].refs == 1 and not after["vpage"].flags & COPY_ON_WRITE,
               f"the child's copy: map count {after['map_count']}, vpage refs {after['vpage'].refs}, "
               f"flags 0x{after['vpage'].flags:x} (expected 1, 1, not copy-on-write)")

    # 4: the parent kept the old frame; the child's entry maps the new one.
    last = seen[4]
    dbg.expect(last["frame"] == shared,
               f"after the child's write the parent maps 0x{last['frame']:08x}, not its frame 0x{shared:08x}")
    child_entry = walk(dbg, child["cr3"], parent["linear"])
    dbg.expect(child_entry & kstate.PRESENT and child_entry & ~0xFFF == after["frame"],
               f"at checkpoint 4 the child's entry is 0x{child_entry:08x}, expected its frame "
               f"0x{after['frame']:08x}")
