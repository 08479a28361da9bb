"""frame-descriptor (lab 1): the frame array, read from guest memory.

Boots the frames_counted kernel test and stops when it starts (the frame
array is built, nothing is allocated yet). From g_frame_array and its
descriptors in physical memory it checks: the spans add up to the total;
every frame is free; the free stack is well linked for its first links; the
descriptor of the frame behind a kernel address (in the direct map, inside
the largest span) found with `page` is free;
and the descriptor array's own frames have no descriptor.
"""
from checks import kstate

KERNEL_TEST = "frames_counted"
KERNEL_BASE = 0xC0000000    # the direct map: kernel address = physical + KERNEL_BASE
STACK_LINKS = 16


def check(dbg):
    """Read g_frame_array at the start of the test and follow its pointers."""
    dbg.run_to("ktest::run")
    fa = kstate.frame_array(dbg)
    dbg.expect(fa.total > 0, "g_frame_array.m_total is 0: the frame array was not built")
    dbg.expect(fa.free_count == fa.total,
               f"{fa.free_count} of {fa.total} frames free before any allocation")

    # The free stack: top descriptor free, each link within the array.
    index = fa.free_top
    for link in range(STACK_LINKS):
        dbg.expect(0 < index <= fa.total, f"free-stack link {link} is {index}, outside 1..{fa.total}")
        nxt, map_count = dbg.read_phys(fa.storage_base + 8 * (index - 1), 2)
        dbg.expect(map_count == kstate.FREE,
                   f"descriptor {index - 1} is on the free stack but its map count is 0x{map_count:08x}")
        if nxt == 0:
            break
        index = nxt

    # From a virtual address, through `page`, to the descriptor: the kernel
    # address of a frame in the middle of the largest span (where free
    # memory starts depends on the size of the kernel, its heap and modules).
    first_pfn, count, _ = max(fa.spans, key=lambda span: span[1])
    PROBE = KERNEL_BASE + (first_pfn + count // 2) * 0x1000
    page = dbg.page(PROBE)
    dbg.expect(page.present, f"`page 0x{PROBE:08x}` finds no mapping for a kernel address")
    _, map_count = kstate.descriptor(dbg, fa, page.phys)
    dbg.expect(map_count == kstate.FREE,
               f"frame 0x{page.phys & ~0xFFF:08x} (behind 0x{PROBE:08x}) is not free: map count 0x{map_count:08x}")

    # The array's own frames are never described.
    for phys in range(fa.storage_base, fa.storage_end, 0x1000):
        dbg.expect(fa.index_of(phys) is None, f"the descriptor array's frame 0x{phys:08x} has a descriptor")
