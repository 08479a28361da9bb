// thread.h: kernel threads and the round-robin scheduler.
//
// Every thread has its own kernel stack. A user process runs in one thread
// whose kernel stack receives its traps (the TSS's esp0 points at its top).
// The scheduler keeps one queue of ready threads, preempts the running one
// every kQuantum timer ticks, and runs the idle thread when nothing is ready.
//
// Lifecycle of a thread:
//   1. create(): a kernel stack that looks like a switched-out thread; Ready.
//   2. Running when the scheduler picks it; back to Ready on preemption or
//      yield(); Blocked on a WaitQueue, or Sleeping until a tick.
//   3. exit: Dead; its stack is freed by the scheduler once another thread runs.
//
// All scheduler state is touched with interrupts off (one CPU).
#pragma once

#include <stdint.h>

struct Process;
struct TrapFrame;

struct Thread {
    enum class State : uint8_t { Ready, Running, Blocked, Sleeping, Dead };
    static constexpr uint32_t kStackSize = 8192;

    uint32_t id { 0 };
    State state { State::Ready };
    uint32_t saved_esp { 0 };
    uint8_t* stack { nullptr };   // kStackSize bytes from the kernel heap
    Process* process { nullptr }; // nullptr: a kernel thread
    Thread* next { nullptr };     // link in the run queue or a wait queue
    uint64_t wake_tick { 0 };
    const char* name { "" };
    int32_t vm_error { 0 };       // lab 6: why the store could not deliver the page this thread waited for
                                  // (a kErr*: pager timed out or died), set by whoever woke it; 0: none

    uint32_t stack_top() const { return uint32_t(reinterpret_cast<uintptr_t>(stack)) + kStackSize; }
};

// A first-in first-out list of threads, linked through Thread::next (the
// run queue and every WaitQueue).
class ThreadFifo {
public:
    void push(Thread* t);
    Thread* pop(); // nullptr when empty
    bool empty() const { return m_head == nullptr; }

private:
    Thread* m_head { nullptr };
    Thread* m_tail { nullptr };
};

// Threads waiting for one event, in arrival order.
class WaitQueue {
public:
    // Block the current thread here until wake_one/wake_all. Interrupts off.
    void sleep();
    // Make the first (or every) waiter Ready. Returns false if none waited.
    bool wake_one();
    void wake_all();
    bool empty() const { return m_waiters.empty(); }

private:
    ThreadFifo m_waiters;
};

namespace sched {

constexpr uint32_t kQuantum = 2; // timer ticks (20 ms) per turn

// Start scheduling: the boot thread becomes a thread, the idle thread exists.
void init();

// A new Ready kernel thread running function(argument). nullptr if no memory.
Thread* create_kernel_thread(const char* name, void (*function)(void*), void* argument);

// A new thread that starts in user mode at `eip` with stack `esp` in the
// address space of `process` (made Ready). nullptr if no memory.
Thread* create_user_thread(Process* process, uint32_t eip, uint32_t esp);
// The same, resuming with a copy of `registers` (fork: the parent's trap
// frame, with eax set to the child's result).
Thread* create_user_thread(Process* process, const TrapFrame& registers);

Thread* current();
void yield();                       // give the CPU to the next ready thread
void sleep_ticks(uint32_t ticks);   // Sleeping for at least `ticks` timer ticks
void make_ready(Thread* thread);    // Blocked/Sleeping -> Ready

// Block the current thread on a list whose head is a 32-bit word kept
// elsewhere (VPage::waiters: 0 is empty, else the first Thread*, linked
// through Thread::next), until wake_list(head). Interrupts off.
void block_on(uint32_t* head);
// Make every thread on the list Ready and empty it.
void wake_list(uint32_t* head);
[[noreturn]] void exit_current();   // the current thread ends

// Pick the next thread and switch to it; the current one must already be in
// the state it should be in (Ready threads are queued by the caller). With
// interrupts off.
void schedule();

// Called on every timer tick (interrupts off).
void tick();

uint64_t context_switches();

// Hook run each time a thread of a process is switched in (the process
// recency list, process.cpp).
using SwitchHook = void (*)(Thread* next);
void set_switch_hook(SwitchHook hook);

// Work the idle thread does before it halts, when no thread is ready (the
// clock collector's background pass, vm/reclaim.h). Runs with interrupts
// off; must be short and must not block.
using IdleHook = void (*)();
void set_idle_hook(IdleHook hook);

} // namespace sched

extern "C" [[noreturn]] void thread_exit_current();
