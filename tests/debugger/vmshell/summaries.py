"""The summary views of the debugger shell: `vm procs`, `vm frames`, `vm
check`. A mixin of commands.Views (which gives running(), frame_array(),
pool() and spaces()). The rows and columns are tables, so that labs 5 and 6
add theirs (quota, pending store requests, vmstat counters) in one line each.
"""

from checks import kstate

from .words import DIRTY, FRAME_MASK, PRESENT, plural, problem


class Summaries:
    """procs, frames, check over self.dbg."""

    # -- vm procs -------------------------------------------------------------
    # One column per entry: (header, width, value of (process, entries, tables)).
    # Labs 5 and 6 add theirs (quota, pending store requests) here.
    PROC_COLUMNS = [
        ("pid", 5, lambda p, e, t: p.pid),
        ("name", -20, lambda p, e, t: p.name),
        ("state", -7, lambda p, e, t: "alive" if p.alive else "zombie"),
        ("directory", 10, lambda p, e, t: f"0x{p.directory:08x}" if p.directory else "-"),
        ("resident", 8, lambda p, e, t: sum(1 for v in e.values() if v & PRESENT) if p.directory else "-"),
        ("not-present", 11, lambda p, e, t: sum(1 for v in e.values() if not v & PRESENT) if p.directory else "-"),
        ("tables", 6, lambda p, e, t: t if p.directory else "-"),
    ]

    def procs(self, args):
        """vm procs: the recency list, top first, with resident page counts."""
        self.running()
        procs = kstate.processes(self.dbg)
        if not procs:
            return ["no process on the recency list: none spawned yet (user processes need labs 1-3 and "
                    "`test=run run=...`)"]
        rows = []
        for p in procs:
            entries, tables = kstate.scan_space(self.dbg, p.directory) if p.alive and p.directory else ({}, 0)
            rows.append([str(f(p, entries, tables)) for _, _, f in self.PROC_COLUMNS])
        def cell(text, width):
            return text.ljust(-width) if width < 0 else text.rjust(width)
        lines = [f"recency list, top (ran last) first: {len(procs)} process{'es' * (len(procs) != 1)}",
                 "  " + "  ".join(cell(h, w) for h, w, _ in self.PROC_COLUMNS)]
        lines += ["  " + "  ".join(cell(v, w) for v, (_, w, _) in zip(row, self.PROC_COLUMNS)) for row in rows]
        lines.append("  resident = present user entries; not-present = entries holding a vpage. "
                     "Quota: lab 5; pending store requests: lab 6 (not there yet).")
        return lines

    # -- vm frames ------------------------------------------------------------
    def frames(self, args):
        """vm frames: free / kernel / user / dirty / shared counts."""
        self.running()
        fa = self.frame_array()
        census = self.census(fa)
        lines = [f"frame array: {fa.total} frames ({fa.total * 4} KiB), descriptors at "
                 f"0x{fa.storage_base:08x}-0x{fa.storage_end:08x}; {fa.free_count} free by its own count"]
        lines += [f"  span {i}: {count} frames from 0x{first << 12:08x} (pfn 0x{first:x}), descriptors "
                  f"{first_index}..{first_index + count - 1}" for i, (first, count, first_index) in enumerate(fa.spans)]
        top = fa.free_top
        lines.append(f"  free-stack top: descriptor {top - 1} (frame 0x{self.frame_of(fa, top - 1):08x})" if top
                     else "  free stack empty")
        lines += [f"  {name:<8}{census[name]:>7}   {meaning}" for name, meaning in self.FRAME_ROWS]
        if census["free"] != fa.free_count:
            lines.append(problem(f"{census['free']} descriptors are free, but m_free_count is {fa.free_count}"))
        lines.append("  memory-map picture: lab 5 (not there yet)")
        return lines

    # One row per count (the census's key, what it means); lab 5 adds its own.
    FRAME_ROWS = [
        ("free", "on the free stack"),
        ("kernel", "in use with no owner vpage: page tables, page directories"),
        ("user", "resident vpages (owner vpage set)"),
        ("dirty", "user frames dirty: the vpage's flag or a mapping's D bit"),
        ("shared", "map count above 1 (fork, shared mappings)"),
    ]

    def census(self, fa):
        """{row name: count} over every descriptor and every live user entry."""
        descriptors = kstate.read_phys_bulk(self.dbg, fa.storage_base, 2 * fa.total)
        pool = kstate.vpage_pool(self.dbg)
        owners = [descriptors[2 * i] for i in range(fa.total) if descriptors[2 * i + 1] != kstate.FREE]
        top = min(max(owners, default=0), pool.capacity)
        slots = kstate.unpack_words(self.dbg.dump_virt(pool.slots, 16 * top)) if top else []
        dirty_frames = {e & FRAME_MASK for _p, entries, _n in self.spaces()
                        for e in entries.values() if e & PRESENT and e & DIRTY}
        count = {name: 0 for name, _ in self.FRAME_ROWS}
        for index in range(fa.total):
            owner, map_count = descriptors[2 * index], descriptors[2 * index + 1]
            if map_count == kstate.FREE:
                count["free"] += 1
                continue
            if owner == 0:
                count["kernel"] += 1
                continue
            count["user"] += 1
            count["shared"] += map_count > 1
            flags = slots[4 * (owner - 1) + 3] >> 24 if owner <= top else 0
            count["dirty"] += self.frame_of(fa, index) in dirty_frames or bool(flags & 1)
        return count

    @staticmethod
    def frame_of(fa, index):
        """Physical address of descriptor `index`'s frame."""
        for first, n, first_index in fa.spans:
            if first_index <= index < first_index + n:
                return (first + index - first_index) << 12
        return None

    # -- vm check -------------------------------------------------------------
    def check(self, args):
        """vm check: the debugger checks' recount of map counts and refs."""
        self.running()
        fa = self.frame_array()
        self.pool()                  # NotThere before vm::init made it
        spaces = self.spaces()
        differences, mapped, live = kstate.count_differences(self.dbg, fa, [e for _p, e, _n in spaces])
        present = sum(1 for _p, e, _n in spaces for v in e.values() if v & PRESENT)
        absent = sum(len(e) for _p, e, _n in spaces) - present
        lines = [f"recounted {plural(fa.total, 'frame descriptor')} and {plural(live, 'vpage')} in use against "
                 f"{plural(len(spaces), 'address space')} ({plural(present, 'present entry', 'present entries')} "
                 f"on {plural(mapped, 'frame')}, {plural(absent, 'not-present entry', 'not-present entries')})"]
        return lines + ([problem(d) for d in differences] or ["  consistent"])
