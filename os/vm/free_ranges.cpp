#include "vm/free_ranges.h"

#include "kernel/heap.h"
#include "lib/string.h"
#include "lib/verify.h"

namespace {
constexpr uint32_t kInitialCapacity = 8;

// [at, at + length) as [base, end), checked: page aligned and no wrap past 4 GiB.
bool span(uint32_t at, uint32_t length, uint32_t* end)
{
    VERIFY_MSG((at & 0xFFF) == 0 && (length & 0xFFF) == 0, "free ranges: 0x%08x + 0x%x is not page aligned", at,
        length);
    *end = at + length;
    return length > 0 && *end > at;
}
} // namespace

FreeRanges::~FreeRanges() { clear(); }

void FreeRanges::clear()
{
    if (m_ranges)
        kfree(m_ranges);
    m_ranges = nullptr;
    m_count = m_capacity = 0;
}

bool FreeRanges::grow(uint32_t needed)
{
    if (needed <= m_capacity)
        return true;
    uint32_t capacity = m_capacity ? m_capacity : kInitialCapacity;
    while (capacity < needed)
        capacity *= 2;
    auto* bigger = static_cast<Range*>(kmalloc(capacity * sizeof(Range)));
    if (!bigger)
        return false;
    if (m_count)
        memcpy(bigger, m_ranges, m_count * sizeof(Range));
    if (m_ranges)
        kfree(m_ranges);
    m_ranges = bigger;
    m_capacity = capacity;
    return true;
}

bool FreeRanges::make_room(uint32_t n) { return grow(m_count + n); }

bool FreeRanges::init(uint32_t bottom, uint32_t top)
{
    clear();
    VERIFY(bottom < top);
    if (!grow(1))
        return false;
    m_ranges[0] = Range { bottom, top };
    m_count = 1;
    return true;
}

bool FreeRanges::copy_from(const FreeRanges& other)
{
    if (&other == this)
        return true;
    if (!grow(other.m_count))
        return false;
    if (other.m_count)
        memcpy(m_ranges, other.m_ranges, other.m_count * sizeof(Range));
    m_count = other.m_count;
    return true;
}

void FreeRanges::splice(uint32_t first, uint32_t last, const Range* with, uint32_t n)
{
    uint32_t removed = last - first;
    VERIFY(m_count - removed + n <= m_capacity);
    memmove(m_ranges + first + n, m_ranges + last, (m_count - last) * sizeof(Range));
    for (uint32_t i = 0; i < n; ++i)
        m_ranges[first + i] = with[i];
    m_count = m_count - removed + n;
}

FreeRanges::Result FreeRanges::take(uint32_t at, uint32_t length)
{
    uint32_t end;
    if (!span(at, length, &end))
        return length == 0 ? Result::Ok : Result::NotFree;
    // Ranges [first, last) overlap [at, end).
    uint32_t first = 0;
    while (first < m_count && m_ranges[first].end <= at)
        ++first;
    uint32_t last = first;
    while (last < m_count && m_ranges[last].base < end)
        ++last;
    if (first == last)
        return Result::Ok; // nothing free there
    Range pieces[2];
    uint32_t n = 0;
    if (m_ranges[first].base < at)
        pieces[n++] = Range { m_ranges[first].base, at };
    if (m_ranges[last - 1].end > end)
        pieces[n++] = Range { end, m_ranges[last - 1].end };
    if (m_count - (last - first) + n > m_capacity && !grow(m_count - (last - first) + n))
        return Result::NoMemory;
    splice(first, last, pieces, n);
    return Result::Ok;
}

FreeRanges::Result FreeRanges::reserve(uint32_t at, uint32_t length)
{
    if (!is_free(at, length))
        return Result::NotFree;
    return take(at, length);
}

FreeRanges::Result FreeRanges::release(uint32_t at, uint32_t length)
{
    uint32_t end;
    if (!span(at, length, &end))
        return length == 0 ? Result::Ok : Result::NotFree;
    // Ranges [first, last) overlap or touch [at, end): they merge with it.
    uint32_t first = 0;
    while (first < m_count && m_ranges[first].end < at)
        ++first;
    uint32_t last = first;
    while (last < m_count && m_ranges[last].base <= end)
        ++last;
    Range merged { at, end };
    if (first < last) {
        if (m_ranges[first].base < merged.base)
            merged.base = m_ranges[first].base;
        if (m_ranges[last - 1].end > merged.end)
            merged.end = m_ranges[last - 1].end;
    }
    if (m_count - (last - first) + 1 > m_capacity && !grow(m_count - (last - first) + 1))
        return Result::NoMemory;
    splice(first, last, &merged, 1);
    return Result::Ok;
}

FreeRanges::Result FreeRanges::allocate(uint32_t length, uint32_t from, uint32_t* at)
{
    uint32_t end;
    if (!span(0x1000, length, &end)) // a length that fits below 4 GiB at all
        return Result::NotFree;
    for (int pass = 0; pass < 2; ++pass) {
        for (uint32_t i = 0; i < m_count; ++i) {
            const Range& r = m_ranges[i];
            uint32_t start = pass == 0 && r.base < from ? from : r.base;
            if (start >= r.end || r.end - start < length)
                continue;
            Result result = take(start, length);
            if (result == Result::Ok)
                *at = start;
            return result;
        }
    }
    return Result::NotFree;
}

bool FreeRanges::is_free(uint32_t at, uint32_t length) const
{
    uint32_t end;
    if (!span(at, length, &end))
        return false;
    for (uint32_t i = 0; i < m_count; ++i)
        if (m_ranges[i].base <= at && end <= m_ranges[i].end)
            return true;
    return false;
}

uint32_t FreeRanges::free_bytes() const
{
    uint32_t total = 0;
    for (uint32_t i = 0; i < m_count; ++i)
        total += m_ranges[i].end - m_ranges[i].base;
    return total;
}
