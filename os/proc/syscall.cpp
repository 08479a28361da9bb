// syscall.cpp: one small function per system call, and the table. Each
// returns the value for eax: >= 0, or a negative kErr* (abi.h). Pointer
// arguments go through user_memory, never straight to memcpy.
#include "proc/syscall.h"

#include "arch/mmu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "kernel/console.h"
#include "lib/string.h"
#include "proc/abi.h"
#include "proc/ipc.h"
#include "proc/process.h"
#include "proc/user_memory.h"
#include "proc/user_space.h"
#include "vm/address_space.h"
#include "vm/collector.h"
#include "vm/fault_entry.h"
#include "vm/pager_store.h"
#include "vm/reclaim.h"
#include "vm/resolve.h"
#include "vm/swap_store.h"
#include "vm/frame_array.h"
#include "vm/vpage.h"

namespace {

using Args = const TrapFrame&;

int32_t sys_exit(Args f) { process::exit(int32_t(f.ebx)); }

// Each piece of up to kConsoleChunk bytes reaches the console whole: a
// line written in one call is not cut by another process's output.
int32_t sys_write(Args f)
{
    char buffer[kConsoleChunk];
    uint32_t done = 0;
    while (done < f.ecx) {
        uint32_t n = f.ecx - done < sizeof buffer ? f.ecx - done : sizeof buffer;
        if (!user_memory::copy_from(buffer, f.ebx + done, n))
            return done ? int32_t(done) : kErrFault;
        console_write(buffer, n);
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
    process::SpawnStrings s;
    if (!process::copy_spawn_strings(s, f.ebx, f.ecx))
        return kErrFault;
    const char* why = nullptr;
    Process* child = process::spawn(s.program, s.args, process::current(), &why);
    if (!child)
        return process::spawn_error(why);
    return int32_t(child->pid);
}

int32_t sys_wait(Args f)
{
    if (!user_memory::range_ok(f.ecx, 4, true)) // the status pointer is required
        return kErrFault;
    int32_t status = 0;
    int32_t pid = process::wait(int32_t(f.ebx), &status);
    if (pid > 0)
        user_memory::copy_to(f.ecx, &status, 4);
    return pid;
}

int32_t sys_fork(Args f)
{
    const char* why = nullptr;
    Process* child = process::fork(f, &why);
    return child ? int32_t(child->pid) : kErrNoMemory;
}

int32_t sys_vmstat(Args f)
{
    // Fault the buffer in first, so that the counters include that fault.
    if (!user_memory::range_ok(f.ebx, sizeof(VmStat), true))
        return kErrFault;
    VmStat s {};
    s.frames_total = frames().frames_total();
    s.frames_free = frames().frames_free();
    s.vpages_in_use = vpages().in_use();
    s.faults_total = vm::faults_total();
    using R = vm::FaultResult;
    s.faults_zero_fill = vm::fault_count(R::ZeroFilled);
    s.faults_resident_map = vm::fault_count(R::MappedResident);
    s.faults_copy_on_write = vm::fault_count(R::CopiedOnWrite) + vm::fault_count(R::MadeWritable);
    s.faults_cow_kept = vm::fault_count(R::MadeWritable);
    s.faults_store = vm::fault_count(R::Queued);
    s.faults_bad = vm::faults_refused();
    s.bulk_instructions = mmu::bulk_instructions();
    s.page_tables = user_space::page_tables(*process::current()->space);
    const vm::CollectorCounters& c = vm::collector_counters();
    s.evictions = c.evictions;
    s.page_ins = c.page_ins + pager::counters().page_ins;    // lab 5's swap store and lab 6's pagers
    s.page_outs = c.page_outs + pager::counters().page_outs;
    s.scans = c.scans;
    s.scanned = c.scanned;
    s.max_taken = c.max_taken;
    s.quota = vm::quota();
    s.swap_slots_total = swap::slots_total();
    s.swap_slots_used = swap::slots_used();
    Process* p = process::current();
    s.own_scans = p->scans;
    s.own_evictions = p->evictions;
    s.own_page_ins = p->page_ins;
    return user_memory::copy_to(f.ebx, &s, sizeof s) ? 0 : kErrFault;
}

int32_t sys_mmap(Args f) { return user_space::mmap(process::current(), f.ebx, f.ecx, f.edx); }

int32_t sys_munmap(Args f) { return user_space::munmap(process::current(), f.ebx, f.ecx); }

// A page named in a message to send (or reply with): it must be mapped in
// the sender (kErrFault). Sent from a writable mapping, a copy-on-write page
// is copied for the sender here, by the same write fault the sender's own
// write would take, so that what the receiver gets is the sender's own page
// to share whatever its history (abi.h, "IPC and sharing"). Any other page
// goes as it is (an untouched demand-zero page stays without a frame).
int32_t prepare_page(uint32_t page)
{
    Process* p = process::current();
    if (!page)
        return 0;
    uint32_t at = uint32_t(paging::page_round_down(page));
    if (!layout::is_user_address(at))
        return kErrFault;
    Lookup l = p->space->lookup(at);
    if (l.kind == Lookup::Kind::Nothing)
        return kErrFault;
    // A copy-on-write page's entries are read-only in hardware, but the
    // mapping may write (the fault handler copies): it counts as writable.
    if (!(vpages().get(l.vpage)->flags & VPage::kCopyOnWrite))
        return 0;
    if (!user_memory::range_ok(at, paging::kPageSize, true))
        return kErrNoMemory; // mapped and writable: only the copy's frame or vpage can be missing
    Lookup now = p->space->lookup(at);
    return now.kind != Lookup::Kind::Nothing && !(vpages().get(now.vpage)->flags & VPage::kCopyOnWrite) ? 0
                                                                                                       : kErrNoMemory;
}

// The IPC calls copy the user's Message in and out around the kernel's.
int32_t sys_ipc(Args f)
{
    Message m;
    uint32_t user = f.eax == kSysIpcReply ? f.ebx : f.ecx;
    bool reads = f.eax != kSysIpcRecv, writes = f.eax == kSysIpcRecv || f.eax == kSysIpcCall;
    if (!user_memory::range_ok(user, sizeof m, writes) || (reads && !user_memory::copy_from(&m, user, sizeof m)))
        return kErrFault;
    m.sender = process::current()->pid;
    if (reads) {
        if (int32_t bad = prepare_page(m.page))
            return bad;
    }
    int32_t r = f.eax == kSysIpcSend ? ipc::send(f.ebx, m)
        : f.eax == kSysIpcCall       ? ipc::call(f.ebx, m)
        : f.eax == kSysIpcRecv       ? ipc::receive(f.ebx, m)
                                     : ipc::reply(m);
    if (r == 0 && writes && !user_memory::copy_to(user, &m, sizeof m))
        return kErrFault;
    return r;
}

int32_t sys_port_create(Args) { return ipc::port_create(process::current()); }

int32_t sys_port_close(Args f) { return ipc::port_close(f.ebx, process::current()); }

using Handler = int32_t (*)(Args);
constexpr Handler kTable[kSysCount] = {
    nullptr, sys_exit, sys_write, sys_getpid, sys_yield, sys_sleep, sys_spawn, sys_wait, sys_fork,
    sys_mmap, sys_munmap, sys_vmstat, sys_ipc, sys_ipc, sys_ipc, sys_ipc, sys_port_create, sys_port_close,
    pager::sys_pager_register, pager::sys_pager_receive, pager::sys_pager_reply, pager::sys_map_store,
    pager::sys_spawn_from_store, pager::sys_module_read, pager::sys_pager_disk, pager::sys_pager_reply_receive,
};

// System calls run with interrupts off: the kernel is not preemptible, so
// the frame array, the vpages and the process list need no locks. A call
// that blocks (yield, sleep, wait, IPC) switches threads explicitly, and the
// next thread's iret turns interrupts back on in user mode.
void dispatch(TrapFrame& frame)
{
    uint32_t nr = frame.eax;
    Handler h = nr < kSysCount ? kTable[nr] : nullptr;
    frame.eax = uint32_t(h ? h(frame) : kErrNoSys);
}

} // namespace

namespace syscall {
void init() { trap::set_syscall_handler(dispatch); }
}
