// user_space.h: the policy of a process's user half, on top of its
// AddressSpace (lab 2) and its FreeRanges (vm/free_ranges.h): where things
// go, what a program may ask for, and the errors it gets.
//
//   0xC0000000 +---------------------------+ layout::kUserTop (kernel half above)
//              | free (fixed mmap only)    |
//   0xBFFF0000 +---------------------------+ process::kStackTop
//              | stack, 64 pages           |  taken for good: never handed out,
//              | guard page (empty)        |  never given back by munmap
//   0xBFFAF000 +---------------------------+ process::kStackGuard
//              | free: mmap(NULL) and IPC  |  first fit from kMmapBase up,
//              | pages, first fit          |  then from the bottom
//   0x40000000 +---------------------------+ process::kMmapBase
//              | program image (taken)     |
//   0x00001000 +---------------------------+ layout::kUserBottom
//
// Rules the system calls keep (os/proc/abi.h says them to programs):
//   1. Every mapped page lies in a taken range, so a placement never lands on
//      anything, and what munmap frees is reused.
//   2. Every range is checked with layout::is_user_range before lab code
//      sees an address: nothing in the kernel half, nothing that wraps.
//   3. A page table whose last entry munmap cleared is freed at once.
//   4. munmap walks page tables, not pages: a range with no page table is
//      skipped 4 MiB at a time, so unmapping all of user space costs a few
//      thousand instructions plus the pages really mapped.
#pragma once

#include "vm/address_space.h"

#include <stdint.h>

struct Process;

namespace user_space {

// Set up p's free ranges: all of user space free but the stack and its
// guard page. False if there is no memory for them.
bool init(Process* p);

// Mark [address, address + length) taken whatever it held (ELF segments,
// which may share pages). kErrNoMemory if the ranges cannot grow.
int32_t take(Process* p, uint32_t address, uint32_t length);

// mmap: demand-zero pages at `address` (0: the kernel picks a free range)
// with kMap* flags. The address, or kErrInvalid (bad address, length or
// the stack), kErrInUse (a fixed range not wholly free), kErrNoMemory (no
// free range that long, no vpage or page table; nothing is left mapped).
int32_t mmap(Process* p, uint32_t address, uint32_t length, uint32_t flags);

// munmap: unmap every page in [address, address + length) and make the
// range free again (the stack's range stays taken). 0, kErrInvalid (not
// page aligned, not user space) or kErrNoMemory (the ranges cannot grow;
// nothing was unmapped).
int32_t munmap(Process* p, uint32_t address, uint32_t length);

// Map `vpage` at a free page of p picked by the kernel (IPC page transfer).
// Its address, or kErrNoMemory (no free page, or no page table).
int32_t place_page(Process* p, VPageRef vpage, Access access);

// Unmap everything in [from, end) of `space` (page aligned, user space) and
// free each page table left empty. Returns the pages unmapped. Skips a
// missing page table whole.
uint32_t unmap_range(AddressSpace& space, uint32_t from, uint32_t end);

// Page tables of `space`'s user half (tests and vmstat).
uint32_t page_tables(AddressSpace& space);

} // namespace user_space
