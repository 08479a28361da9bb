#include "proc/thread.h"

#include "arch/mmu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/pit.h"
#include "arch/x86/trap.h"
#include "kernel/heap.h"
#include "kernel/kernel_memory.h"
#include "lib/new.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "proc/process.h"
#include "vm/address_space.h"

extern "C" void switch_context(uint32_t* save_esp, uint32_t next_esp);
extern "C" void thread_entry_stub();
extern "C" void trap_return();

namespace {

Thread g_boot_thread;
Thread* g_current;
Thread* g_idle;
ThreadFifo g_ready;
Thread* g_sleeping; // unsorted: few sleepers
Thread* g_dead;     // stacks to free once we are off them
uint32_t g_next_id = 1;
uint32_t g_ticks_left = sched::kQuantum;
uint64_t g_switches;
sched::SwitchHook g_switch_hook;
sched::IdleHook g_idle_hook;

void enqueue(Thread* t)
{
    t->state = Thread::State::Ready;
    g_ready.push(t);
}

void reap_dead()
{
    while (g_dead && g_dead != g_current) {
        Thread* t = g_dead;
        g_dead = t->next;
        kfree(t->stack);
        t->~Thread();
        kfree(t);
    }
}

void idle_loop(void*)
{
    for (;;) {
        cpu::cli();
        if (g_idle_hook && g_ready.empty())
            g_idle_hook();
        if (!g_ready.empty()) {
            sched::yield();
            continue;
        }
        // sti takes effect after the next instruction: no interrupt can
        // slip in between and leave us halted with work to do.
        cpu::sti();
        cpu::hlt();
    }
}

// A thread object with a stack whose top `frame_bytes` are left for the caller.
Thread* new_thread(const char* name)
{
    void* memory = kmalloc(sizeof(Thread));
    uint8_t* stack = static_cast<uint8_t*>(kmalloc(Thread::kStackSize));
    if (!memory || !stack) {
        kfree(memory);
        kfree(stack);
        return nullptr;
    }
    Thread* t = new (memory) Thread;
    t->id = g_next_id++;
    t->stack = stack;
    t->name = name;
    return t;
}

// Push the words of a switch_context frame that "returns" to `resume`.
uint32_t* push_switch_frame(uint32_t* sp, uint32_t resume)
{
    *--sp = resume;
    for (int i = 0; i < 4; ++i)
        *--sp = 0; // ebp, ebx, esi, edi
    return sp;
}

} // namespace

// ---- ThreadFifo and WaitQueue ----

void ThreadFifo::push(Thread* t)
{
    t->next = nullptr;
    (m_tail ? m_tail->next : m_head) = t;
    m_tail = t;
}

Thread* ThreadFifo::pop()
{
    Thread* t = m_head;
    if (t) {
        m_head = t->next;
        if (!m_head)
            m_tail = nullptr;
        t->next = nullptr;
    }
    return t;
}

void WaitQueue::sleep()
{
    g_current->state = Thread::State::Blocked;
    m_waiters.push(g_current);
    sched::schedule();
}

bool WaitQueue::wake_one()
{
    Thread* t = m_waiters.pop();
    if (!t)
        return false;
    sched::make_ready(t);
    return true;
}

void WaitQueue::wake_all()
{
    while (wake_one()) { }
}

// ---- scheduler ----

namespace sched {

void init()
{
    g_boot_thread.id = 0;
    g_boot_thread.state = Thread::State::Running;
    g_boot_thread.name = "boot";
    g_current = &g_boot_thread;
    g_idle = create_kernel_thread("idle", idle_loop, nullptr);
    VERIFY(g_idle);
    // The idle thread only runs when nothing else is ready: it is never queued.
    g_idle->state = Thread::State::Ready;
    pit::set_tick_hook(tick);
}

Thread* create_kernel_thread(const char* name, void (*function)(void*), void* argument)
{
    Thread* t = new_thread(name);
    if (!t)
        return nullptr;
    auto* sp = reinterpret_cast<uint32_t*>(t->stack_top());
    *--sp = uint32_t(reinterpret_cast<uintptr_t>(argument));
    *--sp = uint32_t(reinterpret_cast<uintptr_t>(function));
    sp = push_switch_frame(sp, uint32_t(reinterpret_cast<uintptr_t>(thread_entry_stub)));
    t->saved_esp = uint32_t(reinterpret_cast<uintptr_t>(sp));
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    if (g_idle) // not the idle thread itself
        enqueue(t);
    if (was)
        cpu::sti();
    return t;
}

Thread* create_user_thread(Process* process, uint32_t eip, uint32_t esp)
{
    TrapFrame registers;
    memset(&registers, 0, sizeof registers);
    registers.gs = registers.fs = registers.es = registers.ds = gdt::kUserData;
    registers.eip = eip;
    registers.cs = gdt::kUserCode;
    registers.eflags = 0x202; // IF
    registers.user_esp = esp;
    registers.user_ss = gdt::kUserData;
    return create_user_thread(process, registers);
}

Thread* create_user_thread(Process* process, const TrapFrame& registers)
{
    Thread* t = new_thread(process->name);
    if (!t)
        return nullptr;
    t->process = process;
    // The stack holds a TrapFrame that trap_return pops into ring 3.
    auto* frame = reinterpret_cast<TrapFrame*>(t->stack_top() - sizeof(TrapFrame));
    *frame = registers;
    auto* sp = push_switch_frame(reinterpret_cast<uint32_t*>(frame), uint32_t(reinterpret_cast<uintptr_t>(trap_return)));
    t->saved_esp = uint32_t(reinterpret_cast<uintptr_t>(sp));
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    enqueue(t);
    if (was)
        cpu::sti();
    return t;
}

Thread* current() { return g_current; }

void schedule()
{
    VERIFY(!cpu::interrupts_enabled());
    Thread* prev = g_current;
    Thread* next = g_ready.pop();
    if (!next)
        next = prev->state == Thread::State::Running ? prev : g_idle;
    if (prev->state == Thread::State::Running && next != prev) {
        if (prev == g_idle)
            prev->state = Thread::State::Ready; // idle never waits in the queue
        else
            enqueue(prev); // preempted or yielding
    }
    g_ticks_left = kQuantum;
    if (next == prev) {
        prev->state = Thread::State::Running;
        return;
    }
    next->state = Thread::State::Running;
    g_current = next;
    ++g_switches;
    if (next != &g_boot_thread)
        gdt::set_kernel_stack(next->stack_top());
    uint32_t directory = next->process ? next->process->space->directory() : kernel_memory::kernel_directory();
    if (mmu::current_directory() != directory)
        mmu::switch_directory(directory);
    if (g_switch_hook)
        g_switch_hook(next);
    switch_context(&prev->saved_esp, next->saved_esp);
    // Back on prev's stack: whoever ran before us may have died.
    reap_dead();
}

void yield()
{
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    schedule(); // the current thread stays Running, so it is queued again
    if (was)
        cpu::sti();
}

void sleep_ticks(uint32_t ticks)
{
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    Thread* t = g_current;
    t->wake_tick = pit::ticks() + ticks;
    t->state = Thread::State::Sleeping;
    t->next = g_sleeping;
    g_sleeping = t;
    schedule();
    if (was)
        cpu::sti();
}

void block_on(uint32_t* head)
{
    g_current->state = Thread::State::Blocked;
    g_current->next = reinterpret_cast<Thread*>(uintptr_t(*head));
    *head = uint32_t(reinterpret_cast<uintptr_t>(g_current));
    schedule();
}

void wake_list(uint32_t* head)
{
    auto* t = reinterpret_cast<Thread*>(uintptr_t(*head));
    *head = 0;
    while (t) {
        Thread* next = t->next;
        make_ready(t);
        t = next;
    }
}

void make_ready(Thread* thread)
{
    if (thread->state == Thread::State::Sleeping) { // take it off the sleep list
        for (Thread** link = &g_sleeping; *link; link = &(*link)->next)
            if (*link == thread) {
                *link = thread->next;
                break;
            }
    }
    if (thread != g_idle)
        enqueue(thread);
}

void exit_current()
{
    cpu::cli();
    Thread* t = g_current;
    VERIFY_MSG(t != &g_boot_thread && t != g_idle, "the %s thread cannot exit", t->name);
    t->state = Thread::State::Dead;
    t->next = g_dead;
    g_dead = t;
    schedule();
    PANIC("a dead thread was scheduled");
}

void tick()
{
    uint64_t now = pit::ticks();
    for (Thread** link = &g_sleeping; *link;) {
        Thread* t = *link;
        if (t->wake_tick <= now) {
            *link = t->next;
            enqueue(t);
        } else {
            link = &t->next;
        }
    }
    if (g_current == g_idle) {
        if (!g_ready.empty())
            schedule();
        return;
    }
    if (--g_ticks_left == 0)
        schedule();
}

uint64_t context_switches() { return g_switches; }
void set_switch_hook(SwitchHook hook) { g_switch_hook = hook; }
void set_idle_hook(IdleHook hook) { g_idle_hook = hook; }

} // namespace sched

extern "C" void thread_exit_current() { sched::exit_current(); }
