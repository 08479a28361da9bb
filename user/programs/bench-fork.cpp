// bench-fork: guest instructions to fork a process with 4 MiB of dirty
// private memory (plus its image and stack), measured in the parent from
// just before fork() to just after it returns. The child exits at once.
#include "program.h"
#include "timing.h"

namespace {
constexpr uint32_t kBytes = 4u << 20;
}

int main(const char* args)
{
    verdict_init(args);
    auto* area = static_cast<volatile uint32_t*>(sys::mmap(nullptr, kBytes, kMapWrite));
    if (!check("mmap-4mib", !is_error((void*)area)))
        return verdict_status();
    for (uint32_t i = 0; i < kBytes / 4; i += 1024)
        area[i] = i; // every page dirty and resident
    sys::yield(); // a fresh quantum: no switch to the child inside the window
    uint64_t start = rdtsc();
    int pid = sys::fork();
    if (pid == 0)
        sys::exit(0);
    uint64_t elapsed = rdtsc() - start;
    int status = -100;
    check("child-exit-0", pid > 0 && sys::wait(pid, &status) == pid && status == 0, "fork = %d", pid);
    value("fork_4mib_instructions", elapsed);
    return verdict_status();
}
