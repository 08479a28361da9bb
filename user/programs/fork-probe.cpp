// fork-probe: the copy-on-write fork that the debugger check cow-fork
// (tests/debugger/checks/cow_fork.py) watches from outside.
//
// The parent writes one page, forks, and the two take turns (Link) so that
// four checkpoints come in a fixed order:
//   1  parent  after fork, before the child writes
//   2  child   before its write
//   3  child   after its write
//   4  parent  after the child's write, the child still alive
// A checkpoint is a getpid system call with the checkpoint number in ebx,
// the page's address in ecx and the first word the page should hold for the
// caller in edx (getpid ignores them; the debugger breaks in the kernel's
// sys_getpid and reads them from the trap frame). The program also checks
// what it sees itself.
#include "link.h"
#include "program.h"
#include "vmtest.h"

namespace {

enum Tag : uint32_t { kParentTag = 1, kChildTag = 2 };
enum Turn : uint32_t { kGo = 1, kWrote = 2, kExit = 3 };

void checkpoint(uint32_t number, const void* page, uint32_t tag)
{
    syscall(kSysGetpid, number, uint32_t(uintptr_t(page)), pattern_word(tag, 0, 0));
}

int child(Link& link, uint8_t* page)
{
    Message m {};
    if (!link.join())
        return 2;
    link.hear(&m); // kGo
    checkpoint(2, page, kParentTag);
    fill_page(page, kChildTag, 0);
    checkpoint(3, page, kChildTag);
    check("child-sees-own-write", page_mismatches(page, kChildTag, 0) == 0);
    link.tell(kWrote);
    link.hear(&m); // kExit
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    auto* page = static_cast<uint8_t*>(sys::mmap(nullptr, kPageSize, kMapWrite));
    Link link;
    if (!check("mmap-page", !is_error(page) && link.open(), "mmap = %d", error_of(page)))
        return verdict_status();
    fill_page(page, kParentTag, 0);
    int pid = sys::fork();
    if (pid == 0)
        sys::exit(child(link, page));
    if (!check("fork-succeeds", pid > 0 && link.accept(), "fork = %d", pid))
        return verdict_status();
    checkpoint(1, page, kParentTag);
    Message m {};
    link.tell(kGo);
    link.hear(&m); // kWrote
    checkpoint(4, page, kParentTag);
    check("parent-unchanged", page_mismatches(page, kParentTag, 0) == 0);
    link.tell(kExit);
    int status = -100;
    check("child-exit-0", sys::wait(pid, &status) == pid && status == 0, "status %d", status);
    return verdict_status();
}
