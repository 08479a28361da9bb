// address_space.cpp: the framework's part of AddressSpace. The rest (create,
// map, unmap, lookup, destroy and the entry encoding) is lab 2's, in
// labs/lab2/address_space.cpp.
#include "vm/address_space.h"

#include "arch/mmu.h"

uint32_t AddressSpace::s_kernel_directory;

void AddressSpace::set_kernel_directory(uint32_t physical) { s_kernel_directory = physical; }

void AddressSpace::activate() const { mmu::switch_directory(m_directory); }

paging::PageDirectoryEntry* AddressSpace::directory_entries() const
{
    return static_cast<paging::PageDirectoryEntry*>(mmu::phys_to_virt(m_directory));
}
