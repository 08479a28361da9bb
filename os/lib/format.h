// format.h: a small printf for a kernel without a C library.
//
// Supports %d %i %u %x %X %p %s %c %% with optional '0' flag, width, and the
// 'l' / 'll' length modifiers (64-bit with 'll'). Output goes to a Sink, a
// function that takes one character, so the same code formats to the serial
// console, to a buffer, or (in host tests) to a std::string.
#pragma once

#include <stdarg.h>
#include <stddef.h>

struct FormatSink {
    void (*put)(void* context, char c);
    void* context;
};

// Format `fmt` with `args` into `sink`. Returns the number of characters.
int vformat(FormatSink sink, const char* fmt, va_list args);

// Format into `buffer` of `size` bytes, always NUL-terminated when size > 0.
// Returns the length the full output would have had (like snprintf).
int format_to(char* buffer, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
int vformat_to(char* buffer, size_t size, const char* fmt, va_list args);
