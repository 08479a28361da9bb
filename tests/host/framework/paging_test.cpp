// Host tests of os/arch/x86/paging.h: the 32-bit paging formats (Intel SDM
// vol. 3A, 4.3) as small types, and the linear-address index helpers.
#include "arch/x86/paging.h"

#include <stdint.h>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

using paging::PageDirectoryEntry;
using paging::PageTableEntry;

TEST_GROUP(PagingIndex) {};

TEST(PagingIndex, LinearAddressSplitsIntoDirectoryTableAndOffset)
{
    struct {
        uint32_t linear, directory, table, offset;
    } const cases[] = {
        { 0xC0123456, 0x300, 0x123, 0x456 },
        { 0x00000000, 0, 0, 0 },
        { 0xFFFFFFFF, 0x3ff, 0x3ff, 0xfff },
        { 0x00400000, 1, 0, 0 },      // first byte of the second 4 MiB
        { 0x003FF000, 0, 0x3ff, 0 },  // last page of the first table
        { 0x08048abc, 0x20, 0x48, 0xabc },
    };
    for (const auto& c : cases) {
        LONGS_EQUAL(c.directory, paging::directory_index(c.linear));
        LONGS_EQUAL(c.table, paging::table_index(c.linear));
        LONGS_EQUAL(c.offset, paging::page_offset(c.linear));
        // and the three fields put back together give the address again
        UNSIGNED_LONGS_EQUAL(c.linear, c.directory << 22 | c.table << 12 | c.offset);
    }
}

TEST(PagingIndex, RoundingHelpersWorkOnPageBoundaries)
{
    struct {
        uint32_t address, down;
        uint64_t up;
        bool aligned;
    } const cases[] = {
        { 0x0, 0x0, 0x0, true },
        { 0x1, 0x0, 0x1000, false },
        { 0xfff, 0x0, 0x1000, false },
        { 0x1000, 0x1000, 0x1000, true },
        { 0x1001, 0x1000, 0x2000, false },
        { 0xfffff001, 0xfffff000, 0x100000000, false }, // rounds up past 4 GiB without wrapping
    };
    for (const auto& c : cases) {
        UNSIGNED_LONGS_EQUAL(c.down, paging::page_round_down(c.address));
        UNSIGNED_LONGLONGS_EQUAL(c.up, paging::page_round_up(c.address));
        CHECK_EQUAL(c.aligned, paging::is_page_aligned(c.address));
    }
}

TEST_GROUP(PageTableEntry) {};

TEST(PageTableEntry, EmptyEntryIsZero)
{
    PageTableEntry e;
    UNSIGNED_LONGS_EQUAL(0, e.raw());
    CHECK_TRUE(e.is_empty());
    CHECK_FALSE(e.is_present());
    UNSIGNED_LONGS_EQUAL(0, e.payload());
    CHECK_TRUE(e == PageTableEntry(0));
}

TEST(PageTableEntry, MakePresentSetsFrameAndPermissionBits)
{
    struct {
        bool writable, user;
        uint32_t raw;
    } const cases[] = {
        { false, false, 0x12345001 },
        { true, false, 0x12345003 },
        { false, true, 0x12345005 },
        { true, true, 0x12345007 },
    };
    for (const auto& c : cases) {
        PageTableEntry e = PageTableEntry::make_present(0x12345000, c.writable, c.user);
        UNSIGNED_LONGS_EQUAL(c.raw, e.raw());
        CHECK_TRUE(e.is_present());
        CHECK_FALSE(e.is_empty());
        CHECK_EQUAL(c.writable, e.is_writable());
        CHECK_EQUAL(c.user, e.is_user());
        CHECK_FALSE(e.is_accessed());
        CHECK_FALSE(e.is_dirty());
        UNSIGNED_LONGS_EQUAL(0x12345000, e.frame());
        UNSIGNED_LONGS_EQUAL(0, e.payload()); // a present entry carries no payload
    }
}

TEST(PageTableEntry, MakePresentIgnoresOffsetBitsOfTheFrameAddress)
{
    PageTableEntry e = PageTableEntry::make_present(0xfffff7ff, false, false);
    UNSIGNED_LONGS_EQUAL(0xfffff000, e.frame());
    UNSIGNED_LONGS_EQUAL(0xfffff001, e.raw());
}

TEST(PageTableEntry, NotPresentPayloadRoundTrips)
{
    for (uint32_t payload : { 1u, 2u, 0x12345u, 0x40000000u, 0x7fffffffu }) {
        PageTableEntry e = PageTableEntry::make_not_present(payload);
        CHECK_FALSE(e.is_present());
        CHECK_FALSE(e.is_empty());
        UNSIGNED_LONGS_EQUAL(payload, e.payload());
        UNSIGNED_LONGS_EQUAL(payload << 1, e.raw()); // bit 0 (P) stays clear
        CHECK_TRUE(e == PageTableEntry(e.raw()));
    }
}

TEST(PageTableEntry, PresentAndNotPresentRoundTripThroughTheRawValue)
{
    // What the lab does on eviction and on fault-in: the entry goes from a
    // mapping to a vpage reference and back, through its raw 32 bits.
    PageTableEntry mapped = PageTableEntry::make_present(0x00abc000, true, true);
    PageTableEntry evicted = PageTableEntry::make_not_present(0x1234);
    PageTableEntry stored(evicted.raw());
    UNSIGNED_LONGS_EQUAL(0x1234, stored.payload());
    PageTableEntry back = PageTableEntry::make_present(mapped.frame(), mapped.is_writable(), mapped.is_user());
    CHECK_TRUE(back == mapped);
    CHECK_FALSE(back == stored);
}

// Bit positions from the SDM (Table 4-6), not from paging::bits: a wrong
// constant in the header must show up here.
TEST(PageTableEntry, EachSetterChangesOnlyItsHardwareBit)
{
    struct {
        const char* name;
        void (PageTableEntry::*set)(bool);
        bool (PageTableEntry::*get)() const;
        uint32_t bit;
    } const cases[] = {
        { "writable (bit 1)", &PageTableEntry::set_writable, &PageTableEntry::is_writable, 1u << 1 },
        { "user (bit 2)", &PageTableEntry::set_user, &PageTableEntry::is_user, 1u << 2 },
        { "accessed (bit 5)", &PageTableEntry::set_accessed, &PageTableEntry::is_accessed, 1u << 5 },
        { "dirty (bit 6)", &PageTableEntry::set_dirty, &PageTableEntry::is_dirty, 1u << 6 },
    };
    for (const auto& c : cases) {
        for (uint32_t start : { 0x00abc001u, 0x00abc067u }) { // no flag set / every flag set
            PageTableEntry e(start);
            (e.*c.set)(false); // clearing is idempotent
            (e.*c.set)(false);
            UNSIGNED_LONGS_EQUAL_TEXT(start & ~c.bit, e.raw(), c.name);
            CHECK_FALSE_TEXT((e.*c.get)(), c.name);
            (e.*c.set)(true);
            UNSIGNED_LONGS_EQUAL_TEXT(start | c.bit, e.raw(), c.name);
            CHECK_TEXT((e.*c.get)(), c.name);
        }
    }
}

TEST_GROUP(PageDirectoryEntry) {};

TEST(PageDirectoryEntry, EmptyEntryIsNotPresent)
{
    PageDirectoryEntry e;
    UNSIGNED_LONGS_EQUAL(0, e.raw());
    CHECK_FALSE(e.is_present());
    CHECK_FALSE(e.is_large());
}

TEST(PageDirectoryEntry, TableEntryLeavesPermissionsToTheTable)
{
    PageDirectoryEntry e = PageDirectoryEntry::make_table(0x00345000);
    UNSIGNED_LONGS_EQUAL(0x00345007, e.raw()); // present, writable, user
    CHECK_TRUE(e.is_present());
    CHECK_TRUE(e.is_user());
    CHECK_FALSE(e.is_large());
    UNSIGNED_LONGS_EQUAL(0x00345000, e.table());
    UNSIGNED_LONGS_EQUAL(0x00345000, PageDirectoryEntry::make_table(0x00345fff).table());
}

TEST(PageDirectoryEntry, LargeKernelPageIsFourMiBAlignedAndSupervisorOnly)
{
    PageDirectoryEntry e = PageDirectoryEntry::make_large_kernel(0x00c00000);
    UNSIGNED_LONGS_EQUAL(0x00c00083, e.raw()); // PS, writable, present
    CHECK_TRUE(e.is_present());
    CHECK_TRUE(e.is_large());
    CHECK_FALSE(e.is_user());
    UNSIGNED_LONGS_EQUAL(0x00c00083, PageDirectoryEntry::make_large_kernel(0x00c01234).raw());
    CHECK_TRUE(e == PageDirectoryEntry(0x00c00083));
}
