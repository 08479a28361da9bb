// pager_internal.h: what the files of the pager transport share (not for
// other code: vm/pager_store.h is the transport's interface).
//
//   pager_store.cpp      PagerStore (a vm::Store per pager: request, write,
//                        release turned into table entries), the dead store,
//                        pager_register and a pager's death;
//   pager_transport.cpp  pager_receive, pager_reply and pager_reply_receive: requests out to the
//                        pager, replies (untrusted) in to lab 6's checks;
//   pager_deadlines.cpp  the deadline thread (requests past their deadline);
//   pager_trace.cpp      the protocol trace and the counters;
//   pager_files.cpp      map_store, spawn_from_store, module_read: files
//                        served by a pager;
//   pager_disk.cpp       pager_disk: a pager's own slots on the swap disk.
//
// Everything runs with interrupts off (system calls, the fault path), so the
// state below needs no locks.
#pragma once

#include "arch/x86/pit.h"
#include "proc/thread.h"
#include "vm/pager_store.h"
#include "vm/store.h"

namespace pager {

// The kernel's request table; the protocol trace ring (the debugger reads
// both by these names: pager::g_table, pager::g_trace, pager::g_trace_count).
extern RequestTable g_table;
extern TraceEntry g_trace[kTraceEntries];
extern uint32_t g_trace_count;

inline uint32_t now() { return uint32_t(pit::ticks()); }

// Record one event in the trace (pager_trace.cpp).
void record(Event event, uint32_t id, Kind kind, uint8_t store, uint32_t offset, Verdict verdict);
inline void record(Event event, const Request& r, Verdict verdict = Verdict::Accepted)
{
    record(event, r.id, r.kind, r.store, r.offset, verdict);
}

// The end of every reply (pager_reply, pager_disk's reply from a slot): the
// trace, the counters, and the system call's result for verdict `v`.
int32_t reply_ended(const PagerReply& in, Verdict v);

// Page-outs in flight to pager `store` (0: to every pager).
uint32_t page_outs_in_flight(uint8_t store);

// A registered pager: vm::Store by messages through the request table.
class PagerStore final : public vm::Store {
public:
    const char* name() const override { return "pager"; }
    bool request(VPageRef vpage) override;
    bool write(VPageRef vpage) override;
    void release(uint32_t offset) override;

    Process* m_owner { nullptr };
    uint8_t m_number { 0 };
    WaitQueue m_receivers;          // the pager, waiting in pager_receive
    Thread* m_napping { nullptr };  // the pager, waiting in pager_receive with a timeout
    VPageRef* m_vpages { nullptr }; // live vpage per offset (map_store shares them)
    uint32_t m_unreceived { 0 };    // requests issued and not yet received, at most (ended ones may
                                    // still count: 0 means none, so pager_receive need not look)
    uint32_t m_resident { 0 };      // the pager's present pages, counted at m_counted_at
    uint32_t m_counted_at { 0 };    // (tick + 1; 0: never counted)

private:
    bool issued(uint32_t id, Kind kind, uint32_t offset);
};

// The pager store of live pager process `p`, or of live store `number`; nullptr if none.
PagerStore* pager_of(const Process* p);
PagerStore* live_pager(uint32_t number);
uint32_t index_of(const PagerStore* s); // its entry in the pager table, 0..kMaxPagers-1

// Pager `s` answers a page-in with the page in its disk slot `slot`
// (pager_disk's kPagerDiskReply, pager_reply_receive): `in` is checked as
// pager_reply checks it, before and after the read. 0, kErrRefused,
// kErrNoMemory (no frame: nothing changed), kErrIo, kErrInvalid (no such
// slot), kErrNotFound (no slots for pagers). May block on the disk.
int32_t disk_reply(PagerStore& s, uint32_t slot, const PagerReply& in);

// A pager went: its disk slots read as zeros for the next one (pager_disk.cpp).
void disk_forget(uint32_t index);
bool any_pager();

// The deadline thread (pager_deadlines.cpp): started by pager_register,
// woken when a pager goes (it ends with the last one).
bool start_deadline_thread();
void wake_deadline_thread();
// The deadline given to requests issued now.
inline uint32_t deadline_from_now() { return now() + deadline_ticks(); }
// Read `pager_deadline=N` from the kernel command line (first registration).
void read_deadline_tunable();

} // namespace pager
