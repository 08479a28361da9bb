// pager_store.h: the framework's side of lab 6: a user process as a store.
//
// The transport between the kernel and a user-space pager, around lab 6's
// request table (vm/pager.h):
//
//   pager_register        the calling process becomes a pager: it gets a store
//                         number (kFirstPagerStore..255; a dead pager's only
//                         when no vpage names it any more and no fresh one is
//                         left), and vm::store(number) is a PagerStore that
//                         turns request/write/release into table entries;
//   pager_receive         the pager takes the oldest request not yet received:
//                         (id, kind, store, offset); for a page-out, the page
//                         is copied into the pager's buffer. Blocks (with an
//                         optional timeout in ticks) while there is none;
//   pager_reply           the pager answers: the transport makes the data page
//                         readable, then hands the reply to lab 6
//                         (accept_page_in / accept_page_out); a refused reply
//                         gets kErrRefused and changes nothing;
//   pager_reply_receive   a pager's loop in one call: answer (as pager_reply,
//                         or from a disk slot as pager_disk), then, if that
//                         was accepted, receive the next request: one system
//                         call per request instead of two (L4's and seL4's
//                         ReplyRecv);
//   map_store             a process maps pages of a pager's store: new vpages
//                         (store, offset), or those already alive for the same
//                         (store, offset), so a file mapped twice shares them;
//   pager_disk            a pager's own slots on the swap disk (`pager_disk=N`
//                         on the kernel command line): read or write one, or
//                         answer a page-in with one (checked as pager_reply,
//                         the kernel reads the slot onto its frame).
//
// Deadlines: a kernel thread ("pager-deadlines") wakes every tick while
// requests are in flight and ends those past their deadline (lab 6's fail):
// kDefaultDeadline ticks, or `pager_deadline=N` on the kernel command line.
// A pager that exits (or is killed) with requests in flight: every one is
// ended with kErrPagerDied; its store number is kept by a dead store that
// refuses everything ("pager died"). A pager that faults on its own store is
// refused at once (kErrDeadlock): it would wait for itself.
//
// A pager's own memory is wired (below: kMaxWiredPages).
//
// Every request and reply is recorded in the protocol trace (below), which
// kernel tests print and check, and the debugger reads (g_trace).
//
// The files: pager_store.cpp (PagerStore, registration, death, wiring),
// pager_transport.cpp (receive, reply), pager_deadlines.cpp, pager_trace.cpp,
// pager_files.cpp (map_store, spawn_from_store, module_read), pager_disk.cpp;
// pager_internal.h is what they share.
#pragma once

#include "proc/abi.h"
#include "vm/pager.h"

#include <stdint.h>

class AddressSpace;
struct Process;
struct TrapFrame;

namespace pager {

constexpr uint32_t kMaxPagers = 4;          // registered at one time
constexpr uint32_t kMaxStorePages = 8192;   // offsets 0..8191 (32 MiB a store)
constexpr uint32_t kMaxPageOutsPerPager = kMaxPerPager / 2; // the rest of a pager's share is for page-ins
// A pager's own memory is wired (lab 5's collector leaves it alone) while it
// has at most kMaxWiredPages present pages, counted again every
// kWiredRecountTicks ticks: a pager whose memory is paged out must page
// itself in before it can answer (double paging), and under pressure it
// falls behind until its requests expire. A pager with more (a big RAM disk)
// is collected like any process, so no pager can wire all of RAM.
constexpr uint32_t kMaxWiredPages = 256;   // 1 MiB
constexpr uint32_t kWiredRecountTicks = 8;

// One line of the protocol trace. A run of refused replies with the same
// store and verdict (a flood) is one line with a repeat count, so the ring
// keeps what matters.
enum class Event : uint8_t { Issue = 1, Receive = 2, Reply = 3, Expire = 4, Died = 5 };
struct TraceEntry {
    uint32_t id;
    uint32_t offset;
    uint8_t store;
    Kind kind;
    Event event;
    Verdict verdict; // Reply: what became of it; Issue: Accepted, or UnknownId if no slot was had
    uint32_t repeats; // Reply refused: how many more identical refusals (same store and verdict) followed
};
constexpr uint32_t kTraceEntries = 512; // a ring: the last 512 events

// The kernel's request table (the debugger reads it as g_table).
RequestTable& table();
// Events recorded since boot (the ring holds the last kTraceEntries).
uint32_t trace_count();
const TraceEntry& trace_at(uint32_t n); // event n, n < trace_count(), within the ring
const char* describe(Event event);
const char* describe(Kind kind);

// What the transport has done since boot.
struct Counters {
    uint32_t issued;
    uint32_t issued_page_ins;
    uint32_t accepted;
    uint32_t refused;
    uint32_t expired;         // page-ins and page-outs whose deadline passed
    uint32_t died;            // page-ins and page-outs ended because their pager died
    uint32_t releases_received;
    uint32_t releases_dropped; // releases with no slot (the pager's table share was full)
    uint32_t page_ins;        // pages delivered by pagers
    uint32_t page_outs;       // pages pagers acknowledged
};
Counters& counters();

// The store number of the live pager process `p`, or 0.
uint8_t store_of(const Process* p);
// Ticks a request may wait (kDefaultDeadline or the command line's).
uint32_t deadline_ticks();
// Page-outs to pagers in flight (lab 5's reclaim waits for them too).
uint32_t writes_in_flight();

// Map page `offset` of pager `store`'s file at `linear` in `space`: the
// vpage already alive for (store, offset), or a new one (so every mapping of
// a file page shares one vpage, and the page is read once). False if the
// store is not a live pager, the offset too large, or no vpage or page table.
bool map_file_page(AddressSpace* space, uint32_t linear, uint8_t store, uint32_t offset, bool writable);

// Called by process::exit for every exiting process.
void process_exited(Process* p);

// System calls (os/proc/syscall.cpp's table).
int32_t sys_pager_register(const TrapFrame& f);
int32_t sys_pager_receive(const TrapFrame& f);
int32_t sys_pager_reply(const TrapFrame& f);
int32_t sys_map_store(const TrapFrame& f);
int32_t sys_spawn_from_store(const TrapFrame& f);
int32_t sys_module_read(const TrapFrame& f);
int32_t sys_pager_disk(const TrapFrame& f);
int32_t sys_pager_reply_receive(const TrapFrame& f);

} // namespace pager
