// cpu.h: every privileged x86 instruction the kernel uses, one inline wrapper
// each. Nothing else in the kernel writes these instructions inline; grep for
// a wrapper's name to find every place that touches the hardware that way.
//
// Kernel-only header: host builds use os/arch/host/ instead.
#pragma once

#include <stdint.h>

namespace cpu {

// ---- Port I/O (Intel SDM vol. 2, IN/OUT) ----
inline void outb(uint16_t port, uint8_t value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
inline void outw(uint16_t port, uint16_t value) { asm volatile("outw %0, %1" : : "a"(value), "Nd"(port)); }
inline uint8_t inb(uint16_t port)
{
    uint8_t value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

inline uint16_t inw(uint16_t port)
{
    uint16_t value;
    asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
// Move `words` 16-bit words between a port and memory (REP INSW / REP OUTSW):
// the data phase of an ATA PIO transfer.
inline void insw(uint16_t port, void* buffer, uint32_t words)
{
    asm volatile("rep insw" : "+D"(buffer), "+c"(words) : "d"(port) : "memory");
}
inline void outsw(uint16_t port, const void* buffer, uint32_t words)
{
    asm volatile("rep outsw" : "+S"(buffer), "+c"(words) : "d"(port) : "memory");
}

// ---- Control registers (SDM vol. 3A, 2.5) ----
inline uint32_t read_cr0()
{
    uint32_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline void write_cr0(uint32_t v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }

// CR2 holds the linear address of the last page fault.
inline uint32_t read_cr2()
{
    uint32_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

// CR3 holds the physical address of the current page directory. Writing it
// switches address spaces and flushes all non-global TLB entries.
inline uint32_t read_cr3()
{
    uint32_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline void write_cr3(uint32_t v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }

inline uint32_t read_cr4()
{
    uint32_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr4(uint32_t v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

// Drop the TLB entry of one page (SDM vol. 3A, 4.10.4.1).
inline void invlpg(uint32_t linear) { asm volatile("invlpg (%0)" : : "r"(linear) : "memory"); }

// ---- Descriptor tables ----
struct __attribute__((packed)) TablePointer {
    uint16_t limit;
    uint32_t base;
};
inline void lgdt(const TablePointer& p) { asm volatile("lgdt %0" : : "m"(p)); }
inline void lidt(const TablePointer& p) { asm volatile("lidt %0" : : "m"(p)); }
inline void ltr(uint16_t selector) { asm volatile("ltr %0" : : "r"(selector)); }

// ---- Interrupt flag and halting ----
inline void cli() { asm volatile("cli" : : : "memory"); }
inline void sti() { asm volatile("sti" : : : "memory"); }
inline void hlt() { asm volatile("hlt" : : : "memory"); }
inline uint32_t read_eflags()
{
    uint32_t v;
    asm volatile("pushfl; popl %0" : "=r"(v));
    return v;
}
inline bool interrupts_enabled() { return read_eflags() & (1u << 9); }

// Time-stamp counter. Under Bochs it advances exactly once per guest
// instruction, so a difference of two reads is an instruction count.
inline uint64_t rdtsc()
{
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

// Stop forever: interrupts off, halt in a loop.
[[noreturn]] inline void halt_forever()
{
    for (;;) {
        cli();
        hlt();
    }
}

// Stop in the Bochs debugger (magic_break: enabled=1 in bochsrc). A no-op
// on real hardware and in QEMU.
inline void bochs_break() { asm volatile("xchg %%bx, %%bx" : : : "memory"); }

} // namespace cpu
