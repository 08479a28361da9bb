#include "arch/host/simulated_memory.h"
#include "arch/mmu.h"
#include "lib/verify.h"

#include <string.h>

namespace {
SimulatedMemory* g_memory;
}

SimulatedMemory::SimulatedMemory(uint32_t bytes) : m_bytes(bytes, 0)
{
    VERIFY(g_memory == nullptr);
    g_memory = this;
}

SimulatedMemory::~SimulatedMemory() { g_memory = nullptr; }

SimulatedMemory& SimulatedMemory::current()
{
    VERIFY_MSG(g_memory, "no SimulatedMemory exists: create one in the test's setup");
    return *g_memory;
}

namespace mmu {

void* phys_to_virt(uint32_t physical)
{
    auto& m = SimulatedMemory::current();
    VERIFY_MSG(physical < m.size(), "phys_to_virt(0x%08x): beyond the simulated memory", physical);
    return m.data() + physical;
}

uint32_t virt_to_phys(const void* pointer)
{
    auto& m = SimulatedMemory::current();
    auto* p = static_cast<const uint8_t*>(pointer);
    VERIFY_MSG(p >= m.data() && p < m.data() + m.size(), "virt_to_phys(%p): not in the simulated memory", pointer);
    return uint32_t(p - m.data());
}

void invalidate_page(uint32_t linear) { SimulatedMemory::current().invalidated.push_back(linear); }

void switch_directory(uint32_t directory)
{
    auto& m = SimulatedMemory::current();
    m.switches.push_back(directory);
    m.current_directory = directory;
}

uint32_t current_directory() { return SimulatedMemory::current().current_directory; }

void zero_frame(uint32_t physical) { memset(phys_to_virt(physical), 0, 4096); }
void copy_frame(uint32_t to, uint32_t from) { memcpy(phys_to_virt(to), phys_to_virt(from), 4096); }
uint64_t bulk_instructions() { return 0; }

} // namespace mmu
