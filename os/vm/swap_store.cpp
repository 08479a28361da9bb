#include "vm/swap_store.h"

#include "arch/mmu.h"
#include "drivers/ata.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "proc/thread.h"
#include "vm/collector.h"
#include "vm/frame_array.h"
#include "vm/resolve.h"
#include "vm/store.h"
#include "vm/vpage.h"

namespace {

// One transfer of one page.
struct Transfer {
    ata::Request request;
    VPageRef vpage { kNoVPage }; // reads: the vpage the page is for
    uint32_t frame { 0 };        // 0: this transfer is unused
};

constexpr unsigned kTransfers = 128;
constexpr unsigned kReservedForReads = 16; // writes never take the last few
Transfer g_transfers[kTransfers];
unsigned g_reads, g_writes;

uint8_t* g_bitmap; // one bit per slot: in use
uint32_t g_slots, g_used, g_next;
uint32_t g_pager_first, g_pager_slots; // the pagers' part of the disk (not the swap store's)

Transfer* new_transfer(bool for_write)
{
    if (for_write && g_reads + g_writes + kReservedForReads >= kTransfers)
        return nullptr;
    for (Transfer& t : g_transfers)
        if (t.frame == 0)
            return &t;
    return nullptr;
}

bool slot_in_use(uint32_t s) { return g_bitmap[s / 8] & (1u << (s % 8)); }

// Next fit from where the last search ended: O(1) while the disk is not full.
bool allocate_slot(uint32_t* slot)
{
    for (uint32_t i = 0; i < g_slots; ++i) {
        uint32_t s = (g_next + i) % g_slots;
        if (!slot_in_use(s)) {
            g_bitmap[s / 8] |= uint8_t(1u << (s % 8));
            ++g_used;
            g_next = (s + 1) % g_slots;
            *slot = s;
            return true;
        }
    }
    return false;
}

void start(Transfer* t, ata::Request::Op op, uint32_t slot, void (*done)(ata::Request*, bool))
{
    t->request.op = op;
    t->request.lba = slot * swap::kSectorsPerSlot;
    t->request.sectors = swap::kSectorsPerSlot;
    t->request.buffer = static_cast<uint8_t*>(mmu::phys_to_virt(t->frame));
    t->request.done = done;
    t->request.context = t;
    ata::submit(&t->request);
}

void read_done(ata::Request* r, bool ok)
{
    auto* t = static_cast<Transfer*>(r->context);
    uint32_t frame = t->frame;
    VPageRef vpage = t->vpage;
    t->frame = 0;
    --g_reads;
    if (ok) {
        ++vm::collector_counters().page_ins;
        vm::page_arrived(vpage, frame);
        return;
    }
    // A failed read: no data. The waiters wake, fault again and ask again.
    kprintf("swap: read of slot %u failed\n", vpages().get(vpage)->store_offset);
    frames().free(frame);
    sched::wake_list(&vpages().get(vpage)->waiters);
}

void write_done(ata::Request* r, bool ok)
{
    auto* t = static_cast<Transfer*>(r->context);
    uint32_t frame = t->frame;
    t->frame = 0;
    --g_writes;
    if (ok)
        ++vm::collector_counters().page_outs;
    vm::page_written(frame, ok);
}

class SwapStore final : public vm::Store {
public:
    const char* name() const override { return "swap"; }

    bool request(VPageRef vpage) override
    {
        VPage* vp = vpages().get(vpage);
        VERIFY_MSG(vp->store == vm::kSwap && vp->store_offset < g_slots && slot_in_use(vp->store_offset),
            "swap: vpage %u asks for slot %u, which holds nothing", vpage, vp->store_offset);
        Transfer* t = new_transfer(false);
        if (!t)
            return false;
        uint32_t frame = frames().allocate();
        if (frame == FrameArray::kNoFrame)
            return false; // vm::resolve makes this "out of memory"
        t->frame = frame;
        t->vpage = vpage;
        ++g_reads;
        start(t, ata::Request::Op::Read, vp->store_offset, read_done);
        return true;
    }

    bool write(VPageRef vpage) override
    {
        VPage* vp = vpages().get(vpage);
        VERIFY_MSG(vp->is_resident(), "swap: write of vpage %u, which is not resident", vpage);
        Transfer* t = new_transfer(true);
        if (!t)
            return false;
        if (vp->store == vm::kAnonymous) {
            uint32_t slot;
            if (!allocate_slot(&slot))
                return false; // swap full: the page stays in memory
            vp->store = vm::kSwap;
            vp->store_offset = slot;
        }
        VERIFY(vp->store == vm::kSwap);
        t->frame = vp->frame;
        t->vpage = vpage;
        frames().map_up(vp->frame); // the pin: nobody frees the frame under the write
        vp->flags &= uint8_t(~VPage::kDirty);
        ++g_writes;
        start(t, ata::Request::Op::Write, vp->store_offset, write_done);
        return true;
    }

    void release(uint32_t slot) override
    {
        VERIFY_MSG(slot < g_slots && slot_in_use(slot), "swap: release of free slot %u", slot);
        g_bitmap[slot / 8] &= uint8_t(~(1u << (slot % 8)));
        --g_used;
    }
};

SwapStore g_store;

} // namespace

namespace swap {

bool init(uint32_t max_slots, uint32_t pager_slots)
{
    if (!ata::init())
        return false;
    uint32_t disk = ata::sectors() / kSectorsPerSlot;
    g_pager_slots = pager_slots < disk / 2 ? pager_slots : disk / 2;
    g_pager_first = disk - g_pager_slots;
    g_slots = g_pager_first;
    if (max_slots && max_slots < g_slots)
        g_slots = max_slots;
    g_bitmap = static_cast<uint8_t*>(kmalloc((g_slots + 7) / 8));
    if (!g_bitmap || g_slots == 0)
        return false;
    memset(g_bitmap, 0, (g_slots + 7) / 8);
    vm::set_store(vm::kSwap, &g_store);
    kprintf("swap: %u slots of 4 KiB on the second ATA disk\n", g_slots);
    if (g_pager_slots < pager_slots) // say so: a pager then finds fewer slots than pager_disk= asked
        kprintf("swap: pager_disk= asks for %u slots, more than half the disk: %u kept for pagers\n",
            pager_slots, g_pager_slots);
    else if (g_pager_slots)
        kprintf("swap: %u slots kept for pagers (pager_disk)\n", g_pager_slots);
    return true;
}

bool present() { return g_slots != 0 && vm::store(vm::kSwap) == &g_store; }
uint32_t slots_total() { return g_slots; }
uint32_t pager_first() { return g_pager_first; }
uint32_t pager_slots() { return g_pager_slots; }
uint32_t slots_used() { return g_used; }
uint32_t reads_in_flight() { return g_reads; }
uint32_t writes_in_flight() { return g_writes; }

bool under_io(uint32_t frame)
{
    for (const Transfer& t : g_transfers)
        if (t.frame == frame)
            return frame != 0;
    return false;
}

} // namespace swap
