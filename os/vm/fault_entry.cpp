#include "vm/fault_entry.h"

#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "lib/verify.h"

namespace {
vm::FaultHandler g_handler;
}

namespace vm {

void set_fault_handler(FaultHandler handler) { g_handler = handler; }
}

// noinline: the debugger breakpoint on this symbol must always fire.
extern "C" __attribute__((noinline)) void page_fault_entry(TrapFrame* frame)
{
    PageFault fault(cpu::read_cr2(), frame->error_code, frame->eip);
    vm::FaultResult result = g_handler ? g_handler(fault, *frame) : vm::FaultResult::Unhandled;
    if (vm::is_resolved(result) || result == vm::FaultResult::Queued)
        return;
    if (fault.is_user())
        trap::user_fault(*frame, fault.address(), vm::describe(result));
    trap::report_exception(*frame, fault.address());
    PANIC("unhandled %s-mode page fault at 0x%08x (%s), eip 0x%08x", fault.mode(), fault.address(), fault.cause(),
        fault.eip());
}
