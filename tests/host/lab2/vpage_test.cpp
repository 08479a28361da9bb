// Host tests of lab 2, part 1: vpage lifetime (labs/lab2/vpage.cpp against
// os/vm/vpage.h). A vpage is created with no references, counts the
// page-table entries that refer to it, and at its last unref is destroyed,
// taking its frame with it unless a present entry still maps that frame.
#include "lab2_test.h"

TEST_GROUP(VPage)
{
    Machine machine;
    void setup() override { machine.boot(64); }
};

// The seed counts 20 bytes per vpage; ours are 16, and the pool really
// stores them 16 bytes apart.
TEST(VPage, IsSixteenBytesInThePool)
{
    LONGS_EQUAL(16, sizeof(VPage));
    VPageRef a = vpage_create(0, 0), b = vpage_create(0, 0);
    CHECK(a != kNoVPage && b != kNoVPage);
    long gap = reinterpret_cast<const char*>(&vpage(b)) - reinterpret_cast<const char*>(&vpage(a));
    LONGS_EQUAL(16, gap < 0 ? -gap : gap);
}

TEST(VPage, CreateGivesAnUnreferencedNonResidentVPageOfItsStore)
{
    struct {
        uint8_t store;
        uint32_t offset;
    } const cases[] = { { 0, 0 }, { 1, 0x1000 }, { 7, 0x00abc000 }, { 255, 0xfffff000 } };
    uint32_t in_use = vpages().in_use();
    std::vector<VPageRef> made;
    for (const auto& c : cases) {
        VPageRef v = vpage_create(c.store, c.offset);
        CHECK_TEXT(v != kNoVPage, "vpage_create");
        CHECK_TEXT(vpages().is_live(v), "the handle names a live vpage of the pool");
        for (VPageRef other : made)
            CHECK_TEXT(v != other, "every vpage has its own handle");
        made.push_back(v);
        LONGS_EQUAL(c.store, vpage(v).store);
        UNSIGNED_LONGS_EQUAL(c.offset, vpage(v).store_offset);
        LONGS_EQUAL_TEXT(0, vpage(v).refs, "no entry refers to a new vpage");
        CHECK_FALSE_TEXT(vpage(v).is_resident(), "a new vpage is not resident");
        CHECK_FALSE_TEXT(vpage(v).is_dirty(), "a new vpage is clean");
        UNSIGNED_LONGS_EQUAL_TEXT(0, vpage(v).waiters, "nobody waits for a new vpage");
        LONGS_EQUAL(++in_use, vpages().in_use());
    }
    UNSIGNED_LONGS_EQUAL_TEXT(machine.frames_free, frames().frames_free(), "creating a vpage takes no frame");
}

TEST(VPage, CreateReturnsNoVPageWhenThePoolIsFull)
{
    machine.init_vpages(4);
    VPageRef made[4];
    for (VPageRef& v : made) {
        v = vpage_create(0, 0);
        CHECK(v != kNoVPage);
    }
    UNSIGNED_LONGS_EQUAL(kNoVPage, vpage_create(0, 0));
    UNSIGNED_LONGS_EQUAL(4, vpages().in_use());
    // One destroyed makes room for exactly one more.
    vpage_ref(made[2]);
    CHECK(vpage_unref(made[2]));
    CHECK(vpage_create(3, 0x3000) != kNoVPage);
    UNSIGNED_LONGS_EQUAL(kNoVPage, vpage_create(0, 0));
}

TEST(VPage, RefsCountUpAndTheLastUnrefDestroys)
{
    VPageRef v = vpage_create(1, 0x5000);
    for (int i = 1; i <= 3; ++i) {
        vpage_ref(v);
        LONGS_EQUAL(i, vpage(v).refs);
    }
    CHECK_FALSE_TEXT(vpage_unref(v), "3 -> 2 references: still alive");
    CHECK_FALSE_TEXT(vpage_unref(v), "2 -> 1 reference: still alive");
    LONGS_EQUAL(1, vpage(v).refs);
    LONGS_EQUAL(1, vpages().in_use());
    CHECK_TEXT(vpage_unref(v), "the last unref destroys the vpage");
    CHECK_FALSE(vpages().is_live(v));
    LONGS_EQUAL(0, vpages().in_use());
}

TEST(VPage, UnrefBelowZeroIsCaught)
{
    VPageRef v = vpage_create(0, 0);
    CHECK(v != kNoVPage);
    CHECK_VERIFY_FAILS(vpage_unref(v)); // created with no references
    CHECK_TEXT(vpages().is_live(v), "the bad unref destroyed nothing");
    LONGS_EQUAL(0, vpage(v).refs);
}

TEST(VPage, AttachLinksTheVPageAndItsFrameBothWays)
{
    uint32_t frame = frames().allocate();
    VPageRef v = vpage_create(0, 0);
    CHECK(frame != FrameArray::kNoFrame && v != kNoVPage);
    vpage_attach(v, frame);
    CHECK(vpage(v).is_resident());
    UNSIGNED_LONGS_EQUAL(frame, vpage(v).frame);
    UNSIGNED_LONGS_EQUAL(v, frames().owner(frame));
    UNSIGNED_LONGS_EQUAL_TEXT(0, frames().map_count(frame), "attach maps nothing");
    LONGS_EQUAL_TEXT(0, vpage(v).refs, "attach takes no reference");
}

// At the last unref a resident vpage gives its frame back, unless a present
// entry still maps that frame (then the frame only loses its owner).
TEST(VPage, LastUnrefFreesTheFrameUnlessItIsStillMapped)
{
    struct {
        const char* what;
        uint32_t map_count;
    } const cases[] = { { "frame not mapped", 0 }, { "frame mapped once", 1 }, { "frame mapped twice", 2 } };
    for (const auto& c : cases) {
        VPageRef v = resident_vpage();
        uint32_t frame = vpage(v).frame;
        for (uint32_t i = 0; i < c.map_count; ++i)
            frames().map_up(frame);
        vpage_ref(v);
        CHECK_TRUE_TEXT(vpage_unref(v), c.what);
        CHECK_FALSE_TEXT(vpages().is_live(v), c.what);
        bool freed = c.map_count == 0;
        CHECK_EQUAL_TEXT(freed, frames().is_free(frame), c.what);
        UNSIGNED_LONGS_EQUAL_TEXT(machine.frames_free - (freed ? 0 : 1), frames().frames_free(), c.what);
        if (!freed) {
            UNSIGNED_LONGS_EQUAL_TEXT(kNoVPage, frames().owner(frame), c.what);
            UNSIGNED_LONGS_EQUAL_TEXT(c.map_count, frames().map_count(frame), c.what);
            while (frames().map_count(frame) > 0)
                frames().map_down(frame);
            frames().free(frame);
        }
    }
    LONGS_EQUAL(0, vpages().in_use());
}

TEST(VPage, UnrefOfANonResidentVPageTouchesNoFrame)
{
    VPageRef v = vpage_create(2, 0x8000);
    vpage_ref(v);
    vpage_ref(v);
    CHECK_FALSE(vpage_unref(v));
    CHECK_TRUE(vpage_unref(v));
    UNSIGNED_LONGS_EQUAL(machine.frames_free, frames().frames_free());
    LONGS_EQUAL(0, vpages().in_use());
}
