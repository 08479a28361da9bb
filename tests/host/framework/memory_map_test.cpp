// Host tests of os/kernel/memory_map: from a raw firmware map to sorted,
// disjoint, page-aligned usable ranges, then subtract() and take().
#include "kernel/memory_map.h"

#include <initializer_list>
#include <stdint.h>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

namespace {

constexpr uint32_t kUsable = 1, kReserved = 2, kAcpiReclaimable = 3, kAcpiNvs = 4, kBad = 5;
constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr uint64_t kNoLimit = ~uint64_t(0);

struct RawEntry {
    uint64_t base, end;
    uint32_t type;
};

// A map built from [base, end) entries, its usable ranges computed.
MemoryMap map_of(std::initializer_list<RawEntry> entries, uint64_t limit = kNoLimit)
{
    MemoryMap map;
    for (const RawEntry& e : entries)
        map.add(e.base, e.end - e.base, e.type);
    map.compute_usable(limit);
    return map;
}

// The usable ranges are exactly `expected`, in order.
void check_ranges(const MemoryMap& map, std::initializer_list<PhysRange> expected)
{
    LONGS_EQUAL(expected.size(), map.range_count());
    unsigned i = 0;
    for (const PhysRange& r : expected) {
        UNSIGNED_LONGLONGS_EQUAL_TEXT(r.base, map.range(i).base, "range base");
        UNSIGNED_LONGLONGS_EQUAL_TEXT(r.end, map.range(i).end, "range end");
        ++i;
    }
}

} // namespace

TEST_GROUP(MemoryMap) {};

TEST(MemoryMap, EmptyMapHasNoUsableMemory)
{
    MemoryMap map = map_of({});
    LONGS_EQUAL(0, map.range_count());
    UNSIGNED_LONGLONGS_EQUAL(0, map.usable_bytes());
}

TEST(MemoryMap, OneUsableEntryIsOneRange)
{
    MemoryMap map = map_of({ { 1 * MiB, 8 * MiB, kUsable } });
    check_ranges(map, { { 1 * MiB, 8 * MiB } });
    UNSIGNED_LONGLONGS_EQUAL(7 * MiB, map.usable_bytes());
}

TEST(MemoryMap, OnlyTypeOneIsUsable)
{
    for (uint32_t type : { kReserved, kAcpiReclaimable, kAcpiNvs, kBad, 0u, 12u }) {
        MemoryMap map = map_of({ { 1 * MiB, 2 * MiB, type } });
        LONGS_EQUAL_TEXT(0, map.range_count(), MemoryMap::type_name(type));
    }
}

TEST(MemoryMap, UnsortedEntriesComeOutSortedWithTheirHoles)
{
    MemoryMap map = map_of({ { 3 * MiB, 4 * MiB, kUsable }, { 0, 64 * KiB, kUsable }, { 1 * MiB, 2 * MiB, kUsable } });
    check_ranges(map, { { 0, 64 * KiB }, { 1 * MiB, 2 * MiB }, { 3 * MiB, 4 * MiB } });
}

TEST(MemoryMap, OverlappingAndAdjacentUsableEntriesMerge)
{
    struct {
        const char* what;
        RawEntry a, b;
    } const cases[] = {
        { "overlapping", { 1 * MiB, 3 * MiB, kUsable }, { 2 * MiB, 4 * MiB, kUsable } },
        { "adjacent", { 1 * MiB, 2 * MiB, kUsable }, { 2 * MiB, 4 * MiB, kUsable } },
        { "nested", { 1 * MiB, 4 * MiB, kUsable }, { 2 * MiB, 3 * MiB, kUsable } },
        { "duplicate", { 1 * MiB, 4 * MiB, kUsable }, { 1 * MiB, 4 * MiB, kUsable } },
        { "adjacent, unaligned seam", { 1 * MiB, 2 * MiB + 100, kUsable }, { 2 * MiB + 100, 4 * MiB, kUsable } },
    };
    for (const auto& c : cases) {
        MemoryMap map = map_of({ c.a, c.b });
        LONGS_EQUAL_TEXT(1, map.range_count(), c.what);
        UNSIGNED_LONGLONGS_EQUAL_TEXT(1 * MiB, map.range(0).base, c.what);
        UNSIGNED_LONGLONGS_EQUAL_TEXT(4 * MiB, map.range(0).end, c.what);
    }
}

TEST(MemoryMap, ReservedEntryOverlappingUsableOneWins)
{
    // Same result whichever entry the firmware lists first.
    MemoryMap reserved_last = map_of({ { 1 * MiB, 8 * MiB, kUsable }, { 2 * MiB, 3 * MiB, kReserved } });
    MemoryMap reserved_first = map_of({ { 2 * MiB, 3 * MiB, kReserved }, { 1 * MiB, 8 * MiB, kUsable } });
    check_ranges(reserved_last, { { 1 * MiB, 2 * MiB }, { 3 * MiB, 8 * MiB } });
    check_ranges(reserved_first, { { 1 * MiB, 2 * MiB }, { 3 * MiB, 8 * MiB } });
}

TEST(MemoryMap, ReservedEntryCoveringTheEdgeOfUsableOneCutsIt)
{
    MemoryMap map = map_of({ { 1 * MiB, 8 * MiB, kUsable }, { 0, 2 * MiB, kAcpiNvs }, { 7 * MiB, 9 * MiB, kBad } });
    check_ranges(map, { { 2 * MiB, 7 * MiB } });
}

TEST(MemoryMap, UnalignedBoundsShrinkInwardToWholePages)
{
    MemoryMap map = map_of({ { 0x1001, 0x5fff, kUsable }, { 0x10000, 0x10fff, kUsable }, { 0x20800, 0x22000, kUsable } });
    // [0x10000, 0x10fff) holds no whole page and disappears.
    check_ranges(map, { { 0x2000, 0x5000 }, { 0x21000, 0x22000 } });
}

TEST(MemoryMap, UnalignedReservedEntryTakesTheWholePagesItTouches)
{
    MemoryMap map = map_of({ { 0, 0x10000, kUsable }, { 0x3800, 0x4100, kReserved } });
    check_ranges(map, { { 0, 0x3000 }, { 0x5000, 0x10000 } });
}

TEST(MemoryMap, MemoryAtOrAboveTheLimitIsLeftOut)
{
    MemoryMap map = map_of({ { 0, 1 * MiB, kUsable }, { 2 * MiB, 6 * MiB, kUsable }, { 8 * MiB, 9 * MiB, kUsable } },
        4 * MiB);
    check_ranges(map, { { 0, 1 * MiB }, { 2 * MiB, 4 * MiB } });
    MemoryMap unaligned_limit = map_of({ { 0, 1 * MiB, kUsable } }, 0x5800);
    check_ranges(unaligned_limit, { { 0, 0x5000 } }); // only whole pages below the limit
}

TEST(MemoryMap, HighMemoryIsUsableOnlyBelowTheLimit)
{
    // RAM at 1-16 MiB and at 3-4 GiB (a PCI hole between them).
    struct {
        uint64_t limit;
        uint64_t usable_bytes;
        unsigned ranges;
    } const cases[] = {
        { 4 * GiB, 15 * MiB + 1 * GiB, 2 },
        { 896 * MiB, 15 * MiB, 1 },
        { 3 * GiB + 4 * KiB, 15 * MiB + 4 * KiB, 2 },
        { 8 * MiB, 7 * MiB, 1 },
    };
    for (const auto& c : cases) {
        MemoryMap map = map_of({ { 1 * MiB, 16 * MiB, kUsable }, { 3 * GiB, 4 * GiB, kUsable } }, c.limit);
        UNSIGNED_LONGLONGS_EQUAL(c.usable_bytes, map.usable_bytes());
        LONGS_EQUAL(c.ranges, map.range_count());
    }
}

TEST(MemoryMap, RealBochs32MiBMap)
{
    MemoryMap map = map_of({
        { 0x0, 0x9f000, kUsable },
        { 0x9f000, 0xa0000, kReserved },
        { 0xe8000, 0x100000, kReserved },
        { 0x100000, 0x1ff0000, kUsable },
        { 0x1ff0000, 0x2000000, kAcpiReclaimable },
        { 0xfffc0000, 0x100000000, kReserved },
    });
    LONGS_EQUAL(6, map.entry_count());
    check_ranges(map, { { 0x0, 0x9f000 }, { 0x100000, 0x1ff0000 } });
    UNSIGNED_LONGLONGS_EQUAL(0x9f000 + 0x1ef0000, map.usable_bytes());
}

TEST(MemoryMap, ZeroLengthEntriesAreIgnored)
{
    MemoryMap map;
    map.add(1 * MiB, 0, kReserved);
    map.add(0, 4 * MiB, kUsable);
    map.add(2 * MiB, 0, kBad);
    map.compute_usable(kNoLimit);
    LONGS_EQUAL(1, map.entry_count());
    LONGS_EQUAL(0, map.dropped_entries());
    check_ranges(map, { { 0, 4 * MiB } });
}

TEST(MemoryMap, EntriesBeyondCapacityAreDroppedAndCounted)
{
    MemoryMap map;
    for (unsigned i = 0; i < MemoryMap::kMaxEntries + 3; ++i)
        map.add(uint64_t(i) * 2 * MiB, 1 * MiB, kUsable);
    map.compute_usable(kNoLimit);
    LONGS_EQUAL(MemoryMap::kMaxEntries, map.entry_count());
    LONGS_EQUAL(3, map.dropped_entries());
    LONGS_EQUAL(MemoryMap::kMaxEntries, map.range_count());
    UNSIGNED_LONGLONGS_EQUAL(MemoryMap::kMaxEntries * MiB, map.usable_bytes());
}

TEST(MemoryMap, RawEntriesAreKeptAsGiven)
{
    MemoryMap map;
    map.add(0x1234, 0x5678, kAcpiNvs);
    const MemoryMap::Entry& e = map.entry(0);
    UNSIGNED_LONGLONGS_EQUAL(0x1234, e.base);
    UNSIGNED_LONGLONGS_EQUAL(0x5678, e.length);
    LONGS_EQUAL(kAcpiNvs, e.type);
}

TEST(MemoryMap, TypeNamesFollowTheFirmwareCodes)
{
    struct {
        uint32_t type;
        const char* name;
    } const cases[] = {
        { 1, "usable" }, { 2, "reserved" }, { 3, "ACPI reclaimable" }, { 4, "ACPI NVS" }, { 5, "bad memory" },
        { 0, "reserved (other)" }, { 6, "reserved (other)" }, { 0xffffffff, "reserved (other)" },
    };
    for (const auto& c : cases)
        STRCMP_EQUAL(c.name, MemoryMap::type_name(c.type));
}

// Usable ranges must agree with a page-by-page model on random maps: a page is
// usable when usable entries cover all of it and no other entry touches it.
TEST(MemoryMap, RandomMapsAgreeWithAPageByPageModel)
{
    constexpr uint64_t kGrain = 256; // entry bounds are multiples of this
    constexpr unsigned kGrains = 64 * KiB / kGrain;
    constexpr unsigned kGrainsPerPage = 4096 / kGrain;
    TestRandom random(0x5eed);
    for (int round = 0; round < 300; ++round) {
        MemoryMap map;
        bool usable[kGrains] = {}, other[kGrains] = {};
        unsigned entries = 1 + random.below(8);
        for (unsigned i = 0; i < entries; ++i) {
            unsigned first = random.below(kGrains), count = 1 + random.below(kGrains / 2);
            if (first + count > kGrains)
                count = kGrains - first;
            uint32_t type = random.below(3) == 0 ? 1 + random.below(5) : kUsable;
            map.add(first * kGrain, count * kGrain, type);
            for (unsigned g = first; g < first + count; ++g)
                (type == kUsable ? usable : other)[g] = true;
        }
        uint64_t limit = random.below(2) ? kNoLimit : random.below(kGrains) * kGrain;
        map.compute_usable(limit);

        for (unsigned page = 0; page < kGrains / kGrainsPerPage; ++page) {
            bool expected = (page + 1) * 4096 <= limit;
            for (unsigned g = page * kGrainsPerPage; g < (page + 1) * kGrainsPerPage; ++g)
                expected = expected && usable[g] && !other[g];
            bool found = false;
            for (unsigned r = 0; r < map.range_count(); ++r)
                found = found || map.range(r).contains(page * 4096);
            CHECK_EQUAL_TEXT(expected, found, "page usable in the model and in the map");
        }
        for (unsigned r = 0; r < map.range_count(); ++r) {
            const PhysRange& range = map.range(r);
            CHECK_TEXT(range.base % 4096 == 0 && range.end % 4096 == 0, "ranges are page aligned");
            CHECK_TEXT(range.base < range.end, "ranges are not empty");
            if (r > 0)
                CHECK_TEXT(map.range(r - 1).end < range.base, "ranges are sorted, disjoint and merged");
        }
    }
}

TEST_GROUP(MemoryMapSubtract)
{
    MemoryMap map;
    void setup() override { reset(); }
    // Usable: [1, 4) MiB and [5, 8) MiB.
    void reset() { map = map_of({ { 1 * MiB, 4 * MiB, kUsable }, { 5 * MiB, 8 * MiB, kUsable } }); }
};

TEST(MemoryMapSubtract, MiddleOfARangeSplitsIt)
{
    map.subtract(2 * MiB, 3 * MiB);
    check_ranges(map, { { 1 * MiB, 2 * MiB }, { 3 * MiB, 4 * MiB }, { 5 * MiB, 8 * MiB } });
}

TEST(MemoryMapSubtract, EdgesOfARangeShrinkIt)
{
    map.subtract(0, 2 * MiB);
    map.subtract(7 * MiB, 9 * MiB);
    check_ranges(map, { { 2 * MiB, 4 * MiB }, { 5 * MiB, 7 * MiB } });
}

TEST(MemoryMapSubtract, SpanAcrossRangesRemovesEverythingInside)
{
    map.subtract(3 * MiB, 6 * MiB);
    check_ranges(map, { { 1 * MiB, 3 * MiB }, { 6 * MiB, 8 * MiB } });
}

TEST(MemoryMapSubtract, WholeRangeDisappears)
{
    map.subtract(1 * MiB, 4 * MiB);
    check_ranges(map, { { 5 * MiB, 8 * MiB } });
}

TEST(MemoryMapSubtract, UnalignedSpanRemovesEveryPageItTouches)
{
    map.subtract(2 * MiB + 0x10, 2 * MiB + 0x1001); // touches two pages
    check_ranges(map, { { 1 * MiB, 2 * MiB }, { 2 * MiB + 0x2000, 4 * MiB }, { 5 * MiB, 8 * MiB } });
}

TEST(MemoryMapSubtract, SpanOutsideTheRangesChangesNothing)
{
    struct {
        const char* what;
        uint64_t base, end;
    } const cases[] = {
        { "hole between ranges", 4 * MiB, 5 * MiB },
        { "below every range", 0, 1 * MiB },
        { "above every range", 9 * MiB, 10 * MiB },
        { "reversed", 3 * MiB, 2 * MiB },
    };
    for (const auto& c : cases) {
        reset();
        map.subtract(c.base, c.end);
        UNSIGNED_LONGLONGS_EQUAL_TEXT(6 * MiB, map.usable_bytes(), c.what);
        LONGS_EQUAL_TEXT(2, map.range_count(), c.what);
    }
}

// [a, a) touches no byte, so no page: a module of length 0 costs nothing.
TEST(MemoryMapSubtract, EmptySpanRemovesNoPage)
{
    for (uint64_t at : { 2 * MiB, 2 * MiB + 0x800 }) {
        reset();
        map.subtract(at, at);
        UNSIGNED_LONGLONGS_EQUAL(6 * MiB, map.usable_bytes());
        LONGS_EQUAL(2, map.range_count());
    }
}

TEST(MemoryMapSubtract, SplitBeyondMaxRangesIsCaught)
{
    MemoryMap full;
    for (unsigned i = 0; i < MemoryMap::kMaxRanges; ++i)
        full.add(uint64_t(i) * 1 * MiB, 64 * KiB, kUsable);
    full.compute_usable(kNoLimit);
    LONGS_EQUAL(MemoryMap::kMaxRanges, full.range_count());
    CHECK_VERIFY_FAILS(full.subtract(0x4000, 0x5000));
}

TEST(MemoryMapSubtract, TakeReturnsTheLowestRangeWithRoom)
{
    uint64_t base = 0;
    CHECK_TRUE(map.take(4 * KiB, base));
    UNSIGNED_LONGLONGS_EQUAL(1 * MiB, base);
    CHECK_TRUE(map.take(3 * MiB, base)); // [1 MiB + 4 KiB, 4 MiB) is too small now
    UNSIGNED_LONGLONGS_EQUAL(5 * MiB, base);
    check_ranges(map, { { 1 * MiB + 4 * KiB, 4 * MiB } });
}

TEST(MemoryMapSubtract, TakeFailsWhenNoSingleRangeIsBigEnough)
{
    uint64_t base = 0x1234;
    CHECK_FALSE(map.take(4 * MiB, base)); // 6 MiB in all, but at most 3 in one piece
    UNSIGNED_LONGLONGS_EQUAL(0x1234, base);
    UNSIGNED_LONGLONGS_EQUAL(6 * MiB, map.usable_bytes());
}

TEST(MemoryMapSubtract, TakeUntilExhaustedThenFails)
{
    uint64_t base = 0, taken = 0, previous = 0;
    while (map.take(1 * MiB, base)) {
        CHECK_TRUE(taken == 0 || base > previous);
        previous = base;
        taken += 1 * MiB;
    }
    UNSIGNED_LONGLONGS_EQUAL(6 * MiB, taken);
    LONGS_EQUAL(0, map.range_count());
    UNSIGNED_LONGLONGS_EQUAL(0, map.usable_bytes());
}

TEST(MemoryMapSubtract, TakeOfNonPageMultipleIsCaught)
{
    uint64_t base = 0;
    CHECK_VERIFY_FAILS(map.take(100, base));
    CHECK_VERIFY_FAILS(map.take(0, base));
    UNSIGNED_LONGLONGS_EQUAL(6 * MiB, map.usable_bytes());
}
