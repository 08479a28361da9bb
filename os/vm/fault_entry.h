// fault_entry.h: the one C++ entry point of the page-fault exception.
//
// isr.S -> trap_dispatch() -> page_fault_entry(frame). Set a Bochs
// breakpoint here to watch every page fault: lb "page_fault_entry".
//
// page_fault_entry() decodes CR2 and the error code into a PageFault and
// asks the installed fault handler (process.cpp: the current process's
// address space, through vm::resolve and lab 3) what to do. A user fault
// that is not resolved kills the process with describe(result); a kernel
// fault with no handler or no answer prints the exception report and panics.
#pragma once

#include "arch/x86/page_fault.h"
#include "vm/fault.h"

struct TrapFrame;

extern "C" void page_fault_entry(TrapFrame* frame);

namespace vm {

using FaultHandler = FaultResult (*)(const PageFault& fault, TrapFrame& frame);
void set_fault_handler(FaultHandler handler);

} // namespace vm
