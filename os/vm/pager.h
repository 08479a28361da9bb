// pager.h: lab 6, the user-space pager: a store that is an untrusted process.
//
// A process registers as a pager (system call pager_register) and gets a
// store number. The kernel then implements vm::Store for that number by
// messaging it (os/vm/pager_store.cpp, the transport): "read me this",
// "write this" and "I don't need you anymore". The pager answers with
// replies that nothing in the kernel may trust. The seed leaves this open:
// "how to map from store's reply to vpage object when store is untrusted
// userspace code". The answer of this lab is the request table below.
//
// Request ids. Every message the kernel sends carries an id the kernel made:
//
//    31                                    6 5        0
//   +---------------------------------------+----------+
//   |  tag: 26 random bits, never 0          |   slot   |
//   +---------------------------------------+----------+
//
// `slot` names one of kSlots entries of the table; `tag` is drawn from the
// kernel's generator (next_tag) when the request is made, and the entry
// keeps it. A reply names its request only by the id, and is good only if
// the slot is in use and holds exactly that tag. A pager that has never
// seen an id can only guess it: one guess in 2^26 (67 million) matches a
// given outstanding request, and every wrong guess is refused and counted.
// A pager that has seen an id (it was sent to it) can answer that one
// request, once: the slot is then freed, and its next request gets a new
// tag, so the old id (a replay, a late reply) no longer matches. And an id
// of a request made to another pager is refused as unknown: a pager can only
// answer requests made to it.
//
// Page-in ("read me this"), for a fault on a vpage of a pager's store:
//   1. start_page_in: a slot, an id, the vpage and its offset, a deadline;
//      the transport queues the request for the pager (lab 3 has already
//      made sure this is the only request for the page: one per page);
//   2. the faulting threads wait on the vpage (lab 3, vm::resolve);
//   3. the pager receives the request (id, kind, store, offset) and replies
//      with the id and one page of data;
//   4. accept_page_in: check the reply (check(), every field); copy the data
//      onto a new frame of the kernel's (the pager keeps its own page and may
//      change it afterwards: that never reaches the frame); free the slot;
//      vm::page_arrived(): the vpage is resident and every waiter wakes.
// Page-out ("write this"), for a dirty page the lab-5 collector unmapped:
//   1. start_page_out: pin the frame (one map count, as the swap store does),
//      clear the vpage's dirty flag, a slot and an id; the transport copies
//      the page to the pager when it receives the request;
//   2. the pager stores it and acknowledges with the id;
//   3. accept_page_out: check the reply; free the slot; vm::page_written()
//      drops the pin (lab 5's write_done: the frame is freed unless the page
//      was faulted back in meanwhile).
// Release ("I don't need you anymore"), when a vpage of the store dies:
//   1. start_release: a slot and an id for the offset; no reply is expected:
//      the slot is freed when the pager receives the message.
// Failure (fail()): a request whose deadline passed, or whose pager died,
// ends without a reply: a page-in's waiters wake with an error (a user
// access is killed with "pager timed out" or "pager died", a system call
// returns an error); a page-out is ended as a failed write (the page stays
// in memory, dirty); a release is dropped. The slot is free again, so a
// late reply is refused.
//
// Everything here runs with interrupts off and never blocks.
//
// The interface is fixed; the code is lab 6's (labs/lab6/pager.cpp).
#pragma once

#include "vm/vpage.h"

#include <stdint.h>

namespace pager {

constexpr uint32_t kSlotBits = 6;
constexpr uint32_t kSlots = 1u << kSlotBits; // requests in flight, all pagers together
constexpr uint32_t kSlotMask = kSlots - 1;
constexpr uint32_t kTagBits = 32 - kSlotBits;
// One pager may hold at most this many slots: a pager that never receives
// cannot take every slot from the others.
constexpr uint32_t kMaxPerPager = kSlots / 2;
// Timer ticks (10 ms each) a request may stay unanswered. Kernel command
// line: `pager_deadline=N`.
constexpr uint32_t kDefaultDeadline = 100;
constexpr uint32_t kPageBytes = 4096;

constexpr uint32_t kNoRequest = 0; // never a valid id (a tag is never 0)

// The kinds of message (the same numbers as abi.h's kPager*).
enum class Kind : uint8_t { None = 0, PageIn = 1, PageOut = 2, Release = 3 };

// What became of a reply. Only Accepted changes anything.
enum class Verdict : uint8_t {
    Accepted,
    UnknownId,   // no request in flight has this id (guessed, stale, replayed, late, or another pager's)
    NotReceived, // the request exists but the pager has not received it yet: it cannot know the id
    WrongKind,   // the reply's kind is not the request's (or is a release, which takes no reply)
    WrongStore,  // the reply names another store than the request's
    WrongOffset, // the reply names another offset than the request's
    WrongSize,   // a page-in or page-out reply must say kPageBytes
    WrongCount,  // one page per request, no more, no less
    BadData,     // (transport) the reply's data page is not readable memory of the pager
    NoFrame,     // (lab) no frame for the data: nothing changed, the pager may reply again
};
const char* describe(Verdict verdict); // "accepted", "unknown id", ...

// One entry of the request table.
struct Request {
    uint32_t id { kNoRequest }; // kNoRequest: the slot is free
    uint32_t offset { 0 };      // where in the store (VPage::store_offset)
    uint32_t deadline { 0 };    // the tick after which fail() ends it
    VPageRef vpage { kNoVPage }; // page-in and page-out: the vpage
    uint32_t frame { 0 };       // page-out: the pinned frame
    uint8_t store { 0 };
    Kind kind { Kind::None };
    bool received { false };    // the pager has taken it (pager_receive)

    bool in_use() const { return id != kNoRequest; }
};
// 64 of them are always there, in the kernel's data: keep them small.
static_assert(sizeof(Request) == 24, "a request entry is 24 bytes");

// A reply as the pager sent it (abi.h PagerReply, without the data pointer:
// the transport makes the data readable and passes it separately).
struct Reply {
    uint32_t id;
    uint32_t kind;
    uint32_t store;
    uint32_t offset;
    uint32_t size;  // bytes of data
    uint32_t count; // pages of data
};

class RequestTable {
public:
    // `seed` starts the tag generator (the kernel uses the time-stamp counter).
    explicit RequestTable(uint32_t seed = 0x2545F491u) : m_random(seed ? seed : 1) {}

    // ---- lab 6 ----

    // A free slot for a new request of `kind` to pager `store`: fill it in
    // (vpage, frame, offset, deadline; not yet received) and give it a new id
    // (slot in the low kSlotBits bits, next_tag() above, and never the id
    // the slot had last). kNoRequest if every slot is taken, or `store`
    // already holds kMaxPerPager slots.
    uint32_t issue(Kind kind, uint8_t store, uint32_t offset, VPageRef vpage, uint32_t frame, uint32_t deadline);

    // Check every field of `reply`, which pager `from_store` sent, in this
    // order: the id names a slot in use with exactly that id, of a request to
    // `from_store` (else UnknownId); the request was received (NotReceived);
    // kind (a release takes no reply); store; offset; size (kPageBytes);
    // count (1). Changes nothing.
    Verdict check(const Reply& reply, uint8_t from_store) const;

    // End request `id` (in use): a copy of its entry, and the slot is free.
    Request retire(uint32_t id);

    // The id of a request in flight whose deadline is before `now`, or
    // kNoRequest. (Ticks wrap after 497 days; not handled.)
    uint32_t next_expired(uint32_t now) const;

    // ---- framework (pager_table.cpp) ----

    // Entry `id` if it is in use with exactly that id, else nullptr.
    Request* find(uint32_t id);
    const Request& slot(uint32_t index) const { return m_slots[index & kSlotMask]; }
    // Requests in flight to `store` (all stores: 0).
    uint32_t in_flight(uint8_t store = 0) const;
    // The next tag: 26 bits from a xorshift generator, never 0.
    uint32_t next_tag();
    static uint32_t slot_of(uint32_t id) { return id & kSlotMask; }
    static uint32_t make_id(uint32_t slot, uint32_t tag) { return (tag << kSlotBits) | (slot & kSlotMask); }

private:
    Request m_slots[kSlots];
    uint32_t m_last_id[kSlots] {}; // the id each slot had last (a new one must differ)
    uint32_t m_random;
};

// ---- lab 6: the steps above ----

// Page-in step 1: a request for the non-resident `vpage` of pager `store`.
// The id, or kNoRequest (no slot): the fault then fails ("no store").
uint32_t start_page_in(RequestTable& table, uint8_t store, VPageRef vpage, uint32_t deadline);
// Page-in step 4: `data` is the kernel-readable page the pager sent with
// `reply`. Accepted: the vpage is resident on a new frame holding a copy of
// the data, the slot is free, the waiters woke. Any other verdict: nothing
// changed.
Verdict accept_page_in(RequestTable& table, const Reply& reply, uint8_t from_store, const void* data);

// Page-out step 1: write the resident, unmapped, dirty `vpage` to `store`.
// The id, or kNoRequest (no slot: nothing changed, the page stays dirty).
uint32_t start_page_out(RequestTable& table, uint8_t store, VPageRef vpage, uint32_t deadline);
// Page-out step 3: the pager acknowledges. Accepted: slot free,
// vm::page_written(frame, true). Otherwise nothing changed.
Verdict accept_page_out(RequestTable& table, const Reply& reply, uint8_t from_store);

// Release step 1: the page at `offset` of `store` is no longer needed.
uint32_t start_release(RequestTable& table, uint8_t store, uint32_t offset, uint32_t deadline);

// End request `id` without a reply (deadline passed, pager died): the slot
// is free; a page-in's waiters wake with `error` (fail_waiters); a page-out
// is a failed write (vm::page_written(frame, false)).
void fail(RequestTable& table, uint32_t id, int32_t error);

// ---- framework (pager_store.cpp; host tests fake it) ----

// Wake every thread waiting on `vpage` with `error` (resolve() then returns
// PagerTimedOut or PagerDied for it).
void fail_waiters(VPageRef vpage, int32_t error);

} // namespace pager
