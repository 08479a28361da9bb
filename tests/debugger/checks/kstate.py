"""kstate.py: the VM layers' state, read from guest memory by the debugger.

The layouts below mirror the C++ declarations; if one drifts, the checks that
cross-validate fields (span counts adding up to the total, a descriptor's
owner matching its vpage) fail loudly rather than silently.

  FrameArray (os/vm/frame_array.h), the global g_frame_array:
    +0    Span m_spans[64]    each {first_pfn, count, first_index}, 12 bytes
    +768  m_span_count, +772 m_total, +776 m_free_count, +780 m_free_top
    +784  PhysRange m_storage {uint64 base, uint64 end}
  Frame descriptor: {vpage, map_count}, 8 bytes; map_count 0xFFFFFFFF = free.
  ObjectPool<VPage> (os/kernel/pool.h), the global g_vpages:
    +0 m_slots (pointer), +4 m_in_use_bits, +8 m_capacity, +12 m_in_use
  VPage (os/vm/vpage.h), 16 bytes: frame, store_offset, waiters,
    then refs (16 bits) | store (8) | flags (8).
"""
import struct
from dataclasses import dataclass

MAX_SPANS = 64
FREE = 0xFFFFFFFF


@dataclass
class FrameArray:
    spans: list          # (first_pfn, count, first_index)
    total: int
    free_count: int
    free_top: int
    storage_base: int
    storage_end: int

    def index_of(self, phys):
        """Descriptor index of the frame holding phys, or None (a hole)."""
        pfn = phys >> 12
        for first, count, index in self.spans:
            if first <= pfn < first + count:
                return index + pfn - first
        return None

    def descriptor_address(self, phys):
        """Physical address of the descriptor of the frame holding phys."""
        index = self.index_of(phys)
        return None if index is None else self.storage_base + 8 * index


def frame_array(dbg):
    """g_frame_array as a FrameArray, read through the kernel's mapping."""
    base = dbg.symbol_address("g_frame_array")
    head = dbg.read_virt(base + 768, 6)
    count = head[0]
    dbg.expect(count <= MAX_SPANS, f"g_frame_array.m_span_count is {count}: layout drift?")
    words = dbg.read_virt(base, 3 * count) if count else []
    spans = [tuple(words[i:i + 3]) for i in range(0, len(words), 3)]
    fa = FrameArray(spans, head[1], head[2], head[3], head[4], 0)
    fa.storage_end = dbg.read_virt(base + 792, 1)[0]
    dbg.expect(sum(c for _, c, _ in spans) == fa.total,
               f"spans add up to {sum(c for _, c, _ in spans)} frames but m_total is {fa.total}")
    return fa


def descriptor(dbg, fa, phys):
    """(vpage, map_count) of the frame holding phys, read with xp."""
    addr = fa.descriptor_address(phys)
    dbg.expect(addr is not None, f"no descriptor for physical 0x{phys:08x}")
    vpage, map_count = dbg.read_phys(addr, 2)
    return vpage, map_count


def expect_resident(dbg, fa, handle, frame, refs, when=""):
    """Frame and vpage agree, read from guest memory: the frame's descriptor
    names `handle` with map count 1, and the vpage records `frame` with
    `refs` references."""
    owner, map_count = descriptor(dbg, fa, frame)
    dbg.expect(owner == handle, f"descriptor of frame 0x{frame:08x} names vpage {owner}, not {handle}")
    dbg.expect(map_count == 1, f"descriptor of frame 0x{frame:08x} has map count {map_count}, expected 1")
    vp = vpage(dbg, handle)
    dbg.expect(vp.frame == frame, f"vpage {handle} records frame 0x{vp.frame:08x}, the MMU maps 0x{frame:08x}")
    dbg.expect(vp.refs == refs, f"vpage {handle} has {vp.refs} references{when}, expected {refs}")


@dataclass
class VPage:
    frame: int
    store_offset: int
    waiters: int
    refs: int
    store: int
    flags: int


def unpack_vpage(words):
    """A VPage from its four words."""
    return VPage(words[0], words[1], words[2], words[3] & 0xFFFF, (words[3] >> 16) & 0xFF, words[3] >> 24)


def vpage(dbg, handle):
    """The VPage behind a handle, from the pool g_vpages."""
    slots = dbg.read_symbol("g_vpages", 1)[0]
    return unpack_vpage(dbg.read_virt(slots + 16 * (handle - 1), 4))


@dataclass
class VPagePool:
    slots: int           # address of slot 0 (handle 1)
    bits_at: int         # address of the in-use bits (bit h-1 for handle h)
    capacity: int
    in_use: int

    def slot_address(self, handle):
        """Linear address of the slot of `handle`."""
        return self.slots + 16 * (handle - 1)


def vpage_pool(dbg):
    """g_vpages's header (capacity 0 before vm::init made the pool)."""
    return VPagePool(*dbg.read_symbol("g_vpages", 4))


def vpage_live(dbg, pool, handle):
    """True when `handle` names a vpage in use (its in-use bit is set)."""
    if not 0 < handle <= pool.capacity:
        return False
    word = dbg.read_virt(pool.bits_at + 4 * ((handle - 1) // 32))[0]
    return bool(word >> ((handle - 1) % 32) & 1)


# ---- processes and their page tables (lab 4) ----------------------------------
#
#   Process (os/proc/process.h), 104 bytes, on the kernel heap (the words
#   read here are its first 72; the static_assert beside the struct pins them):
#     +0 pid, +4 char name[32], +36 state (byte: 0 Alive, 1 Zombie),
#     +40 space (AddressSpace*), +44 thread, +48 parent, +52 exit_status,
#     +56 child_exited (8 bytes), +64 newer, +68 older, +72 free_ranges,
#     +84 callers, then lab 5's +88 clock_hand, +92 scans, +96 evictions,
#     +100 page_ins
#   AddressSpace (os/vm/address_space.h): +0 m_directory (physical address)
#   The recency list: the file-local g_top (os/proc/process.cpp), linked
#   through `older`.

KERNEL_BASE = 0xC0000000          # the kernel's direct map: physical p at KERNEL_BASE + p
PROCESS_WORDS = 18
USER_DIRECTORY_ENTRIES = 768      # directory entries below 0xC0000000
ENTRIES_PER_TABLE = 1024
PRESENT = 1


def unpack_words(data):
    """Little-endian 32-bit words of a bytes object."""
    return list(struct.unpack(f"<{len(data) // 4}I", data))


def read_phys_bulk(dbg, addr, n):
    """n words of physical memory at addr, through the kernel's direct map
    with one `writemem` (for whole page tables and descriptor arrays)."""
    return unpack_words(dbg.dump_virt(KERNEL_BASE + addr, 4 * n))


@dataclass
class Process:
    address: int
    pid: int
    name: str
    alive: bool
    space: int
    parent: int
    newer: int
    older: int
    directory: int       # physical; 0 when the space is gone


def processes(dbg):
    """The recency list, top (the process that ran last) first."""
    at = dbg.read_symbol("g_top")[0]
    out = []
    while at:
        dbg.expect(len(out) < 256, "the recency list does not end (a cycle?)")
        w = dbg.read_virt(at, PROCESS_WORDS)
        name = b"".join(x.to_bytes(4, "little") for x in w[1:9]).split(b"\0")[0].decode(errors="replace")
        space = w[10]
        p = Process(at, w[0], name, (w[9] & 0xFF) == 0, space, w[12], w[16], w[17],
                    dbg.read_virt(space)[0] if space else 0)
        dbg.expect(p.newer == (out[-1].address if out else 0),
                   f"process {p.pid} at 0x{at:08x}: newer is 0x{p.newer:08x}, the list says otherwise")
        out.append(p)
        at = p.older
    return out


def scan_space(dbg, directory):
    """({linear address: raw entry} of every nonzero user page-table entry
    under the page directory at physical `directory`, number of page tables
    read): the scan the seed calls the only way to find where a frame is mapped."""
    entries, tables = {}, 0
    for d, pde in enumerate(read_phys_bulk(dbg, directory, USER_DIRECTORY_ENTRIES)):
        if not pde & PRESENT:
            dbg.expect(pde == 0, f"directory 0x{directory:08x} entry {d} is 0x{pde:08x}: not present, not zero")
            continue
        dbg.expect(not pde & 0x80, f"directory 0x{directory:08x} entry {d}: a 4 MiB page in the user half")
        tables += 1
        for t, e in enumerate(read_phys_bulk(dbg, pde & ~0xFFF, ENTRIES_PER_TABLE)):
            if e:
                entries[(d << 22) | (t << 12)] = e
    return entries, tables


def user_entries(dbg, directory):
    """{linear address: raw entry} of every nonzero user page-table entry under
    the page directory at physical `directory` (read with xp)."""
    return scan_space(dbg, directory)[0]


def walk(dbg, directory, linear):
    """(directory entry, table entry or None when there is no page table)
    for `linear` under the page directory at physical `directory`, read with
    xp. A 4 MiB directory entry has no table entry either."""
    pde = dbg.read_phys(directory + 4 * (linear >> 22))[0]
    if not pde & PRESENT or pde & 0x80:
        return pde, None
    return pde, dbg.read_phys((pde & ~0xFFF) + 4 * ((linear >> 12) & 0x3FF))[0]


def entry_vpage(entry):
    """The vpage handle of a not-present entry (vpage << 2 | W << 1 | P=0)."""
    return entry >> 2


def check_counts(dbg, fa, spaces):
    """The counts of address_space.h, exact over the user entries of `spaces`
    (a list of user_entries() results, every live address space):
      - a frame's map count = the present entries pointing at it (free
        frames: none), and a present entry's frame is owned by a vpage that
        records that frame;
      - a vpage's refs = the entries (present or not) referring to it, for
        every vpage in use in g_vpages, and only vpages in use are referred to.
    Fails with the first difference. Returns (frames mapped, vpages in use)."""
    differences, mapped, live = count_differences(dbg, fa, spaces)
    dbg.expect(not differences, differences[0] if differences else "")
    return mapped, live


def count_differences(dbg, fa, spaces):
    """What check_counts() checks, as a list of every difference found (empty:
    consistent), with (frames mapped, vpages in use). `vm check` prints it."""
    differences = []
    descriptors = read_phys_bulk(dbg, fa.storage_base, 2 * fa.total) if fa.total else []
    slots, bits_at, capacity, in_use = dbg.read_symbol("g_vpages", 4)
    bits = unpack_words(dbg.dump_virt(bits_at, 4 * ((capacity + 31) // 32))) if capacity else []
    live = [h for h in range(1, capacity + 1) if bits[(h - 1) // 32] >> ((h - 1) % 32) & 1]
    if len(live) != in_use:
        differences.append(f"g_vpages: {len(live)} in-use bits but m_in_use {in_use}")
    live_set = set(live)
    pool = unpack_words(dbg.dump_virt(slots, 16 * max(live))) if live else []

    maps, refs = {}, {}
    for entries in spaces:
        for linear, e in sorted(entries.items()):
            if e & PRESENT:
                frame = e & ~0xFFF
                index = fa.index_of(frame)
                if index is None:
                    differences.append(f"entry 0x{e:08x} at 0x{linear:08x} maps 0x{frame:08x}: no frame")
                    continue
                maps[index] = maps.get(index, 0) + 1
                owner = descriptors[2 * index]
                if descriptors[2 * index + 1] == FREE or owner not in live_set:
                    differences.append(
                        f"0x{linear:08x} maps frame 0x{frame:08x}, which is free or owned by no vpage "
                        f"(descriptor {owner}, 0x{descriptors[2 * index + 1]:08x})")
                    continue
                if pool[4 * (owner - 1)] != frame:
                    differences.append(f"frame 0x{frame:08x} belongs to vpage {owner}, which records frame "
                                       f"0x{pool[4 * (owner - 1)]:08x}")
                vpage_handle = owner
            else:
                vpage_handle = entry_vpage(e)
                if vpage_handle not in live_set:
                    differences.append(f"not-present entry 0x{e:08x} at 0x{linear:08x}: "
                                       f"vpage {vpage_handle} is not in use")
                    continue
            refs[vpage_handle] = refs.get(vpage_handle, 0) + 1

    for index in range(fa.total):
        map_count = descriptors[2 * index + 1]
        if map_count != FREE and map_count != maps.get(index, 0):
            differences.append(f"frame descriptor {index}: map count {map_count}, but {maps.get(index, 0)} "
                               "present entries point at the frame")
    for h in live:
        count = pool[4 * (h - 1) + 3] & 0xFFFF
        if count != refs.get(h, 0):
            differences.append(f"vpage {h}: refs {count}, but {refs.get(h, 0)} entries refer to it")
    return differences, len(maps), len(live)
