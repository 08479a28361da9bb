// lab2.cpp: kernel tests of lab 2 (vpages and address spaces) on the real
// MMU. Each test builds address spaces with the lab's code, loads them into
// CR3 and reads and writes the pages through their user addresses from
// kernel mode (no SMAP: the kernel may touch user pages), then switches back
// to the kernel directory, destroys the spaces and checks that every frame
// and vpage came back.
//
// The tests look before they touch: an address is read only after a walk of
// the page tables (through the direct map) shows it present, and a space is
// loaded only if its kernel half is the kernel's. So a skeleton or a broken
// lab fails with a reason instead of a kernel page fault or a triple fault.
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

using paging::PageDirectoryEntry;
using paging::PageTableEntry;

// Where the debugger check of lab2_debug_mapping stops: the space is active
// and `linear` maps `vpage`. It does nothing, but is a real call with its
// arguments on the stack (cdecl): break at "debug_checkpoint" and read them
// at [esp+4] and [esp+8].
extern "C" __attribute__((noinline, used)) void debug_checkpoint(uint32_t linear, uint32_t vpage)
{
    asm volatile("" : : "r"(linear), "r"(vpage) : "memory");
}

namespace {

constexpr uint32_t kKernelFirst = paging::directory_index(layout::kKernelBase); // 768
constexpr uint32_t kWords = paging::kPageSize / 4;

// ---- counts ----

// A vpage's fields and a frame's descriptor, read without the VERIFYs of
// vpages().get() and frames().map_count() (a panic on a dead vpage or a free
// frame): a broken lab must fail a check, not stop the kernel.
uint32_t frame_of(VPageRef v) { return v && vpages().is_live(v) ? vpages().get(v)->frame : 0; }
uint32_t refs_of(VPageRef v) { return v && vpages().is_live(v) ? vpages().get(v)->refs : 0; }
uint32_t map_count_of(uint32_t frame)
{
    const Frame* f = frame ? frames().descriptor(frame) : nullptr;
    return f ? f->map_count : Frame::kFree;
}
uint32_t owner_of(uint32_t frame)
{
    const Frame* f = frame ? frames().descriptor(frame) : nullptr;
    return f ? f->vpage : kNoVPage;
}

struct Counts {
    uint32_t frames_free;
    uint32_t vpages_in_use;
    static Counts now() { return { frames().frames_free(), vpages().in_use() }; }
};

bool check_counts_back(Counts before)
{
    Counts after = Counts::now();
    return ktest::check("counts-back-to-baseline",
        after.frames_free == before.frames_free && after.vpages_in_use == before.vpages_in_use,
        "frames free %u -> %u, vpages in use %u -> %u", before.frames_free, after.frames_free, before.vpages_in_use,
        after.vpages_in_use);
}

// Lab 1 must be there before lab 2 can be tested; on its skeleton the test
// stops here with the reason.
bool frame_array_built()
{
    return ktest::check("frame-array-built", frames().frames_total() > 0,
        "the frame array has no frames (lab 1 not implemented?)");
}

AddressSpace* create_space(const char* check)
{
    AddressSpace* space = AddressSpace::create();
    ktest::check(check, space != nullptr, "AddressSpace::create() returned nullptr (lab 2 not implemented?)");
    return space;
}

// ---- page contents ----

// A frame's words are pattern + index, so every word of every page differs.
void fill(uint32_t frame, uint32_t pattern)
{
    auto* words = static_cast<uint32_t*>(mmu::phys_to_virt(frame));
    for (uint32_t i = 0; i < kWords; ++i)
        words[i] = pattern + i;
}

// A vpage resident on a fresh frame filled with `pattern`; kNoVPage if the
// frame or the vpage cannot be had.
VPageRef resident_vpage(uint32_t pattern)
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
bool reads_pattern(uint32_t linear, uint32_t pattern, uint32_t* seen)
{
    auto* words = reinterpret_cast<volatile uint32_t*>(linear);
    *seen = words[0];
    return words[0] == pattern && words[kWords / 2] == pattern + kWords / 2 && words[kWords - 1] == pattern + kWords - 1;
}

// Frames fresh from boot are zero; frames that were used and freed are not.
// Use and free some, so that the next ones handed out hold junk, as after a
// long uptime: a directory or page table that is not zeroed shows up.
void dirty_free_frames()
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

Walk walk(uint32_t directory, uint32_t linear)
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
bool kernel_half_copied(const AddressSpace* space)
{
    auto* mine = static_cast<const uint32_t*>(mmu::phys_to_virt(space->directory()));
    auto* kernel = static_cast<const uint32_t*>(mmu::phys_to_virt(kernel_memory::kernel_directory()));
    for (uint32_t i = kKernelFirst; i < paging::kEntriesPerTable; ++i)
        if (mine[i] != kernel[i])
            return false;
    return true;
}

// The first directory entry of the user half that is not zero, or
// kKernelFirst if they all are (a new space maps nothing).
uint32_t first_used_user_entry(const AddressSpace* space)
{
    auto* dir = static_cast<const uint32_t*>(mmu::phys_to_virt(space->directory()));
    uint32_t i = 0;
    while (i < kKernelFirst && dir[i] == 0)
        ++i;
    return i;
}

// The first entry of the space's page tables that is neither zero nor one of
// the `n` mapped addresses; 0 if there is none (new tables are zeroed).
uint32_t first_stray_entry(const AddressSpace* space, const uint32_t* mapped, unsigned n)
{
    auto* dir = static_cast<const PageDirectoryEntry*>(mmu::phys_to_virt(space->directory()));
    for (uint32_t d = 0; d < kKernelFirst; ++d) {
        if (!dir[d].is_present() || dir[d].is_large() || !frames().descriptor(dir[d].table()))
            continue;
        auto* table = static_cast<const PageTableEntry*>(mmu::phys_to_virt(dir[d].table()));
        for (uint32_t t = 0; t < paging::kEntriesPerTable; ++t) {
            uint32_t linear = (d << 22) | (t << 12);
            bool is_mapped = false;
            for (unsigned i = 0; i < n; ++i)
                is_mapped = is_mapped || mapped[i] == linear;
            if (!is_mapped && !table[t].is_empty())
                return linear;
        }
    }
    return 0;
}

void back_to_kernel_directory() { mmu::switch_directory(kernel_memory::kernel_directory()); }

// Page tables of a space: present entries in the user half of its directory.
uint32_t page_tables(const AddressSpace* space)
{
    auto* dir = static_cast<const PageDirectoryEntry*>(mmu::phys_to_virt(space->directory()));
    uint32_t n = 0;
    for (uint32_t i = 0; i < kKernelFirst; ++i)
        n += dir[i].is_present();
    return n;
}

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

} // namespace

// One space, resident pages in five page tables (user space's first and last
// pages included), loaded into CR3 and read through the user addresses.
// Then an address is reused after unmap while the space is active: the read
// must see the new page, not a stale TLB entry.
KTEST(lab2_page_tables)
{
    if (!frame_array_built())
        return;
    dirty_free_frames();
    Counts before = Counts::now();
    AddressSpace* space = create_space("space-created");
    if (!space)
        return;
    bool kernel_half = ktest::check("kernel-half-copied", kernel_half_copied(space),
        "directory entries 768..1023 differ from the kernel directory's");
    uint32_t used = first_used_user_entry(space);
    ktest::check("user-half-empty", used == kKernelFirst, "directory entry %u of a new space is 0x%08x, not 0", used,
        used < kKernelFirst ? static_cast<const uint32_t*>(mmu::phys_to_virt(space->directory()))[used] : 0);

    struct Page {
        uint32_t linear;
        Access access;
        uint32_t pattern;
        VPageRef vpage;
    } pages[] = {
        { 0x00001000, Access::ReadOnly, 0x11110000, kNoVPage },
        { 0x00400000, Access::ReadWrite, 0x22220000, kNoVPage },
        { 0x00401000, Access::ReadOnly, 0x33330000, kNoVPage },
        { 0x08048000, Access::ReadWrite, 0x44440000, kNoVPage },
        { 0xbffff000, Access::ReadWrite, 0x55550000, kNoVPage },
    };
    FirstFailure failed;
    for (Page& p : pages) {
        p.vpage = resident_vpage(p.pattern);
        if (p.vpage == kNoVPage) {
            failed("no resident vpage for 0x%08x", p.linear);
            continue;
        }
        MapResult r = space->map(p.linear, p.vpage, p.access);
        if (r != MapResult::Ok)
            failed("map(0x%08x) returned %d, not Ok", p.linear, int(r));
    }
    failed.report("map-resident-pages");
    uint32_t mapped[sizeof pages / sizeof pages[0]];
    for (unsigned i = 0; i < sizeof pages / sizeof pages[0]; ++i)
        mapped[i] = pages[i].linear;
    uint32_t stray = first_stray_entry(space, mapped, sizeof pages / sizeof pages[0]);
    ktest::check("new-page-tables-zeroed", stray == 0, "the entry of 0x%08x is not empty: page tables must start zeroed",
        stray);

    for (const Page& p : pages) {
        Lookup l = space->lookup(p.linear);
        uint32_t frame = frame_of(p.vpage);
        if (l.kind != Lookup::Kind::Present || l.vpage != p.vpage || l.frame != frame
            || l.writable != (p.access == Access::ReadWrite))
            failed("lookup(0x%08x): kind %d vpage %u frame 0x%08x writable %d, expected %d (Present) %u 0x%08x %d",
                p.linear, int(l.kind), l.vpage, l.frame, l.writable, int(Lookup::Kind::Present), p.vpage, frame,
                p.access == Access::ReadWrite);
    }
    const uint32_t nothing[] = { 0x00402000, 0x00c00000 }; // an empty entry of a table; no table at all
    for (uint32_t linear : nothing)
        if (Lookup l = space->lookup(linear); l.kind != Lookup::Kind::Nothing)
            failed("lookup(0x%08x) of nothing: kind %d vpage %u, expected %d (Nothing)", linear, int(l.kind), l.vpage,
                int(Lookup::Kind::Nothing));
    failed.report("lookup-present");

    bool walks[sizeof pages / sizeof pages[0]] = {};
    for (unsigned i = 0; i < sizeof pages / sizeof pages[0]; ++i) {
        const Page& p = pages[i];
        Walk w = walk(space->directory(), p.linear);
        uint32_t frame = frame_of(p.vpage);
        walks[i] = w.frame != FrameArray::kNoFrame && w.frame == frame;
        if (!walks[i] || !w.user || w.writable != (p.access == Access::ReadWrite))
            failed("0x%08x: the MMU finds frame 0x%08x (user %d, writable %d), expected 0x%08x", p.linear, w.frame,
                w.user, w.writable, frame);
    }
    failed.report("hardware-entries");

    if (kernel_half) {
        space->activate();
        ktest::check("space-active", mmu::current_directory() == space->directory(), "CR3 is 0x%08x, not 0x%08x",
            mmu::current_directory(), space->directory());
        for (unsigned i = 0; i < sizeof pages / sizeof pages[0]; ++i) {
            uint32_t seen = 0;
            if (!walks[i])
                failed("0x%08x not read: it is not mapped", pages[i].linear);
            else if (!reads_pattern(pages[i].linear, pages[i].pattern, &seen))
                failed("0x%08x reads 0x%08x, expected 0x%08x", pages[i].linear, seen, pages[i].pattern);
        }
        failed.report("read-through-user-addresses");

        // Reuse of an address while the space is active. The new vpage's
        // frame is taken before the old one is freed, so they differ.
        constexpr uint32_t reused = 0x00402000;
        VPageRef old_page = resident_vpage(0x66660000), new_page = resident_vpage(0x77770000);
        uint32_t seen = 0;
        if (!old_page || !new_page)
            failed("no resident vpages for the reuse");
        else if (space->map(reused, old_page, Access::ReadWrite) != MapResult::Ok
            || walk(space->directory(), reused).frame != frame_of(old_page))
            failed("map(0x%08x) of the first vpage did not map it", reused);
        else if (!reads_pattern(reused, 0x66660000, &seen)) // now in the TLB
            failed("0x%08x reads 0x%08x before the unmap, expected 0x66660000", reused, seen);
        else if (!space->unmap(reused))
            failed("unmap(0x%08x) returned false", reused);
        else if (space->map(reused, new_page, Access::ReadWrite) != MapResult::Ok
            || walk(space->directory(), reused).frame != frame_of(new_page))
            failed("map(0x%08x) of the second vpage did not map it", reused);
        else if (!reads_pattern(reused, 0x77770000, &seen))
            failed("0x%08x reads 0x%08x after unmap and map of another page, expected 0x77770000: "
                   "a stale TLB entry (no invlpg in unmap?)", reused, seen);
        const VPageRef made[] = { old_page, new_page };
        for (VPageRef v : made) // one that is not mapped: drop it by hand
            if (v && vpages().is_live(v) && refs_of(v) == 0) {
                vpage_ref(v);
                vpage_unref(v);
            }
        failed.report("unmap-flushes-tlb");
        back_to_kernel_directory();
    }
    space->destroy();
    check_counts_back(before);
}

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

namespace {

// ---- random sequences against a model (the host tests' model, smaller) ----

constexpr uint32_t kSeqAddresses[] = {
    0x00001000, 0x00002000, 0x003ff000, // table 0
    0x00400000, 0x00401000,             // table 1
    0x08048000,                         // table 32
    0xbfffe000, 0xbffff000,             // table 767
};
constexpr unsigned kSeqSlots = sizeof kSeqAddresses / sizeof kSeqAddresses[0];
constexpr unsigned kSeqSpaces = 2;
constexpr unsigned kSeqVPages = 12;
constexpr unsigned kSeqSteps = 600;

struct SeqEntry {
    VPageRef vpage; // kNoVPage: nothing mapped
    bool writable;
    bool present;
    bool dirty; // the test set D, as the CPU would on a write
};

struct SeqVPage {
    VPageRef handle; // kNoVPage: a free model slot
    uint32_t frame;
    uint32_t pattern;
    bool dirty;
};

// Space 0 stays loaded in CR3 while the sequence runs (so that a missing
// invlpg shows up as a stale read); space 1 is loaded only to read it.
class Sequence {
public:
    explicit Sequence(FirstFailure& failed) : m_failed(failed) { }

    bool start()
    {
        for (AddressSpace*& s : m_spaces) {
            s = AddressSpace::create();
            if (!s || !kernel_half_copied(s)) {
                m_failed("AddressSpace::create() returned %s", s ? "a space without the kernel half"
                                                                  : "nullptr (lab 2 not implemented?)");
                return false;
            }
        }
        m_spaces[0]->activate();
        return true;
    }

    void run()
    {
        for (m_step = 1; m_step <= kSeqSteps && m_failed.ok(); ++m_step) {
            uint32_t dice = next() % 100;
            if (dice < 40)
                map();
            else if (dice < 70)
                unmap();
            else if (dice < 82)
                create();
            else if (dice < 87)
                attach();
            else if (dice < 95)
                set_dirty();
            else
                recycle(next() % kSeqSpaces);
            if (m_failed.ok())
                check_counts();
            if (m_failed.ok() && m_step % 20 == 0)
                read_everything();
        }
        if (m_failed.ok())
            read_everything();
    }

    // Back to the kernel directory, destroy everything, drop the vpages no
    // entry refers to.
    void finish()
    {
        back_to_kernel_directory();
        for (unsigned s = 0; s < kSeqSpaces; ++s)
            if (m_spaces[s])
                destroy(s);
        for (SeqVPage& vp : m_vpages) {
            if (vp.handle && vpages().is_live(vp.handle) && refs_of(vp.handle) == 0) {
                vpage_ref(vp.handle);
                vpage_unref(vp.handle);
            }
            vp.handle = kNoVPage;
        }
    }

private:
    uint32_t next()
    {
        m_random ^= m_random << 13;
        m_random ^= m_random >> 17;
        m_random ^= m_random << 5;
        return m_random;
    }

    SeqVPage* model(VPageRef v)
    {
        for (SeqVPage& vp : m_vpages)
            if (vp.handle == v)
                return &vp;
        return nullptr;
    }
    SeqVPage* random_vpage()
    {
        SeqVPage* live[kSeqVPages];
        unsigned n = 0;
        for (SeqVPage& vp : m_vpages)
            if (vp.handle)
                live[n++] = &vp;
        return n ? live[next() % n] : nullptr;
    }
    uint32_t model_refs(VPageRef v) const
    {
        uint32_t refs = 0;
        for (const auto& space : m_entries)
            for (const SeqEntry& e : space)
                refs += e.vpage == v;
        return refs;
    }

    void create()
    {
        SeqVPage* slot = model(kNoVPage);
        if (!slot)
            return;
        bool resident = next() % 2;
        uint32_t pattern = (next() & 0xffff0000) | 0x1000;
        VPageRef v = resident ? resident_vpage(pattern) : vpage_create(1, 0x1000);
        if (!v)
            return m_failed("step %u: no %s vpage could be made", m_step, resident ? "resident" : "non-resident");
        *slot = SeqVPage { v, frame_of(v), pattern, false };
    }

    void attach()
    {
        SeqVPage* vp = random_vpage();
        if (!vp || vp->frame)
            return;
        uint32_t frame = frames().allocate();
        if (frame == FrameArray::kNoFrame)
            return m_failed("step %u: out of frames", m_step);
        fill(frame, vp->pattern);
        vpage_attach(vp->handle, frame);
        vp->frame = frame;
    }

    void map()
    {
        SeqVPage* vp = random_vpage();
        if (!vp)
            return;
        unsigned s = next() % kSeqSpaces, i = next() % kSeqSlots;
        bool writable = next() % 2;
        SeqEntry& e = m_entries[s][i];
        MapResult r = m_spaces[s]->map(kSeqAddresses[i], vp->handle, writable ? Access::ReadWrite : Access::ReadOnly);
        MapResult expected = e.vpage ? MapResult::AlreadyMapped : MapResult::Ok;
        if (r != expected)
            return m_failed("step %u: map(0x%08x) in space %u returned %d, expected %d", m_step, kSeqAddresses[i], s,
                int(r), int(expected));
        if (!e.vpage)
            e = SeqEntry { vp->handle, writable, vp->frame != 0, false };
    }

    void unmap()
    {
        unsigned s = next() % kSeqSpaces, i = next() % kSeqSlots;
        SeqEntry gone = m_entries[s][i];
        bool r = m_spaces[s]->unmap(kSeqAddresses[i]);
        if (r != (gone.vpage != kNoVPage))
            return m_failed("step %u: unmap(0x%08x) in space %u returned %d", m_step, kSeqAddresses[i], s, r);
        m_entries[s][i] = SeqEntry {};
        if (gone.vpage)
            forget(gone);
    }

    void set_dirty()
    {
        unsigned s = next() % kSeqSpaces, i = next() % kSeqSlots;
        SeqEntry& e = m_entries[s][i];
        if (!e.present)
            return;
        PageTableEntry* pte = m_spaces[s]->entry(kSeqAddresses[i], false);
        if (!pte || !pte->is_present())
            return m_failed("step %u: no present entry for 0x%08x in space %u", m_step, kSeqAddresses[i], s);
        pte->set_dirty(true);
        e.dirty = true;
    }

    void recycle(unsigned s)
    {
        if (s == 0)
            back_to_kernel_directory();
        destroy(s);
        m_spaces[s] = AddressSpace::create();
        if (!m_spaces[s] || !kernel_half_copied(m_spaces[s]))
            return m_failed("step %u: AddressSpace::create() failed", m_step);
        if (s == 0)
            m_spaces[0]->activate();
    }

    void destroy(unsigned s)
    {
        m_spaces[s]->destroy();
        m_spaces[s] = nullptr;
        for (SeqEntry& e : m_entries[s]) {
            SeqEntry gone = e;
            e = SeqEntry {};
            if (gone.vpage)
                forget(gone);
        }
    }

    // An entry is gone: its D bit reaches the vpage; a vpage no entry refers
    // to any more is destroyed with its frame.
    void forget(const SeqEntry& gone)
    {
        SeqVPage* vp = model(gone.vpage);
        vp->dirty = vp->dirty || gone.dirty;
        if (model_refs(gone.vpage) == 0)
            *vp = SeqVPage {};
    }

    void check_counts()
    {
        uint32_t tables = 0, resident = 0, live = 0;
        for (unsigned s = 0; s < kSeqSpaces; ++s) {
            tables += page_tables(m_spaces[s]);
            for (unsigned i = 0; i < kSeqSlots; ++i) {
                const SeqEntry& e = m_entries[s][i];
                Lookup l = m_spaces[s]->lookup(kSeqAddresses[i]);
                Lookup::Kind kind = !e.vpage ? Lookup::Kind::Nothing
                    : e.present              ? Lookup::Kind::Present
                                             : Lookup::Kind::NotPresent;
                if (l.kind != kind || (e.vpage && (l.vpage != e.vpage || l.writable != e.writable)))
                    return m_failed("step %u: lookup(0x%08x) in space %u: kind %d vpage %u writable %d, expected %d %u %d",
                        m_step, kSeqAddresses[i], s, int(l.kind), l.vpage, l.writable, int(kind), e.vpage, e.writable);
            }
        }
        for (const SeqVPage& vp : m_vpages) {
            if (!vp.handle)
                continue;
            ++live;
            if (!vpages().is_live(vp.handle))
                return m_failed("step %u: vpage %u was destroyed too early", m_step, vp.handle);
            const VPage* real = vpages().get(vp.handle);
            if (real->refs != model_refs(vp.handle) || real->frame != vp.frame || real->is_dirty() != vp.dirty)
                return m_failed("step %u: vpage %u has refs %u frame 0x%08x dirty %d, expected %u 0x%08x %d", m_step,
                    vp.handle, real->refs, real->frame, real->is_dirty(), model_refs(vp.handle), vp.frame, vp.dirty);
            if (!vp.frame)
                continue;
            ++resident;
            uint32_t present = 0;
            for (const auto& space : m_entries)
                for (const SeqEntry& e : space)
                    present += e.vpage == vp.handle && e.present;
            if (map_count_of(vp.frame) != present || owner_of(vp.frame) != vp.handle)
                return m_failed("step %u: frame 0x%08x has map count %u owner %u, expected %u and %u", m_step,
                    vp.frame, map_count_of(vp.frame), owner_of(vp.frame), present, vp.handle);
        }
        uint32_t expected_free = m_frames_free - resident - kSeqSpaces - tables;
        if (vpages().in_use() != m_vpages_in_use + live || frames().frames_free() != expected_free)
            return m_failed("step %u: vpages in use %u, frames free %u; expected %u and %u", m_step,
                vpages().in_use(), frames().frames_free(), m_vpages_in_use + live, expected_free);
    }

    // Every present mapping of every space reads its vpage's data through
    // the MMU (space 0 as it is, with whatever the TLB holds).
    void read_everything()
    {
        for (unsigned s = 0; s < kSeqSpaces && m_failed.ok(); ++s) {
            if (s != 0)
                m_spaces[s]->activate();
            for (unsigned i = 0; i < kSeqSlots; ++i) {
                const SeqEntry& e = m_entries[s][i];
                if (!e.present)
                    continue;
                const SeqVPage* vp = model(e.vpage);
                uint32_t seen = 0;
                if (walk(m_spaces[s]->directory(), kSeqAddresses[i]).frame != vp->frame)
                    m_failed("step %u: the MMU does not find 0x%08x of space %u on frame 0x%08x", m_step,
                        kSeqAddresses[i], s, vp->frame);
                else if (!reads_pattern(kSeqAddresses[i], vp->pattern, &seen))
                    m_failed("step %u: 0x%08x in space %u reads 0x%08x, expected 0x%08x (stale TLB entry?)", m_step,
                        kSeqAddresses[i], s, seen, vp->pattern);
            }
            if (s != 0)
                m_spaces[0]->activate();
        }
    }

    FirstFailure& m_failed;
    uint32_t m_random = 0x2545f491;
    unsigned m_step = 0;
    uint32_t m_frames_free = frames().frames_free(); // before the spaces
    uint32_t m_vpages_in_use = vpages().in_use();
    AddressSpace* m_spaces[kSeqSpaces] = {};
    SeqEntry m_entries[kSeqSpaces][kSeqSlots] = {};
    SeqVPage m_vpages[kSeqVPages] = {};
};

} // namespace

// Random map, unmap, attach and dirty-bit steps over two spaces, the counts
// checked against the model after every step and the data read through the
// MMU every 20 steps.
KTEST(lab2_random_sequence)
{
    if (!frame_array_built())
        return;
    dirty_free_frames();
    Counts before = Counts::now();
    FirstFailure failed;
    Sequence sequence(failed);
    if (sequence.start())
        sequence.run();
    sequence.finish();
    ktest::value("steps", kSeqSteps);
    failed.report("sequence-counts-and-data");
    check_counts_back(before);
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
    if (v && vpages().is_live(v) && refs_of(v) == 0) { // not mapped: drop it by hand
        vpage_ref(v);
        vpage_unref(v);
    }
    space->destroy();
    check_counts_back(before);
}
