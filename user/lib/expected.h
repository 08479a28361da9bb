// expected.h: a check's reason that leads with what differs.
//
// A check that compares several values says first which ones are wrong,
// then, briefly, which ones were as expected:
//
//     Expected e;
//     e.equal("result", r, c.result);
//     e.equal("zero fills", d.zero_fill, c.pages_filled);
//     e.holds("contents right", holds);
//     check(c.name, e.ok(), "buffer 0x%08x: %s", buffer, e.reason());
//
// prints "buffer 0x40000000: zero fills 0 (expected 1); as expected: result
// -1, contents right" when only the zero fills differ.
#pragma once

#include <stdint.h>

class Expected {
public:
    // `what` should be `expected`.
    void equal(const char* what, int32_t actual, int32_t expected);
    // `what` names a fact that should hold ("contents right").
    void holds(const char* what, bool fact);

    // True if every value was as expected.
    bool ok() const { return m_differ_length == 0; }
    // "<what differs>; as expected: <the rest>" (valid while this object lives).
    const char* reason();

private:
    void add(char* buffer, uint32_t& length, const char* fmt, ...) __attribute__((format(printf, 4, 5)));

    static constexpr uint32_t kMax = 120;
    char m_differ[kMax] {};
    char m_same[kMax] {};
    char m_reason[2 * kMax + 16] {};
    uint32_t m_differ_length { 0 };
    uint32_t m_same_length { 0 };
};
