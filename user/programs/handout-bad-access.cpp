// handout-bad-access: the bad accesses of lab 3's handout
// (handouts/lab3-fault-handler.md), one child process each. The kernel must
// kill the child with the reason in the table (its KILL line in the log) and
// nothing else: the parent checks that each child was killed, and that every
// frame and vpage came back.
//
//   op         the child                                  the kernel's reason
//   null       reads address 0                            NULL pointer access
//   kernel     reads 0xC0100000 (the kernel's image)      access to the kernel half
//   unmapped   reads 0x70000000 (nothing mapped)          access to an unmapped address
//   read-only  writes its own code at 0x00400000          write to a read-only page
//   guard      recurses until the stack runs out          stack overflow (guard page)
#include "program.h"

namespace {

const char* const kOps[] = { "null", "kernel", "unmapped", "read-only", "guard" };

uint32_t read_at(uint32_t address) { return *reinterpret_cast<volatile uint32_t*>(uintptr_t(address)); }

// 1 KiB of stack per call: 64 stack pages are gone after ~256 calls.
uint32_t deep(uint32_t n)
{
    volatile uint8_t pad[1024];
    pad[0] = uint8_t(n);
    return n < 1000000 ? deep(n + 1) + pad[0] : 0;
}

void child(const ArgValue& op)
{
    if (op.is("null"))
        read_at(0);
    else if (op.is("kernel"))
        read_at(0xC0100000);
    else if (op.is("unmapped"))
        read_at(0x70000000);
    else if (op.is("read-only"))
        *reinterpret_cast<volatile uint32_t*>(0x00400000) = 0;
    else if (op.is("guard"))
        deep(0);
    sys::exit(0); // still alive: the kernel let the access through
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    ArgValue op = arg(args, "op");
    if (op.present())
        child(op);

    VmStat before {}, after {};
    sys::vmstat(&before);
    for (const char* name : kOps) {
        char child_args[96], check_name[40];
        format_to(child_args, sizeof child_args, "token=- op=%s", name);
        format_to(check_name, sizeof check_name, "killed-%s", name);
        int pid = sys::spawn("handout-bad-access", child_args);
        int status = -100;
        int reaped = pid > 0 ? sys::wait(pid, &status) : pid;
        int32_t killed = kill_status(strcmp(name, "guard") == 0 ? kKillStackOverflow : kKillBadAccess);
        check(check_name, pid > 0 && reaped == pid && status == killed, "spawn = %d, wait = %d, status %d", pid,
            reaped, status);
    }
    sys::vmstat(&after);
    check("frames-back", after.frames_free == before.frames_free, "frames free %u -> %u", before.frames_free,
        after.frames_free);
    check("vpages-back", after.vpages_in_use == before.vpages_in_use, "vpages %u -> %u", before.vpages_in_use,
        after.vpages_in_use);
    return verdict_status();
}
