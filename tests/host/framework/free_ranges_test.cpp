// Host tests of os/vm/free_ranges.h: the per-address-space allocator of
// user addresses (mmap(NULL), IPC page transfer). Named rules first, then a
// randomised model check against a page bitmap.
#include "vm/free_ranges.h"

#include <stdint.h>
#include <vector>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

namespace {

constexpr uint32_t kPage = 4096;
constexpr uint32_t kBottom = 0x1000;
constexpr uint32_t kTop = 0xC0000000;
using R = FreeRanges::Result;

// The ranges are sorted, disjoint, not touching (merged), page aligned, non-empty.
bool well_formed(const FreeRanges& f)
{
    for (uint32_t i = 0; i < f.range_count(); ++i) {
        const FreeRanges::Range& r = f.range(i);
        if (r.base % kPage || r.end % kPage || r.base >= r.end)
            return false;
        if (i && f.range(i - 1).end >= r.base)
            return false;
    }
    return true;
}

} // namespace

TEST_GROUP(FreeRanges)
{
    FreeRanges ranges;
    void setup() override { CHECK(ranges.init(kBottom, kTop)); }
};

TEST(FreeRanges, AllocateReusesWhatReleaseGaveBack)
{
    uint32_t a = 0, b = 0;
    R first = ranges.allocate(5 * kPage, 0x40000000, &a);
    CHECK(first == R::Ok);
    LONGS_EQUAL(0x40000000, a);
    R released = ranges.release(a, 5 * kPage);
    CHECK(released == R::Ok);
    R again = ranges.allocate(5 * kPage, 0x40000000, &b);
    CHECK(again == R::Ok);
    LONGS_EQUAL(a, b);
    ranges.release(b, 5 * kPage);
    // A million map/unmap rounds never run out: nothing leaks address space.
    for (int i = 0; i < 1000000; ++i) {
        uint32_t at = 0;
        R r = ranges.allocate(5 * kPage, 0x40000000, &at);
        if (r != R::Ok || at != a)
            FAIL("allocate stopped reusing");
        ranges.release(at, 5 * kPage);
    }
    LONGS_EQUAL(1, ranges.range_count());
}

TEST(FreeRanges, AllocateSkipsTakenAddresses)
{
    R reserved = ranges.reserve(0x40000000, kPage); // mmap((void*)0x40000000, 4096)
    CHECK(reserved == R::Ok);
    uint32_t at = 0;
    R r = ranges.allocate(kPage, 0x40000000, &at);
    CHECK(r == R::Ok);
    LONGS_EQUAL(0x40001000, at);
}

TEST(FreeRanges, AllocateFallsBackBelowTheHint)
{
    R taken = ranges.take(0x40000000, kTop - 0x40000000);
    CHECK(taken == R::Ok);
    uint32_t at = 0;
    R r = ranges.allocate(kPage, 0x40000000, &at);
    CHECK(r == R::Ok);
    LONGS_EQUAL(kBottom, at);
}

TEST(FreeRanges, NoRoomIsAnErrorNotAnAddress)
{
    R taken = ranges.take(kBottom, kTop - kBottom);
    CHECK(taken == R::Ok);
    uint32_t at = 0x12345000;
    R r = ranges.allocate(kPage, 0x40000000, &at);
    CHECK(r == R::NotFree);
    LONGS_EQUAL(0x12345000, at); // untouched
    LONGS_EQUAL(0, ranges.free_bytes());
}

TEST(FreeRanges, LengthThatWrapsIsRefused)
{
    uint32_t at = 0;
    R r = ranges.allocate(0xFFFFF000, 0, &at);
    CHECK(r == R::NotFree);
    CHECK_FALSE(ranges.is_free(0xFFFFF000, 0x3000)); // wraps past 4 GiB
    R reserved = ranges.reserve(0xFFFFF000, 0x3000);
    CHECK(reserved == R::NotFree);
    LONGS_EQUAL(kTop - kBottom, ranges.free_bytes());
}

TEST(FreeRanges, ReserveOfATakenPartChangesNothing)
{
    R a = ranges.reserve(0x50000000, 4 * kPage);
    CHECK(a == R::Ok);
    uint32_t before = ranges.free_bytes();
    R b = ranges.reserve(0x4FFFF000, 2 * kPage); // overlaps the first page
    CHECK(b == R::NotFree);
    LONGS_EQUAL(before, ranges.free_bytes());
    CHECK(ranges.is_free(0x4FFFF000, kPage));
}

TEST(FreeRanges, NothingOutsideTheInitialRangeIsEverFree)
{
    CHECK_FALSE(ranges.is_free(0, kPage));
    CHECK_FALSE(ranges.is_free(kTop, kPage));
    uint32_t at = 0;
    R r = ranges.allocate(kTop - kBottom, 0, &at);
    CHECK(r == R::Ok);
    LONGS_EQUAL(kBottom, at);
}

TEST(FreeRanges, ReleaseMergesNeighbours)
{
    R t = ranges.take(kBottom, kTop - kBottom);
    CHECK(t == R::Ok);
    ranges.release(0x10000000, kPage);
    ranges.release(0x10002000, kPage);
    LONGS_EQUAL(2, ranges.range_count());
    ranges.release(0x10001000, kPage);
    LONGS_EQUAL(1, ranges.range_count());
    CHECK(ranges.is_free(0x10000000, 3 * kPage));
}

TEST(FreeRanges, CopyIsIndependent)
{
    FreeRanges child;
    CHECK(child.copy_from(ranges));
    R r = child.reserve(0x40000000, kPage);
    CHECK(r == R::Ok);
    CHECK(ranges.is_free(0x40000000, kPage));
    CHECK_FALSE(child.is_free(0x40000000, kPage));
}

TEST(FreeRanges, MakeRoomMeansTheNextSplitsSucceed)
{
    CHECK(ranges.make_room(40));
    for (uint32_t i = 0; i < 40; ++i) {
        R r = ranges.reserve(0x20000000 + 2 * i * kPage, kPage); // each splits a range
        CHECK(r == R::Ok);
    }
    LONGS_EQUAL(41, ranges.range_count());
}

// The model check: a window of kPages pages (scaled so that ranges split and
// merge often), a bitmap of free pages, and 200,000 random operations. After
// each one the allocator's ranges must say exactly what the bitmap says,
// and every result must match the model's.
TEST(FreeRanges, RandomOperationsMatchABitmapModel)
{
    constexpr uint32_t kPages = 512;
    constexpr uint32_t kBase = 0x40000000;
    FreeRanges f;
    CHECK(f.init(kBase, kBase + kPages * kPage));
    std::vector<bool> free_page(kPages, true);
    TestRandom random(0x11A11CA7E);
    auto model_free = [&](uint32_t first, uint32_t n) {
        for (uint32_t p = first; p < first + n; ++p)
            if (p >= kPages || !free_page[p])
                return false;
        return true;
    };
    for (int step = 0; step < 200000; ++step) {
        uint32_t first = random.below(kPages);
        uint32_t n = 1 + random.below(random.below(4) == 0 ? 64 : 6);
        if (first + n > kPages)
            n = kPages - first;
        uint32_t at = kBase + first * kPage;
        switch (random.below(4)) {
        case 0: { // allocate: the first fit at or above a hint, else the first fit
            uint32_t hint_page = random.below(kPages);
            int64_t expect = -1;
            for (int pass = 0; pass < 2 && expect < 0; ++pass)
                for (uint32_t p = pass == 0 ? hint_page : 0; p + n <= kPages; ++p)
                    if (model_free(p, n)) {
                        expect = p;
                        break;
                    }
            uint32_t got = 0;
            R r = f.allocate(n * kPage, kBase + hint_page * kPage, &got);
            if (expect < 0) {
                CHECK(r == R::NotFree);
            } else {
                CHECK(r == R::Ok);
                LONGS_EQUAL(kBase + uint32_t(expect) * kPage, got);
                for (uint32_t p = uint32_t(expect); p < uint32_t(expect) + n; ++p)
                    free_page[p] = false;
            }
            break;
        }
        case 1: { // reserve: all free, or nothing changes
            bool expect = model_free(first, n);
            R r = f.reserve(at, n * kPage);
            CHECK(r == (expect ? R::Ok : R::NotFree));
            if (expect)
                for (uint32_t p = first; p < first + n; ++p)
                    free_page[p] = false;
            break;
        }
        case 2: { // take
            R r = f.take(at, n * kPage);
            CHECK(r == R::Ok);
            for (uint32_t p = first; p < first + n; ++p)
                free_page[p] = false;
            break;
        }
        default: { // release
            R r = f.release(at, n * kPage);
            CHECK(r == R::Ok);
            for (uint32_t p = first; p < first + n; ++p)
                free_page[p] = true;
            break;
        }
        }
        if (!well_formed(f))
            FAIL("ranges not sorted, merged and aligned");
        uint32_t free_count = 0;
        for (uint32_t p = 0; p < kPages; ++p)
            free_count += free_page[p];
        if (f.free_bytes() != free_count * kPage)
            FAIL("free bytes differ from the model");
        uint32_t probe = random.below(kPages);
        if (f.is_free(kBase + probe * kPage, kPage) != free_page[probe])
            FAIL("is_free differs from the model");
    }
    // Finally: page by page, the allocator and the model agree.
    for (uint32_t p = 0; p < kPages; ++p)
        CHECK_EQUAL(bool(free_page[p]), f.is_free(kBase + p * kPage, kPage));
}
