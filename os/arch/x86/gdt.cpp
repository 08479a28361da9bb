#include "arch/x86/gdt.h"

#include "arch/x86/cpu.h"

namespace {

// A segment descriptor (SDM vol. 3A, 3.4.5, Figure 3-8).
struct __attribute__((packed)) Descriptor {
    uint16_t limit_low;
    uint16_t base_low;
    uint8_t base_mid;
    uint8_t access;      // P, DPL, S, type
    uint8_t flags_limit; // G, D/B, L, AVL, limit 19..16
    uint8_t base_high;
};
static_assert(sizeof(Descriptor) == 8);

// The 32-bit TSS (SDM vol. 3A, 7.2.1, Figure 7-2).
struct __attribute__((packed)) TaskState {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};
static_assert(sizeof(TaskState) == 104);

constexpr Descriptor make(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return Descriptor { uint16_t(limit & 0xffff), uint16_t(base & 0xffff), uint8_t((base >> 16) & 0xff), access,
        uint8_t((flags << 4) | ((limit >> 16) & 0xf)), uint8_t(base >> 24) };
}

// access: 0x9A code ring 0, 0x92 data ring 0, 0xFA code ring 3, 0xF2 data ring 3,
// 0x89 available 32-bit TSS. flags 0xC: 4 KiB granularity, 32-bit.
Descriptor g_table[6];
TaskState g_tss;

} // namespace

namespace gdt {

void init()
{
    g_tss.ss0 = kKernelData;
    g_tss.iomap_base = sizeof(TaskState); // no I/O permission bitmap
    g_table[0] = Descriptor {};
    g_table[1] = make(0, 0xfffff, 0x9A, 0xC);
    g_table[2] = make(0, 0xfffff, 0x92, 0xC);
    g_table[3] = make(0, 0xfffff, 0xFA, 0xC);
    g_table[4] = make(0, 0xfffff, 0xF2, 0xC);
    g_table[5] = make(uint32_t(reinterpret_cast<uintptr_t>(&g_tss)), sizeof(TaskState) - 1, 0x89, 0x0);

    cpu::TablePointer pointer { sizeof(g_table) - 1, uint32_t(reinterpret_cast<uintptr_t>(g_table)) };
    cpu::lgdt(pointer);
    asm volatile("movw %0, %%ds\n movw %0, %%es\n movw %0, %%fs\n movw %0, %%gs\n movw %0, %%ss\n"
                 "ljmp %1, $1f\n 1:"
                 :
                 : "r"(kKernelData), "i"(kKernelCode)
                 : "memory");
    cpu::ltr(kTss);
}

void set_kernel_stack(uint32_t esp0) { g_tss.esp0 = esp0; }

} // namespace gdt
