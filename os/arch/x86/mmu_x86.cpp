#include "arch/mmu.h"

#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "lib/string.h"
#include "lib/verify.h"

namespace {
uint64_t g_bulk; // rdtsc ticks (= guest instructions under Bochs) in zero_frame/copy_frame
}

namespace mmu {

void* phys_to_virt(uint32_t physical)
{
    DEBUG_VERIFY(physical < layout::kDirectMapLimit);
    return reinterpret_cast<void*>(uintptr_t(physical) + layout::kKernelBase);
}

uint32_t virt_to_phys(const void* pointer)
{
    uint32_t linear = uint32_t(reinterpret_cast<uintptr_t>(pointer));
    DEBUG_VERIFY(linear >= layout::kKernelBase);
    return linear - layout::kKernelBase;
}

void invalidate_page(uint32_t linear) { cpu::invlpg(linear); }
void switch_directory(uint32_t directory) { cpu::write_cr3(directory); }
uint32_t current_directory() { return cpu::read_cr3(); }

void zero_frame(uint32_t physical)
{
    uint64_t start = cpu::rdtsc();
    memset(phys_to_virt(physical), 0, 4096);
    g_bulk += cpu::rdtsc() - start;
}

void copy_frame(uint32_t to, uint32_t from)
{
    uint64_t start = cpu::rdtsc();
    memcpy(phys_to_virt(to), phys_to_virt(from), 4096);
    g_bulk += cpu::rdtsc() - start;
}

uint64_t bulk_instructions() { return g_bulk; }

} // namespace mmu
