#include "arch/x86/idt.h"

#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/trap.h"

#include <stdint.h>

extern "C" const uint32_t isr_stub_table[48];
extern "C" const uint32_t isr_syscall_stub;

namespace {

// An interrupt gate (SDM vol. 3A, 6.11, Figure 6-2).
struct __attribute__((packed)) Gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t type; // P | DPL | 0 | 1110 (32-bit interrupt gate: IF cleared on entry)
    uint16_t offset_high;
};
static_assert(sizeof(Gate) == 8);

Gate g_idt[256];

void set_gate(unsigned vector, uint32_t handler, unsigned dpl)
{
    g_idt[vector] = Gate { uint16_t(handler & 0xffff), gdt::kKernelCode, 0, uint8_t(0x8E | (dpl << 5)),
        uint16_t(handler >> 16) };
}

} // namespace

namespace idt {

void init()
{
    for (unsigned v = 0; v < 48; ++v)
        set_gate(v, isr_stub_table[v], 0);
    set_gate(trap::kSyscall, isr_syscall_stub, 3);
    cpu::TablePointer pointer { sizeof(g_idt) - 1, uint32_t(reinterpret_cast<uintptr_t>(g_idt)) };
    cpu::lidt(pointer);
}

} // namespace idt
