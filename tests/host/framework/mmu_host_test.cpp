// Host tests of os/arch/mmu.h as implemented for the host by
// os/arch/host/mmu_host.cpp: physical memory is a SimulatedMemory buffer and
// every TLB flush is recorded.
#include "arch/host/simulated_memory.h"
#include "arch/mmu.h"

#include <stdint.h>

// CppUTest last: its leak-detection macros redefine `new`.
#include "../support/host_test.h"

namespace {
constexpr uint32_t kBytes = 64 * 1024;
}

TEST_GROUP(SimulatedMmu)
{
    SimulatedMemory memory { kBytes };
};

TEST(SimulatedMmu, PhysicalAddressIsAnOffsetIntoTheSimulatedRam)
{
    auto* p = static_cast<uint8_t*>(mmu::phys_to_virt(0x1234));
    POINTERS_EQUAL(memory.data() + 0x1234, p);
    *p = 0x5a;
    BYTES_EQUAL(0x5a, memory.data()[0x1234]);
}

TEST(SimulatedMmu, VirtToPhysInvertsPhysToVirt)
{
    for (uint32_t physical : { 0u, 1u, 0xfffu, 0x1000u, kBytes / 2, kBytes - 1 })
        UNSIGNED_LONGS_EQUAL(physical, mmu::virt_to_phys(mmu::phys_to_virt(physical)));
}

TEST(SimulatedMmu, PhysToVirtBeyondTheMemoryIsCaught)
{
    for (uint32_t physical : { kBytes, kBytes + 1, 0xC0000000u, 0xffffffffu }) {
        CHECK_VERIFY_FAILS(mmu::phys_to_virt(physical));
        STRCMP_CONTAINS("beyond the simulated memory", last_verify_message());
    }
}

TEST(SimulatedMmu, VirtToPhysOfAPointerOutsideTheMemoryIsCaught)
{
    uint32_t local = 0;
    const void* outside[] = { &local, memory.data() + kBytes, memory.data() - 1 };
    for (const void* p : outside) {
        CHECK_VERIFY_FAILS(mmu::virt_to_phys(p));
        STRCMP_CONTAINS("not in the simulated memory", last_verify_message());
    }
}

TEST(SimulatedMmu, InvalidatePageIsRecordedInOrder)
{
    CHECK_TRUE(memory.invalidated.empty());
    mmu::invalidate_page(0x08048000);
    mmu::invalidate_page(0xC0001000);
    mmu::invalidate_page(0x08048000);
    LONGS_EQUAL(3, memory.invalidated.size());
    UNSIGNED_LONGS_EQUAL(0x08048000, memory.invalidated[0]);
    UNSIGNED_LONGS_EQUAL(0xC0001000, memory.invalidated[1]);
    UNSIGNED_LONGS_EQUAL(0x08048000, memory.invalidated[2]);
    CHECK_TRUE(memory.switches.empty());
}

TEST(SimulatedMmu, SwitchDirectoryIsRecordedAndBecomesCurrent)
{
    UNSIGNED_LONGS_EQUAL(0, mmu::current_directory());
    mmu::switch_directory(0x2000);
    UNSIGNED_LONGS_EQUAL(0x2000, mmu::current_directory());
    mmu::switch_directory(0x5000);
    UNSIGNED_LONGS_EQUAL(0x5000, mmu::current_directory());
    LONGS_EQUAL(2, memory.switches.size());
    UNSIGNED_LONGS_EQUAL(0x2000, memory.switches[0]);
    UNSIGNED_LONGS_EQUAL(0x5000, memory.switches[1]);
    CHECK_TRUE(memory.invalidated.empty());
}

TEST(SimulatedMmu, OnlyOneSimulatedMemoryAtATime)
{
    CHECK_VERIFY_FAILS(SimulatedMemory(4096));
    POINTERS_EQUAL(&memory, &SimulatedMemory::current()); // the first one still rules
}

TEST_GROUP(NoSimulatedMmu) {};

TEST(NoSimulatedMmu, MmuCallWithoutSimulatedMemoryIsCaught)
{
    CHECK_VERIFY_FAILS(mmu::phys_to_virt(0));
    STRCMP_CONTAINS("no SimulatedMemory exists", last_verify_message());
    CHECK_VERIFY_FAILS(mmu::current_directory());
}

TEST(NoSimulatedMmu, DestroyedMemoryIsNoLongerCurrent)
{
    {
        SimulatedMemory memory(4096);
        POINTERS_EQUAL(&memory, &SimulatedMemory::current());
    }
    CHECK_VERIFY_FAILS(SimulatedMemory::current());
}
