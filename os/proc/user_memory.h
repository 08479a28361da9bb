// user_memory.h: the only way the kernel touches memory a user program
// named. Every pointer from a system call is checked here first: it must lie
// wholly in user space (no NULL page, nothing at or above KERNEL_BASE, no
// wrap-around) and every page it covers must be mapped in the current
// address space (writable, for the kernel to write). A page that is mapped
// but not present (demand zero, in a store) or copy-on-write is faulted in
// first, through the same handler as a user access, so the copy that follows
// cannot fault. A bad pointer gives false (the system call returns
// kErrFault); it never faults the kernel. May block on the store.
#pragma once

#include <stdint.h>

namespace user_memory {

bool range_ok(uint32_t address, uint32_t length, bool for_write);

// Is every page of [address, address + length) in user space and present
// (and writable, for_write) in the current address space right now? Reads
// the page-table entries as the processor would (present and RW bits):
// resolves nothing, never blocks, and costs two loads a page. A true answer
// holds until something runs that may unmap (a fault, a block, a switch), so
// a copy made right after it, with interrupts off, cannot fault. False for
// length 0.
bool present_now(uint32_t address, uint32_t length, bool for_write);

// Copy between kernel and user memory after range_ok. Return false (and copy
// nothing) on a bad range. A range present_now() at once is copied without
// range_ok's lookups.
bool copy_from(void* kernel_dst, uint32_t user_src, uint32_t length);
bool copy_to(uint32_t user_dst, const void* kernel_src, uint32_t length);

// Copy a NUL-terminated user string of at most max-1 characters into dst.
// False if the string is not readable or too long.
bool copy_string(char* dst, uint32_t user_src, uint32_t max);

} // namespace user_memory
