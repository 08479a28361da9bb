// Host tests of lab 1 over many memory maps: whatever shape the firmware's
// map has (holes, unsorted or overlapping entries, reserved entries inside
// usable ones, unaligned bounds) and whatever the kernel subtract()s from it
// (its image, the heap, modules), the frame array describes every frame of
// the free memory exactly once and hands out nothing else.
//
// Each case is a table: the raw firmware entries, the ranges the kernel
// reserves, and the frames that must result. The kernel's own step is
// repeated here: compute_usable(), then subtract() the first MiB and the
// reservations, then FrameArray::init().
#include "arch/host/simulated_memory.h"
#include "arch/mmu.h"
#include "arch/x86/paging.h"
#include "vm/frame_array.h"

#include <stdint.h>
#include <stdio.h>
#include <string>
#include <vector>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr uint32_t kPage = paging::kPageSize;
constexpr uint32_t kRamBytes = 16 * MiB; // the simulated machine of every case
constexpr uint32_t kUsable = 1, kReserved = 2, kAcpiReclaimable = 3, kAcpiNvs = 4, kBad = 5;

struct Entry {
    uint64_t base, end;
    uint32_t type;
};

struct MapCase {
    std::vector<Entry> firmware;       // the raw map, as the firmware gives it
    std::vector<PhysRange> reserved;   // what the kernel subtract()s (besides the first MiB)
    std::vector<PhysRange> frames;     // the free memory that results, in whole frames
};

std::string hex(uint64_t address)
{
    char text[24];
    snprintf(text, sizeof text, "0x%08llx", (unsigned long long)address);
    return text;
}

bool inside(const std::vector<PhysRange>& ranges, uint64_t address)
{
    for (const PhysRange& r : ranges)
        if (r.contains(address))
            return true;
    return false;
}

uint64_t frames_in(const std::vector<PhysRange>& ranges)
{
    uint64_t n = 0;
    for (const PhysRange& r : ranges)
        n += r.size() / kPage;
    return n;
}

} // namespace

TEST_GROUP(FrameArrayMaps)
{
    SimulatedMemory ram { kRamBytes };
    MemoryMap free_memory;
    FrameArray array;

    // The kernel's steps: the usable memory below `limit`, minus the first
    // MiB and `reserved`; then the frame array over what is left.
    void build(const MapCase& c, uint64_t limit = kRamBytes)
    {
        for (const Entry& e : c.firmware)
            free_memory.add(e.base, e.end - e.base, e.type);
        free_memory.compute_usable(limit);
        free_memory.subtract(0, 1 * MiB);
        for (const PhysRange& r : c.reserved)
            free_memory.subtract(r.base, r.end);
        // The premise, not lab 1: MemoryMap left exactly the frames expected.
        UNSIGNED_LONGS_EQUAL_TEXT(c.frames.size(), free_memory.range_count(), "premise: MemoryMap's range count");
        for (unsigned i = 0; i < c.frames.size(); ++i) {
            UNSIGNED_LONGLONGS_EQUAL_TEXT(c.frames[i].base, free_memory.range(i).base, "premise: a range's base");
            UNSIGNED_LONGLONGS_EQUAL_TEXT(c.frames[i].end, free_memory.range(i).end, "premise: a range's end");
        }
        CHECK_TRUE_TEXT(array.init(free_memory), "init() failed");
    }

    // The descriptor array is whole pages of the free memory, 8 bytes per
    // frame it describes, and no bigger than 8 bytes per frame of the map.
    void check_storage(const MapCase& c)
    {
        PhysRange s = array.storage();
        CHECK_TEXT(s.base % kPage == 0 && s.end % kPage == 0, "storage() is not whole pages");
        bool in_one_range = false;
        for (const PhysRange& r : c.frames)
            in_one_range |= r.base <= s.base && s.end <= r.end;
        CHECK_TEXT(in_one_range, ("storage() [" + hex(s.base) + ", " + hex(s.end) + ") is not free memory").c_str());
        CHECK_TEXT(s.size() >= 8ull * array.frames_total(), "storage() is too small for a descriptor per frame");
        CHECK_TEXT(s.size() <= paging::page_round_up(8 * frames_in(c.frames)),
            "storage() is bigger than 8 bytes per frame of the free memory, in whole pages");
    }

    // Every frame of the free memory has its own descriptor, free, unless it
    // holds the descriptor array; no other address of the machine has one.
    // (Walks the simulated RAM, and the free ranges beyond it.)
    void check_counted_once(const MapCase& c)
    {
        PhysRange s = array.storage();
        UNSIGNED_LONGLONGS_EQUAL_TEXT(frames_in(c.frames), array.frames_total() + s.size() / kPage,
            "frames_total() + the array's own frames == the frames of the free memory");
        UNSIGNED_LONGS_EQUAL_TEXT(array.frames_total(), array.frames_free(), "frames_free() after init()");
        std::vector<PhysRange> walk = { { 0, kRamBytes } };
        for (const PhysRange& r : c.frames)
            if (r.base >= kRamBytes)
                walk.push_back(r);
        const Frame* first = static_cast<const Frame*>(mmu::phys_to_virt(uint32_t(s.base)));
        std::vector<bool> seen(array.frames_total());
        for (const PhysRange& w : walk)
            for (uint64_t p = w.base; p < w.end; p += kPage) {
                Frame* d = array.descriptor(uint32_t(p));
                if (!inside(c.frames, p) || s.contains(p)) {
                    if (d != nullptr)
                        FAIL(("a descriptor for " + hex(p) + ", which is not a free frame").c_str());
                    continue;
                }
                if (d == nullptr)
                    FAIL(("no descriptor for the free frame " + hex(p)).c_str());
                uint32_t index = uint32_t(d - first);
                if (d < first || index >= array.frames_total())
                    FAIL(("the descriptor of " + hex(p) + " is outside the descriptor array").c_str());
                if (seen[index])
                    FAIL(("frame " + hex(p) + " shares its descriptor with another frame").c_str());
                seen[index] = true;
                if (array.physical(d) != p)
                    FAIL(("physical(descriptor(" + hex(p) + ")) is " + hex(array.physical(d))).c_str());
                if (!array.is_free(uint32_t(p)))
                    FAIL(("frame " + hex(p) + " is not free after init()").c_str());
            }
    }

    // Take every frame: each is a free frame of the map, none is reserved,
    // none comes twice. Give them all back, and again.
    void check_exhaustion(const MapCase& c)
    {
        for (int round = 1; round <= 2; ++round) {
            std::vector<bool> taken(kRamBytes / kPage);
            std::vector<uint32_t> frames;
            for (uint32_t f; (f = array.allocate()) != FrameArray::kNoFrame;) {
                std::string what = "round " + std::to_string(round) + ": allocate() returned " + hex(f);
                CHECK_TEXT(f % kPage == 0 && inside(c.frames, f), (what + ", not a free frame").c_str());
                CHECK_TEXT(!array.storage().contains(f), (what + ", a frame of the descriptor array").c_str());
                CHECK_TEXT(!inside(c.reserved, f), (what + ", reserved by the kernel").c_str());
                for (const Entry& e : c.firmware)
                    CHECK_TEXT(e.type == kUsable || !(e.base <= f && f < e.end),
                        (what + ", in a " + MemoryMap::type_name(e.type) + " firmware entry").c_str());
                CHECK_TEXT(!taken[f / kPage], (what + " a second time").c_str());
                taken[f / kPage] = true;
                frames.push_back(f);
                if (frames.size() > array.frames_total())
                    FAIL("allocate() handed out more frames than frames_total() and never returned kNoFrame");
            }
            UNSIGNED_LONGS_EQUAL_TEXT(array.frames_total(), frames.size(), "frames handed out before kNoFrame");
            for (uint32_t f : frames)
                array.free(f);
            UNSIGNED_LONGS_EQUAL_TEXT(array.frames_total(), array.frames_free(), "frames_free() after freeing all");
        }
    }

    void check_all(const MapCase& c)
    {
        build(c);
        check_storage(c);
        check_counted_once(c);
        check_exhaustion(c);
    }
};

// A small PC as Bochs or QEMU describe it: low RAM, the VGA/BIOS hole, RAM
// from 1 MiB, and the BIOS ROM just below 4 GiB.
TEST(FrameArrayMaps, SmallPcIsCountedOnce)
{
    check_all({
        .firmware = { { 0, 0x9FC00, kUsable }, { 0x9FC00, 0xA0000, kReserved }, { 0xF0000, 0x100000, kReserved },
            { 1 * MiB, 16 * MiB, kUsable }, { 0xFFFC0000, 4 * GiB, kReserved } },
        .reserved = {},
        .frames = { { 1 * MiB, 16 * MiB } },
    });
}

TEST(FrameArrayMaps, HolesHaveNoFrames)
{
    check_all({
        .firmware = { { 1 * MiB, 4 * MiB, kUsable }, { 5 * MiB, 7 * MiB, kUsable }, { 9 * MiB, 10 * MiB, kUsable },
            { 12 * MiB, 16 * MiB, kUsable } },
        .reserved = {},
        .frames = { { 1 * MiB, 4 * MiB }, { 5 * MiB, 7 * MiB }, { 9 * MiB, 10 * MiB }, { 12 * MiB, 16 * MiB } },
    });
}

TEST(FrameArrayMaps, UnsortedEntriesAreCountedOnce)
{
    check_all({
        .firmware = { { 12 * MiB, 16 * MiB, kUsable }, { 4 * MiB, 5 * MiB, kReserved }, { 1 * MiB, 4 * MiB, kUsable },
            { 9 * MiB, 10 * MiB, kUsable }, { 0xF0000, 0x100000, kReserved }, { 5 * MiB, 7 * MiB, kUsable } },
        .reserved = {},
        .frames = { { 1 * MiB, 4 * MiB }, { 5 * MiB, 7 * MiB }, { 9 * MiB, 10 * MiB }, { 12 * MiB, 16 * MiB } },
    });
}

TEST(FrameArrayMaps, OverlappingEntriesAreCountedOnce)
{
    check_all({
        .firmware = { { 1 * MiB, 8 * MiB, kUsable }, { 4 * MiB, 12 * MiB, kUsable }, { 6 * MiB, 7 * MiB, kUsable },
            { 11 * MiB, 16 * MiB, kUsable }, { 1 * MiB, 2 * MiB, kUsable } },
        .reserved = {},
        .frames = { { 1 * MiB, 16 * MiB } },
    });
}

TEST(FrameArrayMaps, ReservedEntriesInsideUsableOnesHaveNoFrames)
{
    check_all({
        .firmware = { { 1 * MiB, 16 * MiB, kUsable }, { 3 * MiB, 3 * MiB + 8 * KiB, kReserved },
            { 7 * MiB, 7 * MiB + 4 * KiB, kBad }, { 10 * MiB, 11 * MiB, kAcpiReclaimable },
            { 15 * MiB + 4 * KiB, 15 * MiB + 12 * KiB, kAcpiNvs } },
        .reserved = {},
        .frames = { { 1 * MiB, 3 * MiB }, { 3 * MiB + 8 * KiB, 7 * MiB }, { 7 * MiB + 4 * KiB, 10 * MiB },
            { 11 * MiB, 15 * MiB + 4 * KiB }, { 15 * MiB + 12 * KiB, 16 * MiB } },
    });
}

TEST(FrameArrayMaps, UnalignedEntriesGiveOnlyWholeFrames)
{
    check_all({
        .firmware = { { 1 * MiB + 100, 5 * MiB - 1, kUsable }, { 6 * MiB + 4095, 9 * MiB + 4097, kUsable } },
        .reserved = {},
        .frames = { { 1 * MiB + 4 * KiB, 5 * MiB - 4 * KiB }, { 6 * MiB + 4 * KiB, 9 * MiB + 4 * KiB } },
    });
}

// What the kernel takes out before lab 1 runs: its image (at 1 MiB, not a
// page multiple), the heap, and Multiboot modules anywhere.
TEST(FrameArrayMaps, KernelImageHeapAndModulesAreNeverFrames)
{
    check_all({
        .firmware = { { 0, 640 * KiB, kUsable }, { 1 * MiB, 16 * MiB, kUsable } },
        .reserved = { { 1 * MiB, 1 * MiB + 300 * KiB + 5 }, { 2 * MiB, 4 * MiB },
            { 5 * MiB + 10, 5 * MiB + 70000 }, { 12 * MiB, 12 * MiB + 1 } },
        .frames = { { 1 * MiB + 304 * KiB, 2 * MiB }, { 4 * MiB, 5 * MiB }, { 5 * MiB + 72 * KiB, 12 * MiB },
            { 12 * MiB + 4 * KiB, 16 * MiB } },
    });
}

// 60 ranges of 32 frames each: the array needs a span per range.
TEST(FrameArrayMaps, ManySmallRangesAreCountedOnce)
{
    MapCase c;
    for (uint64_t base = 1 * MiB; c.frames.size() < 60; base += 192 * KiB) {
        c.firmware.push_back({ base, base + 128 * KiB, kUsable });
        c.frames.push_back({ base, base + 128 * KiB });
    }
    check_all(c);
}

// RAM at 1-16 MiB and at 3-4 GiB, nothing between: the array pays for those
// 265984 frames only (2 MiB of descriptors), not for the 1048576 frames of
// 4 GiB (8 MiB). The simulated RAM is 16 MiB: the array must sit in the low
// range (MemoryMap::take gives the lowest range with room), and the test only
// looks the high frames up, never allocates them (free() would poison memory
// that is not simulated).
TEST(FrameArrayMaps, SparseMapPaysOnlyForItsRanges)
{
    MapCase c {
        .firmware = { { 0, 640 * KiB, kUsable }, { 1 * MiB, 16 * MiB, kUsable }, { 3 * GiB, 4 * GiB, kUsable } },
        .reserved = {},
        .frames = { { 1 * MiB, 16 * MiB }, { 3 * GiB, 4 * GiB } },
    };
    build(c, 4 * GiB);
    check_storage(c);
    CHECK_TEXT(array.storage().size() <= 520 * kPage, "265984 descriptors need 520 pages");
    CHECK_TEXT(array.storage().end <= kRamBytes, "the descriptor array should sit in the low range");

    check_counted_once(c);
    POINTERS_EQUAL_TEXT(array.descriptor(0xFFFFF000), array.descriptor(0xFFFFFFFF), "the last byte of 4 GiB");
    for (uint64_t hole : { 16 * MiB, 16 * MiB + 5, 1 * GiB, 2 * GiB, 3 * GiB - kPage, 3 * GiB - 1 })
        POINTERS_EQUAL_TEXT(nullptr, array.descriptor(uint32_t(hole)), ("a descriptor for " + hex(hole)).c_str());
}
