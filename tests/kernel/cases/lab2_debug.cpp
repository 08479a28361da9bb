// lab2_debug.cpp: the kernel test behind lab 2's debugger check
// (tests/debugger/checks/vpage_mapping.py): one resident vpage mapped, its
// space in CR3, and a stop in debug_checkpoint (see lab2_support.h).
#include "lab2_support.h"

using namespace lab2_test;

// Where the debugger check of lab2_debug_mapping stops: the space is active
// and `linear` maps `vpage`. It does nothing, but is a real call with its
// arguments on the stack (cdecl): break at "debug_checkpoint" and read them
// at [esp+4] and [esp+8].
extern "C" __attribute__((noinline, used)) void debug_checkpoint(uint32_t linear, uint32_t vpage)
{
    asm volatile("" : : "r"(linear), "r"(vpage) : "memory");
}

// For the debugger check: one resident vpage mapped read-write at
// 0x00400000, its space active, and a stop in debug_checkpoint(0x00400000,
// vpage). The script reads the arguments, runs `page 0x00400000`, and
// compares with g_frame_array and g_vpages in guest memory.
KTEST(lab2_debug_mapping)
{
    constexpr uint32_t linear = 0x00400000, pattern = 0x0dec0000;
    if (!frame_array_built())
        return;
    Counts before = Counts::now();
    AddressSpace* space = create_space("space-created");
    if (!space)
        return;
    VPageRef v = resident_vpage(pattern);
    bool mapped = ktest::check("map-resident-page", v && space->map(linear, v, Access::ReadWrite) == MapResult::Ok,
        "vpage %u could not be mapped at 0x%08x", v, linear);
    uint32_t frame = frame_of(v);
    Walk w = walk(space->directory(), linear);
    bool walks = ktest::check("hardware-entry", mapped && w.frame == frame && w.writable && w.user,
        "the MMU finds frame 0x%08x (writable %d, user %d), expected 0x%08x", w.frame, w.writable, w.user, frame);
    if (walks && ktest::check("kernel-half-copied", kernel_half_copied(space))) {
        space->activate();
        debug_checkpoint(linear, v);
        uint32_t seen = 0;
        ktest::check("read-through-user-address", reads_pattern(linear, pattern, &seen),
            "0x%08x reads 0x%08x, expected 0x%08x", linear, seen, pattern);
        back_to_kernel_directory();
    }
    ktest::value("linear", linear);
    ktest::value("vpage", v);
    ktest::value("frame", frame);
    drop_unmapped(v); // if it is not mapped
    space->destroy();
    check_counts_back(before);
}
