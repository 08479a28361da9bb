// heap.h: the non-pageable kernel heap.
//
// A first-fit allocator over one contiguous region of direct-mapped physical
// memory, reserved at boot before the frame array is built, so the heap
// works even while lab 1 is a skeleton. Blocks carry an 8-byte header; free
// blocks sit on an address-ordered list and merge with free neighbours.
//
// Not for hot paths: the fault path and the collector allocate only vpages,
// and those come from an ObjectPool (pool.h), not from here directly.
#pragma once

#include <stddef.h>
#include <stdint.h>

class Heap {
public:
    static constexpr size_t kAlignment = 8;

    // Manage [start, start + size). `start` must be 8-byte aligned.
    void init(void* start, size_t size);

    // Returns nullptr when no free block is large enough.
    void* allocate(size_t size);
    // `p` must come from allocate() and not be freed yet (VERIFY).
    void free(void* p);

    size_t bytes_free() const { return m_bytes_free; }
    size_t bytes_total() const { return m_bytes_total; }
    size_t allocations() const { return m_allocations; }

    // Walk the whole heap and VERIFY its structure (a scan: tests only).
    void check() const;

private:
    struct Block;
    Block* m_free { nullptr };
    uint8_t* m_start { nullptr };
    size_t m_bytes_total { 0 };
    size_t m_bytes_free { 0 };
    size_t m_allocations { 0 };
};

// The kernel's heap (initialised by kernel_main) and its C-style front end.
Heap& kernel_heap();
void* kmalloc(size_t size); // nullptr when the heap is exhausted
void kfree(void* p);
