// trap.h: the register frame that every interrupt, exception and system call
// builds on the kernel stack (isr.S), and the dispatch entry points.
#pragma once

#include <stdint.h>

// Laid out from the lowest address up, in the order isr.S pushes it in
// reverse. user_esp and user_ss exist only when the trap came from ring 3.
struct TrapFrame {
    uint32_t edi, esi, ebp, esp_at_trap, ebx, edx, ecx, eax; // pushal
    uint32_t gs, fs, es, ds;
    uint32_t vector;
    uint32_t error_code; // 0 when the processor pushes none
    uint32_t eip, cs, eflags; // pushed by the processor
    uint32_t user_esp, user_ss; // only from ring 3

    bool from_user() const { return (cs & 3) == 3; }
};
static_assert(sizeof(TrapFrame) == 19 * 4, "isr.S and TrapFrame must agree");

namespace trap {
constexpr uint32_t kPageFault = 14;
constexpr uint32_t kIrqBase = 32; // PIC IRQ n arrives as vector 32 + n
constexpr uint32_t kSyscall = 0x80;

// Name of an exception vector ("page fault"), or "interrupt".
const char* exception_name(uint32_t vector);
// Short mnemonic ("#PF").
const char* exception_mnemonic(uint32_t vector);

// Handler of one PIC interrupt line; runs with interrupts off.
using IrqHandler = void (*)(TrapFrame&);
void set_irq_handler(unsigned irq, IrqHandler handler);

// Handler of int 0x80 (installed by the process layer).
using SyscallHandler = void (*)(TrapFrame&);
void set_syscall_handler(SyscallHandler handler);

// What to do with a fault in user mode that the kernel cannot resolve: the
// process layer kills the process (installed by process::init). Without a
// handler such faults are reported and panic like kernel faults.
using UserFaultHandler = void (*)(const TrapFrame& frame, uint32_t address, const char* why);
void set_user_fault_handler(UserFaultHandler handler);
// Hand a user-mode fault to the handler; returns only if there is none.
void user_fault(const TrapFrame& frame, uint32_t address, const char* why);

// Print the one report of an exception (vector, error code, registers, and
// CR2 with the decoded bits for a page fault). Tagged with the verdict token.
void report_exception(const TrapFrame& frame, uint32_t cr2);
} // namespace trap

// Called from isr.S for every vector.
extern "C" void trap_dispatch(TrapFrame* frame);
