// console.h: kernel text output. Everything goes to COM1 (read by the test
// harness from Bochs's serial file) and is mirrored to port 0xE9 (shown live
// by `make run`).
#pragma once

#include <stdarg.h>

int kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char* fmt, va_list args);
