// memory_map.h: physical memory as a short list of usable ranges.
//
// The firmware's map (delivered by GRUB) may be unsorted, may overlap, and
// may describe the same bytes as both usable and reserved. MemoryMap turns it
// into sorted, disjoint, page-aligned ranges of RAM that is usable for sure:
//
//   1. add() every raw entry as the firmware gave it;
//   2. usable() = bytes covered by some "usable" (type 1) entry and by no
//      entry of another type, cut to whole pages, below `limit`;
//   3. subtract() what the kernel itself occupies (its image, the Multiboot
//      structures, modules, the heap) before handing the rest to the frame
//      array (lab 1).
//
// Pure logic, no hardware: host unit tests feed it synthetic maps.
#pragma once

#include <stdint.h>

struct PhysRange {
    uint64_t base; // first byte
    uint64_t end;  // one past the last byte
    constexpr uint64_t size() const { return end - base; }
    constexpr bool contains(uint64_t a) const { return a >= base && a < end; }
};

class MemoryMap {
public:
    static constexpr unsigned kMaxEntries = 64;
    static constexpr unsigned kMaxRanges = 64;
    static constexpr uint32_t kTypeUsable = 1;

    // Record one raw firmware entry. Entries past kMaxEntries are dropped
    // (and counted in dropped_entries()).
    void add(uint64_t base, uint64_t length, uint32_t type);

    // Compute the usable ranges from the raw entries, keeping only memory
    // below `limit`. Call once after the last add().
    void compute_usable(uint64_t limit);

    // Remove [base, end) from the usable ranges (any alignment; whole pages
    // touched by it are removed).
    void subtract(uint64_t base, uint64_t end);

    // Take `size` bytes (a page multiple) from the lowest usable range that
    // has room and remove them. Returns false if no range has room.
    bool take(uint64_t size, uint64_t& base_out);

    unsigned range_count() const { return m_range_count; }
    const PhysRange& range(unsigned i) const { return m_ranges[i]; }
    uint64_t usable_bytes() const;
    unsigned entry_count() const { return m_entry_count; }
    unsigned dropped_entries() const { return m_dropped; }

    struct Entry {
        uint64_t base, length;
        uint32_t type;
    };
    const Entry& entry(unsigned i) const { return m_entries[i]; }

    static const char* type_name(uint32_t type);

private:
    void insert_range(uint64_t base, uint64_t end); // keeps ranges sorted, merged

    Entry m_entries[kMaxEntries];
    unsigned m_entry_count { 0 };
    unsigned m_dropped { 0 };
    PhysRange m_ranges[kMaxRanges];
    unsigned m_range_count { 0 };
};
