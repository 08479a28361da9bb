// address_space.h: lab 2, an address space: one page directory and its page
// tables, whose user entries refer to vpages.
//
// A not-present entry that is not zero holds a vpage reference and the
// protection of the mapping (the hardware ignores bits 31..1 when P is 0):
//
//   31                                          2   1   0
//  +----------------------------------------------+---+---+
//  |          vpage handle (VPageRef, 30 bits)     | W | 0 |
//  +----------------------------------------------+---+---+
//   W: the mapping is writable   bit 0: P = 0, not present
//
// A present entry maps the vpage's frame with the same W bit and U/S = 1,
// except for a copy-on-write vpage (lab 4), whose present entries are always
// read-only in hardware (see vm/fault.h).
//
// Counts kept exact by map() and unmap():
//   vpage.refs       = entries (present or not) that refer to the vpage
//   frame map count  = present entries that point at the frame
//
// The kernel half (directory entries 768..1023) is copied from the kernel
// page directory at create() and is the same in every address space.
//
// Kernel addresses are never a user mapping. map() refuses any address
// outside [layout::kUserBottom, layout::kUserTop) with BadAddress, unmap()
// returns false for one, lookup() answers Nothing; none of them touches the
// kernel half. The framework checks every address a program gives before it
// calls these (layout::is_user_range, proc/user_space.h), so these checks
// are the second line, not the only one.
#pragma once

#include "arch/x86/paging.h"
#include "vm/vpage.h"

#include <stdint.h>

enum class Access : uint8_t { ReadOnly, ReadWrite };

enum class MapResult : uint8_t {
    Ok,
    BadAddress,    // not page aligned, or not in user space
    AlreadyMapped, // the entry is not empty
    OutOfMemory,   // no frame for a page table
};

// What a virtual address leads to.
struct Lookup {
    enum class Kind : uint8_t { Nothing, Present, NotPresent };
    Kind kind { Kind::Nothing };
    uint32_t frame { 0 };       // Present: physical address of the frame
    VPageRef vpage { kNoVPage }; // Present (from the frame's descriptor) or NotPresent
    bool writable { false };
};

class AddressSpace {
public:
    // The page directory whose kernel half every address space copies
    // (set once by vm::init, or by a host test).
    static void set_kernel_directory(uint32_t physical);

    // A new, empty address space: a zeroed directory frame with the kernel
    // half copied in. nullptr when there is no frame (or heap) for it.
    static AddressSpace* create();

    // Unmap every user page (fixing every count), free the page tables and
    // the directory, and delete this object.
    void destroy();

    // Map `vpage` at `linear` (page aligned, user space; else BadAddress,
    // nothing changed) with `access`, taking a reference on it. Present at once if the vpage is resident,
    // otherwise a not-present entry holding the reference. Allocates the
    // page table if needed.
    MapResult map(uint32_t linear, VPageRef vpage, Access access);

    // Remove the mapping at `linear`: flush the TLB entry if it was present,
    // pass the hardware dirty bit on to the vpage, drop the frame's map count
    // and the vpage's reference. Returns false if nothing was mapped, or if
    // `linear` is not a user address. It frees no page table: the framework
    // frees tables left empty (proc/user_space.cpp).
    bool unmap(uint32_t linear);

    Lookup lookup(uint32_t linear);

    // The entry for `linear`, or nullptr if its page table does not exist
    // and `create` is false (or no frame could be had for it).
    paging::PageTableEntry* entry(uint32_t linear, bool create);

    // Physical address of the page directory (what CR3 holds when active).
    uint32_t directory() const { return m_directory; }
    // Load this address space into CR3.
    void activate() const;

    // Encoding of the not-present entries described above.
    static paging::PageTableEntry not_present_entry(VPageRef vpage, bool writable);
    static VPageRef entry_vpage(paging::PageTableEntry e);
    static bool entry_writable(paging::PageTableEntry e);

private:
    AddressSpace() = default;
    paging::PageDirectoryEntry* directory_entries() const;
    void release_entry(uint32_t linear, paging::PageTableEntry* e);

    uint32_t m_directory { 0 };
    static uint32_t s_kernel_directory;
};
