// Kernel implementations of the C memory and string functions. The compiler
// may also emit calls to memcpy/memset/memmove/memcmp on its own.
#include "lib/string.h"

#include <stdint.h>

extern "C" {

void* memcpy(void* dst, const void* src, size_t n)
{
    // rep movs: one instruction, and Bochs counts each iteration, so copy
    // costs stay visible in instruction-count benchmarks. Whole aligned
    // words (every page copy) move a word at a time: a quarter of the
    // iterations, as memset does.
    void* d = dst;
    if (((reinterpret_cast<uintptr_t>(dst) | reinterpret_cast<uintptr_t>(src) | n) & 3) == 0) {
        size_t words = n / 4;
        asm volatile("rep movsl" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
        return dst;
    }
    asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void* memmove(void* dst, const void* src, size_t n)
{
    auto* d = static_cast<uint8_t*>(dst);
    auto* s = static_cast<const uint8_t*>(src);
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void* memset(void* dst, int value, size_t n)
{
    void* d = dst;
    if (((reinterpret_cast<uintptr_t>(dst) | n) & 3) == 0) { // whole words: a quarter of the iterations
        uint32_t word = uint8_t(value) * 0x01010101u;
        size_t words = n / 4;
        asm volatile("rep stosl" : "+D"(d), "+c"(words) : "a"(word) : "memory");
        return dst;
    }
    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(value) : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, size_t n)
{
    auto* x = static_cast<const uint8_t*>(a);
    auto* y = static_cast<const uint8_t*>(b);
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char* s)
{
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

int strcmp(const char* a, const char* b)
{
    while (*a && *a == *b)
        ++a, ++b;
    return uint8_t(*a) - uint8_t(*b);
}

int strncmp(const char* a, const char* b, size_t n)
{
    for (; n > 0; --n, ++a, ++b) {
        if (*a != *b || !*a)
            return uint8_t(*a) - uint8_t(*b);
    }
    return 0;
}

} // extern "C"
