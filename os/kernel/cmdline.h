// cmdline.h: the kernel command line from GRUB, as key=value words.
//
//   test=<name>    run the named kernel test instead of the demo boot
//   token=<hex>    the per-run verdict token (see ktest.h)
//   panic=halt     stop in place after a panic instead of powering off
//   quota=N, swap_slots=N, idle_collect=0   lab 5's collector (vm/reclaim.h)
//
// Example GRUB config line: `multiboot /boot/kernel.elf 'test=boot token=8f3a...'`
// (tools/mkiso passes the whole line as one quoted word). GRUB hands it on
// with each `\`, `'` and `"` escaped by a backslash, and in double quotes when
// it holds a space; init() undoes exactly that, so text() is the line the
// harness asked for, whatever characters it holds.
#pragma once

#include <stddef.h>

namespace cmdline {
// Keep a private copy of `text` (at most kMaxLength bytes are kept; a longer
// line is cut and init() says so on the console). With `grub_escaped`, a
// bare `"` is dropped, and a backslash too, keeping the character after it.
constexpr size_t kMaxLength = 4096;
void init(const char* text, bool grub_escaped);
const char* text();
// The value of `key`, or nullptr. Values end at the next space.
// Copies into an internal buffer per key; the pointer stays valid.
const char* get(const char* key);
}
