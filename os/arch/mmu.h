// mmu.h: the one door from VMM code (os/vm/, labs/, solutions/) to the
// memory-management hardware. It has two implementations:
//
//   os/arch/x86/mmu_x86.cpp   the real thing: the direct map, invlpg, CR3;
//   os/arch/host/mmu_host.cpp host unit tests: a simulated physical memory
//                             (an ordinary buffer), page tables inside it,
//                             and a record of every TLB flush.
//
// Lab code that reaches physical memory or the TLB only through these calls
// runs unchanged in Bochs and in CppUTest.
#pragma once

#include <stdint.h>

namespace mmu {

// A kernel pointer to the byte at physical address `physical`.
// Kernel: physical + KERNEL_BASE (the direct map). Host: into the simulated RAM.
void* phys_to_virt(uint32_t physical);

// The physical address of a kernel pointer made by phys_to_virt().
uint32_t virt_to_phys(const void* pointer);

// Drop any TLB entry for the page at `linear` in the current address space.
// Must be called after changing or removing a present entry.
void invalidate_page(uint32_t linear);

// Make the page directory at physical address `directory` current (CR3).
// Flushes the whole TLB.
void switch_directory(uint32_t directory);

// The physical address of the current page directory.
uint32_t current_directory();

// Fill the frame at `physical` with zeros / copy a whole frame. The kernel
// counts the instructions they take (bulk_instructions(), for benchmarks that
// report the fault path without the 4 KiB loop); the host does not.
void zero_frame(uint32_t physical);
void copy_frame(uint32_t to, uint32_t from);
uint64_t bulk_instructions();

} // namespace mmu
