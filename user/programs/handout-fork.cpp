// handout-fork: the program of lab 4's debugger exercise
// (handouts/lab4-copy-on-write.md). One dirty page, one fork, two writes:
//   1. mmap a page at 0x40000000 and write 0x1111 to it (zero fill).
//   2. fork: parent and child share the page's vpage, copy-on-write.
//   3. the child writes 0x2222: its own copy (a new frame); it exits with 0
//      if it reads back 0x2222.
//   4. the parent, after wait, still reads 0x1111; its write of 0x3333 is
//      the last mapping's: no copy (faults_cow_kept goes up by one).
#include "program.h"

int main(const char* args)
{
    verdict_init(args);
    auto* page = static_cast<volatile uint32_t*>(sys::mmap(nullptr, 4096, kMapWrite));
    if (!check("mmap-succeeds", !is_error((void*)page), "mmap = %d", error_of((void*)page)))
        return verdict_status();
    page[0] = 0x1111;

    int pid = sys::fork();
    if (pid == 0) {
        page[0] = 0x2222;
        sys::exit(page[0] == 0x2222 ? 0 : 1);
    }
    int status = -100;
    int reaped = sys::wait(pid, &status);
    check("child-saw-its-write", pid > 0 && reaped == pid && status == 0, "fork = %d, wait = %d, status %d", pid,
        reaped, status);
    check("parent-kept-its-page", page[0] == 0x1111, "parent reads 0x%08x", page[0]);

    VmStat before {}, after {};
    sys::vmstat(&before);
    page[0] = 0x3333;
    sys::vmstat(&after);
    check("last-mapping-kept", after.faults_cow_kept - before.faults_cow_kept == 1
        && after.frames_free == before.frames_free, "%u kept, frames free %u -> %u",
        after.faults_cow_kept - before.faults_cow_kept, before.frames_free, after.frames_free);
    return verdict_status();
}
