// bench-syscall: the cost of the cheapest system call, in guest instructions.
//
// rdtsc counts guest instructions under Bochs; 10000 getpid() calls between
// two readings give the cost of one call, round trip from user mode, plus the
// loop's few instructions. A figure, not a verdict: the one check is that
// getpid answered the same every time.
#include "program.h"
#include "timing.h"

namespace {
constexpr uint32_t kCalls = 10000;
}

int main(const char* args)
{
    verdict_init(args);
    int pid = sys::getpid(); // warm-up: code and stack pages touched
    bool same = true;
    uint64_t start = rdtsc();
    for (uint32_t i = 0; i < kCalls; ++i)
        same &= sys::getpid() == pid;
    uint64_t elapsed = rdtsc() - start;
    check("getpid-stable", same, "getpid() changed during the loop");
    value("syscall_instructions", elapsed / kCalls);
    return verdict_status();
}
