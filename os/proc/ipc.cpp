#include "proc/ipc.h"

#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "lib/verify.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "vm/address_space.h"

namespace {

// A thread's part in one message exchange, on its own kernel stack.
struct Pending {
    Thread* thread;
    Message message;
    bool wants_reply;
    bool done;       // received (send) or replied (call)
    int32_t result;
    Pending* next;
};

struct Port {
    Process* owner;
    Pending* head;
    Pending* tail;
    WaitQueue receivers; // the owner waiting for a message
};

Port g_ports[ipc::kMaxPorts + 1]; // port 0 is never used

// The caller being answered, per receiving thread (one at a time).
struct Answer {
    Thread* receiver;
    Pending* caller;
};
Answer g_answers[ipc::kMaxPorts];

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

// Map the sender's page at a free address of the receiver. Returns the
// receiver's address, or 0 if there was nothing to map or no room.
// The receiver may write only where the sender may, and never in place into
// a copy-on-write page (map() would give its frame a writable entry, and the
// write would reach every process that shares the page copy-on-write): such
// a page is mapped read-only, and a write to it faults and is copied.
uint32_t transfer_page(Pending* from, Process* to)
{
    if (!from->message.page || !from->thread->process || !to->space)
        return 0;
    Lookup l = from->thread->process->space->lookup(paging::page_round_down(from->message.page));
    if (l.kind == Lookup::Kind::Nothing)
        return 0;
    VPage* vp = vpages().get(l.vpage);
    bool copy_on_write = vp->flags & VPage::kCopyOnWrite;
    // A writable page sent is shared memory from now on: a later fork of
    // either side keeps it shared instead of making it copy-on-write.
    if (l.writable && !copy_on_write)
        vp->flags |= VPage::kShared;
    uint32_t at = to->mmap_next;
    if (to->space->map(at, l.vpage, l.writable && !copy_on_write ? Access::ReadWrite : Access::ReadOnly)
        != MapResult::Ok)
        return 0;
    to->mmap_next += paging::kPageSize;
    return at;
}

} // namespace

namespace ipc {

int32_t port_create(Process* owner)
{
    for (uint32_t n = 1; n <= kMaxPorts; ++n)
        if (!g_ports[n].owner) {
            g_ports[n] = Port {};
            g_ports[n].owner = owner;
            return int32_t(n);
        }
    return kErrNoMemory;
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
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    Port* port = port_of(number);
    int32_t result = 0;
    if (!port || port->owner != me) {
        result = kErrNotFound;
    } else {
        while (!port->head)
            port->receivers.sleep();
        Pending* p = port->head;
        port->head = p->next;
        if (!port->head)
            port->tail = nullptr;
        message = p->message;
        message.page = transfer_page(p, me);
        if (p->wants_reply) {
            Answer* slot = nullptr;
            for (Answer& a : g_answers)
                if (a.receiver == sched::current() || (!slot && !a.receiver))
                    slot = &a;
            VERIFY(slot);
            slot->receiver = sched::current();
            slot->caller = p;
        } else {
            finish(p, 0);
        }
    }
    if (was)
        cpu::sti();
    return result;
}

int32_t reply(const Message& message)
{
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    int32_t result = kErrNotFound;
    for (Answer& a : g_answers)
        if (a.receiver == sched::current() && a.caller) {
            a.caller->message = message;
            a.caller->message.page = 0;
            finish(a.caller, 0);
            a = Answer {};
            result = 0;
            break;
        }
    if (was)
        cpu::sti();
    return result;
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
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    for (uint32_t n = 1; n <= kMaxPorts; ++n) {
        Port& port = g_ports[n];
        if (port.owner != owner)
            continue;
        for (Pending* p = port.head; p;) {
            Pending* next = p->next;
            finish(p, kErrNotFound);
            p = next;
        }
        port = Port {};
    }
    for (Answer& a : g_answers) // callers waiting for a reply from a thread of owner
        if (a.receiver && a.receiver->process == owner) {
            finish(a.caller, kErrNotFound);
            a = Answer {};
        }
    if (was)
        cpu::sti();
}

} // namespace ipc
