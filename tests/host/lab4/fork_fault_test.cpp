// Host tests of lab 4, part 3: fork and then user loads and stores, through
// vm::handle_fault (lab 3's reference) into fork_space and copy_on_write.
//
// After a fork, parent and child each see their own private pages: what one
// writes the other never sees, whoever writes first, whether the page was
// resident at the fork or not. Shared pages stay one page. Read-only pages
// stay read-only. Processes exit (AddressSpace::destroy) in any order and
// every frame and vpage comes back; until then the others keep their data.
#include "lab4_test.h" // last: CppUTest comes with it

namespace {

constexpr uint32_t kData = 0x00400000;   // private, read-write, resident (pattern 0x1000)
constexpr uint32_t kBss = 0x00401000;    // private, read-write, untouched anonymous
constexpr uint32_t kText = 0x08048000;   // private, read-only, resident (pattern 0x2000)
constexpr uint32_t kShared = 0x40000000; // shared, read-write, untouched anonymous
constexpr uint32_t kStack = 0xbffff000;  // private, read-write, resident (pattern 0x3000)

} // namespace

TEST_GROUP_BASE(ForkThenFault, Lab4Test)
{
    AddressSpace* parent = nullptr;
    void setup() override
    {
        Lab4Test::setup();
        parent = make_space();
        MapResult mapped = parent->map(kData, vpage_holding(0x1000), Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
        mapped = parent->map(kBss, anonymous_vpage(), Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
        mapped = parent->map(kText, vpage_holding(0x2000), Access::ReadOnly);
        CHECK_EQUAL(MapResult::Ok, mapped);
        mapped = parent->map(kShared, shared_vpage(false), Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
        mapped = parent->map(kStack, vpage_holding(0x3000), Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
    }
};

TEST(ForkThenFault, ChildWritesAreInvisibleToTheParent)
{
    AddressSpace* child = fork_child(parent);
    uint32_t free_before = frames().frames_free();
    FaultResult result = user_write(child, kData + 20, 0xc0ffee);
    CHECK_EQUAL(FaultResult::CopiedOnWrite, result);
    UNSIGNED_LONGS_EQUAL_TEXT(free_before - 1, frames().frames_free(), "one frame for the child's copy");
    UNSIGNED_LONGS_EQUAL(0xc0ffee, user_read(child, kData + 20));
    UNSIGNED_LONGS_EQUAL_TEXT(0x1000 + 5, user_read(parent, kData + 20), "the parent still sees its data");
    UNSIGNED_LONGS_EQUAL_TEXT(0x1000 + 6, user_read(child, kData + 24), "the rest of the copy is the page");
    // Now the parent's mapping is the last of the old page: no copy.
    result = user_write(parent, kData, 0xdad);
    CHECK_EQUAL(FaultResult::MadeWritable, result);
    UNSIGNED_LONGS_EQUAL(free_before - 1, frames().frames_free());
    UNSIGNED_LONGS_EQUAL(0x1000, user_read(child, kData));
    UNSIGNED_LONGS_EQUAL(0xdad, user_read(parent, kData));
    // Both write freely from now on.
    result = user_write(child, kData + 4, 1);
    CHECK_EQUAL(kNoFault, result);
    result = user_write(parent, kData + 4, 2);
    CHECK_EQUAL(kNoFault, result);
    UNSIGNED_LONGS_EQUAL(1, user_read(child, kData + 4));
    UNSIGNED_LONGS_EQUAL(2, user_read(parent, kData + 4));
}

TEST(ForkThenFault, ParentWritesAreInvisibleToTheChild)
{
    AddressSpace* child = fork_child(parent);
    FaultResult result = user_write(parent, kStack + 0xffc, 0xbeef);
    CHECK_EQUAL(FaultResult::CopiedOnWrite, result);
    UNSIGNED_LONGS_EQUAL(0x3000 + 1023, user_read(child, kStack + 0xffc));
    result = user_write(child, kStack + 0xffc, 0xcafe);
    CHECK_EQUAL(FaultResult::MadeWritable, result);
    UNSIGNED_LONGS_EQUAL(0xbeef, user_read(parent, kStack + 0xffc));
    UNSIGNED_LONGS_EQUAL(0xcafe, user_read(child, kStack + 0xffc));
}

// The page was never touched before the fork: each side reads zeroes and
// writes its own page.
TEST(ForkThenFault, UntouchedPageIsZeroInBothAndWritesStayApart)
{
    AddressSpace* child = fork_child(parent);
    uint32_t free_before = frames().frames_free();
    FaultResult result = user_write(child, kBss + 8, 0x77);
    CHECK_EQUAL_TEXT(FaultResult::CopiedOnWrite, result, "zero fill, then a copy");
    UNSIGNED_LONGS_EQUAL(0, user_read(parent, kBss + 8));
    UNSIGNED_LONGS_EQUAL(0x77, user_read(child, kBss + 8));
    result = user_write(parent, kBss + 8, 0x88);
    CHECK_EQUAL(FaultResult::MadeWritable, result);
    UNSIGNED_LONGS_EQUAL(0x77, user_read(child, kBss + 8));
    UNSIGNED_LONGS_EQUAL(0x88, user_read(parent, kBss + 8));
    UNSIGNED_LONGS_EQUAL_TEXT(free_before - 2, frames().frames_free(), "one page each, nothing more");
}

TEST(ForkThenFault, SharedPageIsOnePageForBoth)
{
    AddressSpace* child = fork_child(parent);
    FaultResult result = user_write(parent, kShared, 0x5a5a);
    CHECK_EQUAL(FaultResult::ZeroFilled, result);
    result = user_access(child, kShared, false);
    CHECK_EQUAL(FaultResult::MappedResident, result);
    UNSIGNED_LONGS_EQUAL(0x5a5a, user_read(child, kShared));
    result = user_write(child, kShared + 4, 0x6b6b);
    CHECK_EQUAL_TEXT(kNoFault, result, "writable in the child too");
    UNSIGNED_LONGS_EQUAL(0x6b6b, user_read(parent, kShared + 4));
    UNSIGNED_LONGS_EQUAL(frame_at(parent, kShared), frame_at(child, kShared));
}

TEST(ForkThenFault, ReadOnlyPageStaysReadOnlyInBoth)
{
    AddressSpace* child = fork_child(parent);
    for (AddressSpace* s : { parent, child }) {
        FaultResult result = write_fault(s, kText);
        CHECK_EQUAL(FaultResult::BadReadOnly, result);
        UNSIGNED_LONGS_EQUAL(0x2000, user_read(s, kText));
    }
}

TEST(ForkThenFault, NoFrameForTheCopyIsOutOfMemoryAndChangesNothing)
{
    AddressSpace* child = fork_child(parent);
    std::vector<uint32_t> taken = take_every_frame();
    MachineState before = MachineState::of({ parent, child });
    FaultResult result = write_fault(child, kData);
    CHECK_EQUAL(FaultResult::OutOfMemory, result);
    MachineState::of({ parent, child }).check_same_as(before, "no frame for the copy");
    give_back(taken);
    result = user_write(child, kData, 9);
    CHECK_EQUAL(FaultResult::CopiedOnWrite, result);
    UNSIGNED_LONGS_EQUAL(0x1000, user_read(parent, kData));
}

// Parent, child and grandchild, each having written some pages: exits in
// each of the six orders. Whoever is left keeps its data; at the end every
// frame and vpage is back.
TEST(ForkThenFault, ExitsInEveryOrderReturnEveryFrameAndVPage)
{
    destroy_space(parent); // each round builds its own family
    const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
    for (const auto& order : orders) {
        AddressSpace* family[3];
        family[0] = make_space();
        MapResult mapped = family[0]->map(kData, vpage_holding(0x1000), Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
        mapped = family[0]->map(kBss, anonymous_vpage(), Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
        mapped = family[0]->map(kText, vpage_holding(0x2000), Access::ReadOnly);
        CHECK_EQUAL(MapResult::Ok, mapped);
        mapped = family[0]->map(kShared, shared_vpage(false), Access::ReadWrite);
        CHECK_EQUAL(MapResult::Ok, mapped);
        user_write(family[0], kShared, 0x51);
        family[1] = fork_child(family[0]);
        user_write(family[1], kData, 0x101);
        family[2] = fork_child(family[1]);
        user_write(family[2], kBss, 0x202);
        user_write(family[0], kBss, 0x200);
        // What each one must read at kData, kBss, kText, kShared.
        const uint32_t expected[3][4] = {
            { 0x1000, 0x200, 0x2000, 0x51 },
            { 0x101, 0, 0x2000, 0x51 },
            { 0x101, 0x202, 0x2000, 0x51 },
        };
        bool alive[3] = { true, true, true };
        for (int who : order) {
            destroy_space(family[who]);
            alive[who] = false;
            for (int i = 0; i < 3; ++i) {
                if (!alive[i])
                    continue;
                const char* what = say("order %d%d%d, after %d exits, process %d", order[0], order[1], order[2], who, i);
                UNSIGNED_LONGS_EQUAL_TEXT(expected[i][0], user_read(family[i], kData), what);
                UNSIGNED_LONGS_EQUAL_TEXT(expected[i][1], user_read(family[i], kBss), what);
                UNSIGNED_LONGS_EQUAL_TEXT(expected[i][2], user_read(family[i], kText), what);
                UNSIGNED_LONGS_EQUAL_TEXT(expected[i][3], user_read(family[i], kShared), what);
            }
        }
        check_baseline(say("order %d%d%d: after every exit", order[0], order[1], order[2]));
    }
}
