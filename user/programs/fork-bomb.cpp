// fork-bomb: forking until memory runs out ends in errors, never a panic,
// and gives everything back.
//
// A referee (this program's first process) runs two bombs, each in a child
// of its own, and reads what happened from their exit statuses
// (subtree size << 8 | flags):
//   1. tree: every process forks as long as fork succeeds, and each child
//      does the same, so the processes multiply until fork returns
//      kErrNoMemory (here the kernel heap runs out: every process has a
//      kernel stack); then each reaps its children and exits.
//   2. chain: each process writes its copy of 128 pages but the last 8 (one
//      copy-on-write fault and one frame each), then forks the next one,
//      until there are no frames left: a process is killed "out of memory"
//      on a copy-on-write fault (the test's `kills` rule), either while it
//      writes or, when its own fork failed, when it writes the 8 pages it
//      still shares with its parent. The processes above it wait for their
//      child without touching their own copy-on-write stack (fork_then_wait),
//      so none of them needs a frame: only the last one dies.
// Every process checks its own pages after the processes below it are gone.
// Then the kernel still forks, and frames and vpages are back to the
// baseline taken after a warm-up.
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kChainPages = 128;
constexpr uint32_t kReserve = 8;       // chain pages written only when fork fails
constexpr uint32_t kMaxDepth = 1000;

// Flags of an exit status (the low 8 bits; the subtree size is above them).
enum Flag : uint32_t {
    kForkNoMemory = 1 << 0,   // a fork returned kErrNoMemory
    kForkOdd = 1 << 1,        // a fork returned another error
    kWaitOdd = 1 << 2,        // wait did not return the child
    kChildKilled = 1 << 3,    // a child was killed
    kSurvived = 1 << 4,       // a chain process wrote its shared pages with no memory left, and lived
    kDataBad = 1 << 5,        // a process found its own pages changed
};
constexpr int32_t status_of(uint32_t size, uint32_t flags) { return int32_t(size << 8 | flags); }
constexpr uint32_t size_of(int32_t status) { return uint32_t(status) >> 8; }
constexpr uint32_t flags_of(int32_t status) { return uint32_t(status) & 0xFF; }

// ---- 1. tree ----

int32_t tree()
{
    uint32_t flags = 0, size = 1;
    for (;;) {
        int pid = sys::fork();
        if (pid == 0) { // a new process, which bombs on
            flags = 0;
            size = 1;
            continue;
        }
        if (pid < 0) {
            flags |= pid == kErrNoMemory ? kForkNoMemory : kForkOdd;
            break;
        }
    }
    for (;;) {
        int status = 0;
        int reaped = sys::wait(-1, &status);
        if (reaped == kErrNoChild)
            break;
        if (reaped <= 0) {
            flags |= kWaitOdd;
            break;
        }
        if (was_killed(status)) {
            flags |= kChildKilled;
            size += 1;
        } else {
            flags |= flags_of(status);
            size += size_of(status);
        }
    }
    return status_of(size, flags);
}

// ---- 2. chain ----

struct ForkWait {
    int pid;     // the child's pid in the parent; 0 in the child and when fork failed
    int result;  // parent: wait's result; child: 0; fork failed: its error
};

// fork(), and in the parent wait for the child straight away, in one piece
// of assembly: between the two system calls the parent writes nothing (its
// stack is copy-on-write now, and a write would need a frame that may not
// exist). `status` must be in a page that is not copy-on-write (the shared
// board), for wait to write it without a copy. When wait returns, the child
// is gone and the parent's pages are its own again: no frame needed.
ForkWait fork_then_wait(int* status)
{
    uint32_t eax = kSysFork, ebx = 0, ecx = uint32_t(uintptr_t(status));
    asm volatile("int $0x80\n\t"
                 "test %%eax, %%eax\n\t"
                 "jle 1f\n\t"
                 "mov %%eax, %%ebx\n\t"
                 "mov %[wait], %%eax\n\t"
                 "int $0x80\n"
                 "1:"
                 : "+a"(eax), "+b"(ebx), "+c"(ecx)
                 : [wait] "i"(kSysWait)
                 : "edx", "esi", "edi", "memory");
    return ForkWait { int(ebx), int(eax) };
}

// Shared with every chain process (kMapShared): the wait statuses.
struct Board {
    int status[kMaxDepth];
};

uint8_t* page_at(uint8_t* area, uint32_t p) { return area + p * kPageSize; }

// Words of the first `count` pages that are not `tag`'s.
uint32_t mismatches(uint8_t* area, uint32_t count, uint32_t tag)
{
    uint32_t bad = 0;
    for (uint32_t p = 0; p < count; ++p)
        bad += page_mismatches(page_at(area, p), tag, p);
    return bad;
}

int32_t chain(Board* board)
{
    auto* area = static_cast<uint8_t*>(sys::mmap(nullptr, kChainPages * kPageSize, kMapWrite));
    if (is_error(area))
        return status_of(1, kForkOdd);
    for (uint32_t p = 0; p < kChainPages; ++p)
        fill_page(page_at(area, p), 1, p);
    uint32_t depth = 0;
    ForkWait fw;
    for (;;) {
        fw = depth + 1 < kMaxDepth ? fork_then_wait(&board->status[depth]) : ForkWait { 0, kErrInvalid };
        if (fw.pid != 0 || fw.result != 0)
            break;
        // The next process: its own copy of all but the reserve pages.
        ++depth;
        for (uint32_t p = 0; p < kChainPages - kReserve; ++p)
            fill_page(page_at(area, p), depth + 1, p);
        if (mismatches(area, kChainPages - kReserve, depth + 1) != 0)
            return status_of(1, kDataBad);
    }
    uint32_t tag = depth + 1;
    if (fw.pid == 0) { // this fork failed: the last process of the chain
        uint32_t flags = fw.result == kErrNoMemory ? kForkNoMemory : kForkOdd;
        for (uint32_t p = kChainPages - kReserve; p < kChainPages; ++p)
            fill_page(page_at(area, p), tag, p); // each a copy: no frames left for them
        return status_of(1, flags | kSurvived);
    }
    uint32_t flags = 0, size = 1;
    int status = board->status[depth];
    if (fw.result != fw.pid) {
        flags |= kWaitOdd;
    } else if (was_killed(status)) {
        flags |= kChildKilled;
        size += 1;
    } else {
        flags |= flags_of(status);
        size += size_of(status);
    }
    if (mismatches(area, kChainPages - kReserve, tag) != 0)
        flags |= kDataBad;
    return status_of(size, flags);
}

// Run `bomb` in a child; its exit status, or a killed status (< 0) / a fork error.
template <typename Bomb>
int run_in_child(Bomb bomb)
{
    int pid = sys::fork();
    if (pid == 0)
        sys::exit(bomb());
    int status = -100;
    if (pid < 0 || sys::wait(pid, &status) != pid)
        return pid < 0 ? pid : -100;
    return status;
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    auto* board = static_cast<Board*>(sys::mmap(nullptr, sizeof(Board), kMapShared | kMapWrite));
    if (!check("board-mapped", !is_error(board), "mmap = %d", error_of(board)))
        return verdict_status();
    for (uint32_t i = 0; i < kMaxDepth; ++i)
        board->status[i] = 0; // resident before any fork
    // Warm-up: the stack the bombs use resident, one fork and exit, the
    // mmap area's page table made.
    settle_before_baseline();
    int warm = run_in_child([] { return 0; });
    check("warm-up-fork", warm == 0, "status %d", warm);
    VmStat baseline = vm_now();

    int32_t t = run_in_child(tree);
    value("tree-processes", size_of(t));
    check("tree-forks-until-no-memory", t >= 0 && flags_of(t) == kForkNoMemory && size_of(t) > 1,
        "status 0x%x: %u processes, flags 0x%x (kErrNoMemory only is 0x%x)", unsigned(t), size_of(t), flags_of(t),
        kForkNoMemory);
    VmStat after_tree = vm_now();
    check("tree-counts-back",
        after_tree.frames_free == baseline.frames_free && after_tree.vpages_in_use == baseline.vpages_in_use,
        "frames_free %u -> %u, vpages_in_use %u -> %u", baseline.frames_free, after_tree.frames_free,
        baseline.vpages_in_use, after_tree.vpages_in_use);

    int32_t c = run_in_child([&] { return chain(board); });
    value("chain-processes", size_of(c));
    uint32_t flags = flags_of(c);
    check("chain-ends-out-of-memory",
        c >= 0 && (flags & kChildKilled) && !(flags & (kForkOdd | kWaitOdd | kSurvived)) && size_of(c) > 2,
        "status 0x%x: %u processes, flags 0x%x (a kill is 0x%x)", unsigned(c), size_of(c), flags, kChildKilled);
    check("chain-data-isolated", c >= 0 && !(flags & kDataBad), "status 0x%x", unsigned(c));
    VmStat after_chain = vm_now();
    check("chain-counts-back",
        after_chain.frames_free == baseline.frames_free && after_chain.vpages_in_use == baseline.vpages_in_use,
        "frames_free %u -> %u, vpages_in_use %u -> %u", baseline.frames_free, after_chain.frames_free,
        baseline.vpages_in_use, after_chain.vpages_in_use);

    int again = run_in_child([] {
        auto* page = static_cast<uint8_t*>(sys::mmap(nullptr, kPageSize, kMapWrite));
        if (is_error(page))
            return 1;
        fill_page(page, 7, 0);
        return page_mismatches(page, 7, 0) == 0 ? 0 : 2;
    });
    check("kernel-still-forks", again == 0, "a child after the bombs: status %d", again);
    VmStat end = vm_now();
    check("counts-back", end.frames_free == baseline.frames_free && end.vpages_in_use == baseline.vpages_in_use,
        "frames_free %u -> %u, vpages_in_use %u -> %u", baseline.frames_free, end.frames_free,
        baseline.vpages_in_use, end.vpages_in_use);
    return verdict_status();
}
