// Host tests of os/arch/x86/page_fault.h: the #PF error code (Intel SDM
// vol. 3A, 4.7) decoded once into a PageFault.
#include "arch/x86/page_fault.h"

#include <stdint.h>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

namespace {

constexpr uint32_t kP = 1, kW = 2, kU = 4, kRsv = 8;

// Every combination of the four bits the kernel looks at.
struct Case {
    uint32_t error_code;
    const char* cause;
    const char* mode;
};
const Case kEveryErrorCode[] = {
    { 0, "read of a not-present page", "kernel" },
    { kP, "protection violation on read", "kernel" },
    { kW, "write to a not-present page", "kernel" },
    { kP | kW, "write to a read-only page", "kernel" },
    { kU, "read of a not-present page", "user" },
    { kU | kP, "protection violation on read", "user" },
    { kU | kW, "write to a not-present page", "user" },
    { kU | kP | kW, "write to a read-only page", "user" },
    { kRsv, "reserved bit set in a paging entry", "kernel" },
    { kRsv | kP, "reserved bit set in a paging entry", "kernel" },
    { kRsv | kW, "reserved bit set in a paging entry", "kernel" },
    { kRsv | kP | kW, "reserved bit set in a paging entry", "kernel" },
    { kRsv | kU, "reserved bit set in a paging entry", "user" },
    { kRsv | kU | kP, "reserved bit set in a paging entry", "user" },
    { kRsv | kU | kW, "reserved bit set in a paging entry", "user" },
    { kRsv | kU | kP | kW, "reserved bit set in a paging entry", "user" },
};

// Every accessor agrees with its bit of `code`, and the summary strings match.
void check_decoding(const PageFault& f, const Case& c)
{
    uint32_t code = c.error_code;
    CHECK_EQUAL(!(code & kP), f.is_not_present());
    CHECK_EQUAL(bool(code & kP), f.is_protection_violation());
    CHECK_EQUAL(bool(code & kW), f.is_write());
    CHECK_EQUAL(!(code & kW), f.is_read());
    CHECK_EQUAL(bool(code & kU), f.is_user());
    CHECK_EQUAL(!(code & kU), f.is_kernel());
    CHECK_EQUAL(bool(code & kRsv), f.is_reserved_bit());
    STRCMP_EQUAL(c.cause, f.cause());
    STRCMP_EQUAL(c.mode, f.mode());
}

} // namespace

TEST_GROUP(PageFault) {};

TEST(PageFault, EveryErrorCodeCombinationDecodes)
{
    for (const Case& c : kEveryErrorCode)
        check_decoding(PageFault(0x1000, c.error_code, 0x2000), c);
}

TEST(PageFault, BitsAboveRsvDoNotChangeTheDecoding)
{
    // I/D (bit 4) and the reserved upper bits are not the kernel's business.
    for (const Case& c : kEveryErrorCode)
        for (uint32_t high : { 1u << 4, 1u << 5, 0xfffffff0u })
            check_decoding(PageFault(0x1000, c.error_code | high, 0x2000), c);
}

TEST(PageFault, AddressErrorCodeAndEipAreKeptAsGiven)
{
    constexpr PageFault f(0xC0123456, kU | kW, 0x08048abc);
    UNSIGNED_LONGS_EQUAL(0xC0123456, f.address());
    UNSIGNED_LONGS_EQUAL(kU | kW, f.error_code());
    UNSIGNED_LONGS_EQUAL(0x08048abc, f.eip());
}
