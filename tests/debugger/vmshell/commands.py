"""The `vm` views of the debugger shell: page walks, vpages, frames, processes,
the invariant recount. Everything is read from guest memory by the debugger
checks' own readers (checks/kstate.py) through a harness Debugger, so the
shell and the checks cannot disagree about a layout.

Each view returns its lines. A line starting with `!!` is an inconsistency.
A view raises NotThere when the kernel does not have the data yet (before
boot, or a lab still a skeleton), with a sentence that says what is missing.
"""

from checks import kstate

from . import words
from .summaries import Summaries
from .words import FRAME_MASK, LARGE, PRESENT, USER, WRITABLE, NotThere, label, plural, problem

PAGING = 0x80000000          # CR0.PG
USER_TOP = kstate.KERNEL_BASE
THREAD_ID, THREAD_NEXT = 0, 20   # Thread (os/proc/thread.h): +0 id, +20 next
MAX_WAITERS = 8
KERNEL_DIRECTORY = "AddressSpace::s_kernel_directory"
FREE_SLOT = "NOT in use (a free slot of the pool: no vpage here)"


class Views(Summaries):
    """The `vm` views over one Debugger (dbg): the walks here, the
    summaries (procs, frames, check) in summaries.py."""

    def __init__(self, dbg):
        self.dbg = dbg

    # -- what exists yet ------------------------------------------------------
    def running(self):
        """The control registers, once the kernel runs with paging on."""
        cr = self.dbg.creg()
        if not cr.get("cr0", 0) & PAGING:
            raise NotThere("paging is off: the kernel is not running yet. Continue into it first "
                           "(`vm break fault` then `c`, or `lb \"ktest::run\"` then `c`).")
        return cr

    def frame_array(self):
        """g_frame_array, or NotThere before lab 1 has built it."""
        fa = kstate.frame_array(self.dbg)
        if fa.total == 0:
            raise NotThere("no frame array yet: g_frame_array describes no frame (lab 1's FrameArray::init "
                           "not done, or vm::init has not run yet).")
        return fa

    def pool(self):
        """g_vpages's header, or NotThere before vm::init made the pool."""
        pool = kstate.vpage_pool(self.dbg)
        if pool.capacity == 0:
            raise NotThere("no vpage pool yet: vm::init has not run.")
        return pool

    def spaces(self):
        """[(process, entries, tables)] for every live process with an address
        space, and the current one (CR3) when it is no process's and not the
        kernel's (a kernel test's own space)."""
        procs = [p for p in kstate.processes(self.dbg) if p.alive and p.directory]
        cr3 = self.dbg.creg()["cr3"] & FRAME_MASK
        if cr3 not in [p.directory for p in procs] and cr3 != self.kernel_directory():
            procs.append(kstate.Process(0, 0, "the current space (no process)", True, 0, 0, 0, 0, cr3))
        return [(p, *kstate.scan_space(self.dbg, p.directory)) for p in procs]

    def kernel_directory(self):
        """The kernel's page directory (AddressSpace::s_kernel_directory), or None."""
        if self.dbg.symbols.get(KERNEL_DIRECTORY) is None:
            return None
        return self.dbg.read_symbol(KERNEL_DIRECTORY)[0]

    def address(self, text):
        """ADDR: a number, `cr2`, a register (`esp`, `eip`, ...) or a kernel symbol."""
        name = text.lower()
        if name.startswith("cr") and name[2:].isdigit():
            return self.dbg.creg()[name]
        if name in ("eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip"):
            return self.dbg.regs()[name]
        if text.strip('"') in self.dbg.symbols:
            return self.dbg.symbol_address(text.strip('"'))
        return words.number(text)

    # -- vm page --------------------------------------------------------------
    def page(self, args):
        """vm page ADDR [pid]: the walk, the entry, the vpage, the frame."""
        if not args:
            raise ValueError("usage: vm page ADDR [pid]   (ADDR: 0x..., cr2, a register or a symbol)")
        cr = self.running()
        linear = self.address(args[0]) & 0xFFFFFFFF
        directory, whose = self.directory_for(args[1] if len(args) > 1 else None, cr)
        lines = [f"vm page 0x{linear:08x} in {whose}, page directory 0x{directory:08x}"]
        d, t = linear >> 22, (linear >> 12) & 0x3FF
        pde, pte = kstate.walk(self.dbg, directory, linear)
        lines.append(f"  directory entry {d} at 0x{directory + 4 * d:08x}: 0x{pde:08x}  {self.describe_pde(pde)}")
        if pte is None:
            if pde & PRESENT and pde & LARGE:
                lines.append(f"  the 4 MiB page maps 0x{linear:08x} to physical "
                             f"0x{(pde & 0xFFC00000) | (linear & 0x3FFFFF):08x} (the kernel's direct map)")
            return lines
        table = pde & FRAME_MASK
        lines.append(f"  table entry {t} at 0x{table + 4 * t:08x}: 0x{pte:08x}  {self.describe_pte(pte)}")
        if pte == 0:
            return lines
        problems = []
        if pte & PRESENT:
            frame = pte & FRAME_MASK
            if linear < USER_TOP and not pte & USER:
                problems.append("a user address mapped kernel-only (U/S = 0)")
            body, found = self.frame_and_owner(frame, pte)
        else:
            body, found = self.vpage_of_entry(pte >> 2)
        lines += body
        problems += found
        lines += [problem(p) for p in problems] or ["  consistent"]
        return lines

    def directory_for(self, pid_text, cr):
        """(directory, who) for `pid` or, without one, CR3."""
        procs = kstate.processes(self.dbg)
        if pid_text is not None:
            pid = words.number(pid_text, "pid")
            match = [p for p in procs if p.pid == pid]
            if not match:
                raise NotThere(f"no process with pid {pid} on the recency list (`vm procs` lists them).")
            if not match[0].directory:
                raise NotThere(f"pid {pid} ({match[0].name}) has no address space any more (a zombie).")
            return match[0].directory, f"pid {pid} ({match[0].name})"
        directory = cr["cr3"] & FRAME_MASK
        owner = [p for p in procs if p.directory == directory]
        who = (label(owner[0]) if owner else "the kernel's address space"
               if directory == self.kernel_directory() else "an address space of no process")
        return directory, who + ", the current one (CR3)"

    @staticmethod
    def describe_pde(pde):
        """A directory entry in words."""
        if not pde & PRESENT:
            return "not present: no page table, nothing is mapped in these 4 MiB"
        if pde & LARGE:
            return "present, a 4 MiB page, " + ("user" if pde & USER else "kernel-only")
        return f"present, page table at 0x{pde & FRAME_MASK:08x}"

    @staticmethod
    def describe_pte(pte):
        """A table entry in words (lab 2's encoding for a not-present one)."""
        if pte == 0:
            return "empty: nothing is mapped here"
        if pte & PRESENT:
            return f"{words.present_entry(pte)} -> frame 0x{pte & FRAME_MASK:08x}"
        access = "writable" if pte & WRITABLE else "read-only"
        return f"not present, holds vpage {pte >> 2} (0x{pte >> 2:x}), a {access} mapping"

    def frame_and_owner(self, frame, entry):
        """Lines and problems for a present entry's frame and its owner vpage."""
        try:
            fa, pool = self.frame_array(), self.pool()
        except NotThere as e:
            return [f"  ({e})"], []
        index = fa.index_of(frame)
        if index is None:
            return [], [f"frame 0x{frame:08x} has no descriptor: it is not in the frame array"]
        lines, problems = [], []
        owner, map_count = self.dbg.read_phys(fa.storage_base + 8 * index, 2)
        lines.append(self.descriptor_line(frame, index, fa, owner, map_count))
        if map_count == kstate.FREE:
            return lines, ["the frame is free (on the free stack), yet this entry maps it"]
        if map_count == 0:
            problems.append("map count 0, yet this entry maps the frame")
        if owner == 0:
            return lines, problems + ["the frame has no owner vpage: a user entry must map a vpage's frame"]
        body, found = self.vpage_lines(owner, pool, fa, frame_seen=frame)
        lines += body
        problems += found
        vp = kstate.vpage(self.dbg, owner)
        if entry & WRITABLE and vp.flags & 2:
            problems.append(f"writable entry of copy-on-write vpage {owner}: a write would not fault, "
                            "so the copy would not be made")
        return lines, problems

    def vpage_of_entry(self, handle):
        """Lines and problems for a not-present entry's vpage."""
        try:
            pool = self.pool()
        except NotThere as e:
            return [f"  ({e})"], []
        try:
            fa = self.frame_array()
        except NotThere:
            fa = None
        return self.vpage_lines(handle, pool, fa)

    # -- vm vpage -------------------------------------------------------------
    def vpage(self, args):
        """vm vpage REF: one vpage and the frame it is resident on."""
        if not args:
            raise ValueError("usage: vm vpage REF   (the handle: decimal or 0x...)")
        self.running()
        handle = words.number(args[0], "vpage handle")
        pool = self.pool()
        if not 0 < handle <= pool.capacity:
            raise ValueError(f"vpage handles are 1..{pool.capacity} (0 means no vpage)")
        try:
            fa = self.frame_array()
        except NotThere:
            fa = None
        lines, problems = self.vpage_lines(handle, pool, fa, referenced=False)
        if not problems and lines[0].endswith(FREE_SLOT):
            return lines
        return lines + ([problem(p) for p in problems] or ["  consistent"])

    def vpage_lines(self, handle, pool, fa, frame_seen=None, referenced=True):
        """(lines, problems) for vpage `handle`; `frame_seen`: the frame an
        entry maps (its descriptor is already shown); `referenced`: something
        refers to the vpage, so a free slot is a problem."""
        if not 0 < handle <= pool.capacity:
            return [], [f"vpage {handle} is outside the pool (handles 1..{pool.capacity})"]
        head = f"  vpage {handle} (0x{handle:x}), slot at 0x{pool.slot_address(handle):08x}: "
        if not kstate.vpage_live(self.dbg, pool, handle):
            return [head + FREE_SLOT], ([f"vpage {handle} is not in use: the reference points at a free pool "
                                         "slot"] if referenced else [])
        vp = kstate.unpack_vpage(self.dbg.read_virt(pool.slot_address(handle), 4))
        where = "resident on frame 0x%08x" % vp.frame if vp.frame else "not resident"
        lines = [head + "in use",
                 f"    {where}, refs {vp.refs}, store {words.store(vp.store)}, offset 0x{vp.store_offset:08x}",
                 f"    flags {words.vpage_flags(vp.flags)}, waiters {self.waiters(vp.waiters)}"]
        problems = []
        if vp.refs == 0:
            problems.append(f"vpage {handle} is in use with 0 refs: nothing should refer to it")
        if frame_seen is not None and vp.frame != frame_seen:
            problems.append(f"the frame's descriptor names vpage {handle}, but vpage {handle} records "
                            f"{'frame 0x%08x' % vp.frame if vp.frame else 'no frame'}: the owner is another "
                            "vpage's")
        if vp.frame and frame_seen is None and fa is not None:
            index = fa.index_of(vp.frame)
            if index is None:
                problems.append(f"vpage {handle} records frame 0x{vp.frame:08x}, which has no descriptor")
            else:
                owner, map_count = self.dbg.read_phys(fa.storage_base + 8 * index, 2)
                lines.append("  " + self.descriptor_line(vp.frame, index, fa, owner, map_count).strip())
                if map_count == kstate.FREE:
                    problems.append(f"vpage {handle} is resident on frame 0x{vp.frame:08x}, which is free")
                elif owner != handle:
                    problems.append(f"vpage {handle} records frame 0x{vp.frame:08x}, whose descriptor names "
                                    f"vpage {owner}")
        return lines, problems

    def waiters(self, thread):
        """`none`, or the ids of the threads queued on the vpage (lab 6)."""
        ids = []
        while thread and len(ids) < MAX_WAITERS:
            ids.append(str(self.dbg.read_virt(thread + THREAD_ID)[0]))
            thread = self.dbg.read_virt(thread + THREAD_NEXT)[0]
        if not ids:
            return "none"
        return "threads " + ", ".join(ids) + (" ..." if thread else "")

    @staticmethod
    def descriptor_line(frame, index, fa, owner, map_count):
        """`frame 0x...: descriptor N at 0x...: owner vpage V, map count M` (or free)."""
        head = f"  frame 0x{frame:08x}: descriptor {index} at 0x{fa.storage_base + 8 * index:08x}: "
        if map_count == kstate.FREE:
            below = f"descriptor {owner - 1}" if owner else "none (the bottom)"
            return head + f"free; next on the free stack: {below}"
        who = f"owner vpage {owner}" if owner else "no owner vpage (kernel use: a page table or directory)"
        return head + f"{who}, map count {map_count}"

    # -- vm frame -------------------------------------------------------------
    def frame(self, args):
        """vm frame PADDR: descriptor, owner, and every mapping (a scan)."""
        if not args:
            raise ValueError("usage: vm frame PADDR   (a physical address)")
        self.running()
        frame = words.number(args[0]) & FRAME_MASK
        fa = self.frame_array()
        index = fa.index_of(frame)
        if index is None:
            what = ("one of the descriptor array's own frames" if fa.storage_base <= frame < fa.storage_end
                    else "not in the frame array: the first MiB, the kernel image, its modules and heap, "
                         "or a hole in the memory map")
            return [f"frame 0x{frame:08x} has no descriptor: {what}"]
        owner, map_count = self.dbg.read_phys(fa.storage_base + 8 * index, 2)
        lines = [self.descriptor_line(frame, index, fa, owner, map_count).strip()]
        span, (first, count, first_index) = next((i, s) for i, s in enumerate(fa.spans)
                                                 if s[0] <= frame >> 12 < s[0] + s[1])
        lines.append(f"  span {span} ({count} frames from pfn 0x{first:x}): index = {first_index} + "
                     f"(0x{frame >> 12:x} - 0x{first:x}) = {index}; at storage base 0x{fa.storage_base:08x} "
                     f"+ {index} * 8")
        problems = []
        if owner and map_count != kstate.FREE:
            body, found = self.vpage_lines(owner, self.pool(), fa, frame_seen=frame)
            lines += body
            problems += found
        spaces = self.spaces()
        found, tables = [], 0
        for p, entries, n in spaces:
            tables += n
            found += [(p, linear, e) for linear, e in sorted(entries.items())
                      if e & PRESENT and e & FRAME_MASK == frame]
        lines.append("  mapped at:" if found else "  mapped nowhere in user space")
        lines += [f"    {label(p)} 0x{linear:08x}: {words.present_entry(e)}" for p, linear, e in found]
        if map_count != kstate.FREE and owner == 0:
            lines += self.kernel_use(frame, spaces)
        lines.append(f"  found by scanning {plural(tables, 'page table')} in {plural(len(spaces), 'address space')}: "
                     "the frame array cannot say where a frame is mapped")
        if map_count == kstate.FREE and found:
            problems.append(f"the frame is free, yet {len(found)} entries map it")
        elif map_count != kstate.FREE and map_count != len(found):
            problems.append(f"map count {map_count}, but {len(found)} present entries map the frame")
        return lines + ([problem(p) for p in problems] or ["  consistent"])

    def kernel_use(self, frame, spaces):
        """What a frame without owner is, if a process's paging structures use it."""
        uses = []
        for p, _entries, _n in spaces:
            if p.directory == frame:
                uses.append(f"  it is {label(p)}'s page directory")
                continue
            pdes = kstate.read_phys_bulk(self.dbg, p.directory, kstate.USER_DIRECTORY_ENTRIES)
            uses += [f"  it is {label(p)}'s page table for 0x{d << 22:08x}-0x{(d << 22) + 0x3FFFFF:08x}"
                     for d, pde in enumerate(pdes) if pde & PRESENT and pde & FRAME_MASK == frame]
        return uses
