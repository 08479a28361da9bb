// lab2_sharing.cpp: kernel test of lab 2 on the real MMU, one vpage mapped
// three times in two address spaces (see lab2_support.h).
#include "lab2_support.h"

using namespace lab2_test;

// The same vpage twice in one space and once in another: every address
// reads the same frame, and a write through one is seen through the others.
KTEST(lab2_shared_mapping)
{
    if (!frame_array_built())
        return;
    Counts before = Counts::now();
    AddressSpace* a = create_space("space-a-created");
    AddressSpace* b = a ? create_space("space-b-created") : nullptr;
    if (!b) {
        if (a)
            a->destroy();
        return;
    }
    constexpr uint32_t a1 = 0x00400000, a2 = 0x00c00000, b1 = 0x10000000; // three page tables
    constexpr uint32_t pattern = 0x5a5a0000;
    FirstFailure failed;
    VPageRef v = resident_vpage(pattern);
    if (!v)
        failed("no resident vpage");
    else if (a->map(a1, v, Access::ReadWrite) != MapResult::Ok || a->map(a2, v, Access::ReadWrite) != MapResult::Ok
        || b->map(b1, v, Access::ReadWrite) != MapResult::Ok)
        failed("map of the vpage at 0x%08x, 0x%08x (space a) and 0x%08x (space b) did not all return Ok", a1, a2, b1);
    bool mapped = failed.report("map-shared");

    uint32_t frame = frame_of(v);
    struct {
        AddressSpace* space;
        uint32_t linear;
    } const places[] = { { a, a1 }, { a, a2 }, { b, b1 } };
    bool walks = mapped;
    for (const auto& p : places) {
        Lookup l = p.space->lookup(p.linear);
        if (l.kind != Lookup::Kind::Present || l.vpage != v || l.frame != frame)
            failed("lookup(0x%08x): kind %d vpage %u frame 0x%08x, expected Present vpage %u frame 0x%08x", p.linear,
                int(l.kind), l.vpage, l.frame, v, frame);
        if (walk(p.space->directory(), p.linear).frame != frame || frame == 0) {
            walks = false;
            failed("0x%08x: the MMU does not find frame 0x%08x", p.linear, frame);
        }
    }
    failed.report("same-vpage-same-frame");
    if (v && mapped)
        ktest::check("counts-three-mappings", refs_of(v) == 3 && map_count_of(frame) == 3,
            "refs %u, map count %u, expected 3 and 3", refs_of(v), map_count_of(frame));

    bool loadable = ktest::check("kernel-half-copied", kernel_half_copied(a) && kernel_half_copied(b),
        "directory entries 768..1023 differ from the kernel directory's");
    if (walks && loadable) {
        auto word = [](uint32_t linear, uint32_t i) -> volatile uint32_t& {
            return reinterpret_cast<volatile uint32_t*>(linear)[i];
        };
        uint32_t seen = 0;
        a->activate();
        if (!reads_pattern(a1, pattern, &seen) || !reads_pattern(a2, pattern, &seen))
            failed("space a: 0x%08x or 0x%08x does not read the vpage's data (saw 0x%08x)", a1, a2, seen);
        failed.report("read-same-data");

        word(a1, 4) = 0xfeedface;
        if ((seen = word(a2, 4)) != 0xfeedface)
            failed("wrote 0xfeedface through 0x%08x, read 0x%08x through 0x%08x", a1, seen, a2);
        b->activate();
        if ((seen = word(b1, 4)) != 0xfeedface)
            failed("wrote 0xfeedface in space a, read 0x%08x through 0x%08x in space b", seen, b1);
        word(b1, 8) = 0xc0ffee00;
        a->activate();
        if ((seen = word(a2, 8)) != 0xc0ffee00)
            failed("wrote 0xc0ffee00 in space b, read 0x%08x through 0x%08x in space a", seen, a2);
        if ((seen = static_cast<uint32_t*>(mmu::phys_to_virt(frame))[8]) != 0xc0ffee00)
            failed("the frame itself holds 0x%08x, expected 0xc0ffee00", seen);
        failed.report("write-seen-through-other-mappings");

        // One mapping goes; the others still work.
        if (!a->unmap(a1))
            failed("unmap(0x%08x) returned false", a1);
        else if (refs_of(v) != 2 || map_count_of(frame) != 2)
            failed("after one unmap: refs %u, map count %u, expected 2 and 2", refs_of(v), map_count_of(frame));
        else if (walk(a->directory(), a2).frame != frame || word(a2, 4) != 0xfeedface)
            failed("0x%08x lost the page when 0x%08x was unmapped", a2, a1);
        failed.report("unmap-keeps-other-mappings");
        back_to_kernel_directory();
    }

    // A non-resident vpage twice in one space: two not-present entries.
    VPageRef w = vpage_create(1, 0x4000);
    if (!w)
        failed("vpage_create returned kNoVPage");
    else if (a->map(0x20000000, w, Access::ReadOnly) != MapResult::Ok
        || a->map(0x20001000, w, Access::ReadOnly) != MapResult::Ok)
        failed("map of a non-resident vpage twice did not return Ok");
    else if (a->lookup(0x20000000).kind != Lookup::Kind::NotPresent || a->lookup(0x20000000).vpage != w
        || a->lookup(0x20001000).vpage != w || refs_of(w) != 2)
        failed("lookups of the non-resident vpage: vpages %u and %u, refs %u; expected %u twice, refs 2",
            a->lookup(0x20000000).vpage, a->lookup(0x20001000).vpage, refs_of(w), w);
    failed.report("non-resident-twice");

    a->destroy();
    if (v && mapped && vpages().is_live(v)) {
        ktest::check("destroy-keeps-other-space", refs_of(v) == 1 && map_count_of(frame) == 1,
            "after destroying space a: refs %u, map count %u, expected 1 and 1", refs_of(v), map_count_of(frame));
    } else {
        ktest::check("destroy-keeps-other-space", !mapped, "the vpage space b maps was destroyed with space a");
    }
    b->destroy();
    check_counts_back(before);
}
