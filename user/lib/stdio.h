// stdio.h: formatted output for user programs.
//
// printf understands what the kernel's formatter does (os/lib/format.h:
// %d %i %u %x %X %p %s %c %%, '0' flag, width, l and ll). It formats into a
// buffer on the stack and hands the text to the write system call, one write
// per printf when the text fits the buffer (kPrintfBuffer bytes), so that a
// line printed with one printf is not cut by another process's output.
#pragma once

#include "lib/format.h"

#include <stdarg.h>

constexpr int kPrintfBuffer = 256;

// Returns the number of characters printed.
int printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char* fmt, va_list args);
