#include "kernel/heap.h"

#include "lib/verify.h"

// Every block, free or used, starts with this header. `size` includes the
// header; `magic` tells a used block from a free one so that a double free or
// a wild pointer is caught.
struct Heap::Block {
    uint32_t size;
    uint32_t magic;
    Block* next_free; // valid in free blocks only (overlaps the payload)
};

namespace {
constexpr uint32_t kMagicUsed = 0x48454150;  // "HEAP"
constexpr uint32_t kMagicFree = 0x46524545;  // "FREE"
constexpr size_t kHeader = 8;
constexpr size_t kMinBlock = 16;

constexpr size_t round_up(size_t n) { return (n + Heap::kAlignment - 1) & ~(Heap::kAlignment - 1); }
}

void Heap::init(void* start, size_t size)
{
    VERIFY((reinterpret_cast<uintptr_t>(start) & (kAlignment - 1)) == 0);
    VERIFY(size >= kMinBlock);
    m_start = static_cast<uint8_t*>(start);
    m_bytes_total = size & ~(kAlignment - 1);
    m_bytes_free = m_bytes_total;
    m_allocations = 0;
    m_free = reinterpret_cast<Block*>(m_start);
    m_free->size = uint32_t(m_bytes_total);
    m_free->magic = kMagicFree;
    m_free->next_free = nullptr;
}

void* Heap::allocate(size_t size)
{
    if (size > m_bytes_total) // also keeps the rounding below from wrapping
        return nullptr;
    size_t need = round_up(size + kHeader);
    if (need < kMinBlock)
        need = kMinBlock;
    for (Block** link = &m_free; *link; link = &(*link)->next_free) {
        Block* b = *link;
        if (b->size < need)
            continue;
        if (b->size - need >= kMinBlock) { // split: the tail stays free
            auto* rest = reinterpret_cast<Block*>(reinterpret_cast<uint8_t*>(b) + need);
            rest->size = uint32_t(b->size - need);
            rest->magic = kMagicFree;
            rest->next_free = b->next_free;
            *link = rest;
            b->size = uint32_t(need);
        } else {
            *link = b->next_free;
        }
        b->magic = kMagicUsed;
        m_bytes_free -= b->size;
        ++m_allocations;
        return reinterpret_cast<uint8_t*>(b) + kHeader;
    }
    return nullptr;
}

void Heap::free(void* p)
{
    if (!p)
        return;
    auto* b = reinterpret_cast<Block*>(static_cast<uint8_t*>(p) - kHeader);
    VERIFY_MSG(reinterpret_cast<uint8_t*>(b) >= m_start && reinterpret_cast<uint8_t*>(b) < m_start + m_bytes_total,
        "heap: free of %p, which is not in the heap", p);
    VERIFY_MSG(b->magic != kMagicFree, "heap: double free of %p", p);
    VERIFY_MSG(b->magic == kMagicUsed, "heap: free of %p, which is not an allocated block", p);
    b->magic = kMagicFree;
    m_bytes_free += b->size;
    --m_allocations;

    // Insert in address order, then merge with the neighbours.
    Block* prev = nullptr;
    Block* next = m_free;
    while (next && next < b) {
        prev = next;
        next = next->next_free;
    }
    b->next_free = next;
    if (prev)
        prev->next_free = b;
    else
        m_free = b;
    if (next && reinterpret_cast<uint8_t*>(b) + b->size == reinterpret_cast<uint8_t*>(next)) {
        b->size += next->size;
        b->next_free = next->next_free;
    }
    if (prev && reinterpret_cast<uint8_t*>(prev) + prev->size == reinterpret_cast<uint8_t*>(b)) {
        prev->size += b->size;
        prev->next_free = b->next_free;
    }
}

void Heap::check() const
{
    size_t free_bytes = 0, walked = 0;
    for (const uint8_t* p = m_start; p < m_start + m_bytes_total;) {
        auto* b = reinterpret_cast<const Block*>(p);
        VERIFY(b->magic == kMagicUsed || b->magic == kMagicFree);
        VERIFY(b->size >= kMinBlock && b->size % kAlignment == 0);
        if (b->magic == kMagicFree)
            free_bytes += b->size;
        walked += b->size;
        p += b->size;
    }
    VERIFY(walked == m_bytes_total);
    VERIFY(free_bytes == m_bytes_free);
    size_t listed = 0;
    for (const Block* b = m_free; b; b = b->next_free) {
        VERIFY(b->magic == kMagicFree);
        VERIFY(!b->next_free || b < b->next_free);
        listed += b->size;
    }
    VERIFY(listed == m_bytes_free);
}
