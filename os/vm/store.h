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
// Labs 5 and 6 give the interface its implementations (a kernel swap store,
// then a user-space pager reached over IPC). Until one is registered, a
// fault on a store-backed page kills the process: "no store".
#pragma once

#include "vm/vpage.h"

#include <stdint.h>

namespace vm {

constexpr uint8_t kAnonymous = 0; // VPage::store of zero-fill memory

class Store {
public:
    virtual const char* name() const = 0;
    // Start bringing `vpage` in (it is not resident, and its store is this
    // one). False if the store cannot: the faulting process dies, "no store".
    virtual bool request(VPageRef vpage) = 0;

protected:
    ~Store() = default;
};

// Register `store` as store number `number` (1..255); nullptr removes it.
void set_store(uint8_t number, Store* store);
// Store `number`, or nullptr if none is registered (always for kAnonymous).
Store* store(uint8_t number);

} // namespace vm
