// Host tests of os/kernel/heap: first fit over a caller's buffer, 8-byte
// headers, splitting, coalescing, and the VERIFYs that catch bad frees.
#include "kernel/heap.h"

#include <stdint.h>
#include <string.h>
#include <vector>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

namespace {

constexpr size_t kHeader = 8;    // bytes in front of every payload
constexpr size_t kMinBlock = 16; // smallest block, header included

// Static storage: the heap's memory is never new'd, so the leak detector and
// ASan see only what the test itself does.
alignas(16) uint8_t g_arena[64 * 1024];

bool inside_arena(const void* p, size_t size)
{
    auto* b = static_cast<const uint8_t*>(p);
    return b >= g_arena && b + size <= g_arena + sizeof g_arena;
}

} // namespace

TEST_GROUP(Heap)
{
    Heap heap;
    void setup() override
    {
        memset(g_arena, 0xa5, sizeof g_arena);
        heap.init(g_arena, 4096);
    }
};

TEST(Heap, FreshHeapIsOneFreeBlock)
{
    LONGS_EQUAL(4096, heap.bytes_total());
    LONGS_EQUAL(4096, heap.bytes_free());
    LONGS_EQUAL(0, heap.allocations());
    heap.check();
    CHECK(heap.allocate(4096 - kHeader) != nullptr); // the whole heap in one piece
    LONGS_EQUAL(0, heap.bytes_free());
}

TEST(Heap, InitRoundsTheSizeDownToTheAlignment)
{
    heap.init(g_arena, 1001);
    LONGS_EQUAL(1000, heap.bytes_total());
    LONGS_EQUAL(1000, heap.bytes_free());
    heap.check();
}

TEST(Heap, InitRejectsAnUnalignedStartOrATinyRegion)
{
    CHECK_VERIFY_FAILS(heap.init(g_arena + 4, 4096));
    CHECK_VERIFY_FAILS(heap.init(g_arena, kMinBlock - 1));
}

TEST(Heap, BlockSizeIsHeaderPlusPayloadRoundedToEightAndAtLeastSixteen)
{
    struct {
        size_t request, block;
    } const cases[] = { { 0, 16 }, { 1, 16 }, { 8, 16 }, { 9, 24 }, { 16, 24 }, { 17, 32 }, { 100, 112 } };
    for (const auto& c : cases) {
        heap.init(g_arena, 4096);
        void* p = heap.allocate(c.request);
        CHECK(p != nullptr);
        LONGS_EQUAL(4096 - c.block, heap.bytes_free());
        heap.check();
    }
}

TEST(Heap, AllocationsAreAlignedDisjointAndInsideTheHeap)
{
    uint8_t* previous = nullptr;
    for (size_t size : { 1, 3, 24, 7, 100, 0, 13 }) {
        auto* p = static_cast<uint8_t*>(heap.allocate(size));
        CHECK(p != nullptr);
        LONGS_EQUAL(0, reinterpret_cast<uintptr_t>(p) % Heap::kAlignment);
        CHECK(inside_arena(p - kHeader, size + kHeader) && p < g_arena + 4096);
        CHECK(previous == nullptr || p > previous); // first fit on a fresh heap goes upward
        previous = p;
    }
    LONGS_EQUAL(7, heap.allocations());
    heap.check();
}

TEST(Heap, SplitLeavesTheTailFreeRightAfterTheBlock)
{
    auto* a = static_cast<uint8_t*>(heap.allocate(24)); // a 32-byte block
    auto* b = static_cast<uint8_t*>(heap.allocate(24));
    POINTERS_EQUAL(g_arena + kHeader, a);
    POINTERS_EQUAL(a + 32, b);
    LONGS_EQUAL(4096 - 64, heap.bytes_free());
}

TEST(Heap, RemainderTooSmallForABlockIsGivenAway)
{
    heap.init(g_arena, 64);
    void* p = heap.allocate(40); // needs 48; the 16 left make a block
    CHECK(p != nullptr);
    LONGS_EQUAL(16, heap.bytes_free());
    heap.init(g_arena, 64);
    p = heap.allocate(48); // needs 56; 8 left are too few: the caller gets all 64
    CHECK(p != nullptr);
    LONGS_EQUAL(0, heap.bytes_free());
    heap.check();
    heap.free(p);
    LONGS_EQUAL(64, heap.bytes_free());
}

TEST(Heap, ExhaustedHeapReturnsNull)
{
    POINTERS_EQUAL(nullptr, heap.allocate(4096)); // header does not fit
    while (heap.allocate(100) != nullptr) { }
    CHECK(heap.bytes_free() < 112);
    POINTERS_EQUAL(nullptr, heap.allocate(100));
    heap.check();
}

// A size whose header would wrap around size_t is far too big, not tiny.
TEST(Heap, HugeRequestReturnsNullInsteadOfWrapping)
{
    for (size_t size : { SIZE_MAX, SIZE_MAX - 7, SIZE_MAX - 3, size_t(1) << 40 }) {
        POINTERS_EQUAL(nullptr, heap.allocate(size));
        LONGS_EQUAL(4096, heap.bytes_free());
    }
}

TEST(Heap, FirstFitReusesTheLowestHole)
{
    void* a = heap.allocate(24);
    void* b = heap.allocate(24);
    void* c = heap.allocate(24);
    heap.allocate(24);
    heap.free(a);
    heap.free(c);
    POINTERS_EQUAL(a, heap.allocate(16));
    POINTERS_EQUAL(c, heap.allocate(16));
    CHECK(heap.allocate(16) > b);
}

// Three neighbours freed in each of the 6 orders always merge back into one
// block with the tail: the whole heap can be allocated again.
TEST(Heap, FreeMergesWithBothNeighboursInAnyOrder)
{
    const int orders[][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
    for (const auto& order : orders) {
        heap.init(g_arena, 4096);
        void* blocks[3] = { heap.allocate(40), heap.allocate(8), heap.allocate(200) };
        for (int i : order) {
            heap.free(blocks[i]);
            heap.check();
        }
        LONGS_EQUAL(4096, heap.bytes_free());
        LONGS_EQUAL(0, heap.allocations());
        POINTERS_EQUAL(g_arena + kHeader, heap.allocate(4096 - kHeader));
    }
}

TEST(Heap, FreedBlockDoesNotMergeWithABlockInUse)
{
    void* a = heap.allocate(24);
    void* b = heap.allocate(24);
    void* c = heap.allocate(24);
    heap.free(b); // a 32-byte hole between a and c, both in use
    heap.check();
    CHECK(heap.allocate(56) > c); // needs 64: does not fit in the hole
    heap.free(a); // now a and b merge: a 64-byte hole at the start
    POINTERS_EQUAL(a, heap.allocate(56));
    heap.check();
}

TEST(Heap, FreeOfNullDoesNothing)
{
    heap.allocate(10);
    heap.free(nullptr);
    LONGS_EQUAL(1, heap.allocations());
    heap.check();
}

TEST(Heap, DoubleFreeIsCaught)
{
    void* p = heap.allocate(32);
    heap.allocate(32); // keep p from merging away
    heap.free(p);
    CHECK_VERIFY_FAILS(heap.free(p));
    STRCMP_CONTAINS("double free", last_verify_message());
    LONGS_EQUAL(1, heap.allocations());
    heap.check();
}

TEST(Heap, DoubleFreeAfterMergingIsCaught)
{
    void* a = heap.allocate(32);
    void* b = heap.allocate(32);
    heap.free(a);
    heap.free(b); // b's block is now inside a's
    CHECK_VERIFY_FAILS(heap.free(b));
    heap.check();
}

TEST(Heap, FreeOfPointerOutsideTheHeapIsCaught)
{
    static uint64_t elsewhere[4];
    void* const wild[] = { g_arena + 4096 + kHeader, g_arena + 2 * 4096, &elsewhere[2], g_arena };
    for (void* p : wild) {
        CHECK_VERIFY_FAILS(heap.free(p));
        STRCMP_CONTAINS("not in the heap", last_verify_message());
    }
    LONGS_EQUAL(4096, heap.bytes_free());
}

TEST(Heap, FreeOfPointerIntoTheMiddleOfABlockIsCaught)
{
    auto* p = static_cast<uint8_t*>(heap.allocate(64));
    memset(p, 0, 64);
    CHECK_VERIFY_FAILS(heap.free(p + 16));
    STRCMP_CONTAINS("not an allocated block", last_verify_message());
    heap.free(p);
    heap.check();
}

TEST(Heap, CheckCatchesAClobberedHeader)
{
    auto* p = static_cast<uint8_t*>(heap.allocate(32));
    heap.allocate(32);
    memset(p, 0x11, 32 + 4); // overruns into the next block's size field
    CHECK_VERIFY_FAILS(heap.check());
}

// Random allocate/free sequences against a model of the live blocks: every
// block lies in the heap, overlaps no other, keeps its contents, and freeing
// everything gives all the bytes back.
TEST(Heap, RandomAllocateFreeSequencesKeepEveryBlockIntact)
{
    struct Live {
        uint8_t* p;
        size_t size;
        uint8_t fill;
    };
    constexpr size_t kHeapBytes = sizeof g_arena;
    heap.init(g_arena, kHeapBytes);
    std::vector<Live> live;
    live.reserve(1024);
    TestRandom random(20240601);
    auto intact = [](const Live& l) {
        for (size_t i = 0; i < l.size; ++i)
            if (l.p[i] != l.fill)
                return false;
        return true;
    };
    for (int step = 0; step < 4000; ++step) {
        if (live.empty() || random.below(100) < 60) {
            size_t size = random.below(8) == 0 ? random.below(2000) : random.below(64);
            auto* p = static_cast<uint8_t*>(heap.allocate(size));
            if (!p)
                continue;
            CHECK(inside_arena(p - kHeader, size + kHeader));
            LONGS_EQUAL(0, reinterpret_cast<uintptr_t>(p) % Heap::kAlignment);
            for (const Live& l : live)
                CHECK(p + size + kHeader <= l.p || l.p + l.size + kHeader <= p);
            Live block { p, size, uint8_t(step) };
            memset(p, block.fill, size);
            live.push_back(block);
        } else {
            size_t i = random.below(uint32_t(live.size()));
            CHECK_TEXT(intact(live[i]), "a live block was clobbered");
            heap.free(live[i].p);
            live[i] = live.back();
            live.pop_back();
        }
        LONGS_EQUAL(live.size(), heap.allocations());
        if (step % 64 == 0)
            heap.check();
    }
    for (const Live& l : live) {
        CHECK_TEXT(intact(l), "a live block was clobbered");
        heap.free(l.p);
    }
    heap.check();
    LONGS_EQUAL(kHeapBytes, heap.bytes_free());
    POINTERS_EQUAL(g_arena + kHeader, heap.allocate(kHeapBytes - kHeader));
}
