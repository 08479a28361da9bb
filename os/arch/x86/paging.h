// paging.h: the hardware formats of 32-bit (non-PAE) paging, as small types.
// Pure bit layouts: this header compiles for the kernel and for the host
// unit tests alike. Policy (what to map where) lives in os/vm/ and the labs.
//
// A linear address splits into three fields (Intel SDM vol. 3A, 4.3,
// "32-Bit Paging", Figure 4-2):
//
//   31            22 21            12 11                    0
//  +----------------+----------------+-----------------------+
//  | directory index|  table index   |   offset in the page  |
//  +----------------+----------------+-----------------------+
//        10 bits          10 bits             12 bits
//
// A present page-table entry (SDM Figure 4-4, Table 4-6):
//
//   31                        12 11  9 8 7 6 5 4 3 2 1 0
//  +----------------------------+-----+-+-+-+-+-+-+-+-+-+
//  |   physical frame number    | AVL |G|0|D|A|C|W|U|W|1|
//  +----------------------------+-----+-+-+-+-+-+-+-+-+-+
//                                           D T S R P
//   P present, RW writable, US user, PWT/PCD cache, A accessed, D dirty.
//
// When P is 0 the processor ignores bits 31..1, so the kernel may keep its
// own 31 bits there. This kit keeps a vpage reference in them (lab 2).
#pragma once

#include <stdint.h>

namespace paging {

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPageShift = 12;
constexpr uint32_t kEntriesPerTable = 1024;
constexpr uint32_t kLargePageSize = 4u << 20; // a PSE directory entry maps 4 MiB

constexpr uint32_t directory_index(uint32_t linear) { return linear >> 22; }
constexpr uint32_t table_index(uint32_t linear) { return (linear >> 12) & 0x3ff; }
constexpr uint32_t page_offset(uint32_t linear) { return linear & 0xfff; }
constexpr uint32_t page_round_down(uint32_t a) { return a & ~(kPageSize - 1); }
constexpr uint64_t page_round_up(uint64_t a) { return (a + kPageSize - 1) & ~uint64_t(kPageSize - 1); }
constexpr bool is_page_aligned(uint32_t a) { return (a & (kPageSize - 1)) == 0; }

// Bits shared by directory and table entries.
namespace bits {
constexpr uint32_t kPresent = 1u << 0;
constexpr uint32_t kWritable = 1u << 1;
constexpr uint32_t kUser = 1u << 2;
constexpr uint32_t kAccessed = 1u << 5;
constexpr uint32_t kDirty = 1u << 6;    // table entries only
constexpr uint32_t kLargePage = 1u << 7; // directory entries only (PS, needs CR4.PSE)
constexpr uint32_t kFrameMask = 0xfffff000u;
} // namespace bits

// One entry of a page table. Either present (maps a frame, the hardware reads
// it) or not present (the hardware ignores bits 31..1; zero means "nothing
// here", any other value is the kernel's own payload).
class PageTableEntry {
public:
    constexpr PageTableEntry() = default;
    constexpr explicit PageTableEntry(uint32_t raw) : m_raw(raw) { }

    // A present entry mapping the frame at physical address `frame_address`.
    static constexpr PageTableEntry make_present(uint32_t frame_address, bool writable, bool user)
    {
        return PageTableEntry((frame_address & bits::kFrameMask) | bits::kPresent
            | (writable ? bits::kWritable : 0) | (user ? bits::kUser : 0));
    }
    // A not-present entry carrying a 31-bit kernel payload (must not be 0).
    static constexpr PageTableEntry make_not_present(uint32_t payload) { return PageTableEntry(payload << 1); }

    constexpr uint32_t raw() const { return m_raw; }
    constexpr bool is_empty() const { return m_raw == 0; }
    constexpr bool is_present() const { return m_raw & bits::kPresent; }
    constexpr bool is_writable() const { return m_raw & bits::kWritable; }
    constexpr bool is_user() const { return m_raw & bits::kUser; }
    constexpr bool is_accessed() const { return m_raw & bits::kAccessed; }
    constexpr bool is_dirty() const { return m_raw & bits::kDirty; }

    // Physical address of the mapped frame. Only for a present entry.
    constexpr uint32_t frame() const { return m_raw & bits::kFrameMask; }
    // The kernel payload of a not-present entry (0 for an empty entry).
    constexpr uint32_t payload() const { return is_present() ? 0 : m_raw >> 1; }

    constexpr void set_writable(bool on) { set(bits::kWritable, on); }
    constexpr void set_user(bool on) { set(bits::kUser, on); }
    constexpr void set_accessed(bool on) { set(bits::kAccessed, on); }
    constexpr void set_dirty(bool on) { set(bits::kDirty, on); }

    constexpr bool operator==(const PageTableEntry&) const = default;

private:
    constexpr void set(uint32_t bit, bool on) { m_raw = on ? (m_raw | bit) : (m_raw & ~bit); }
    uint32_t m_raw { 0 };
};
// Exactly the hardware's 4 bytes: page tables are arrays of these.
static_assert(sizeof(PageTableEntry) == 4);

// One entry of the page directory: a page table, a 4 MiB page, or nothing.
class PageDirectoryEntry {
public:
    constexpr PageDirectoryEntry() = default;
    constexpr explicit PageDirectoryEntry(uint32_t raw) : m_raw(raw) { }

    // Points at the page table at physical address `table_address`. User and
    // writable are left on: the table's entries decide (SDM 4.6).
    static constexpr PageDirectoryEntry make_table(uint32_t table_address)
    {
        return PageDirectoryEntry((table_address & bits::kFrameMask) | bits::kPresent | bits::kWritable | bits::kUser);
    }
    // A 4 MiB kernel-only page at `address` (4 MiB aligned).
    static constexpr PageDirectoryEntry make_large_kernel(uint32_t address)
    {
        return PageDirectoryEntry((address & 0xffc00000u) | bits::kPresent | bits::kWritable | bits::kLargePage);
    }

    constexpr uint32_t raw() const { return m_raw; }
    constexpr bool is_present() const { return m_raw & bits::kPresent; }
    constexpr bool is_large() const { return m_raw & bits::kLargePage; }
    constexpr bool is_user() const { return m_raw & bits::kUser; }
    // Physical address of the page table. Only for a present, non-large entry.
    constexpr uint32_t table() const { return m_raw & bits::kFrameMask; }

    constexpr bool operator==(const PageDirectoryEntry&) const = default;

private:
    uint32_t m_raw { 0 };
};
static_assert(sizeof(PageDirectoryEntry) == 4);

} // namespace paging
