// frame_array_test.h: the machine, the helpers and the fixture of the
// FrameArray tests (frame_array_test.cpp).
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
#pragma once

#include "arch/host/simulated_memory.h"
#include "arch/mmu.h"
#include "arch/x86/paging.h"
#include "vm/frame_array.h"

#include <algorithm>
#include <ctype.h>
#include <functional>
#include <stdint.h>
#include <stdio.h>
#include <string>
#include <vector>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

inline constexpr uint32_t KiB = 1024, MiB = 1024 * KiB;
inline constexpr uint32_t kPage = paging::kPageSize;
inline constexpr uint32_t kRamBytes = 16 * MiB;
inline constexpr uint32_t kHoleBase = 6 * MiB, kHoleEnd = 8 * MiB;
inline constexpr uint32_t kMapFrames = 3328;          // (6 - 1 + 16 - 8) MiB / 4 KiB
inline constexpr uint32_t kStorageBytes = 7 * kPage;  // page_round_up(3328 * 8)
inline constexpr uint8_t kPoison = 0xA5;              // what free() fills a frame with
inline constexpr uint8_t kData = 0x5A;                // what the tests write into frames

// Runs `action`, which should fail a VERIFY. Returns the VERIFY's message,
// or "" when nothing failed.
inline std::string verify_message_of(const std::function<void()>& action)
{
    VerifyFailureExpected expected;
    try {
        action();
    } catch (const VerifyFailure&) {
        return last_verify_message();
    }
    return "";
}

// "0x00123000": how the messages below name a frame.
inline std::string hex(uint32_t address)
{
    char text[16];
    snprintf(text, sizeof text, "0x%08x", address);
    return text;
}

inline std::string lower(std::string s)
{
    for (char& c : s)
        c = char(tolower(c));
    return s;
}

// A VERIFY message is clear when it says what went wrong (`words`) and
// names the frame by its address, in hex with or without leading zeros.
inline void check_clear_message(const std::string& message, const char* words, uint32_t address)
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

inline bool all_bytes_are(const uint8_t* p, uint32_t n, uint8_t value)
{
    return std::all_of(p, p + n, [value](uint8_t b) { return b == value; });
}

TEST_BASE(FrameArrayTest)
{
    SimulatedMemory ram { kRamBytes };
    MemoryMap free_memory;
    FrameArray array;

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
