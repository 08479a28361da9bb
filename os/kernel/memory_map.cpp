#include "kernel/memory_map.h"

#include "arch/x86/paging.h"
#include "lib/verify.h"

namespace {

constexpr uint64_t round_up(uint64_t a) { return paging::page_round_up(a); }
constexpr uint64_t round_down(uint64_t a) { return a & ~uint64_t(paging::kPageSize - 1); }

} // namespace

void MemoryMap::add(uint64_t base, uint64_t length, uint32_t type)
{
    if (length == 0)
        return;
    if (m_entry_count == kMaxEntries) {
        ++m_dropped;
        return;
    }
    m_entries[m_entry_count++] = Entry { base, length, type };
}

void MemoryMap::compute_usable(uint64_t limit)
{
    m_range_count = 0;
    // Every entry boundary splits the address line into pieces; a piece is
    // usable when a usable entry covers it and no other entry does. With at
    // most kMaxEntries entries the quadratic work is trivial.
    uint64_t cuts[2 * kMaxEntries];
    unsigned n = 0;
    for (unsigned i = 0; i < m_entry_count; ++i) {
        cuts[n++] = m_entries[i].base;
        cuts[n++] = m_entries[i].base + m_entries[i].length;
    }
    for (unsigned i = 1; i < n; ++i) // insertion sort: n is tiny
        for (unsigned j = i; j > 0 && cuts[j - 1] > cuts[j]; --j) {
            uint64_t t = cuts[j];
            cuts[j] = cuts[j - 1];
            cuts[j - 1] = t;
        }
    for (unsigned c = 0; c + 1 < n; ++c) {
        uint64_t lo = cuts[c], hi = cuts[c + 1];
        if (lo == hi)
            continue;
        bool usable = false, reserved = false;
        for (unsigned i = 0; i < m_entry_count; ++i) {
            const Entry& e = m_entries[i];
            if (e.base <= lo && hi <= e.base + e.length)
                (e.type == kTypeUsable ? usable : reserved) = true;
        }
        if (usable && !reserved)
            insert_range(lo, hi < limit ? hi : limit);
    }
    // Only whole pages are usable: shrink every range inward.
    unsigned kept = 0;
    for (unsigned i = 0; i < m_range_count; ++i) {
        uint64_t b = round_up(m_ranges[i].base), e = round_down(m_ranges[i].end);
        if (b < e)
            m_ranges[kept++] = PhysRange { b, e };
    }
    m_range_count = kept;
}

void MemoryMap::insert_range(uint64_t base, uint64_t end)
{
    if (base >= end)
        return;
    // Pieces arrive in increasing order, so a new one either extends the last
    // range or goes after it.
    if (m_range_count > 0 && m_ranges[m_range_count - 1].end == base) {
        m_ranges[m_range_count - 1].end = end;
        return;
    }
    VERIFY_MSG(m_range_count < kMaxRanges, "memory map: more than %u usable ranges", kMaxRanges);
    m_ranges[m_range_count++] = PhysRange { base, end };
}

void MemoryMap::subtract(uint64_t base, uint64_t end)
{
    if (base >= end) // an empty span touches no page
        return;
    base = round_down(base);
    end = round_up(end);
    if (base >= end)
        return;
    PhysRange out[kMaxRanges];
    unsigned n = 0;
    for (unsigned i = 0; i < m_range_count; ++i) {
        const PhysRange& r = m_ranges[i];
        if (end <= r.base || r.end <= base) { // no overlap
            VERIFY(n < kMaxRanges);
            out[n++] = r;
            continue;
        }
        if (r.base < base) {
            VERIFY(n < kMaxRanges);
            out[n++] = PhysRange { r.base, base };
        }
        if (end < r.end) {
            VERIFY(n < kMaxRanges);
            out[n++] = PhysRange { end, r.end };
        }
    }
    for (unsigned i = 0; i < n; ++i)
        m_ranges[i] = out[i];
    m_range_count = n;
}

bool MemoryMap::take(uint64_t size, uint64_t& base_out)
{
    VERIFY(size > 0 && size % paging::kPageSize == 0);
    for (unsigned i = 0; i < m_range_count; ++i) {
        if (m_ranges[i].size() >= size) {
            base_out = m_ranges[i].base;
            subtract(base_out, base_out + size);
            return true;
        }
    }
    return false;
}

uint64_t MemoryMap::usable_bytes() const
{
    uint64_t total = 0;
    for (unsigned i = 0; i < m_range_count; ++i)
        total += m_ranges[i].size();
    return total;
}

const char* MemoryMap::type_name(uint32_t type)
{
    switch (type) {
    case 1: return "usable";
    case 2: return "reserved";
    case 3: return "ACPI reclaimable";
    case 4: return "ACPI NVS";
    case 5: return "bad memory";
    default: return "reserved (other)";
    }
}
