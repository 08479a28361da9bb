// cmdline.h: the kernel command line from GRUB, as key=value words.
//
//   test=<name>    run the named kernel test instead of the demo boot
//   token=<hex>    the per-run verdict token (see ktest.h)
//   panic=halt     stop in place after a panic instead of powering off
//   quota=N, swap_slots=N, idle_collect=0   lab 5's collector (vm/reclaim.h)
//
// Example grub.cfg line: `multiboot /boot/kernel.elf test=boot token=8f3a...`
#pragma once

#include <stddef.h>

namespace cmdline {
// Keep a private copy of `text` (at most kMaxLength bytes are kept).
constexpr size_t kMaxLength = 512;
void init(const char* text);
const char* text();
// The value of `key`, or nullptr. Values end at the next space.
// Copies into an internal buffer per key; the pointer stays valid.
const char* get(const char* key);
}
