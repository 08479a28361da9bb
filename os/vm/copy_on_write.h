// copy_on_write.h: lab 4, fork's sharing and the copy on a write fault.
//
// A copy-on-write vpage is one page shared by several address spaces after
// fork, each of which may write it, none of which may see another's writes.
// The vpage says so itself with the flag VPage::kCopyOnWrite (the seed's
// "the object knows it is a copy of something else"); every entry that
// refers to it is read-only in hardware, so the first write faults:
//
//   fork                      write fault in the child     write fault in the parent
//   parent --R-\              parent --R--> V (COW)        parent --W--> V (flag off)
//               V (COW) ->                                  (last mapping: no copy)
//   child  --R-/              child  --W--> V' (copy)
//
// Which entries fork copies how:
//   shared mapping (VPage::kShared)  -> the same vpage, same access (stays shared)
//   read-only private mapping        -> the same vpage, read-only (nobody can write it)
//   writable private mapping         -> the same vpage, copy-on-write in both spaces
#pragma once

#include "vm/fault.h"

#include <stdint.h>

class AddressSpace;

namespace vm {

// Lab 4: give `child` (a new, empty address space) every user mapping of
// `parent` as the table above says. Present entries of the parent that
// become read-only are flushed from the TLB. Allocates no frame for data,
// only page tables for the child. False if a page table could not be had
// (the caller destroys the child, which undoes everything it got).
bool fork_space(AddressSpace& parent, AddressSpace& child);

// Lab 4: a write fault at `page` (page aligned) in `space`, whose entry is
// present and whose vpage is copy-on-write. If no other entry refers to the
// vpage: clear the flag, make the entry writable (MadeWritable). Otherwise:
// a new anonymous vpage on a new frame holding a copy of the page, mapped
// writable in place of the old one (CopiedOnWrite). OutOfMemory if no frame
// or vpage is left (nothing changed).
FaultResult copy_on_write(AddressSpace& space, uint32_t page);

} // namespace vm
