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


@dataclass
class VPage:
    frame: int
    store_offset: int
    waiters: int
    refs: int
    store: int
    flags: int


def vpage(dbg, handle):
    """The VPage behind a handle, from the pool g_vpages."""
    slots = dbg.read_symbol("g_vpages", 1)[0]
    words = dbg.read_virt(slots + 16 * (handle - 1), 4)
    return VPage(words[0], words[1], words[2], words[3] & 0xFFFF, (words[3] >> 16) & 0xFF, words[3] >> 24)
