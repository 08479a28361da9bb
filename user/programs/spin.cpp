// spin: a CPU-bound child for the preemption tests. Loops `n` iterations
// (default 100000) making no system call, then prints how many times it lost
// the CPU and exits 0.
//
// Each iteration reads the time-stamp counter (one tick per guest instruction
// under Bochs). A gap of more than kGapInstructions between two readings
// means the kernel ran something else in between: another process, since a
// timer interrupt alone costs far less. With `expect=preempted` the program
// checks that this happened at least once (it shares the CPU with others).
#include "program.h"
#include "timing.h"

namespace {
// A timer interrupt that only counts a tick costs some hundreds of
// instructions; a quantum of another process costs tens of thousands.
constexpr uint64_t kGapInstructions = 20000;
}

int main(const char* args)
{
    verdict_init(args);
    uint32_t n = arg(args, "n").number(100000);
    uint32_t gaps = 0;
    uint64_t last = rdtsc(), start = last;
    for (uint32_t i = 0; i < n; ++i) {
        uint64_t now = rdtsc();
        if (now - last > kGapInstructions)
            ++gaps;
        last = now;
    }
    value("spin-instructions", last - start);
    value("spin-preempted", gaps);
    if (arg(args, "expect").is("preempted"))
        check("spin-was-preempted", gaps > 0, "pid %d ran %u iterations without losing the CPU", sys::getpid(), n);
    return 0;
}
