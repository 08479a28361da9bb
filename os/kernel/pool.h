// pool.h: a fixed-size object pool with 32-bit handles.
//
// Made for vpages: every object has the same size, allocation and release
// are O(1) (a free list threaded through the unused slots), and an object is
// named by a 32-bit handle (slot index + 1; 0 is "none"). Handles rather
// than pointers keep references 4 bytes wide on the host too, so they fit in
// page-table entries and in 8-byte frame descriptors.
//
// The storage is handed in at init() (from the kernel heap in the kernel,
// from a std::vector in host tests); the pool never grows.
#pragma once

#include "lib/new.h"
#include "lib/verify.h"

#include <stddef.h>
#include <stdint.h>

template<typename T>
class ObjectPool {
public:
    using Handle = uint32_t;
    static constexpr Handle kNone = 0;

    // Bytes of storage init() needs for `capacity` objects.
    static constexpr size_t storage_bytes(uint32_t capacity)
    {
        return capacity * sizeof(Slot) + (capacity + 7) / 8;
    }

    // Use `storage` (storage_bytes(capacity) bytes, suitably aligned).
    void init(void* storage, uint32_t capacity)
    {
        m_slots = static_cast<Slot*>(storage);
        m_in_use_bits = reinterpret_cast<uint8_t*>(m_slots + capacity);
        m_capacity = capacity;
        m_in_use = 0;
        for (uint32_t i = 0; i < capacity; ++i)
            m_slots[i].next_free = i + 1 < capacity ? i + 2 : kNone; // handles, not indices
        for (uint32_t i = 0; i < (capacity + 7) / 8; ++i)
            m_in_use_bits[i] = 0;
        m_free = capacity ? 1 : kNone;
    }

    // Construct a T in a free slot. Returns kNone when the pool is full.
    template<typename... Args>
    Handle create(Args&&... args)
    {
        if (m_free == kNone)
            return kNone;
        Handle h = m_free;
        Slot& s = slot(h);
        m_free = s.next_free;
        mark(h, true);
        ++m_in_use;
        new (s.bytes) T(static_cast<Args&&>(args)...);
        return h;
    }

    // Destroy the object and free its slot. VERIFYs that `h` is live.
    void destroy(Handle h)
    {
        VERIFY_MSG(is_live(h), "pool: destroy of handle %u, which is not live", unsigned(h));
        get(h)->~T();
        mark(h, false);
        slot(h).next_free = m_free;
        m_free = h;
        --m_in_use;
    }

    // The object behind a live handle.
    T* get(Handle h)
    {
        DEBUG_VERIFY(is_live(h));
        return reinterpret_cast<T*>(slot(h).bytes);
    }

    bool is_live(Handle h) const
    {
        return h != kNone && h <= m_capacity && (m_in_use_bits[(h - 1) / 8] & (1u << ((h - 1) % 8)));
    }

    // The handle of an object that lives in this pool.
    Handle handle_of(const T* object) const
    {
        auto* s = reinterpret_cast<const Slot*>(object);
        VERIFY(s >= m_slots && s < m_slots + m_capacity);
        return Handle(s - m_slots) + 1;
    }

    uint32_t capacity() const { return m_capacity; }
    uint32_t in_use() const { return m_in_use; }
    uint32_t available() const { return m_capacity - m_in_use; }

private:
    union Slot {
        alignas(T) unsigned char bytes[sizeof(T)];
        Handle next_free;
    };
    Slot& slot(Handle h) { return m_slots[h - 1]; }
    void mark(Handle h, bool on)
    {
        uint8_t bit = uint8_t(1u << ((h - 1) % 8));
        m_in_use_bits[(h - 1) / 8] = on ? (m_in_use_bits[(h - 1) / 8] | bit) : (m_in_use_bits[(h - 1) / 8] & ~bit);
    }

    Slot* m_slots { nullptr };
    uint8_t* m_in_use_bits { nullptr };
    uint32_t m_capacity { 0 };
    uint32_t m_in_use { 0 };
    Handle m_free { kNone };
};
