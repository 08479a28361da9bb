// resolve.h: the kernel's side of a page fault, around lab 3's handler.
//
//   user fault:   isr.S -> page_fault_entry -> (process's hook) -> vm::resolve
//   system call:  user_memory::range_ok -> vm::resolve, one page at a time
//
// resolve() runs handle_fault(), counts the result (vmstat), and on Queued
// puts the thread to sleep on the vpage until the store delivers it.
#pragma once

#include "vm/fault.h"

#include <stdint.h>

class AddressSpace;

namespace vm {

// Resolve a fault in `space`, the current thread's active address space.
// May block (Queued: the thread sleeps until page_arrived() for its vpage,
// then Queued is returned and the access must be tried again). Interrupts off.
FaultResult resolve(AddressSpace& space, const PageFault& fault);

// A store delivers `vpage` on `frame` (in use, no owner, holding the data):
// the vpage becomes resident and every thread waiting on it is woken.
void page_arrived(VPageRef vpage, uint32_t frame);

// How many faults came to `result` since boot; all of them; and those
// refused (a kill, or kErrFault for a system call). Counted are the faults of
// user accesses and those made up for system-call buffers.
uint32_t fault_count(FaultResult result);
uint32_t faults_total();
uint32_t faults_refused();

} // namespace vm
