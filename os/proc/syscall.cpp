// syscall.cpp: one small function per system call, and the table. Each
// returns the value for eax: >= 0, or a negative kErr* (abi.h). Pointer
// arguments go through user_memory, never straight to memcpy.
#include "proc/syscall.h"

#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "kernel/console.h"
#include "lib/string.h"
#include "proc/abi.h"
#include "proc/process.h"
#include "proc/user_memory.h"
#include "vm/fault_entry.h"
#include "vm/frame_array.h"
#include "vm/vpage.h"

namespace {

using Args = const TrapFrame&;

int32_t sys_exit(Args f) { process::exit(int32_t(f.ebx)); }

int32_t sys_write(Args f)
{
    char buffer[256];
    uint32_t done = 0;
    while (done < f.ecx) {
        uint32_t n = f.ecx - done < sizeof buffer ? f.ecx - done : sizeof buffer;
        if (!user_memory::copy_from(buffer, f.ebx + done, n))
            return done ? int32_t(done) : kErrFault;
        for (uint32_t i = 0; i < n; ++i)
            kprintf("%c", buffer[i]);
        done += n;
    }
    return int32_t(done);
}

int32_t sys_getpid(Args) { return int32_t(process::current()->pid); }

int32_t sys_yield(Args)
{
    sched::yield();
    return 0;
}

int32_t sys_sleep(Args f)
{
    sched::sleep_ticks(f.ebx);
    return 0;
}

int32_t sys_spawn(Args f)
{
    char program[32], args[256];
    if (!user_memory::copy_string(program, f.ebx, sizeof program))
        return kErrFault;
    if (f.ecx == 0)
        args[0] = '\0';
    else if (!user_memory::copy_string(args, f.ecx, sizeof args))
        return kErrFault;
    const char* why = nullptr;
    Process* child = process::spawn(program, args, process::current(), &why);
    if (!child)
        return strcmp(why, "no such program") == 0 ? kErrNotFound : kErrNoMemory;
    return int32_t(child->pid);
}

int32_t sys_wait(Args f)
{
    if (f.ecx && !user_memory::range_ok(f.ecx, 4, true))
        return kErrFault;
    int32_t status = 0;
    int32_t pid = process::wait(int32_t(f.ebx), &status);
    if (pid > 0 && f.ecx)
        user_memory::copy_to(f.ecx, &status, 4);
    return pid;
}

int32_t sys_fork(Args) { return kErrNotImplemented; } // lab 4

int32_t sys_vmstat(Args f)
{
    VmStat s {};
    s.frames_total = frames().frames_total();
    s.frames_free = frames().frames_free();
    s.vpages_in_use = vpages().in_use();
    s.faults_total = uint32_t(vm::faults_seen());
    return user_memory::copy_to(f.ebx, &s, sizeof s) ? 0 : kErrFault;
}

int32_t not_yet(Args) { return kErrNotImplemented; }

using Handler = int32_t (*)(Args);
constexpr Handler kTable[kSysCount] = {
    nullptr, sys_exit, sys_write, sys_getpid, sys_yield, sys_sleep, sys_spawn, sys_wait, sys_fork,
    not_yet, not_yet, sys_vmstat, not_yet, not_yet, not_yet, not_yet, not_yet,
};

void dispatch(TrapFrame& frame)
{
    cpu::sti(); // system calls run with interrupts on
    uint32_t nr = frame.eax;
    Handler h = nr < kSysCount ? kTable[nr] : nullptr;
    frame.eax = uint32_t(h ? h(frame) : kErrNoSys);
    cpu::cli();
}

} // namespace

namespace syscall {
void init() { trap::set_syscall_handler(dispatch); }
}
