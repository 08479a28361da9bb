// fault.h: lab 3, the page-fault handler: a PageFault goes in, a FaultResult
// comes out. The handler never kills or sleeps itself: its caller
// (vm::resolve, os/vm/resolve.cpp) acts on the answer.
//
// The seed's path:
//   1. fault;
//   2. find the vpage: from the not-present entry, or, for a write to a
//      read-only present page, through the frame's descriptor;
//   3. resolve it: map the frame if the vpage is resident, give an anonymous
//      vpage a new zeroed frame, copy a copy-on-write page (lab 4), or else
//      ask the vpage's store and let the thread wait on the vpage;
//   4. resume: the faulting instruction runs again.
//
// handle_fault() makes its checks in this fixed order; the first that
// decides, decides:
//
//   1. permission     NULL page, kernel half, no entry, write to a page no
//                     mapping may write                     -> Bad*
//   2. resident map   not-present entry, vpage resident     -> map the frame
//   3. zero fill      not-present entry, vpage anonymous    -> new zeroed frame
//   4. copy-on-write  write fault, vpage copy-on-write      -> lab 4's copy_on_write()
//   5. store          not-present entry, vpage in a store   -> Queued / NoStore
//
// A copy-on-write vpage (VPage::kCopyOnWrite) may be written through every
// entry that refers to it, even though those entries are read-only in
// hardware; so "may this mapping write?" is `entry writable || copy-on-write`
// and a present entry of such a vpage is always made read-only.
#pragma once

#include "arch/x86/page_fault.h"
#include "vm/vpage.h"

#include <stdint.h>

class AddressSpace;

namespace vm {

// What a fault came to. The first group resolves it (return from the fault,
// the instruction runs again); Queued waits; the rest kill the process with
// the one-line reason describe() gives.
enum class FaultResult : uint8_t {
    MappedResident, // the vpage was resident elsewhere: its frame is mapped, no new frame
    ZeroFilled,     // an anonymous vpage got a new zeroed frame
    CopiedOnWrite,  // lab 4: this mapping got its own copy of the page
    MadeWritable,   // lab 4: the last mapping of a copy-on-write vpage keeps it, no copy
    Spurious,       // the entry already allows the access (a stale TLB entry): flushed
    Queued,         // the store was asked; the thread waits on the vpage
    BadNull,        // the NULL page (below layout::kUserBottom)
    BadKernelHalf,  // at or above layout::kUserTop
    BadUnmapped,    // nothing is mapped there
    BadReadOnly,    // a write no mapping there allows
    NoStore,        // the page is in a store, and no store is registered for it
    OutOfMemory,    // no frame or vpage could be had
    PagerTimedOut,  // lab 6: the pager did not answer before the request's deadline
    PagerDied,      // lab 6: the pager exited with the request in flight, or is gone
    PagerOwnStore,  // lab 6: a pager touched a page of its own store (it would wait for itself)
    PagerBusy,      // lab 6: the pager has kMaxPerPager requests in flight already (or the table is full)
    Unhandled,      // no VM layer (kernel-mode fault, no process): report and panic
};

// True for the first group above.
bool is_resolved(FaultResult result);
// The reason printed when the process dies ("NULL pointer access", ...).
const char* describe(FaultResult result);

// Lab 3: decide and resolve one fault of a user access in `space` (the
// active address space, or one a test made). Interrupts off; never blocks,
// never panics on bad user input. The kernel's vm::resolve refuses faults in
// the NULL page (BadNull) and the kernel half (BadKernelHalf) before it calls
// this; a handler must still refuse them itself (the host tests call it
// directly).
FaultResult handle_fault(AddressSpace& space, const PageFault& fault);

} // namespace vm
