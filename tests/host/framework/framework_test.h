// framework_test.h: two small helpers shared by the framework's host tests.
//
// - CHECK_VERIFY_FAILS(expr): `expr` must fail a VERIFY (the host support
//   turns that into a VerifyFailure). The support keeps the message for
//   last_verify_message() in a string that outlives the test, so the check
//   pauses CppUTest's leak checking while `expr` runs; the code under test
//   here never allocates, so nothing real is hidden.
// - TestRandom: a fixed-seed xorshift generator, so a random sequence of
//   operations is the same on every run and a failure can be replayed.
#pragma once

#include "../support/host_kernel.h"

#include <stdint.h>

#include <CppUTest/TestHarness.h>
// (after TestHarness.h, which these two need)
#include <CppUTest/MemoryLeakDetector.h>
#include <CppUTest/MemoryLeakWarningPlugin.h>

// Leak checking is off while this object lives.
class LeakCheckPause {
public:
    LeakCheckPause() { MemoryLeakWarningPlugin::getGlobalDetector()->stopChecking(); }
    ~LeakCheckPause() { MemoryLeakWarningPlugin::getGlobalDetector()->startChecking(); }
    LeakCheckPause(const LeakCheckPause&) = delete;
    LeakCheckPause& operator=(const LeakCheckPause&) = delete;
};

#define CHECK_VERIFY_FAILS(expression)                \
    do {                                              \
        LeakCheckPause leak_check_pause_;             \
        CHECK_THROWS(VerifyFailure, (expression));    \
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
