#include "kernel/boot_info.h"

#include "arch/x86/layout.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/multiboot.h"
#include "lib/string.h"
#include "lib/verify.h"

namespace {

template<typename T>
const T* physical(uint32_t address)
{
    VERIFY_MSG(address < (16u << 20), "Multiboot data at 0x%08x is beyond the boot mapping", address);
    return reinterpret_cast<const T*>(uintptr_t(address) + layout::kKernelBase);
}

void note_range(BootInfo& out, uint32_t base, uint32_t size)
{
    if (size && out.multiboot_range_count < 4)
        out.multiboot_ranges[out.multiboot_range_count++] = PhysRange { base, uint64_t(base) + size };
}

} // namespace

void read_boot_info(uint32_t info_physical, BootInfo& out)
{
    const auto* info = physical<multiboot::Info>(info_physical);
    note_range(out, info_physical, sizeof(multiboot::Info));

    if (info->flags & multiboot::kHasMemory) {
        out.mem_lower_kib = info->mem_lower;
        out.mem_upper_kib = info->mem_upper;
    }
    if (info->flags & multiboot::kHasCmdline) {
        const char* text = physical<char>(info->cmdline);
        cmdline::init(text);
        note_range(out, info->cmdline, uint32_t(strlen(text) + 1));
    }
    VERIFY_MSG(info->flags & multiboot::kHasMemoryMap, "the boot loader gave no memory map");
    note_range(out, info->mmap_addr, info->mmap_length);
    for (uint32_t offset = 0; offset < info->mmap_length;) {
        const auto* e = physical<multiboot::MemoryMapEntry>(info->mmap_addr + offset);
        out.memory.add(e->base, e->length, e->type);
        offset += e->size + 4;
    }
    if (info->flags & multiboot::kHasModules) {
        note_range(out, info->mods_addr, info->mods_count * sizeof(multiboot::Module));
        const auto* mods = physical<multiboot::Module>(info->mods_addr);
        for (uint32_t i = 0; i < info->mods_count && i < BootInfo::kMaxModules; ++i) {
            BootModule& m = out.modules[out.module_count++];
            m.start = mods[i].start;
            m.end = mods[i].end;
            const char* name = mods[i].string ? physical<char>(mods[i].string) : "";
            size_t n = 0;
            for (; name[n] && n + 1 < sizeof m.name; ++n)
                m.name[n] = name[n];
            m.name[n] = '\0';
        }
    }
}

void print_boot_info(const BootInfo& info)
{
    kprintf("memory map (from the BIOS, via GRUB): lower %u KiB, upper %u KiB\n", info.mem_lower_kib,
        info.mem_upper_kib);
    for (unsigned i = 0; i < info.memory.entry_count(); ++i) {
        const auto& e = info.memory.entry(i);
        kprintf("  [0x%09llx - 0x%09llx) %8llu KiB  %s\n", (unsigned long long)e.base,
            (unsigned long long)(e.base + e.length), (unsigned long long)(e.length >> 10),
            MemoryMap::type_name(e.type));
    }
    kprintf("modules: %u\n", info.module_count);
    for (unsigned i = 0; i < info.module_count; ++i)
        kprintf("  [0x%08x - 0x%08x) %s\n", info.modules[i].start, info.modules[i].end, info.modules[i].name);
}
