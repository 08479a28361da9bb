// kernel_memory.h: the kernel's own memory, set up once at boot.
//
//   1. Compute the usable RAM from the firmware map. Only RAM below the
//      direct-map limit (896 MiB, layout.h) is used; whatever lies above it
//      is reported on the boot log ("... MiB of RAM above the direct map not
//      used") and by unused_bytes(), never dropped without a word.
//   2. Build the kernel page directory: all of that RAM mapped at
//      KERNEL_BASE with 4 MiB pages, nothing below KERNEL_BASE. Switch to it
//      (this drops boot.S's low identity mapping: NULL now faults).
//   3. Take out what is not free: the first MiB (BIOS data, real-mode
//      leftovers), the kernel image, the Multiboot structures and modules.
//   4. Carve the kernel heap out of what is left.
//
// What remains in the BootInfo's MemoryMap is exactly the memory the frame
// array (lab 1) may hand out.
#pragma once

#include "kernel/boot_info.h"

#include <stdint.h>

namespace kernel_memory {

void init(BootInfo& info);

// The physical address of the kernel page directory. Its entries 768..1023
// are the kernel half that every address space shares.
uint32_t kernel_directory();

// Usable RAM according to the firmware map, before any reservation: all of
// it, also what lies above the direct map.
uint64_t firmware_usable_bytes();
// The part of it above the direct-map limit, which the kernel does not use.
uint64_t unused_bytes();

// The kernel image and the heap, as physical ranges (for tests and reports).
PhysRange image();
PhysRange heap();

} // namespace kernel_memory
