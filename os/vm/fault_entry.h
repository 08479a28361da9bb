// fault_entry.h: the one C++ entry point of the page-fault exception.
//
// isr.S -> trap_dispatch() -> page_fault_entry(frame). Set a Bochs
// breakpoint here to watch every page fault: lb "page_fault_entry".
//
// page_fault_entry() decodes CR2 and the error code into a PageFault and
// asks the VM layer's fault handler (installed by lab 3) what to do. Without
// a handler, or when the handler cannot resolve a kernel-mode fault, it
// prints the exception report and panics.
#pragma once

#include "arch/x86/page_fault.h"

struct TrapFrame;

extern "C" void page_fault_entry(TrapFrame* frame);

namespace vm {

// What the VM layer made of a fault.
enum class FaultResult {
    Resolved,    // the page is mapped now: return and retry the instruction
    Queued,      // the thread waits for the store; another thread runs
    KillProcess, // a bad access: the process dies with a one-line reason
    OutOfMemory, // no frame could be had: the process dies, "out of memory"
    Unhandled,   // no VM layer: report and panic
};

using FaultHandler = FaultResult (*)(const PageFault& fault, TrapFrame& frame);
void set_fault_handler(FaultHandler handler);

// The one-line reason for a user access the VM layer refused ("NULL pointer
// access", "access to the kernel half", ...).
const char* describe_bad_access(const PageFault& fault);

// Faults seen since boot (for vmstat and tests).
uint64_t faults_seen();

} // namespace vm
