// frame_array.h: lab 1, the frame array.
//
// One small descriptor (a Frame) for every 4 KiB physical frame that exists,
// and nothing for the holes in the physical memory map. For each frame it
// records the vpage resident on it and its map count (how many present
// page-table entries point at it). Free frames sit on a stack threaded
// through their own descriptors, so allocate and free are O(1).
//
//   free memory (from MemoryMap)        spans                 descriptors
//   [1 MiB .. 16 MiB) ------------> { pfn 0x100, 3840, 0 } --> Frame[0..3839]
//   [3 GiB .. 4 GiB)  ------------> { pfn 0xC0000, ...,3840}-> Frame[3840..]
//
// The descriptor array itself lives in physical memory taken from the free
// memory at init(), reached through mmu::phys_to_virt (the direct map in the
// kernel, the simulated RAM in host tests).
//
// The interface below is fixed; the code is lab 1's (labs/lab1/frame_array.cpp).
#pragma once

#include "kernel/memory_map.h"

#include <stdint.h>

// A frame descriptor. 8 bytes: the seed's "vpageref and counter; 2*4 bytes".
//
//   in use:  vpage = handle of the resident VPage (0 if none yet)
//            map_count = present page-table entries pointing at the frame
//   free:    vpage = index + 1 of the next free frame on the stack (0: bottom)
//            map_count = Frame::kFree
struct Frame {
    static constexpr uint32_t kFree = 0xFFFFFFFF;
    uint32_t vpage;
    uint32_t map_count;
};
// One per physical frame: 8 bytes per 4 KiB is 0.2% of RAM. Growing it costs
// memory on every frame of every machine, so any change must be deliberate.
static_assert(sizeof(Frame) == 8, "a frame descriptor is 8 bytes");

class FrameArray {
public:
    // Physical address 0 is never a usable frame (the first MiB is reserved),
    // so 0 means "no frame".
    static constexpr uint32_t kNoFrame = 0;
    static constexpr unsigned kMaxSpans = MemoryMap::kMaxRanges;

    // Build a descriptor for every frame in `free_memory`, all free. The
    // descriptor array takes its own frames out of that memory first (they
    // are never handed out). Returns false if there is no room for it.
    bool init(const MemoryMap& free_memory);

    // Pop a frame off the free stack: its physical address, with vpage 0 and
    // map count 0; kNoFrame when none is left (never panics).
    uint32_t allocate();

    // Push a frame back. VERIFYs: the frame is in the array, not free
    // already, and not mapped. Fills the frame with a poison pattern so that
    // a use after free shows up.
    void free(uint32_t physical);

    // The descriptor of the frame holding `physical` (any address inside the
    // frame), or nullptr if no frame of the array holds it.
    Frame* descriptor(uint32_t physical);
    // The physical address of the frame a descriptor describes.
    uint32_t physical(const Frame* frame) const;

    // Map count up / down by one; both return the new count. The frame must
    // be in use; map_down VERIFYs the count is not already 0.
    uint32_t map_up(uint32_t physical);
    uint32_t map_down(uint32_t physical);
    uint32_t map_count(uint32_t physical);

    // The handle of the vpage resident on the frame (0 if none), and setting it.
    uint32_t owner(uint32_t physical);
    void set_owner(uint32_t physical, uint32_t vpage);

    bool is_free(uint32_t physical);
    uint32_t frames_free() const { return m_free_count; }
    uint32_t frames_total() const { return m_total; }
    // Physical range of the descriptor array itself.
    PhysRange storage() const { return m_storage; }

private:
    // A run of frames with consecutive frame numbers, and where its
    // descriptors start in the array.
    struct Span {
        uint32_t first_pfn;
        uint32_t count;
        uint32_t first_index;
    };

    Frame* at(uint32_t index) const;
    Frame* in_use(uint32_t physical, const char* operation);

    Span m_spans[kMaxSpans];
    unsigned m_span_count { 0 };
    uint32_t m_total { 0 };
    uint32_t m_free_count { 0 };
    uint32_t m_free_top { 0 }; // index + 1 of the top free frame; 0: none
    PhysRange m_storage { 0, 0 };
};

// The kernel's frame array (built by vm::init).
FrameArray& frames();
