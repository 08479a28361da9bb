// string.h: the few C string and memory functions the kernel needs.
// In host builds (VMKIT_HOST) the C library provides them.
#pragma once

#include <stddef.h>

#ifdef VMKIT_HOST
#include <string.h>
#else
extern "C" {
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int value, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
}
#endif

// Does `s` start with `prefix`?
inline bool starts_with(const char* s, const char* prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}
