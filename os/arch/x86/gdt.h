// gdt.h: the flat segments and the task-state segment.
//
// Selectors (index * 8 | RPL):
//   0x08 kernel code   0x10 kernel data   0x1B user code   0x23 user data
//   0x28 TSS (only its esp0/ss0 matter: the kernel stack for traps from ring 3)
#pragma once

#include <stdint.h>

namespace gdt {
constexpr uint16_t kKernelCode = 0x08;
constexpr uint16_t kKernelData = 0x10;
constexpr uint16_t kUserCode = 0x1B;
constexpr uint16_t kUserData = 0x23;
constexpr uint16_t kTss = 0x28;

// Load the GDT, reload every segment register, load the task register.
void init();
// The stack the processor switches to on a trap from user mode.
void set_kernel_stack(uint32_t esp0);
} // namespace gdt
