// timing.h: instruction counts for benchmarks.
//
// Under Bochs (`clock: sync=none`) the time-stamp counter advances once per
// executed guest instruction, so the difference of two rdtsc() readings is an
// exact instruction count, including whatever the kernel ran in between.
#pragma once

#include <stdint.h>

inline uint64_t rdtsc()
{
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return uint64_t(high) << 32 | low;
}
