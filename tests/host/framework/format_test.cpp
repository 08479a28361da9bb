// Host tests of os/lib/format: the kernel's printf subset and its
// snprintf-like buffer front end.
#include "lib/format.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

namespace {

// The result of one format_to() into a buffer that is big enough.
struct Formatted {
    char text[96];
    int length;
};

Formatted __attribute__((format(printf, 1, 2))) formatted(const char* fmt, ...)
{
    Formatted f;
    va_list args;
    va_start(args, fmt);
    f.length = vformat_to(f.text, sizeof f.text, fmt, args);
    va_end(args);
    return f;
}

// The same for formats the compiler would rightly warn about (no arguments).
Formatted unchecked(const char* fmt, ...)
{
    Formatted f;
    va_list args;
    va_start(args, fmt);
    f.length = vformat_to(f.text, sizeof f.text, fmt, args);
    va_end(args);
    return f;
}

struct Case {
    const char* format; // for the failure message
    Formatted actual;
    const char* expected;
};

// Every case prints `expected`, and returns its length.
template<size_t N>
void check_cases(const Case (&cases)[N])
{
    for (const Case& c : cases) {
        STRCMP_EQUAL_TEXT(c.expected, c.actual.text, c.format);
        LONGS_EQUAL_TEXT(strlen(c.expected), c.actual.length, c.format);
    }
}

// A sink that only counts and keeps what it is given.
struct Recorder {
    char text[64];
    int used;
};
void record(void* context, char c)
{
    auto* r = static_cast<Recorder*>(context);
    if (r->used < int(sizeof r->text) - 1)
        r->text[r->used] = c;
    ++r->used;
}
int format_to_recorder(Recorder& r, const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vformat(FormatSink { record, &r }, fmt, args);
    va_end(args);
    r.text[r.used < int(sizeof r.text) ? r.used : int(sizeof r.text) - 1] = '\0';
    return n;
}

} // namespace

TEST_GROUP(Format) {};

TEST(Format, SignedConversionsPrintDecimalWithSign)
{
    const Case cases[] = {
        { "%d 0", formatted("%d", 0), "0" },
        { "%d 42", formatted("%d", 42), "42" },
        { "%d -42", formatted("%d", -42), "-42" },
        { "%i -7", formatted("%i", -7), "-7" },
        { "%d INT_MAX", formatted("%d", INT_MAX), "2147483647" },
        { "%d INT_MIN", formatted("%d", INT_MIN), "-2147483648" },
    };
    check_cases(cases);
}

TEST(Format, UnsignedAndHexConversionsPrintWithoutSign)
{
    const Case cases[] = {
        { "%u UINT_MAX", formatted("%u", UINT_MAX), "4294967295" },
        { "%u 0", formatted("%u", 0u), "0" },
        { "%x", formatted("%x", 0xdeadbeefu), "deadbeef" },
        { "%X", formatted("%X", 0xdeadbeefu), "DEADBEEF" },
        { "%x 0", formatted("%x", 0u), "0" },
        { "%x small", formatted("%x", 0xau), "a" },
    };
    check_cases(cases);
}

TEST(Format, WidthPadsOnTheLeftWithSpacesOrZeros)
{
    const Case cases[] = {
        { "%5d", formatted("%5d", 42), "   42" },
        { "%05d", formatted("%05d", 42), "00042" },
        { "%5d negative", formatted("%5d", -42), "  -42" },
        { "%05d negative: sign before zeros", formatted("%05d", -42), "-0042" },
        { "%08x", formatted("%08x", 0xbeefu), "0000beef" },
        { "%8X", formatted("%8X", 0xbeefu), "    BEEF" },
        { "%2d: width never truncates", formatted("%2d", 12345), "12345" },
        { "%03u of 0", formatted("%03u", 0u), "000" },
    };
    check_cases(cases);
}

TEST(Format, LengthModifiersReadLongAndLongLong)
{
    const Case cases[] = {
        { "%lld INT64_MIN", formatted("%lld", (long long)INT64_MIN), "-9223372036854775808" },
        { "%lld INT64_MAX", formatted("%lld", (long long)INT64_MAX), "9223372036854775807" },
        { "%llu UINT64_MAX", formatted("%llu", (unsigned long long)UINT64_MAX), "18446744073709551615" },
        { "%llx", formatted("%llx", 0x123456789abcdefull), "123456789abcdef" },
        { "%016llX", formatted("%016llX", 0xfeedull), "000000000000FEED" },
        { "%ld", formatted("%ld", -123456L), "-123456" },
        { "%lx", formatted("%lx", 0xcafeUL), "cafe" },
        { "%llx then %d", formatted("%llx %d", 0x100000000ull, 7), "100000000 7" }, // 8 bytes read, not 4
    };
    check_cases(cases);
}

TEST(Format, PointerIsZeroPaddedHexWithPrefix)
{
    // One hex digit per nibble of a pointer: 8 in the kernel, 16 on a 64-bit host.
    char expected[40] = "0x";
    for (size_t i = 0; i < 2 * sizeof(void*) - 4; ++i)
        strcat(expected, "0");
    strcat(expected, "beef");
    Formatted f = formatted("%p", reinterpret_cast<void*>(uintptr_t(0xbeef)));
    STRCMP_EQUAL(expected, f.text);
}

TEST(Format, StringsCharsAndPercent)
{
    const Case cases[] = {
        { "%s", formatted("%s", "kernel"), "kernel" },
        { "%s empty", formatted("[%s]", ""), "[]" },
        { "%8s", formatted("%8s", "vm"), "      vm" },
        { "%s null", formatted("%s", static_cast<const char*>(nullptr)), "(null)" },
        { "%c", formatted("%c%c", 'o', 'k'), "ok" },
        { "%%", formatted("100%%"), "100%" },
        { "mixed", formatted("pid %d: %s at 0x%08x", 3, "fault", 0xc0001000u), "pid 3: fault at 0xc0001000" },
    };
    check_cases(cases);
}

TEST(Format, UnknownConversionIsShownAndPercentAtTheEndStops)
{
    const Case cases[] = {
        { "unknown %q", unchecked("a%qb"), "a%qb" },
        { "trailing %", unchecked("abc%"), "abc" },
        { "trailing %0", unchecked("abc%0"), "abc" },
        { "trailing %5l", unchecked("abc%5l"), "abc" },
    };
    check_cases(cases);
}

TEST(Format, TruncatedOutputIsNulTerminatedAndReturnsFullLength)
{
    struct {
        size_t size;
        const char* expected;
    } const cases[] = {
        { 1, "" },
        { 5, "hell" },
        { 11, "hello worl" },
        { 12, "hello world" }, // exact fit: 11 characters and the NUL
        { 40, "hello world" },
    };
    for (const auto& c : cases) {
        char buffer[40];
        memset(buffer, 'X', sizeof buffer);
        int n = format_to(buffer, c.size, "hello %s", "world");
        LONGS_EQUAL(11, n);
        STRCMP_EQUAL(c.expected, buffer);
        if (c.size < sizeof buffer)
            BYTES_EQUAL('X', buffer[c.size]); // nothing written past `size`
    }
}

TEST(Format, ZeroSizeBufferIsNeverTouched)
{
    LONGS_EQUAL(6, format_to(nullptr, 0, "%d", 123456));
    char buffer[4] = { 'X', 'X', 'X', 'X' };
    LONGS_EQUAL(3, format_to(buffer, 0, "abc"));
    BYTES_EQUAL('X', buffer[0]);
}

TEST(Format, SinkReceivesEveryCharacterAndCountIsReturned)
{
    Recorder r {};
    int n = format_to_recorder(r, "[%04d|%s]", 7, "ok");
    LONGS_EQUAL(9, n);
    LONGS_EQUAL(9, r.used);
    STRCMP_EQUAL("[0007|ok]", r.text);
}
