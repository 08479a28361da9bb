// layout.h: where things are in the 4 GiB linear address space.
//
//   0xFFFFFFFF +-----------------------------+
//              | (unused)                    |
//   0xF8000000 +-----------------------------+ kKernelBase + kDirectMapLimit
//              | direct map of physical RAM  |  physical address p is at
//              | (kernel image, heap, frames)|  linear kKernelBase + p
//   0xC0000000 +-----------------------------+ kKernelBase = kUserTop
//              | user space                  |  private to each address space
//   0x00001000 +-----------------------------+
//              | page 0: never mapped (NULL) |
//   0x00000000 +-----------------------------+
//
// The kernel half is shared by every address space: the same page directory
// entries 768..1023 are copied into each one.
#pragma once

#include <stdint.h>

namespace layout {
constexpr uint32_t kKernelBase = 0xC0000000;
constexpr uint32_t kUserTop = kKernelBase;
constexpr uint32_t kUserBottom = 0x1000;
// Physical memory above this is not mapped and not used.
constexpr uint32_t kDirectMapLimit = 896u << 20;

constexpr bool is_user_address(uint32_t a) { return a >= kUserBottom && a < kUserTop; }
}
