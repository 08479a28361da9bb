// lab2_support.h: what the kernel tests of lab 2 share (lab2_page_tables.cpp,
// lab2_sharing.cpp, lab2_random.cpp, lab2_debug.cpp). Each test builds
// address spaces with the lab's code, loads them into CR3 and reads and
// writes the pages through their user addresses from kernel mode (no SMAP:
// the kernel may touch user pages), then switches back to the kernel
// directory, destroys the spaces and checks that every frame and vpage came
// back.
//
// The tests look before they touch: an address is read only after a walk of
// the page tables (through the direct map) shows it present, and a space is
// loaded only if its kernel half is the kernel's. So a skeleton or a broken
// lab fails with a reason instead of a kernel page fault or a triple fault.
#pragma once

#include "arch/mmu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "kernel/kernel_memory.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/vpage.h"

#include <stdarg.h>

namespace lab2_test {

using paging::PageDirectoryEntry;
using paging::PageTableEntry;

inline constexpr uint32_t kKernelFirst = paging::directory_index(layout::kKernelBase); // 768
inline constexpr uint32_t kWords = paging::kPageSize / 4;

// ---- counts ----

// A vpage's fields and a frame's descriptor, read without the VERIFYs of
// vpages().get() and frames().map_count() (a panic on a dead vpage or a free
// frame): a broken lab must fail a check, not stop the kernel.
inline uint32_t frame_of(VPageRef v) { return v && vpages().is_live(v) ? vpages().get(v)->frame : 0; }
inline uint32_t refs_of(VPageRef v) { return v && vpages().is_live(v) ? vpages().get(v)->refs : 0; }
inline uint32_t map_count_of(uint32_t frame)
{
    const Frame* f = frame ? frames().descriptor(frame) : nullptr;
    return f ? f->map_count : Frame::kFree;
}
inline uint32_t owner_of(uint32_t frame)
{
    const Frame* f = frame ? frames().descriptor(frame) : nullptr;
    return f ? f->vpage : kNoVPage;
}

struct Counts {
    uint32_t frames_free;
    uint32_t vpages_in_use;
    static Counts now() { return { frames().frames_free(), vpages().in_use() }; }
};

inline bool check_counts_back(Counts before)
{
    Counts after = Counts::now();
    return ktest::check("counts-back-to-baseline",
        after.frames_free == before.frames_free && after.vpages_in_use == before.vpages_in_use,
        "frames free %u -> %u, vpages in use %u -> %u", before.frames_free, after.frames_free, before.vpages_in_use,
        after.vpages_in_use);
}

// Lab 1 must be there before lab 2 can be tested; on its skeleton the test
// stops here with the reason.
inline bool frame_array_built()
{
    return ktest::check("frame-array-built", frames().frames_total() > 0,
        "the frame array has no frames (lab 1 not implemented?)");
}

inline AddressSpace* create_space(const char* check)
{
    AddressSpace* space = AddressSpace::create();
    ktest::check(check, space != nullptr, "AddressSpace::create() returned nullptr (lab 2 not implemented?)");
    return space;
}

// A vpage that no entry refers to (never mapped, or its map failed) is
// destroyed by no unmap or destroy: drop it by hand.
inline void drop_unmapped(VPageRef v)
{
    if (v && vpages().is_live(v) && refs_of(v) == 0) {
        vpage_ref(v);
        vpage_unref(v);
    }
}

// ---- page contents ----

// A frame's words are pattern + index, so every word of every page differs.
inline void fill(uint32_t frame, uint32_t pattern)
{
    auto* words = static_cast<uint32_t*>(mmu::phys_to_virt(frame));
    for (uint32_t i = 0; i < kWords; ++i)
        words[i] = pattern + i;
}

// A vpage resident on a fresh frame filled with `pattern`; kNoVPage if the
// frame or the vpage cannot be had.
inline VPageRef resident_vpage(uint32_t pattern)
{
    uint32_t frame = frames().allocate();
    if (frame == FrameArray::kNoFrame)
        return kNoVPage;
    VPageRef v = vpage_create(0, 0);
    if (v == kNoVPage) {
        frames().free(frame);
        return kNoVPage;
    }
    fill(frame, pattern);
    vpage_attach(v, frame);
    return v;
}

// Reads the first, a middle and the last word of the page at `linear` in the
// current address space; true if they hold `pattern` + index. The first
// word read is left in `seen`.
inline bool reads_pattern(uint32_t linear, uint32_t pattern, uint32_t* seen)
{
    auto* words = reinterpret_cast<volatile uint32_t*>(linear);
    *seen = words[0];
    return words[0] == pattern && words[kWords / 2] == pattern + kWords / 2 && words[kWords - 1] == pattern + kWords - 1;
}

// Frames fresh from boot are zero; frames that were used and freed are not.
// Use and free some, so that the next ones handed out hold junk, as after a
// long uptime: a directory or page table that is not zeroed shows up.
inline void dirty_free_frames()
{
    uint32_t taken[64];
    unsigned n = 0;
    while (n < 64 && (taken[n] = frames().allocate()) != FrameArray::kNoFrame)
        fill(taken[n++], 0xa5a5a5a5);
    while (n > 0)
        frames().free(taken[--n]);
}

// ---- the hardware's view ----

// What the MMU finds for `linear` in the page directory at `directory`,
// read through the direct map. frame is kNoFrame unless the directory entry
// and the table entry are both present and lead to frames of the array.
struct Walk {
    uint32_t frame { FrameArray::kNoFrame };
    bool writable { false };
    bool user { false };
};

inline Walk walk(uint32_t directory, uint32_t linear)
{
    Walk w;
    auto* dir = static_cast<const PageDirectoryEntry*>(mmu::phys_to_virt(directory));
    PageDirectoryEntry pde = dir[paging::directory_index(linear)];
    if (!pde.is_present() || pde.is_large() || !frames().descriptor(pde.table()))
        return w;
    auto* table = static_cast<const PageTableEntry*>(mmu::phys_to_virt(pde.table()));
    PageTableEntry pte = table[paging::table_index(linear)];
    if (!pte.is_present() || !frames().descriptor(pte.frame()))
        return w;
    w.frame = pte.frame();
    w.writable = (pde.raw() & paging::bits::kWritable) && pte.is_writable();
    w.user = pde.is_user() && pte.is_user();
    return w;
}

// True if the space's kernel half is the kernel directory's, so that loading
// it into CR3 keeps the kernel (this code, its stack) mapped.
inline bool kernel_half_copied(const AddressSpace* space)
{
    auto* mine = static_cast<const uint32_t*>(mmu::phys_to_virt(space->directory()));
    auto* kernel = static_cast<const uint32_t*>(mmu::phys_to_virt(kernel_memory::kernel_directory()));
    for (uint32_t i = kKernelFirst; i < paging::kEntriesPerTable; ++i)
        if (mine[i] != kernel[i])
            return false;
    return true;
}

inline void back_to_kernel_directory() { mmu::switch_directory(kernel_memory::kernel_directory()); }

// ---- verdicts ----

// The first failure of a group of checks, kept for its verdict line.
class FirstFailure {
public:
    bool ok() const { return m_text[0] == '\0'; }
    const char* text() const { return m_text; }
    void operator()(const char* fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        if (!ok())
            return;
        va_list args;
        va_start(args, fmt);
        vformat_to(m_text, sizeof m_text, fmt, args);
        va_end(args);
    }
    // One verdict line for the group; resets for the next group.
    bool report(const char* check)
    {
        bool pass = ok();
        ktest::check(check, pass, "%s", m_text);
        m_text[0] = '\0';
        return pass;
    }

private:
    char m_text[160] = "";
};

} // namespace lab2_test
