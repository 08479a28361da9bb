// free_ranges.h: the free parts of one address space's user half, so that
// the kernel can pick addresses (mmap(NULL), a page received over IPC) that
// hold nothing, and reuse what munmap gave back.
//
// The set is a sorted array of disjoint, non-adjacent, page-aligned ranges
// [base, end); every other address is taken (a mapping, the program image,
// the stack and its guard page). The invariant the process layer keeps:
//
//   every mapped user page lies in a taken range
//
// so an address handed out by allocate() never lands on anything. A taken
// range may hold empty pages (a mapping that was never touched, or a part of
// an ELF segment's last page); that only wastes address space.
//
// Lifecycle of an address:
//   1. free after init();
//   2. taken by allocate() (the kernel picks) or reserve() (the program named
//      it; it must be wholly free) or take() (the kernel claims it whatever
//      it held, e.g. ELF segments that share a page);
//   3. free again by release() (munmap).
//
// The array grows on the kernel heap; an operation that would need a bigger
// array and cannot get one fails with NoMemory and changes nothing.
// Pure logic, no hardware: the host tests check it against a model.
#pragma once

#include <stdint.h>

class FreeRanges {
public:
    struct Range {
        uint32_t base; // first byte (page aligned)
        uint32_t end;  // one past the last byte (page aligned; 0 never: the
                       // user half ends below 4 GiB)
    };
    enum class Result : uint8_t {
        Ok,
        NotFree,  // reserve(): part of the range is taken; allocate(): no free run that long
        NoMemory, // the kernel heap could not grow the array
    };

    FreeRanges() = default;
    ~FreeRanges();
    FreeRanges(const FreeRanges&) = delete;
    FreeRanges& operator=(const FreeRanges&) = delete;

    // Everything in [bottom, top) free, nothing else. False if no memory
    // (then the set is empty: nothing can be allocated).
    bool init(uint32_t bottom, uint32_t top);
    // The same ranges as `other` (fork). False if no memory (set unchanged).
    bool copy_from(const FreeRanges& other);
    // Give the array back to the heap; the set is empty (all taken).
    void clear();

    // Take the first free run of `length` bytes (a page multiple, > 0) that
    // starts at or above `from`, else the first one anywhere; *at is its
    // address. NotFree if no free run is long enough.
    Result allocate(uint32_t length, uint32_t from, uint32_t* at);
    // Take [at, at + length) if all of it is free, else NotFree and no change.
    Result reserve(uint32_t at, uint32_t length);
    // Take [at, at + length), whatever part of it was taken already.
    Result take(uint32_t at, uint32_t length);
    // Make [at, at + length) free (parts already free stay free).
    Result release(uint32_t at, uint32_t length);
    // Make sure the next `n` operations cannot fail with NoMemory (each
    // needs at most one more entry). False if the heap cannot give that.
    bool make_room(uint32_t n);

    bool is_free(uint32_t at, uint32_t length) const;
    uint32_t free_bytes() const;
    uint32_t range_count() const { return m_count; }
    const Range& range(uint32_t i) const { return m_ranges[i]; }

private:
    bool grow(uint32_t needed);
    // Replace m_ranges[first, last) by `n` ranges from `with` (n <= 2);
    // capacity for it must exist.
    void splice(uint32_t first, uint32_t last, const Range* with, uint32_t n);

    Range* m_ranges { nullptr };
    uint32_t m_count { 0 };
    uint32_t m_capacity { 0 };
};
