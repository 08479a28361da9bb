// idt.h: the interrupt descriptor table. Vectors 0..31 (exceptions) and
// 32..47 (PIC interrupts) are kernel-only interrupt gates; vector 0x80 is a
// gate that user mode may call (DPL 3) for system calls.
#pragma once

namespace idt {
void init();
}
