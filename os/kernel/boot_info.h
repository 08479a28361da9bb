// boot_info.h: what GRUB told the kernel, copied out of the Multiboot
// structures into kernel memory at the very start, so that nothing later
// depends on where GRUB happened to put them.
#pragma once

#include "kernel/memory_map.h"

#include <stdint.h>

struct BootModule {
    uint32_t start, end; // physical, [start, end)
    char name[64];       // the module's command line (its file name)
    bool in_archive;     // one program of the program archive
};

// A module is a file GRUB loaded, or one program of the program archive
// (kernel/program_archive.h). Past kMaxModules, boot prints each module it
// drops, and modules_dropped counts them.
struct BootInfo {
    static constexpr unsigned kMaxModules = 64;

    MemoryMap memory;          // raw firmware map; usable ranges after compute_usable()
    uint32_t mem_lower_kib { 0 }; // from the Multiboot header fields
    uint32_t mem_upper_kib { 0 };
    BootModule modules[kMaxModules];
    unsigned module_count { 0 };
    unsigned modules_dropped { 0 };
    // Physical ranges GRUB used that must not be handed out: the info
    // structure, the command line, the memory map, the module list.
    PhysRange multiboot_ranges[4];
    unsigned multiboot_range_count { 0 };
};

// Read the Multiboot information at physical address `info_physical`.
// The first 16 MiB must be reachable through the direct map (boot.S).
void read_boot_info(uint32_t info_physical, BootInfo& out);

// Print the memory map and the modules (of the archive's programs only their
// number: every byte on the serial console costs the boot some 870
// instructions, the UART's pace at 115200 baud and ips=10000000).
void print_boot_info(const BootInfo& info);
