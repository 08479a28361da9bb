// simulated_memory.h: host-only controls of the simulated machine behind
// os/arch/mmu.h, for CppUTest.
//
// A test creates a SimulatedMemory of N bytes; physical address p is then
// byte p of that buffer. Every invalidate_page() and switch_directory() is
// recorded, so a test can check that lab code flushed the TLB where it must.
#pragma once

#include <stdint.h>
#include <vector>

class SimulatedMemory {
public:
    // Become the machine's physical memory (one at a time).
    explicit SimulatedMemory(uint32_t bytes);
    ~SimulatedMemory();
    SimulatedMemory(const SimulatedMemory&) = delete;
    SimulatedMemory& operator=(const SimulatedMemory&) = delete;

    uint32_t size() const { return uint32_t(m_bytes.size()); }
    uint8_t* data() { return m_bytes.data(); }

    // Linear addresses passed to invalidate_page(), in order.
    std::vector<uint32_t> invalidated;
    // Directories passed to switch_directory(), in order.
    std::vector<uint32_t> switches;
    uint32_t current_directory { 0 };

    static SimulatedMemory& current();

private:
    std::vector<uint8_t> m_bytes;
};
