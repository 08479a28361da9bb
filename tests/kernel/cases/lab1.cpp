// lab1.cpp: kernel tests of lab 1, the frame array, on the machine itself.
// vm::init built frames() from the free memory that kernel_memory::init left
// in boot_info().memory; these tests check that array against that map and
// against everything the kernel reserved. The manifest runs each test with
// 8, 32 and 512 MiB of RAM.
//
//   frames_counted   every free frame has exactly one descriptor, except the
//                    frames of the descriptor array itself; nothing else has
//                    one (the first MiB, the kernel image, the heap, the
//                    Multiboot structures and modules, firmware entries,
//                    holes).
//   frames_exhaust   allocate until kNoFrame, twice: every frame once, none
//                    reserved, all back after freeing. Also measures what
//                    init() costs, on a second array built over the frames
//                    the test holds.
#include "arch/mmu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/kernel_memory.h"
#include "kernel/ktest.h"
#include "lib/string.h"
#include "vm/frame_array.h"

const BootInfo& boot_info();

namespace {

constexpr uint32_t kPage = paging::kPageSize;
constexpr uint64_t kFourGiB = uint64_t(1) << 32;
constexpr uint32_t kPoisonWord = 0xA5A5A5A5;

// With lab 1 still a skeleton there is no array: say so and stop.
bool array_built()
{
    return ktest::check("frame-array-built", frames().frames_total() > 0,
        "frame array not built (lab 1 not implemented?)");
}

// ---- what must never be a frame ----

struct Reserved {
    const char* what;
    uint64_t base, end; // whole pages: every page the range touches
};

constexpr unsigned kMaxReserved = 8 + BootInfo::kMaxModules + MemoryMap::kMaxEntries;
Reserved g_reserved[kMaxReserved];
unsigned g_reserved_count;

void reserve(const char* what, uint64_t base, uint64_t end)
{
    if (end > kFourGiB)
        end = kFourGiB;
    if (base < end && g_reserved_count < kMaxReserved)
        g_reserved[g_reserved_count++] = Reserved { what, base & ~uint64_t(kPage - 1), paging::page_round_up(end) };
}

// The first MiB, the kernel image and heap, what GRUB left us, the descriptor
// array, and every firmware entry that is not usable RAM.
void collect_reserved()
{
    const BootInfo& info = boot_info();
    g_reserved_count = 0;
    reserve("the first MiB", 0, 1u << 20);
    reserve("the kernel image", kernel_memory::image().base, kernel_memory::image().end);
    reserve("the kernel heap", kernel_memory::heap().base, kernel_memory::heap().end);
    for (unsigned i = 0; i < info.multiboot_range_count; ++i)
        reserve("the Multiboot information", info.multiboot_ranges[i].base, info.multiboot_ranges[i].end);
    for (unsigned i = 0; i < info.module_count; ++i)
        reserve("a Multiboot module", info.modules[i].start, info.modules[i].end);
    reserve("the descriptor array", frames().storage().base, frames().storage().end);
    for (unsigned i = 0; i < info.memory.entry_count(); ++i) {
        const MemoryMap::Entry& e = info.memory.entry(i);
        if (e.type != MemoryMap::kTypeUsable)
            reserve("a reserved firmware entry", e.base, e.base + e.length);
    }
}

const Reserved* reserved_at(uint64_t address)
{
    for (unsigned i = 0; i < g_reserved_count; ++i)
        if (g_reserved[i].base <= address && address < g_reserved[i].end)
            return &g_reserved[i];
    return nullptr;
}

bool in_free_memory(uint64_t address)
{
    const MemoryMap& map = boot_info().memory;
    for (unsigned i = 0; i < map.range_count(); ++i)
        if (map.range(i).contains(address))
            return true;
    return false;
}

// One past the highest free frame.
uint64_t free_memory_top()
{
    const MemoryMap& map = boot_info().memory;
    return map.range_count() ? map.range(map.range_count() - 1).end : 0;
}

// ---- bookkeeping ----

// One bit per number below a limit, on the kernel heap.
class Bits {
public:
    bool init(uint32_t count)
    {
        m_count = count;
        m_words = static_cast<uint32_t*>(kmalloc(bytes()));
        if (m_words)
            clear();
        return m_words != nullptr;
    }
    ~Bits() { kfree(m_words); }
    void clear() { memset(m_words, 0, bytes()); }
    bool test(uint32_t i) const { return m_words[i / 32] & (1u << (i % 32)); }
    void set(uint32_t i) { m_words[i / 32] |= 1u << (i % 32); }
    uint32_t count() const { return m_count; }

private:
    size_t bytes() const { return (m_count / 32 + 1) * 4; }
    uint32_t* m_words { nullptr };
    uint32_t m_count { 0 };
};

// The first thing that went wrong in a loop over many frames, and how often.
struct Problem {
    const char* what { nullptr };
    uint64_t address { 0 };
    uint32_t count { 0 };

    void note(const char* w, uint64_t a)
    {
        if (count++ == 0) {
            what = w;
            address = a;
        }
    }
    bool none() const { return count == 0; }
};

bool check_no_problem(const char* name, const Problem& p)
{
    return ktest::check(name, p.none(), "%s: 0x%08llx (%u frames like it)", p.what, (unsigned long long)p.address,
        p.count);
}

} // namespace

// Every free frame is counted exactly once, and nothing else is a frame.
KTEST(frames_counted)
{
    if (!array_built())
        return;
    uint64_t start = cpu::rdtsc();
    FrameArray& array = frames();
    const MemoryMap& free_memory = boot_info().memory;
    PhysRange storage = array.storage();
    uint64_t map_frames = free_memory.usable_bytes() / kPage;
    collect_reserved();
    ktest::value("frames_total", array.frames_total());
    ktest::value("descriptor_bytes", storage.size());
    ktest::value("free_memory_frames", map_frames);

    // The descriptor array: whole pages of free memory, 8 bytes a frame.
    bool storage_in_one_range = false;
    for (unsigned i = 0; i < free_memory.range_count(); ++i)
        storage_in_one_range |= free_memory.range(i).base <= storage.base && storage.end <= free_memory.range(i).end;
    ktest::check("descriptor-array-in-free-memory",
        storage_in_one_range && storage.base % kPage == 0 && storage.end % kPage == 0,
        "storage() is [0x%08llx, 0x%08llx)", (unsigned long long)storage.base, (unsigned long long)storage.end);
    ktest::check("descriptor-array-8-bytes-a-frame",
        storage.size() >= 8ull * array.frames_total() && storage.size() <= paging::page_round_up(8 * map_frames),
        "%llu bytes of descriptors for %u frames (%llu in the free memory)", (unsigned long long)storage.size(),
        array.frames_total(), (unsigned long long)map_frames);
    ktest::check("frames-counted-once", array.frames_total() + storage.size() / kPage == map_frames,
        "frames_total() %u + %llu descriptor-array frames != %llu free frames", array.frames_total(),
        (unsigned long long)(storage.size() / kPage), (unsigned long long)map_frames);

    // Walk the machine: below the top of the free memory every page, and
    // every reserved range wherever it is (the BIOS ROM below 4 GiB).
    Bits seen;
    if (!ktest::check("bitmap-allocated", seen.init(array.frames_total()), "kmalloc failed"))
        return;
    const Frame* first = static_cast<const Frame*>(mmu::phys_to_virt(uint32_t(storage.base)));
    Problem described, not_frames;
    auto look_at = [&](uint64_t p) {
        Frame* d = array.descriptor(uint32_t(p));
        if (!in_free_memory(p) || storage.contains(p)) {
            if (d) {
                const Reserved* r = reserved_at(p);
                not_frames.note(r ? r->what : "a hole between the free ranges", p);
            }
            return;
        }
        uint32_t index = d ? uint32_t(d - first) : 0;
        if (!d)
            described.note("no descriptor for a free frame", p);
        else if (d < first || index >= array.frames_total())
            described.note("a descriptor outside the descriptor array", p);
        else if (seen.test(index))
            described.note("a descriptor shared by two frames", p);
        else if (array.physical(d) != p)
            described.note("physical(descriptor(frame)) is not the frame", p);
        else if (array.descriptor(uint32_t(p) + kPage - 1) != d)
            described.note("descriptor() of the frame's last byte differs", p);
        if (d && index < seen.count())
            seen.set(index);
    };
    for (uint64_t p = 0; p < free_memory_top(); p += kPage)
        look_at(p);
    for (unsigned i = 0; i < g_reserved_count; ++i)
        for (uint64_t p = g_reserved[i].base; p < g_reserved[i].end; p += kPage)
            if (p >= free_memory_top())
                look_at(p);
    check_no_problem("every-free-frame-described-once", described);
    check_no_problem("no-descriptor-outside-free-memory", not_frames);
    ktest::value("counted_instructions", cpu::rdtsc() - start);
}

namespace {

// allocate() until kNoFrame. Every frame must be a free frame outside every
// reserved range, handed out once (`taken`, by frame number), unmapped and
// without owner. Returns how many came out.
uint32_t exhaust(Bits& taken, Problem& problem)
{
    FrameArray& array = frames();
    uint32_t count = 0;
    for (uint32_t f; (f = array.allocate()) != FrameArray::kNoFrame;) {
        if (++count > array.frames_total()) {
            problem.note("allocate() handed out more than frames_total() frames, then", f);
            break;
        }
        const Reserved* r = reserved_at(f);
        if (f % kPage)
            problem.note("allocate() returned an unaligned address", f);
        else if (r)
            problem.note(r->what, f);
        else if (!in_free_memory(f) || f / kPage >= taken.count())
            problem.note("allocate() returned a frame outside the free memory", f);
        else if (taken.test(f / kPage))
            problem.note("allocate() returned a frame twice", f);
        else if (array.map_count(f) != 0 || array.owner(f) != 0)
            problem.note("allocate() returned a frame with a map count or an owner", f);
        if (f % kPage == 0 && f / kPage < taken.count())
            taken.set(f / kPage);
    }
    return count;
}

// Free every frame in `taken`; each must come back poisoned.
void free_all(const Bits& taken, Problem& problem)
{
    for (uint32_t pfn = 0; pfn < taken.count(); ++pfn) {
        if (!taken.test(pfn))
            continue;
        uint32_t f = pfn * kPage;
        frames().free(f);
        const uint32_t* words = static_cast<const uint32_t*>(mmu::phys_to_virt(f));
        if (words[0] != kPoisonWord || words[kPage / 4 - 1] != kPoisonWord)
            problem.note("a freed frame is not filled with 0xA5", f);
    }
}

FrameArray g_second_array;
MemoryMap g_held_memory;

// What init() costs at this memory size: build a second array over the
// frames this test holds (every frame, after an exhaustion), so that it
// writes only memory the test owns. Its descriptors are dropped with the
// frames when the test frees them.
void measure_init(const Bits& taken, uint32_t held)
{
    g_held_memory = MemoryMap();
    uint32_t run = 0;
    for (uint32_t pfn = 0; pfn <= taken.count(); ++pfn) {
        if (pfn < taken.count() && taken.test(pfn)) {
            ++run;
            continue;
        }
        if (run)
            g_held_memory.add(uint64_t(pfn - run) * kPage, uint64_t(run) * kPage, MemoryMap::kTypeUsable);
        run = 0;
    }
    if (g_held_memory.dropped_entries()) { // not lab 1's fault: nothing to check
        kprintf("frames_exhaust: the held frames are in too many runs to measure init()\n");
        return;
    }
    g_held_memory.compute_usable(layout::kDirectMapLimit);

    cpu::cli(); // no timer ticks inside the count
    uint64_t start = cpu::rdtsc();
    bool built = g_second_array.init(g_held_memory);
    uint64_t instructions = cpu::rdtsc() - start;
    cpu::sti();

    uint32_t own = uint32_t(g_second_array.storage().size() / kPage);
    ktest::check("second-array-counts-held-frames", built && g_second_array.frames_total() + own == held,
        "init() over %u held frames: %s, %u frames + %u descriptor-array frames", held, built ? "built" : "failed",
        g_second_array.frames_total(), own);
    ktest::value("frames_init_frames", held);
    ktest::value("frames_init_instructions", instructions);
}

} // namespace

// Exhaustion and refill: no frame twice, none reserved, all of them back.
KTEST(frames_exhaust)
{
    if (!array_built())
        return;
    uint64_t start = cpu::rdtsc();
    FrameArray& array = frames();
    collect_reserved();
    uint32_t free_at_start = array.frames_free();
    ktest::value("frames_total", array.frames_total());
    ktest::value("descriptor_bytes", array.storage().size());

    Bits taken;
    if (!ktest::check("bitmap-allocated", taken.init(uint32_t(free_memory_top() / kPage)), "kmalloc failed"))
        return;
    for (int round = 1; round <= 2; ++round) {
        static const char* const kChecks[2][4] = {
            { "exhaust-frames-valid", "exhaust-ends-with-no-frame", "exhaust-frees-poison", "exhaust-all-back" },
            { "refill-frames-valid", "refill-ends-with-no-frame", "refill-frees-poison", "refill-all-back" },
        };
        const char* const* check = kChecks[round - 1];
        Problem problem;
        taken.clear();
        uint32_t count = exhaust(taken, problem);
        check_no_problem(check[0], problem);
        ktest::check(check[1],
            count == free_at_start && array.frames_free() == 0 && array.allocate() == FrameArray::kNoFrame,
            "%u frames handed out of %u free, then frames_free() is %u", count, free_at_start, array.frames_free());
        if (round == 2 && count == free_at_start && problem.none())
            measure_init(taken, count);
        Problem poison;
        free_all(taken, poison);
        check_no_problem(check[2], poison);
        ktest::check(check[3], array.frames_free() == free_at_start, "frames_free() is %u after freeing all, was %u",
            array.frames_free(), free_at_start);
    }
    ktest::value("exhaust_instructions", cpu::rdtsc() - start);
}
