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

// [address, address + length) lies wholly in user space: the one range check
// every system call, the ELF loader and user_memory use. The start is tested
// first, so that `kUserTop - address` cannot wrap around 4 GiB (a start in
// the kernel half with a small length is refused, not waved through).
constexpr bool is_user_range(uint32_t address, uint32_t length)
{
    return is_user_address(address) && length <= kUserTop - address;
}
static_assert(!is_user_range(0xFFFFF000, 0x3000), "a range that wraps past 4 GiB is not user space");
static_assert(!is_user_range(0xC0100000, 0x1000), "the kernel half is not user space");
static_assert(is_user_range(0xBFFFF000, 0x1000) && !is_user_range(0xBFFFF000, 0x2000), "the last user page");
}
