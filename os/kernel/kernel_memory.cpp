#include "kernel/kernel_memory.h"

#include "arch/mmu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "lib/verify.h"

extern "C" char kernel_image_start[], kernel_image_end[];

namespace {

alignas(paging::kPageSize) paging::PageDirectoryEntry g_kernel_directory[paging::kEntriesPerTable];
uint64_t g_firmware_usable;
uint64_t g_unused;
PhysRange g_image;
PhysRange g_heap;

constexpr uint64_t kLowMemoryEnd = 1u << 20;

// The heap gets 1/16 of RAM, at least 256 KiB and at most 8 MiB.
uint64_t heap_size_for(uint64_t usable)
{
    uint64_t size = usable / 16;
    if (size < (256u << 10))
        size = 256u << 10;
    if (size > (8u << 20))
        size = 8u << 20;
    return paging::page_round_up(size);
}

void build_direct_map(uint64_t top)
{
    uint32_t large_pages = uint32_t((top + paging::kLargePageSize - 1) / paging::kLargePageSize);
    uint32_t first = paging::directory_index(layout::kKernelBase);
    for (uint32_t i = 0; i < large_pages; ++i)
        g_kernel_directory[first + i] = paging::PageDirectoryEntry::make_large_kernel(i * paging::kLargePageSize);
    mmu::switch_directory(mmu::virt_to_phys(g_kernel_directory));
}

} // namespace

namespace kernel_memory {

void init(BootInfo& info)
{
    MemoryMap& map = info.memory;
    map.compute_usable(~uint64_t(0));
    g_firmware_usable = map.usable_bytes();
    map.compute_usable(layout::kDirectMapLimit);
    g_unused = g_firmware_usable - map.usable_bytes();
    VERIFY_MSG(map.range_count() > 0, "no usable memory in the firmware map");
    if (g_unused)
        kprintf("kernel memory: %llu KiB of RAM above the %u MiB direct map not used\n",
            (unsigned long long)(g_unused >> 10), unsigned(layout::kDirectMapLimit >> 20));

    build_direct_map(map.range(map.range_count() - 1).end);

    g_image = PhysRange { mmu::virt_to_phys(kernel_image_start), mmu::virt_to_phys(kernel_image_end) };
    map.subtract(0, kLowMemoryEnd);
    map.subtract(g_image.base, g_image.end);
    for (unsigned i = 0; i < info.multiboot_range_count; ++i)
        map.subtract(info.multiboot_ranges[i].base, info.multiboot_ranges[i].end);
    for (unsigned i = 0; i < info.module_count; ++i)
        map.subtract(info.modules[i].start, info.modules[i].end);

    uint64_t heap_size = heap_size_for(g_firmware_usable);
    uint64_t heap_base;
    VERIFY_MSG(map.take(heap_size, heap_base), "no room for a %llu KiB kernel heap",
        (unsigned long long)(heap_size >> 10));
    g_heap = PhysRange { heap_base, heap_base + heap_size };
    kernel_heap().init(mmu::phys_to_virt(uint32_t(heap_base)), size_t(heap_size));

    kprintf("kernel memory: image %llu KiB at 0x%08llx, heap %llu KiB at 0x%08llx, %llu KiB left for frames\n",
        (unsigned long long)(g_image.size() >> 10), (unsigned long long)g_image.base,
        (unsigned long long)(heap_size >> 10), (unsigned long long)heap_base,
        (unsigned long long)(map.usable_bytes() >> 10));
}

uint32_t kernel_directory() { return mmu::virt_to_phys(g_kernel_directory); }
uint64_t firmware_usable_bytes() { return g_firmware_usable; }
uint64_t unused_bytes() { return g_unused; }
PhysRange image() { return g_image; }
PhysRange heap() { return g_heap; }

} // namespace kernel_memory
