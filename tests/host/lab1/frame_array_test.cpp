// Host tests of lab 1, the frame array: the contracts of os/vm/frame_array.h
// on one small machine. allocate() and free(), running out of frames, the
// three errors free() must catch, descriptors, map counts and owners.
//
// Every test starts from the same 16 MiB of simulated RAM. After the kernel's
// reservations its free memory is two ranges with a hole between them:
//
//   0        1 MiB            6 MiB    8 MiB                     16 MiB
//   |reserved|  free: 1280 frames |  hole  |   free: 2048 frames   |
//
// 3328 frames in all. Their 8-byte descriptors need 26624 bytes: the array
// takes 7 of the frames for itself and describes the other 3321.
// frame_array_maps_test.cpp builds arrays over other memory maps.
#include "../support/host_kernel.h"
#include "arch/host/simulated_memory.h"
#include "arch/mmu.h"
#include "arch/x86/paging.h"
#include "vm/frame_array.h"

#include <CppUTest/TestHarness.h>
// (after TestHarness.h, which it needs)
#include <CppUTest/PlatformSpecificFunctions_c.h>
#include <algorithm>
#include <ctype.h>
#include <functional>
#include <stdint.h>
#include <stdio.h>
#include <string>
#include <vector>

namespace {

constexpr uint32_t KiB = 1024, MiB = 1024 * KiB;
constexpr uint32_t kPage = paging::kPageSize;
constexpr uint32_t kRamBytes = 16 * MiB;
constexpr uint32_t kHoleBase = 6 * MiB, kHoleEnd = 8 * MiB;
constexpr uint32_t kMapFrames = 3328;          // (6 - 1 + 16 - 8) MiB / 4 KiB
constexpr uint32_t kStorageBytes = 7 * kPage;  // page_round_up(3328 * 8)
constexpr uint8_t kPoison = 0xA5;              // what free() fills a frame with
constexpr uint8_t kData = 0x5A;                // what the tests write into frames

// The host support keeps the last VERIFY message in a string of its own that
// outlives the test; emptying it keeps CppUTest's leak check quiet.
void forget_verify_message() { std::string().swap(const_cast<std::string&>(last_verify_message())); }

// Runs `action`, which should fail a VERIFY. Returns the VERIFY's message,
// or "" when nothing failed.
std::string verify_message_of(const std::function<void()>& action)
{
    try {
        action();
    } catch (const VerifyFailure&) {
        std::string message = last_verify_message();
        forget_verify_message();
        return message;
    }
    return "";
}

// CppUTest 4.0 catches only its own failures: a VERIFY failing where no test
// expects one would end the whole binary. The fixture's run() turns it into
// a failure of that test, and the next test runs.
struct KeepGoing : TestTerminator {
    void exitCurrentTest() const override { }
};

void fail_unexpected_verify(const VerifyFailure& e)
{
    PlatformSpecificRestoreJumpBuffer(); // the exception left CppUTest's setjmp
    std::string text = std::string("unexpected VERIFY failure: ") + e.what();
    forget_verify_message();
    UtestShell::getCurrent()->failWith(TestFailure(UtestShell::getCurrent(), text.c_str()), KeepGoing());
}

// "0x00123000": how the messages below name a frame.
std::string hex(uint32_t address)
{
    char text[16];
    snprintf(text, sizeof text, "0x%08x", address);
    return text;
}

std::string lower(std::string s)
{
    for (char& c : s)
        c = char(tolower(c));
    return s;
}

// A VERIFY message is clear when it says what went wrong (`words`) and
// names the frame by its address, in hex with or without leading zeros.
void check_clear_message(const std::string& message, const char* words, uint32_t address)
{
    std::string text = lower(message);
    std::string padded = hex(address);
    char plain[16];
    snprintf(plain, sizeof plain, "0x%x", address);
    std::string why = std::string("the VERIFY message should say \"") + words + "\": " + message;
    CHECK_TEXT(text.find(words) != std::string::npos, why.c_str());
    why = std::string("the VERIFY message should name the frame (") + padded + "): " + message;
    CHECK_TEXT(text.find(padded) != std::string::npos || text.find(plain) != std::string::npos, why.c_str());
}

bool all_bytes_are(const uint8_t* p, uint32_t n, uint8_t value)
{
    return std::all_of(p, p + n, [value](uint8_t b) { return b == value; });
}

} // namespace

TEST_GROUP(FrameArray)
{
    SimulatedMemory ram { kRamBytes };
    MemoryMap free_memory;
    FrameArray array;

    void run() override
    {
        try {
            Utest::run();
        } catch (const VerifyFailure& e) {
            fail_unexpected_verify(e);
        }
    }

    // The machine of the picture at the top, after the kernel's reservations
    // (the first MiB), and its frame array built.
    void setup() override
    {
        free_memory.add(0, 640 * KiB, MemoryMap::kTypeUsable);
        free_memory.add(1 * MiB, 15 * MiB, MemoryMap::kTypeUsable);
        free_memory.add(kHoleBase, kHoleEnd - kHoleBase, 2); // reserved
        free_memory.compute_usable(kRamBytes);
        free_memory.subtract(0, 1 * MiB);
        CHECK_TRUE_TEXT(array.init(free_memory), "init() failed on 13 MiB of free memory");
    }

    bool in_free_memory(uint32_t physical) const
    {
        return physical >= 1 * MiB && physical < kRamBytes && !(physical >= kHoleBase && physical < kHoleEnd);
    }
    bool in_storage(uint32_t physical) const { return array.storage().contains(physical); }
    uint8_t* bytes(uint32_t physical) { return ram.data() + physical; }

    // Every frame of the free memory but the array's own, lowest first.
    std::vector<uint32_t> frames_of_the_map() const
    {
        std::vector<uint32_t> frames;
        for (uint32_t p = 1 * MiB; p < kRamBytes; p += kPage)
            if (in_free_memory(p) && !in_storage(p))
                frames.push_back(p);
        return frames;
    }

    // allocate() until it says kNoFrame. Fails the test if it hands out more
    // frames than the array has (it would never stop).
    std::vector<uint32_t> allocate_all()
    {
        std::vector<uint32_t> frames;
        for (uint32_t f; (f = array.allocate()) != FrameArray::kNoFrame;) {
            frames.push_back(f);
            if (frames.size() > array.frames_total())
                FAIL("allocate() handed out more frames than frames_total() and never returned kNoFrame");
        }
        return frames;
    }

    // `frames` are distinct frames of the free memory, none of them the
    // descriptor array's own.
    void check_distinct_free_frames(std::vector<uint32_t> frames)
    {
        for (uint32_t f : frames) {
            CHECK_TEXT(f % kPage == 0, ("allocate() returned an unaligned address " + hex(f)).c_str());
            CHECK_TEXT(in_free_memory(f), ("allocate() returned " + hex(f) + ", which is not free memory").c_str());
            CHECK_TEXT(!in_storage(f), ("allocate() returned " + hex(f) + ", a frame of the descriptor array").c_str());
        }
        std::sort(frames.begin(), frames.end());
        auto twice = std::adjacent_find(frames.begin(), frames.end());
        if (twice != frames.end())
            FAIL(("frame " + hex(*twice) + " was handed out twice").c_str());
    }
};

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
