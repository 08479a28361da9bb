// host_test.h: what every host test includes (last, after the code under
// test: CppUTest's headers come with it).
//
// - CHECK_VERIFY_FAILS(expr): `expr` must fail a VERIFY or PANIC; the test
//   fails if it does not. last_verify_message() then says which.
// - CHECK_EQUAL and CHECK_COMPARE evaluate each argument once. CppUTest 4.0's
//   own versions evaluate them again when the check fails (to print them):
//   a call with side effects, e.g. CHECK_EQUAL(ZeroFilled, handle_fault(..)),
//   ran the student's handler again and printed a later result than the one
//   that failed. Tests still put such calls in a local first (house style);
//   these definitions make the mistake harmless.
// - TestRandom: a fixed-seed xorshift generator, so a random sequence of
//   operations is the same on every run and a failure can be replayed.
#pragma once

#include "host_kernel.h"

#include <stdint.h>

#include <CppUTest/TestHarness.h>

#undef CHECK_EQUAL_LOCATION
#define CHECK_EQUAL_LOCATION(expected, actual, text, file, line)                                              \
    do {                                                                                                      \
        const auto& expected_once_ = (expected);                                                              \
        const auto& actual_once_ = (actual);                                                                  \
        if (expected_once_ != actual_once_)                                                                   \
            UtestShell::getCurrent()->assertEquals(true, StringFrom(expected_once_).asCharString(),           \
                StringFrom(actual_once_).asCharString(), text, file, line);                                   \
        else                                                                                                  \
            UtestShell::getCurrent()->assertLongsEqual(0L, 0L, NULLPTR, file, line);                          \
    } while (0)

#undef CHECK_COMPARE_LOCATION
#define CHECK_COMPARE_LOCATION(first, relop, second, text, file, line)                                        \
    do {                                                                                                      \
        const auto& first_once_ = (first);                                                                    \
        const auto& second_once_ = (second);                                                                  \
        SimpleString condition_ = StringFrom(first_once_) + " " #relop " " + StringFrom(second_once_);        \
        UtestShell::getCurrent()->assertCompare((first_once_)relop(second_once_), "CHECK_COMPARE",            \
            condition_.asCharString(), text, file, line);                                                     \
    } while (0)

#define CHECK_VERIFY_FAILS(expression)                     \
    do {                                                   \
        VerifyFailureExpected verify_failure_expected_;    \
        CHECK_THROWS(VerifyFailure, (expression));         \
    } while (0)

// xorshift64: deterministic, good enough to shuffle test operations.
class TestRandom {
public:
    explicit TestRandom(uint64_t seed) : m_state(seed ? seed : 1) { }

    uint64_t next()
    {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 7;
        m_state ^= m_state << 17;
        return m_state;
    }
    // A number in [0, bound).
    uint32_t below(uint32_t bound) { return uint32_t(next() % bound); }

private:
    uint64_t m_state;
};
