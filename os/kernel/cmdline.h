// cmdline.h: the kernel command line from GRUB, as key=value words.
//
//   test=<name>    run the named kernel test instead of the demo boot
//   token=<hex>    the per-run verdict token (see ktest.h)
//   panic=halt     stop in place after a panic instead of powering off
//
// Example grub.cfg line: `multiboot /boot/kernel.elf 'test=boot' 'token=8f3a...'`
// (tools/mkiso quotes every word). GRUB hands the words on with each `\`,
// `'` and `"` escaped by a backslash; init() undoes that, so text() is
// exactly the line the harness asked for, whatever characters it holds.
#pragma once

#include <stddef.h>

namespace cmdline {
// Keep a private copy of `text` (at most kMaxLength bytes are kept; a longer
// line is cut and init() says so on the console). With `grub_escaped`, a
// backslash is dropped and the character after it kept as it is.
constexpr size_t kMaxLength = 4096;
void init(const char* text, bool grub_escaped);
const char* text();
// The value of `key`, or nullptr. Values end at the next space.
// Copies into an internal buffer per key; the pointer stays valid.
const char* get(const char* key);
}
