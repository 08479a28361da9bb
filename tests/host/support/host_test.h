// host_test.h: what every host test includes (last, after the code under
// test: CppUTest's headers come with it).
//
// - CHECK_VERIFY_FAILS(expr): `expr` must fail a VERIFY or PANIC; the test
//   fails if it does not. last_verify_message() then says which.
// - TestRandom: a fixed-seed xorshift generator, so a random sequence of
//   operations is the same on every run and a failure can be replayed.
#pragma once

#include "host_kernel.h"

#include <stdint.h>

#include <CppUTest/TestHarness.h>

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
