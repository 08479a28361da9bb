// vpage.h: lab 2, the vpage: the eternal representation of one virtual page.
//
// A vpage exists as long as some page-table entry refers to it. It knows:
//   - whether the page is resident, and on which frame;
//   - how many page-table entries refer to it (present or not): `refs`;
//   - whether the resident copy is dirty (newer than the store's copy);
//   - where its backing store is: a store number plus an offset, so no
//     per-page store object is needed;
//   - who waits for it: the head of a list of waiting threads (lab 6).
//
// Going from a virtual address to a vpage (AddressSpace::lookup):
//
//   page-table entry
//   present ----------> frame ----> FrameArray descriptor ----> vpage
//   not present, != 0 ----------------------------------------> vpage
//   zero -------------> nothing mapped
//
// vpages live in a fixed-size pool in the non-pageable kernel heap and are
// named by 32-bit handles (VPageRef); 0 is "no vpage".
//
// The interface is fixed; the code is lab 2's (labs/lab2/vpage.cpp).
#pragma once

#include "kernel/pool.h"

#include <stdint.h>

using VPageRef = uint32_t;
constexpr VPageRef kNoVPage = 0;

struct VPage {
    // flags
    static constexpr uint8_t kDirty = 1 << 0;      // resident copy newer than the store's
    static constexpr uint8_t kCopyOnWrite = 1 << 1; // lab 4: shared by fork, copy before a write
    static constexpr uint8_t kShared = 1 << 2;      // a shared mapping (mmap kMapShared): fork keeps sharing it

    uint32_t frame { 0 };        // physical address of the resident frame; 0: not resident
    uint32_t store_offset { 0 }; // where the page is in its store
    uint32_t waiters { 0 };      // lab 6: first thread waiting for the page (0: none)
    uint16_t refs { 0 };         // page-table entries that refer to this vpage
    uint8_t store { 0 };         // which store backs it; 0: anonymous, zero-filled on first touch
    uint8_t flags { 0 };

    bool is_resident() const { return frame != 0; }
    bool is_dirty() const { return flags & kDirty; }
};
// The seed counts 20 bytes per vpage (frame, counter, store, offset, waiters);
// packing the counter, store number and flags into one word gives 16. There is
// one per virtual page in use, in non-pageable memory: keep it small.
static_assert(sizeof(VPage) == 16, "a vpage is 16 bytes");

using VPagePool = ObjectPool<VPage>;

// The kernel's vpage pool (set up by vm::init; by the test in host tests).
VPagePool& vpages();

// ---- lab 2: vpage lifetime ----

// A new vpage with no references, not resident, backed by `store` at
// `offset`. Returns kNoVPage when the pool is full.
VPageRef vpage_create(uint8_t store, uint32_t offset);

// One more page-table entry refers to the vpage.
void vpage_ref(VPageRef vpage);

// One page-table entry fewer refers to it. At zero the vpage is destroyed;
// if it was resident, its frame loses its owner and is freed unless a
// present entry still maps it (map count above zero). Returns true if the
// vpage was destroyed.
bool vpage_unref(VPageRef vpage);

// Make a non-resident vpage resident on `frame`, a frame in use with no
// owner: records the frame in the vpage and the vpage in the frame's
// descriptor.
void vpage_attach(VPageRef vpage, uint32_t frame);
