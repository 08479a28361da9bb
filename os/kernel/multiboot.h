// multiboot.h: the parts of the Multiboot v1 information structure that the
// kernel reads (Multiboot Specification 0.6.96, section 3.3).
#pragma once

#include <stdint.h>

namespace multiboot {

constexpr uint32_t kBootloaderMagic = 0x2BADB002;

// flags bits saying which fields are valid
constexpr uint32_t kHasMemory = 1u << 0;   // mem_lower, mem_upper
constexpr uint32_t kHasCmdline = 1u << 2;
constexpr uint32_t kHasModules = 1u << 3;
constexpr uint32_t kHasMemoryMap = 1u << 6;
constexpr uint32_t kHasLoaderName = 1u << 9;

struct __attribute__((packed)) Info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper; // KiB below 1 MiB / above 1 MiB
    uint32_t boot_device;
    uint32_t cmdline;              // physical address of a C string
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;     // physical address of a C string
};

struct __attribute__((packed)) Module {
    uint32_t start, end; // physical, [start, end)
    uint32_t string;     // physical address of the module's command line
    uint32_t reserved;
};

// One memory-map entry. `size` counts the bytes after itself, so the next
// entry is at (address of this one) + size + 4.
struct __attribute__((packed)) MemoryMapEntry {
    uint32_t size;
    uint64_t base;
    uint64_t length;
    uint32_t type; // 1 usable RAM, 3 ACPI reclaimable, 4 ACPI NVS, others reserved
};

} // namespace multiboot
