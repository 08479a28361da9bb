// Host tests of os/kernel/pool.h: ObjectPool<T>, fixed-size objects named by
// 32-bit handles (slot index + 1, 0 = none).
#include "kernel/pool.h"

#include <stdint.h>
#include <vector>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

namespace {

// Counts its constructions and destructions, and remembers its argument.
struct Tracked {
    static int alive;
    uint32_t value;
    uint64_t padding;
    explicit Tracked(uint32_t v) : value(v), padding(~uint64_t(0)) { ++alive; }
    ~Tracked() { --alive; }
};
int Tracked::alive = 0;

using Pool = ObjectPool<Tracked>;
constexpr uint32_t kCapacity = 10; // not a multiple of 8: the last bitmap byte is partial

} // namespace

TEST_GROUP(ObjectPool)
{
    // storage_bytes() rounded up to whole uint64_t only, so the memory
    // checkers see a write past the pool's storage.
    std::vector<uint64_t> storage;
    Pool pool;
    void setup() override
    {
        Tracked::alive = 0;
        storage.assign((Pool::storage_bytes(kCapacity) + 7) / 8, 0);
        pool.init(storage.data(), kCapacity);
    }
    void teardown() override { std::vector<uint64_t>().swap(storage); }
};

TEST(ObjectPool, FreshPoolHasEverySlotAvailable)
{
    LONGS_EQUAL(kCapacity, pool.capacity());
    LONGS_EQUAL(0, pool.in_use());
    LONGS_EQUAL(kCapacity, pool.available());
    for (Pool::Handle h = 0; h <= kCapacity + 1; ++h)
        CHECK_FALSE(pool.is_live(h));
}

TEST(ObjectPool, StorageIsSlotsPlusOneBitPerSlot)
{
    // Tracked is 16 bytes with 8-byte alignment, so a slot is 16 bytes.
    LONGS_EQUAL(0, Pool::storage_bytes(0));
    LONGS_EQUAL(16 + 1, Pool::storage_bytes(1));
    LONGS_EQUAL(8 * 16 + 1, Pool::storage_bytes(8));
    LONGS_EQUAL(9 * 16 + 2, Pool::storage_bytes(9));
}

TEST(ObjectPool, HandlesAreSlotIndexPlusOne)
{
    for (uint32_t i = 0; i < kCapacity; ++i) {
        Pool::Handle h = pool.create(100 + i);
        LONGS_EQUAL(i + 1, h);
        POINTERS_EQUAL(reinterpret_cast<uint8_t*>(storage.data()) + i * sizeof(Tracked), pool.get(h));
    }
    LONGS_EQUAL(kCapacity, pool.in_use());
}

TEST(ObjectPool, CreateConstructsAndGetFindsTheObject)
{
    Pool::Handle a = pool.create(7u);
    Pool::Handle b = pool.create(9u);
    CHECK(a != Pool::kNone && b != Pool::kNone && a != b);
    LONGS_EQUAL(7, pool.get(a)->value);
    LONGS_EQUAL(9, pool.get(b)->value);
    LONGS_EQUAL(2, Tracked::alive);
    CHECK_TRUE(pool.is_live(a));
    CHECK_TRUE(pool.is_live(b));
}

TEST(ObjectPool, HandleOfGivesBackTheHandle)
{
    Pool::Handle handles[kCapacity];
    for (auto& h : handles)
        h = pool.create(1u);
    for (Pool::Handle h : handles)
        LONGS_EQUAL(h, pool.handle_of(pool.get(h)));
}

TEST(ObjectPool, HandleOfAForeignObjectIsCaught)
{
    Tracked outside(1);
    CHECK_VERIFY_FAILS(pool.handle_of(&outside));
}

TEST(ObjectPool, FullPoolReturnsNone)
{
    for (uint32_t i = 0; i < kCapacity; ++i)
        CHECK(pool.create(i) != Pool::kNone);
    LONGS_EQUAL(Pool::kNone, pool.create(99u));
    LONGS_EQUAL(0, pool.available());
    LONGS_EQUAL(kCapacity, Tracked::alive); // nothing constructed for the failed create

    Pool empty;
    empty.init(storage.data(), 0); // a pool of capacity 0 is full from the start
    LONGS_EQUAL(Pool::kNone, empty.create(1u));
    CHECK_FALSE(empty.is_live(1));
}

TEST(ObjectPool, DestroyRunsTheDestructorAndFreesTheSlot)
{
    Pool::Handle h = pool.create(5u);
    pool.destroy(h);
    LONGS_EQUAL(0, Tracked::alive);
    CHECK_FALSE(pool.is_live(h));
    LONGS_EQUAL(0, pool.in_use());
}

TEST(ObjectPool, DestroyedSlotIsReusedFirst)
{
    for (uint32_t i = 0; i < kCapacity; ++i)
        pool.create(i);
    pool.destroy(4);
    pool.destroy(9);
    LONGS_EQUAL(9, pool.create(0u)); // last freed, first reused
    LONGS_EQUAL(4, pool.create(0u));
    LONGS_EQUAL(Pool::kNone, pool.create(0u));
}

TEST(ObjectPool, DestroyLeavesTheNeighboursLive)
{
    for (uint32_t i = 0; i < kCapacity; ++i)
        pool.create(i);
    pool.destroy(8); // handles 8 and 9 share no bitmap byte; 7 and 8 do
    CHECK_TRUE(pool.is_live(7));
    CHECK_TRUE(pool.is_live(9));
    LONGS_EQUAL(6, pool.get(7)->value);
    LONGS_EQUAL(8, pool.get(9)->value);
}

TEST(ObjectPool, DestroyOfADeadHandleIsCaught)
{
    Pool::Handle h = pool.create(1u);
    pool.create(2u);
    pool.destroy(h);
    const Pool::Handle dead[] = { h, Pool::kNone, 5, kCapacity + 1, 0xffffffff };
    for (Pool::Handle d : dead)
        CHECK_VERIFY_FAILS(pool.destroy(d));
    STRCMP_CONTAINS("not live", last_verify_message());
    LONGS_EQUAL(1, pool.in_use());
    LONGS_EQUAL(1, Tracked::alive);
}

TEST(ObjectPool, GetOfADeadHandleIsCaught)
{
    Pool::Handle h = pool.create(1u);
    pool.destroy(h);
    CHECK_VERIFY_FAILS(pool.get(h));
}

// Random create/destroy against a model: the live handles are exactly those
// created and not destroyed, and each object keeps the value it was made with.
TEST(ObjectPool, RandomCreateDestroyMatchesAModel)
{
    uint32_t model[kCapacity + 1] = {}; // value by handle, 0 = not live
    uint32_t live = 0;
    TestRandom random(77);
    for (uint32_t step = 1; step <= 2000; ++step) {
        Pool::Handle h = 1 + random.below(kCapacity);
        if (model[h]) {
            LONGS_EQUAL(model[h], pool.get(h)->value);
            pool.destroy(h);
            model[h] = 0;
            --live;
        } else {
            Pool::Handle made = pool.create(step);
            CHECK(made != Pool::kNone);
            CHECK_FALSE(model[made]);
            model[made] = step;
            ++live;
        }
        LONGS_EQUAL(live, pool.in_use());
        LONGS_EQUAL(live, uint32_t(Tracked::alive));
        for (Pool::Handle k = 1; k <= kCapacity; ++k)
            CHECK_EQUAL(model[k] != 0, pool.is_live(k));
    }
}
