// processes.cpp: kernel tests of threads, the scheduler and the process
// recency list (the list the lab-5 collector scans from the bottom).
#include "arch/x86/cpu.h"
#include "kernel/ktest.h"
#include "proc/ipc.h"
#include "proc/process.h"
#include "proc/thread.h"

#include "orphan_wait.h"

namespace {

volatile uint32_t g_turns[2];

void take_turns(void* which)
{
    uint32_t i = uint32_t(reinterpret_cast<uintptr_t>(which));
    for (int n = 0; n < 100; ++n) {
        g_turns[i] = g_turns[i] + 1;
        sched::yield();
    }
}

} // namespace

// Two kernel threads yield to each other; both run to the end and the boot
// thread gets the CPU back.
KTEST(kernel_threads)
{
    g_turns[0] = 0;
    g_turns[1] = 0;
    uint64_t switches = sched::context_switches();
    bool made = sched::create_kernel_thread("turn-0", take_turns, reinterpret_cast<void*>(0))
        && sched::create_kernel_thread("turn-1", take_turns, reinterpret_cast<void*>(1));
    ktest::check("threads-created", made);
    while (g_turns[0] < 100 || g_turns[1] < 100)
        sched::sleep_ticks(1);
    ktest::check("both-threads-ran", g_turns[0] == 100 && g_turns[1] == 100, "turns %u and %u", g_turns[0],
        g_turns[1]);
    ktest::check("threads-switched", sched::context_switches() - switches >= 200, "%u switches",
        unsigned(sched::context_switches() - switches));
}

// A process moves to the top of the recency list when it runs: a spinning
// process spawned before a sleeping one ends up above it, and the sleeper,
// which ran once and then slept, sinks to the bottom.
KTEST(recency_list)
{
    const char* why = "";
    Process* spinner = process::spawn("spin", "n=400000", nullptr, &why);
    Process* sleeper = spinner ? process::spawn("sleeper", "ticks=30", nullptr, &why) : nullptr;
    if (!ktest::check("spawned", spinner && sleeper, "spawn failed: %s", why))
        return;
    uint32_t spin_pid = spinner->pid, sleep_pid = sleeper->pid;
    ktest::check("new-process-on-top", process::most_recent() == sleeper, "the newest process is not on top");
    sched::sleep_ticks(5); // both run once; then only the spinner runs
    cpu::cli();
    Process* top = process::most_recent();
    bool order = top && top->pid == spin_pid && top->older && top->older->pid == sleep_pid;
    bool bottom = process::least_recent() && process::least_recent()->pid == sleep_pid;
    cpu::sti();
    ktest::check("runner-on-top", order, "top is pid %u, expected the spinner %u above the sleeper %u",
        top ? top->pid : 0, spin_pid, sleep_pid);
    ktest::check("sleeper-at-bottom", bottom);
    ktest::check("both-exit-0", orphan_wait::wait(spin_pid) == 0 && orphan_wait::wait(sleep_pid) == 0);
    ktest::check("list-empty-again", process::live_count() == 0, "%u processes left", process::live_count());
}

// The kernel sends a message to a user process and blocks until the reply.
KTEST(kernel_ipc_call)
{
    const char* why = "";
    Process* server = process::spawn("echo-server", "", nullptr, &why);
    if (!ktest::check("server-spawned", server, "spawn failed: %s", why))
        return;
    uint32_t pid = server->pid, port = 0;
    for (int tries = 0; tries < 100 && !(port = ipc::port_owned_by(server)); ++tries)
        sched::sleep_ticks(1);
    if (!ktest::check("server-has-port", port != 0))
        return;
    Message m {};
    m.words[0] = 41;
    m.words[3] = 9;
    int32_t r = ipc::call(port, m);
    ktest::check("kernel-call-answered", r == 0 && m.words[0] == 42 && m.words[3] == 10 && m.sender == pid,
        "call = %d, words %u..%u, sender %u", int(r), m.words[0], m.words[3], m.sender);
    Message stop {};
    r = ipc::call(port, stop);
    ktest::check("server-stops", r == 0 && orphan_wait::wait(pid) == 0);
    Message late {};
    ktest::check("dead-port-refused", ipc::call(port, late) == kErrNotFound);
}
