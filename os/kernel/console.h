// console.h: kernel text output. Everything goes to COM1 (read by the test
// harness from Bochs's serial file; see arch/x86/serial.h).
//
// One kprintf call is formatted into a buffer first and written with
// interrupts off, in pieces of at most kConsoleChunk bytes: output of another
// thread or process can come before or after it, never inside a piece.
#pragma once

#include <stdarg.h>
#include <stddef.h>

constexpr size_t kConsoleChunk = 512;

int kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char* fmt, va_list args);
// Write `n` bytes as they are, whole when n <= kConsoleChunk.
void console_write(const char* bytes, size_t n);
// Write `n` bytes (n <= kConsoleChunk) whole, starting a line of their own:
// a line another writer left open is ended first.
void console_write_line(const char* line, size_t n);
