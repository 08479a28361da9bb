// store.h: where non-resident pages live. A vpage names its store by number
// (VPage::store) and its place in it (VPage::store_offset); store 0 is
// anonymous memory, which has no store: its first touch gives a zeroed frame.
//
// A page-in:
//   1. the fault handler (lab 3) finds a non-resident vpage with store != 0
//      and calls store(n)->request(vpage), unless the vpage already has
//      waiters (then a request is in flight: one request per page);
//   2. the faulting thread waits on the vpage (vm::resolve);
//   3. the store fills a frame and calls vm::page_arrived(vpage, frame): the
//      vpage becomes resident and every waiter is woken;
//   4. each waiter runs its instruction again and takes a resident-map fault.
//
// A page-out (lab 5: the collector, at map count zero, for a dirty page):
//   1. write(vpage): the store pins the frame (it holds one map count on it
//      for the whole write, so nothing frees it), clears the vpage's dirty
//      flag (the copy on the way is the page as it is now) and starts the
//      write. An anonymous vpage first gets a place in the store: its vpage
//      then names this store and that place (store, store_offset);
//   2. when the write is done the store calls vm::page_written(frame, ok),
//      which hands the frame to the collector (ClockCollector::write_done).
// And release(offset): "I don't need you anymore", when a vpage of this store
// dies (vm::release_backing, called by vpage_unref).
//
// Labs 5 and 6 give the interface its implementations (a kernel swap store,
// then a user-space pager reached over IPC). Until one is registered, a
// fault on a store-backed page kills the process: "no store".
#pragma once

#include "vm/vpage.h"

#include <stdint.h>

namespace vm {

constexpr uint8_t kAnonymous = 0; // VPage::store of zero-fill memory
constexpr uint8_t kSwap = 1;      // the kernel's swap store (lab 5), where dirty anonymous pages go

class Store {
public:
    virtual const char* name() const = 0;
    // Start bringing `vpage` in (it is not resident, and its store is this
    // one). False if the store cannot: the faulting process dies, "no store".
    virtual bool request(VPageRef vpage) = 0;
    // Start writing the resident page of `vpage` out (steps above). False if
    // the store cannot (no store for it, no room): nothing changed, the page
    // stays in memory, dirty.
    virtual bool write(VPageRef vpage)
    {
        (void)vpage;
        return false;
    }
    // The page at `offset` is no longer needed by anyone.
    virtual void release(uint32_t offset) { (void)offset; }

protected:
    ~Store() = default;
};

// Register `store` as store number `number` (1..255); nullptr removes it.
void set_store(uint8_t number, Store* store);
// Store `number`, or nullptr if none is registered (always for kAnonymous).
Store* store(uint8_t number);

// The store a dirty page of `vp` is written to: its own, or for an anonymous
// page the swap store (nullptr if there is none).
Store* store_for_write(const VPage& vp);

// "I don't need you anymore": `vp` is being destroyed; its store may forget
// the page (a swap slot is freed). Nothing for an anonymous vpage.
void release_backing(const VPage& vp);

// A store has finished writing the page on `frame` (ok: it is in the store).
// Drops the store's pin through the collector (ClockCollector::write_done)
// and wakes threads waiting for free frames. Interrupts off.
void page_written(uint32_t frame, bool ok);

} // namespace vm
