// trap.cpp: where every interrupt, exception and system call lands.
//
// Order of business in trap_dispatch():
//   1. page fault (14)        -> page_fault_entry(), the VM layer's door
//   2. other exceptions (<32) -> report, then panic (kernel mode) or the
//                                user-fault handler (user mode, when installed)
//   3. PIC interrupts (32..47) -> the registered IRQ handler, then EOI
//   4. int 0x80               -> the system-call handler
#include "arch/x86/trap.h"

#include "arch/x86/cpu.h"
#include "arch/x86/page_fault.h"
#include "arch/x86/pic.h"
#include "kernel/console.h"
#include "kernel/ktest.h"
#include "lib/verify.h"
#include "vm/fault_entry.h"

namespace {

struct ExceptionInfo {
    const char* mnemonic;
    const char* name;
};

constexpr ExceptionInfo kExceptions[32] = {
    { "#DE", "divide error" }, { "#DB", "debug" }, { "NMI", "non-maskable interrupt" }, { "#BP", "breakpoint" },
    { "#OF", "overflow" }, { "#BR", "bound range exceeded" }, { "#UD", "invalid opcode" },
    { "#NM", "device not available" }, { "#DF", "double fault" }, { "---", "coprocessor segment overrun" },
    { "#TS", "invalid TSS" }, { "#NP", "segment not present" }, { "#SS", "stack-segment fault" },
    { "#GP", "general protection" }, { "#PF", "page fault" }, { "---", "reserved" },
    { "#MF", "x87 floating-point error" }, { "#AC", "alignment check" }, { "#MC", "machine check" },
    { "#XM", "SIMD floating-point" }, { "#VE", "virtualization" }, { "#CP", "control protection" },
    { "---", "reserved" }, { "---", "reserved" }, { "---", "reserved" }, { "---", "reserved" },
    { "---", "reserved" }, { "---", "reserved" }, { "#HV", "hypervisor injection" },
    { "#VC", "VMM communication" }, { "#SX", "security" }, { "---", "reserved" },
};

trap::IrqHandler g_irq_handlers[16];
trap::SyscallHandler g_syscall_handler;
trap::UserFaultHandler g_user_fault_handler;

// The one-line reason for an exception raised in user mode.
const char* user_reason(uint32_t vector)
{
    switch (vector) {
    case 0: return "divide error";
    case 6: return "invalid instruction";
    case 13: return "general protection fault (privileged instruction or bad segment)";
    default: return trap::exception_name(vector);
    }
}

} // namespace

namespace trap {

const char* exception_name(uint32_t vector) { return vector < 32 ? kExceptions[vector].name : "interrupt"; }
const char* exception_mnemonic(uint32_t vector) { return vector < 32 ? kExceptions[vector].mnemonic : "IRQ"; }

void set_irq_handler(unsigned irq, IrqHandler handler)
{
    VERIFY(irq < 16);
    g_irq_handlers[irq] = handler;
}

void set_syscall_handler(SyscallHandler handler) { g_syscall_handler = handler; }
void set_user_fault_handler(UserFaultHandler handler) { g_user_fault_handler = handler; }

void user_fault(const TrapFrame& frame, uint32_t address, const char* why)
{
    if (g_user_fault_handler && frame.from_user())
        g_user_fault_handler(frame, address, why);
}

void report_exception(const TrapFrame& f, uint32_t cr2)
{
    kprintf("\nEXCEPTION %u %s (%s) in %s mode, error code 0x%08x\n", f.vector, exception_mnemonic(f.vector),
        exception_name(f.vector), f.from_user() ? "user" : "kernel", f.error_code);
    if (f.vector == kPageFault) {
        PageFault fault(cr2, f.error_code, f.eip);
        kprintf("  cr2=0x%08x: %s, %s mode [P=%u W/R=%u U/S=%u RSV=%u]\n", cr2, fault.cause(), fault.mode(),
            f.error_code & 1, (f.error_code >> 1) & 1, (f.error_code >> 2) & 1, (f.error_code >> 3) & 1);
    }
    kprintf("  eip=0x%08x cs=0x%04x eflags=0x%08x\n", f.eip, f.cs, f.eflags);
    kprintf("  eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", f.eax, f.ebx, f.ecx, f.edx);
    kprintf("  esi=0x%08x edi=0x%08x ebp=0x%08x esp=0x%08x\n", f.esi, f.edi, f.ebp,
        f.from_user() ? f.user_esp : f.esp_at_trap + 36); // past segs, vector, error, eip, cs, eflags
    char slug[32]; // "page fault" -> "page-fault": one word for the harness
    const char* name = exception_name(f.vector);
    unsigned n = 0;
    for (; name[n] && n + 1 < sizeof slug; ++n)
        slug[n] = name[n] == ' ' ? '-' : name[n];
    slug[n] = '\0';
    ktest::tagged("EXCEPTION vector=%u name=%s err=0x%08x eip=0x%08x cr2=0x%08x\n", f.vector, slug, f.error_code,
        f.eip, f.vector == kPageFault ? cr2 : 0);
}

} // namespace trap

extern "C" void trap_dispatch(TrapFrame* frame)
{
    uint32_t v = frame->vector;
    if (v == trap::kPageFault) {
        page_fault_entry(frame);
        return;
    }
    if (v < 32) {
        trap::user_fault(*frame, frame->eip, user_reason(v)); // returns only without a process layer
        trap::report_exception(*frame, 0);
        PANIC("unhandled exception %u (%s) at eip 0x%08x", v, trap::exception_name(v), frame->eip);
    }
    if (v >= trap::kIrqBase && v < trap::kIrqBase + 16) {
        unsigned irq = v - trap::kIrqBase;
        pic::end_of_interrupt(irq); // before the handler: it may switch threads
        if (g_irq_handlers[irq])
            g_irq_handlers[irq](*frame);
        return;
    }
    if (v == trap::kSyscall && g_syscall_handler) {
        g_syscall_handler(*frame);
        return;
    }
    PANIC("unexpected trap vector %u", v);
}
