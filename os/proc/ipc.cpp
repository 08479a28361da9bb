#include "proc/ipc.h"

#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "lib/verify.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "proc/user_space.h"
#include "vm/address_space.h"

namespace ipc {

// A thread's part in one message exchange, on its own kernel stack. It is
// on its port's queue until received, then (a call) on the receiver's
// Process::callers list until answered.
struct Pending {
    Thread* thread;
    Process* process; // the sender's process (nullptr: a kernel thread)
    Message message;
    bool wants_reply;
    bool done;        // received (send) or replied (call), or failed
    int32_t result;
    Pending* next;
};

} // namespace ipc

namespace {

using ipc::Pending;

struct Port {
    Process* owner;
    Pending* head;
    Pending* tail;
    WaitQueue receivers; // the owner waiting for a message
};

Port g_ports[ipc::kMaxPorts + 1]; // port 0 is never used

Port* port_of(uint32_t number)
{
    return number >= 1 && number <= ipc::kMaxPorts && g_ports[number].owner ? &g_ports[number] : nullptr;
}

// Block until `p` is done (interrupts off).
void wait_done(Pending& p)
{
    while (!p.done) {
        p.thread->state = Thread::State::Blocked;
        sched::schedule();
    }
}

int32_t enqueue_and_wait(uint32_t number, Pending& p)
{
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    Port* port = port_of(number);
    if (!port) {
        if (was)
            cpu::sti();
        return kErrNotFound;
    }
    p.thread = sched::current();
    p.process = process::current();
    p.done = false;
    p.result = 0;
    p.next = nullptr;
    (port->tail ? port->tail->next : port->head) = &p;
    port->tail = &p;
    port->receivers.wake_one();
    wait_done(p);
    if (was)
        cpu::sti();
    return p.result;
}

void finish(Pending* p, int32_t result)
{
    p->result = result;
    p->done = true;
    sched::make_ready(p->thread);
}

// Release every sender and caller queued on `port` with kErrClosed and free it.
void close(Port& port)
{
    for (Pending* p = port.head; p;) {
        Pending* next = p->next;
        finish(p, kErrClosed);
        p = next;
    }
    port = Port {};
}

// Map the page at `page` of `from` at a free address of `to`, sharing its
// vpage. The sender prepared it (syscall.cpp): it is mapped, and if its
// mapping is writable the page is present, writable and not copy-on-write.
// Returns the address in `to`, or a kErr* (nothing mapped).
int32_t transfer_page(Process* from, uint32_t page, Process* to)
{
    if (!from || !from->space || !to || !to->space)
        return kErrInvalid; // kernel threads send no pages, and receive none
    Lookup l = from->space->lookup(paging::page_round_down(page));
    if (l.kind == Lookup::Kind::Nothing)
        return kErrFault;
    VPage* vp = vpages().get(l.vpage);
    if (vp->flags & VPage::kCopyOnWrite)
        return kErrFault; // not prepared (syscall.cpp breaks it): never share a copy-on-write page
    // A writable page sent is shared memory from now on: a later fork of
    // either side keeps it shared instead of making it copy-on-write.
    if (l.writable)
        vp->flags |= VPage::kShared;
    return user_space::place_page(to, l.vpage, l.writable ? Access::ReadWrite : Access::ReadOnly);
}

uint32_t ports_owned(const Process* owner)
{
    uint32_t n = 0;
    for (uint32_t i = 1; i <= ipc::kMaxPorts; ++i)
        n += g_ports[i].owner == owner;
    return n;
}

// Run `body` with interrupts off, restoring the caller's state after.
template <typename Body>
int32_t with_interrupts_off(Body body)
{
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    int32_t result = body();
    if (was)
        cpu::sti();
    return result;
}

} // namespace

namespace ipc {

int32_t port_create(Process* owner)
{
    return with_interrupts_off([&]() -> int32_t {
        if (!owner)
            return kErrInvalid;
        if (ports_owned(owner) >= kMaxPortsPerProcess)
            return kErrLimit;
        for (uint32_t n = 1; n <= kMaxPorts; ++n)
            if (!g_ports[n].owner) {
                g_ports[n] = Port {};
                g_ports[n].owner = owner;
                return int32_t(n);
            }
        return kErrNoMemory;
    });
}

int32_t port_close(uint32_t number, Process* owner)
{
    return with_interrupts_off([&]() -> int32_t {
        Port* port = port_of(number);
        if (!port || !owner || port->owner != owner)
            return kErrNotFound;
        close(*port);
        return 0;
    });
}

int32_t call(uint32_t port, Message& message)
{
    Pending p {};
    p.message = message;
    p.wants_reply = true;
    int32_t r = enqueue_and_wait(port, p);
    if (r == 0)
        message = p.message;
    return r;
}

int32_t send(uint32_t port, const Message& message)
{
    Pending p {};
    p.message = message;
    p.wants_reply = false;
    return enqueue_and_wait(port, p);
}

int32_t receive(uint32_t number, Message& message)
{
    Process* me = process::current();
    return with_interrupts_off([&]() -> int32_t {
        Port* port = port_of(number);
        if (!port || !me || port->owner != me)
            return kErrNotFound;
        while (!port->head)
            port->receivers.sleep();
        Pending* p = port->head;
        port->head = p->next;
        if (!port->head)
            port->tail = nullptr;
        message = p->message;
        message.page = 0;
        if (p->message.page) {
            int32_t at = transfer_page(p->process, p->message.page, me);
            if (at < 0) { // no room (or a bad page): both sides hear of it
                finish(p, at);
                return at;
            }
            message.page = uint32_t(at);
        }
        if (p->wants_reply) {
            p->next = me->callers;
            me->callers = p;
        } else {
            finish(p, 0);
        }
        return 0;
    });
}

int32_t reply(const Message& message)
{
    Process* me = process::current();
    return with_interrupts_off([&]() -> int32_t {
        Pending* caller = me ? me->callers : nullptr;
        if (!caller)
            return kErrNotFound;
        me->callers = caller->next;
        caller->message = message;
        caller->message.page = 0;
        if (message.page) {
            int32_t at = transfer_page(me, message.page, caller->process);
            if (at < 0) {
                finish(caller, at);
                return at;
            }
            caller->message.page = uint32_t(at);
        }
        finish(caller, 0);
        return 0;
    });
}

uint32_t port_owned_by(const Process* owner)
{
    for (uint32_t n = 1; n <= kMaxPorts; ++n)
        if (g_ports[n].owner == owner)
            return n;
    return 0;
}

void release_ports(Process* owner)
{
    with_interrupts_off([&]() -> int32_t {
        for (uint32_t n = 1; n <= kMaxPorts; ++n)
            if (g_ports[n].owner == owner)
                close(g_ports[n]);
        while (Pending* caller = owner->callers) { // received, never answered
            owner->callers = caller->next;
            finish(caller, kErrClosed);
        }
        return 0;
    });
}

} // namespace ipc
