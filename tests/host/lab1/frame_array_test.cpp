// Host tests of lab 1, the frame array: the contracts of os/vm/frame_array.h
// on one small machine (see frame_array_test.h). allocate() and free(),
// running out of frames, the three errors free() must catch, descriptors,
// map counts and owners. frame_array_maps_test.cpp builds arrays over other
// memory maps.
#include "frame_array_test.h"

TEST_GROUP_BASE(FrameArray, FrameArrayTest) {};

TEST(FrameArray, DescriptorIsEightBytes)
{
    // The seed's "vpageref and counter; 2*4 bytes": 0.2% of RAM.
    UNSIGNED_LONGS_EQUAL(8, sizeof(Frame));
    // And the array pays exactly that per frame, in whole pages.
    UNSIGNED_LONGLONGS_EQUAL_TEXT(kStorageBytes, array.storage().size(),
        "3328 frames of 8-byte descriptors take 7 pages");
}

TEST(FrameArray, EveryFrameIsCountedOnce)
{
    UNSIGNED_LONGS_EQUAL_TEXT(kMapFrames - kStorageBytes / kPage, array.frames_total(),
        "frames_total() + the array's own frames == the frames of the free memory");
    UNSIGNED_LONGS_EQUAL(array.frames_total(), frames_of_the_map().size());
}

TEST(FrameArray, DescriptorArrayTakesItsFramesFromTheFreeMemory)
{
    PhysRange s = array.storage();
    CHECK_TEXT(s.base % kPage == 0 && s.end % kPage == 0, "storage() is not whole pages");
    CHECK_TEXT(in_free_memory(uint32_t(s.base)) && in_free_memory(uint32_t(s.end - 1)),
        "storage() is not inside the free memory");
    CHECK_TEXT(!(s.base < kHoleBase && s.end > kHoleBase), "storage() spans the hole");
}

TEST(FrameArray, EveryFrameStartsFree)
{
    UNSIGNED_LONGS_EQUAL(array.frames_total(), array.frames_free());
    for (uint32_t f : frames_of_the_map())
        CHECK_TEXT(array.is_free(f), ("frame " + hex(f) + " is not free after init()").c_str());
}

TEST(FrameArray, AllocateHandsOutAFreeFrame)
{
    uint32_t f = array.allocate();
    CHECK_TEXT(f != FrameArray::kNoFrame, "allocate() found no frame in a fresh array");
    check_distinct_free_frames({ f });
    CHECK_FALSE_TEXT(array.is_free(f), "an allocated frame is still free");
    UNSIGNED_LONGS_EQUAL(array.frames_total() - 1, array.frames_free());
}

TEST(FrameArray, AllocatedFrameHasNoOwnerAndNoMapping)
{
    uint32_t f = array.allocate();
    UNSIGNED_LONGS_EQUAL(0, array.map_count(f));
    UNSIGNED_LONGS_EQUAL(0, array.owner(f));
}

TEST(FrameArray, FramesFreeFollowsAllocateAndFree)
{
    uint32_t total = array.frames_total();
    std::vector<uint32_t> frames;
    for (int i = 0; i < 10; ++i)
        frames.push_back(array.allocate());
    UNSIGNED_LONGS_EQUAL(total - 10, array.frames_free());
    for (int i = 0; i < 3; ++i)
        array.free(frames[i]);
    UNSIGNED_LONGS_EQUAL(total - 7, array.frames_free());
    for (int i = 0; i < 10; ++i)
        CHECK_EQUAL(i < 3, array.is_free(frames[i]));
    UNSIGNED_LONGS_EQUAL_TEXT(total, array.frames_total(), "frames_total() changed");
}

TEST(FrameArray, OutOfFramesReturnsNoFrame)
{
    std::vector<uint32_t> frames = allocate_all();
    UNSIGNED_LONGS_EQUAL_TEXT(array.frames_total(), frames.size(), "frames handed out before kNoFrame");
    UNSIGNED_LONGS_EQUAL(0, array.frames_free());
    // Asking again is not an error: still "none", and nothing breaks.
    UNSIGNED_LONGS_EQUAL(FrameArray::kNoFrame, array.allocate());
    UNSIGNED_LONGS_EQUAL(FrameArray::kNoFrame, array.allocate());
    UNSIGNED_LONGS_EQUAL(0, array.frames_free());
}

TEST(FrameArray, NoFrameIsHandedOutTwiceAcrossExhaustionAndRefill)
{
    std::vector<uint32_t> first = allocate_all();
    check_distinct_free_frames(first);
    UNSIGNED_LONGS_EQUAL(array.frames_total(), first.size());

    for (uint32_t f : first)
        array.free(f);
    UNSIGNED_LONGS_EQUAL_TEXT(array.frames_total(), array.frames_free(), "after freeing every frame");

    std::vector<uint32_t> second = allocate_all();
    check_distinct_free_frames(second);
    std::sort(first.begin(), first.end());
    std::sort(second.begin(), second.end());
    CHECK_TEXT(first == second, "the refill did not hand out exactly the frames of the first round");
}

TEST(FrameArray, FreedFrameCanBeAllocatedAgain)
{
    uint32_t f = array.allocate();
    array.free(f);
    CHECK_TRUE(array.is_free(f));
    UNSIGNED_LONGS_EQUAL(array.frames_total(), array.frames_free());
    std::vector<uint32_t> frames = allocate_all();
    UNSIGNED_LONGS_EQUAL_TEXT(1, std::count(frames.begin(), frames.end(), f), "times the freed frame came back");
}

TEST(FrameArray, EveryAllocatedFrameStartsClean)
{
    // Leave an owner behind on a frame, free it, then take every frame.
    uint32_t f = array.allocate();
    array.set_owner(f, 99);
    array.map_up(f);
    array.map_down(f);
    array.free(f);
    for (uint32_t g : allocate_all()) {
        UNSIGNED_LONGS_EQUAL_TEXT(0, array.owner(g), "owner of a freshly allocated frame");
        UNSIGNED_LONGS_EQUAL_TEXT(0, array.map_count(g), "map count of a freshly allocated frame");
    }
}

TEST(FrameArray, FreedFrameIsPoisoned)
{
    std::vector<uint32_t> frames = allocate_all();
    for (uint32_t f : frames)
        std::fill(bytes(f), bytes(f) + kPage, kData);
    uint32_t victim = frames[frames.size() / 2];

    array.free(victim);

    CHECK_TEXT(all_bytes_are(bytes(victim), kPage, kPoison), "the freed frame is not filled with 0xA5");
    for (uint32_t f : frames)
        if (f != victim)
            CHECK_TEXT(all_bytes_are(bytes(f), kPage, kData), "free() wrote into another frame");
    // The descriptors survived: the array still knows exactly one free frame.
    UNSIGNED_LONGS_EQUAL(1, array.frames_free());
    UNSIGNED_LONGS_EQUAL(victim, array.allocate());
}

TEST(FrameArray, DoubleFreeIsCaught)
{
    uint32_t f = array.allocate();
    array.free(f);
    std::string message = verify_message_of([&] { array.free(f); });
    CHECK_TEXT(!message.empty(), "the second free() of a frame passed");
    check_clear_message(message, "double free", f);
    // The free stack is intact: the frame is on it once.
    UNSIGNED_LONGS_EQUAL(array.frames_total(), array.frames_free());
    std::vector<uint32_t> frames = allocate_all();
    check_distinct_free_frames(frames);
    UNSIGNED_LONGS_EQUAL(array.frames_total(), frames.size());
}

TEST(FrameArray, FreeOfAMappedFrameIsCaught)
{
    uint32_t f = array.allocate();
    array.map_up(f);
    std::string message = verify_message_of([&] { array.free(f); });
    CHECK_TEXT(!message.empty(), "free() of a frame mapped once passed");
    check_clear_message(message, "mapped", f);
    CHECK_FALSE(array.is_free(f));
    UNSIGNED_LONGS_EQUAL(1, array.map_count(f));
    UNSIGNED_LONGS_EQUAL(array.frames_total() - 1, array.frames_free());
}

TEST(FrameArray, FreeOfAFrameNotInTheArrayIsCaught)
{
    struct Case {
        const char* what;
        uint32_t address;
    };
    const Case cases[] = {
        { "kNoFrame (address 0)", FrameArray::kNoFrame },
        { "a frame of the first MiB", 0x9000 },
        { "a frame of the hole", kHoleBase + 4 * kPage },
        { "the frame just past the RAM", kRamBytes },
        { "an address far above the RAM", 0xF0000000 },
        { "the descriptor array's first frame", uint32_t(array.storage().base) },
        { "the descriptor array's last frame", uint32_t(array.storage().end) - kPage },
    };
    for (const Case& c : cases) {
        std::string message = verify_message_of([&] { array.free(c.address); });
        CHECK_TEXT(!message.empty(), (std::string("free() of ") + c.what + " passed").c_str());
        check_clear_message(message, "not a frame", c.address);
    }
    UNSIGNED_LONGS_EQUAL(array.frames_total(), array.frames_free());
}

TEST(FrameArray, MapCountsGoUpAndDown)
{
    uint32_t f = array.allocate(), g = array.allocate();
    UNSIGNED_LONGS_EQUAL(1, array.map_up(f));
    UNSIGNED_LONGS_EQUAL(2, array.map_up(f));
    UNSIGNED_LONGS_EQUAL(3, array.map_up(f));
    UNSIGNED_LONGS_EQUAL(3, array.map_count(f));
    UNSIGNED_LONGS_EQUAL_TEXT(0, array.map_count(g), "another frame's count moved");
    UNSIGNED_LONGS_EQUAL(2, array.map_down(f));
    UNSIGNED_LONGS_EQUAL(1, array.map_down(f));
    UNSIGNED_LONGS_EQUAL(0, array.map_down(f));
    UNSIGNED_LONGS_EQUAL(0, array.map_count(f));
    array.free(f); // unmapped again: free() accepts it
    CHECK_TRUE(array.is_free(f));
}

TEST(FrameArray, MapDownOfAnUnmappedFrameIsCaught)
{
    uint32_t f = array.allocate();
    CHECK_TEXT(!verify_message_of([&] { array.map_down(f); }).empty(), "map_down() below 0 passed");
    UNSIGNED_LONGS_EQUAL(0, array.map_count(f));
}

TEST(FrameArray, OwnerIsKeptPerFrame)
{
    uint32_t f = array.allocate(), g = array.allocate();
    array.set_owner(f, 0x1234);
    array.set_owner(g, 77);
    UNSIGNED_LONGS_EQUAL(0x1234, array.owner(f));
    UNSIGNED_LONGS_EQUAL(77, array.owner(g));
    // Owner and map count are two fields: neither disturbs the other.
    UNSIGNED_LONGS_EQUAL(0, array.map_count(f));
    array.map_up(f);
    array.map_up(f);
    UNSIGNED_LONGS_EQUAL(0x1234, array.owner(f));
    array.set_owner(f, 0);
    UNSIGNED_LONGS_EQUAL(0, array.owner(f));
    UNSIGNED_LONGS_EQUAL(2, array.map_count(f));
}

TEST(FrameArray, DescriptorAndPhysicalRoundTripForEveryFrame)
{
    const Frame* first = static_cast<const Frame*>(mmu::phys_to_virt(uint32_t(array.storage().base)));
    std::vector<bool> seen(array.frames_total());
    for (uint32_t f : frames_of_the_map()) {
        std::string which = "frame " + hex(f);
        Frame* d = array.descriptor(f);
        CHECK_TEXT(d != nullptr, ("no descriptor for the " + which).c_str());
        uint32_t index = uint32_t(d - first);
        CHECK_TEXT(d >= first && index < array.frames_total(),
            ("the descriptor of the " + which + " is outside the descriptor array").c_str());
        CHECK_TEXT(!seen[index], ("the " + which + " shares its descriptor with another frame").c_str());
        seen[index] = true;
        UNSIGNED_LONGS_EQUAL_TEXT(f, array.physical(d), ("physical(descriptor()) of the " + which).c_str());
    }
}

TEST(FrameArray, DescriptorOfAnyAddressInsideAFrame)
{
    for (uint32_t f : { 1 * MiB, 5 * MiB + 7 * kPage, kHoleEnd, kRamBytes - kPage }) {
        if (in_storage(f))
            continue;
        Frame* d = array.descriptor(f);
        CHECK(d != nullptr);
        for (uint32_t offset : { 1u, 0x10u, 0x800u, 0xFFFu })
            POINTERS_EQUAL_TEXT(d, array.descriptor(f + offset), "descriptor() of an address inside the frame");
    }
}

TEST(FrameArray, DescriptorOfAHoleIsNull)
{
    struct Case {
        const char* what;
        uint32_t address;
    };
    const Case cases[] = {
        { "address 0", 0 },
        { "the first MiB", 0x1000 },
        { "the low RAM's end", 640 * KiB - 1 },
        { "the last byte below 1 MiB", 1 * MiB - 1 },
        { "the hole's first frame", kHoleBase },
        { "the middle of the hole", kHoleBase + 300 * KiB + 5 },
        { "the hole's last byte", kHoleEnd - 1 },
        { "the end of the RAM", kRamBytes },
        { "the last frame of 4 GiB", 0xFFFFF000 },
        { "the descriptor array's first frame", uint32_t(array.storage().base) },
        { "the descriptor array's last byte", uint32_t(array.storage().end) - 1 },
    };
    for (const Case& c : cases) {
        POINTERS_EQUAL_TEXT(nullptr, array.descriptor(c.address), c.what);
        CHECK_FALSE_TEXT(array.is_free(c.address), c.what);
    }
}
