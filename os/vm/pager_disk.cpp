// pager_disk.cpp: pager_disk(op, slot, buffer), a pager's own slots on the
// swap disk (vm/pager_store.h).
//
// A pager that keeps its pages on a disk, as a real one does, needs no RAM
// for them: a RAM-disk pager's pages compete with everyone's for frames, and
// under pressure lab 5's collector pages the pager's own RAM disk out to the
// swap store, so a page-in waits for two (double paging). With
// `pager_disk=N` on the kernel command line, the swap store leaves
// N * kMaxPagers slots at the top of its disk (swap::pager_first()); the
// pager in table entry i owns slots [i N, i N + N) of them, as slots 0..N-1.
//
// The transfer goes through a kernel page of the pager's entry (the drive
// moves sectors to and from kernel memory, interrupt-driven, drivers/ata.h);
// the pager's buffer is copied to or from it with user_memory, which brings
// the page in first. The pager sleeps while the disk works. A slot this
// pager has not written reads as zeros: what an earlier pager left in the
// same slots never reaches the next one (the written bitmap, made on first
// use, is freed when the pager goes).
//
// kPagerDiskReply answers a page-in with the page in a slot: the reply is
// checked as pager_reply checks it (every field, before and after the read:
// the request may end while the disk works), and lab 6's accept_page_in
// copies the kernel page onto the frame. The data never passes through the
// pager's memory: one copy instead of three, and nothing to check there.
#include "vm/pager_internal.h"

#include "arch/x86/paging.h"
#include "arch/x86/trap.h"
#include "drivers/ata.h"
#include "kernel/heap.h"
#include "lib/string.h"
#include "proc/process.h"
#include "proc/user_memory.h"
#include "vm/swap_store.h"

namespace pager {

namespace {

struct DiskPort {
    ata::Request request;
    alignas(4) uint8_t page[kPageBytes]; // the transfer's kernel side
    bool busy { false };
    bool ok { false };
    uint32_t waiters { 0 };              // the pager, asleep while busy (sched::block_on)
    uint8_t* written { nullptr };        // a bit per slot: written by this pager
};
DiskPort g_ports[kMaxPagers];

uint32_t slots_per_pager() { return swap::pager_slots() / kMaxPagers; }

void transfer_done(ata::Request* request, bool ok)
{
    auto* port = static_cast<DiskPort*>(request->context);
    port->ok = ok;
    port->busy = false;
    sched::wake_list(&port->waiters);
}

// One page between the port's kernel page and the disk; sleeps until done.
bool transfer(DiskPort& port, uint32_t index, ata::Request::Op op, uint32_t slot)
{
    port.request = ata::Request {};
    port.request.op = op;
    port.request.lba = (swap::pager_first() + index * slots_per_pager() + slot) * swap::kSectorsPerSlot;
    port.request.sectors = swap::kSectorsPerSlot;
    port.request.buffer = port.page;
    port.request.done = transfer_done;
    port.request.context = &port;
    port.busy = true;
    ata::submit(&port.request);
    while (port.busy)
        sched::block_on(&port.waiters);
    return port.ok;
}

// The port's bitmap of written slots, made on first use.
bool ready(DiskPort& port)
{
    uint32_t bytes = (slots_per_pager() + 7) / 8;
    if (!port.written && (port.written = static_cast<uint8_t*>(kmalloc(bytes))))
        memset(port.written, 0, bytes);
    return port.written != nullptr;
}

// Slot `slot` of pager `s` into its port's page: zeros if never written.
bool read_slot(const PagerStore& s, uint32_t slot)
{
    uint32_t index = index_of(&s);
    DiskPort& port = g_ports[index];
    if (!(port.written[slot / 8] & (1u << (slot % 8)))) {
        memset(port.page, 0, kPageBytes);
        return true;
    }
    return transfer(port, index, ata::Request::Op::Read, slot);
}

} // namespace

int32_t disk_reply(PagerStore& s, uint32_t slot, const PagerReply& in)
{
    if (slots_per_pager() == 0)
        return kErrNotFound;
    if (slot >= slots_per_pager() || !ready(g_ports[index_of(&s)]))
        return kErrInvalid;
    Reply reply { in.id, in.kind, in.store, in.offset, in.size, in.count };
    Request* r = g_table.find(in.id);
    Verdict v = g_table.check(reply, s.m_number);
    if (v == Verdict::Accepted && r->kind != Kind::PageIn)
        v = Verdict::WrongKind; // a page-out's acknowledgement carries no page
    if (v == Verdict::Accepted) {
        if (!read_slot(s, slot))
            return kErrIo; // nothing changed: the pager may answer again
        v = accept_page_in(g_table, reply, s.m_number, g_ports[index_of(&s)].page); // checks again
        if (v == Verdict::Accepted)
            ++counters().page_ins;
    }
    return reply_ended(in, v);
}

void disk_forget(uint32_t index)
{
    DiskPort& port = g_ports[index];
    kfree(port.written); // the next pager starts with nothing written
    port.written = nullptr;
}

// pager_disk(op, slot, buffer)
int32_t sys_pager_disk(const TrapFrame& f)
{
    PagerStore* s = pager_of(process::current());
    uint32_t per = slots_per_pager();
    if (!s || per == 0)
        return kErrNotFound;
    uint32_t op = f.ebx, slot = f.ecx, buffer = f.edx;
    if (op == kPagerDiskReply) {
        PagerReply in;
        if (!user_memory::copy_from(&in, buffer, sizeof in))
            return kErrFault;
        return disk_reply(*s, slot, in);
    }
    if ((op != kPagerDiskRead && op != kPagerDiskWrite) || slot >= per || !paging::is_page_aligned(buffer))
        return kErrInvalid;
    uint32_t index = index_of(s);
    DiskPort& port = g_ports[index];
    if (!ready(port))
        return kErrNoMemory;
    uint8_t bit = uint8_t(1u << (slot % 8));
    if (op == kPagerDiskWrite) {
        if (!user_memory::copy_from(port.page, buffer, kPageBytes))
            return kErrFault;
        if (!transfer(port, index, ata::Request::Op::Write, slot))
            return kErrIo;
        port.written[slot / 8] |= bit;
        return 0;
    }
    if (!read_slot(*s, slot))
        return kErrIo;
    bool ok = user_memory::copy_to(buffer, port.page, kPageBytes);
    return ok ? 0 : kErrFault;
}

} // namespace pager
