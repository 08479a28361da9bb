// framework.cpp: kernel tests of the framework itself (lab 0). Each KTEST is
// run by booting with `test=<name> token=<hex>`; see os/kernel/ktest.h.
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "arch/x86/pit.h"
#include "arch/mmu.h"
#include "kernel/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/kernel_memory.h"
#include "kernel/ktest.h"
#include "kernel/pool.h"
#include "vm/fault_entry.h"

const BootInfo& boot_info();

namespace {

// The free ranges left for the frame array must be sorted, disjoint, page
// aligned and must not overlap anything the kernel reserved.
bool free_map_is_sane(const MemoryMap& map, const char** why)
{
    PhysRange image = kernel_memory::image(), heap = kernel_memory::heap();
    for (unsigned i = 0; i < map.range_count(); ++i) {
        const PhysRange& r = map.range(i);
        if (r.base % paging::kPageSize || r.end % paging::kPageSize)
            return *why = "a range is not page aligned", false;
        if (i > 0 && map.range(i - 1).end > r.base)
            return *why = "ranges overlap or are unsorted", false;
        if (r.base < (1u << 20))
            return *why = "a range is in the first MiB", false;
        if (r.base < image.end && image.base < r.end)
            return *why = "a range overlaps the kernel image", false;
        if (r.base < heap.end && heap.base < r.end)
            return *why = "a range overlaps the heap", false;
    }
    return true;
}

struct Probe {
    uint32_t a, b;
    explicit Probe(uint32_t x) : a(x), b(~x) { }
};

} // namespace

KTEST(boot)
{
    ktest::check("token-on-cmdline", ktest::token()[0] != '-', "no token= on the command line");
    ktest::check("low-half-unmapped",
        !paging::PageDirectoryEntry(static_cast<uint32_t*>(mmu::phys_to_virt(mmu::current_directory()))[0])
             .is_present(),
        "directory entry 0 is present: NULL would not fault");
    ktest::check("kernel-directory-current", mmu::current_directory() == kernel_memory::kernel_directory());

    Heap& heap = kernel_heap();
    size_t before = heap.bytes_free();
    void* p = kmalloc(1000);
    void* q = kmalloc(5000);
    bool allocated = p && q && p != q;
    kfree(p);
    kfree(q);
    heap.check();
    ktest::check("heap-alloc-free", allocated && heap.bytes_free() == before, "free bytes %u -> %u",
        unsigned(before), unsigned(heap.bytes_free()));

    ObjectPool<Probe> pool;
    constexpr uint32_t kCount = 100;
    void* storage = kmalloc(ObjectPool<Probe>::storage_bytes(kCount));
    pool.init(storage, kCount);
    uint32_t handles[kCount];
    bool ok = true;
    for (uint32_t i = 0; i < kCount; ++i)
        ok = ok && (handles[i] = pool.create(i)) != 0;
    ok = ok && pool.create(7u) == ObjectPool<Probe>::kNone;
    for (uint32_t i = 0; i < kCount; ++i)
        ok = ok && pool.get(handles[i])->a == i && pool.get(handles[i])->b == ~i;
    for (uint32_t i = 0; i < kCount; ++i)
        pool.destroy(handles[i]);
    ktest::check("pool-fill-drain", ok && pool.in_use() == 0);
    kfree(storage);

    uint64_t t0 = pit::ticks();
    while (pit::ticks() < t0 + 3)
        cpu::hlt();
    ktest::check("timer-ticks", pit::ticks() >= t0 + 3);
    ktest::check("interrupts-on", cpu::interrupts_enabled());
}

KTEST(memmap)
{
    const BootInfo& info = boot_info();
    ktest::value("usable_bytes", kernel_memory::firmware_usable_bytes());
    ktest::value("mem_upper_kib", info.mem_upper_kib);
    ktest::value("free_bytes", info.memory.usable_bytes());
    // RAM above the direct map is reported, not used: the frame array's map
    // ends below the limit, and what the firmware has above it is the rest.
    ktest::value("unused_bytes", kernel_memory::unused_bytes());
    uint64_t top = info.memory.range_count() ? info.memory.range(info.memory.range_count() - 1).end : 0;
    ktest::check("frames-below-direct-map", top <= layout::kDirectMapLimit, "usable map ends at 0x%llx",
        (unsigned long long)top);
    ktest::check("unused-is-part-of-usable", kernel_memory::unused_bytes() <= kernel_memory::firmware_usable_bytes(),
        "unused %llu of %llu bytes", (unsigned long long)kernel_memory::unused_bytes(),
        (unsigned long long)kernel_memory::firmware_usable_bytes());
    ktest::check("map-has-entries", info.memory.entry_count() > 0 && info.memory.dropped_entries() == 0);
    // mem_upper is the contiguous RAM above 1 MiB; the map's usable bytes
    // above 1 MiB can only be that or less (never more than the machine has).
    uint64_t upper = uint64_t(info.mem_upper_kib) << 10;
    uint64_t usable = kernel_memory::firmware_usable_bytes();
    ktest::check("usable-matches-mem-upper", usable <= upper + (1u << 20) && usable + (1u << 20) >= upper,
        "map says %llu bytes, mem_upper says %llu", (unsigned long long)usable, (unsigned long long)upper);
    const char* why = "";
    ktest::check("free-ranges-sane", free_map_is_sane(info.memory, &why), "%s", why);
}

// A deliberate kernel-mode write to an unmapped user address. The fault
// report (and the panic after it) is what the harness checks.
KTEST(fault_report)
{
    ktest::check("fault-armed", true);
    *reinterpret_cast<volatile uint32_t*>(0x0badf00c) = 0x1234;
    ktest::check("fault-happened", false, "the write to 0x0badf00c did not fault");
}

// ---- misbehaving kernels: the harness must end each run cleanly ----
// Used by the lab-0 tests "harness-*", which expect a given failure outcome
// (and the debugger dump where there is one), never a stuck runner.

KTEST(misbehave_spin) // a hang with interrupts on: only the budget stops it
{
    ktest::check("spinning", true);
    for (;;)
        asm volatile("" ::: "memory");
}

KTEST(misbehave_halt) // a hang with interrupts off: Bochs skips time here
{
    ktest::check("halting", true);
    cpu::halt_forever();
}

KTEST(misbehave_triple_fault) // no IDT at all: the first exception is fatal
{
    ktest::check("faulting", true);
    cpu::TablePointer empty { 0, 0 };
    cpu::lidt(empty);
    asm volatile("int3");
}

KTEST(misbehave_flood) // a console that never stops
{
    ktest::check("flooding", true);
    for (unsigned i = 0;; ++i)
        kprintf("flood line %u: the quick brown fox jumps over the lazy dog\n", i);
}
