// vm_counters.h: what an operation costs in the kernel's VM counters
// (VmStat, os/proc/abi.h), for the lab-3 tests.
//
//   warm_stack();                         // 1. the stack a measurement uses is resident
//   VmStat before = vm_now();             // 2. read the counters
//   ...touch n pages...                   // 3. the operation
//   VmDelta d = vm_delta(before, vm_now()); // 4. what it cost
//   check("touch-faults", d.faults == n && d.zero_fills == n, ...);
//
// The counters are the whole kernel's: a measurement is exact only while no
// other process faults or allocates, and while the measuring program's own
// stack does not grow into a new (demand-zero) page between steps 2 and 4.
// warm_stack() takes care of the second; the programs take care of the first.
#pragma once

#include "syscall.h"

#include <stdint.h>

// The counters now (all zero if vmstat fails).
inline VmStat vm_now()
{
    VmStat s {};
    if (sys::vmstat(&s) != 0)
        s = VmStat {};
    return s;
}

// The change of each counter from `before` to `after`; frames_used and
// vpages_made are signed (memory given back is negative).
struct VmDelta {
    int32_t faults;        // faults_total: every page fault the CPU raised
    int32_t zero_fills;    // faults_zero_fill
    int32_t resident_maps; // faults_resident_map
    int32_t bad;           // faults_bad
    int32_t frames_used;   // frames_free went down by this much
    int32_t vpages_made;   // vpages_in_use went up by this much
};

inline VmDelta vm_delta(const VmStat& before, const VmStat& after)
{
    return VmDelta {
        int32_t(after.faults_total - before.faults_total),
        int32_t(after.faults_zero_fill - before.faults_zero_fill),
        int32_t(after.faults_resident_map - before.faults_resident_map),
        int32_t(after.faults_bad - before.faults_bad),
        int32_t(before.frames_free - after.frames_free),
        int32_t(after.vpages_in_use - before.vpages_in_use),
    };
}

// Make the top kWarmStackBytes of the stack resident now (the stack below
// its top page is demand-zero), so that calls made later at a shallower
// depth fault nothing. noinline: the array must be a frame of its own; and
// its address escapes into the asm, or the compiler would keep only the
// bytes written (a local array nobody can see needs no layout).
constexpr uint32_t kWarmStackBytes = 16 * 1024;
__attribute__((noinline)) inline void warm_stack()
{
    volatile uint8_t pad[kWarmStackBytes];
    asm volatile("" : : "r"(pad) : "memory");
    for (uint32_t i = 0; i < sizeof pad; i += 512)
        pad[i] = 0;
    pad[sizeof pad - 1] = 0;
}

// The user stack as the kernel lays it out (os/proc/process.h): kStackPages
// pages below kStackTop, the top one resident at the start (it holds the
// argument string), the others demand-zero, and an empty guard page below.
namespace user_stack {
constexpr uint32_t kTop = 0xBFFF0000;
constexpr uint32_t kPages = 64;
constexpr uint32_t kTopPage = kTop - 4096;
constexpr uint32_t kBottom = kTop - kPages * 4096;
constexpr uint32_t kGuardPage = kBottom - 4096;
} // namespace user_stack
