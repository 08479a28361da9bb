#include "kernel/boot_info.h"

#include "arch/x86/layout.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/multiboot.h"
#include "kernel/program_archive.h"
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

// Copy at most sizeof m.name - 1 bytes of `name`.
void copy_name(BootModule& m, const char* name)
{
    size_t n = 0;
    for (; name[n] && n + 1 < sizeof m.name; ++n)
        m.name[n] = name[n];
    m.name[n] = '\0';
}

// Record one module, or say on the console that it is dropped.
void add_one(BootInfo& out, uint32_t start, uint32_t end, const char* name, bool in_archive)
{
    if (out.module_count == BootInfo::kMaxModules) {
        kprintf("boot: module '%s' dropped: the kernel keeps at most %u modules\n", name, BootInfo::kMaxModules);
        ++out.modules_dropped;
        return;
    }
    BootModule& m = out.modules[out.module_count++];
    m.start = start;
    m.end = end;
    m.in_archive = in_archive;
    copy_name(m, name);
}

// Record a module; a program archive also lists each of its programs.
void add_module(BootInfo& out, uint32_t start, uint32_t end, const char* name)
{
    add_one(out, start, end, name, false);
    const auto* data = physical<uint8_t>(start);
    uint32_t size = end - start;
    if (strcmp(name, program_archive::kModuleName) != 0 || !program_archive::is_archive(data, size))
        return;
    for (uint32_t i = 0; i < program_archive::count(data); ++i) {
        if (const char* why = program_archive::entry_problem(data, size, i)) {
            kprintf("boot: program %u of the archive dropped: %s\n", unsigned(i), why);
            ++out.modules_dropped;
            continue;
        }
        const auto& e = program_archive::entry(data, i);
        add_one(out, start + e.offset, start + e.offset + e.size, e.name, true);
    }
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
        const char* loader = info->flags & multiboot::kHasLoaderName ? physical<char>(info->boot_loader_name) : "";
        cmdline::init(text, strncmp(loader, "GRUB", 4) == 0);
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
        for (uint32_t i = 0; i < info->mods_count; ++i)
            add_module(out, mods[i].start, mods[i].end, mods[i].string ? physical<char>(mods[i].string) : "");
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
    kprintf("modules: %u", info.module_count);
    if (info.modules_dropped)
        kprintf(" (%u dropped, see above)", info.modules_dropped);
    kprintf("\n");
    for (unsigned i = 0; i < info.module_count; ++i) {
        const BootModule& m = info.modules[i];
        if (!m.in_archive)
            kprintf("  [0x%08x - 0x%08x) %s\n", m.start, m.end, m.name);
    }
    unsigned programs = 0;
    for (unsigned i = 0; i < info.module_count; ++i)
        programs += info.modules[i].in_archive;
    if (programs)
        kprintf("  %u programs in the archive\n", programs);
}
