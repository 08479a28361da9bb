// collector.h: lab 5, the clock collector: the kernel takes frames back.
//
// The seed's design. Processes sit on the recency list (proc/process.h): a
// process moves to the top each time it runs, and each time it is scanned.
// When frames run short, the collector takes them from the bottom up:
//
//   1. collect(): take the process at the bottom of the recency list (the one
//      that has gone longest without running or being scanned) and scan it
//      with scan_process(p, quota) (the framework's wrapper around 2: it
//      starts where the last scan of p stopped, counts, and moves p to the
//      top). Go on with the next bottom process until enough frames were
//      taken, or every live process had two turns (the first turn may only
//      clear accessed bits; the second then takes what stayed unaccessed).
//   2. scan_space(): walk the present user entries of one address space from
//      `start`, wrapping around once, until `quota` entries were taken:
//        - accessed entry:   clear A (flush the TLB entry); it stays;
//        - unaccessed entry: pass D on to the vpage (VPage::kDirty), make the
//          entry the not-present entry of the vpage again (same W), flush
//          the TLB entry, frame map count down. At zero: frame_unmapped().
//      The quota makes the process "collected" after `quota` frames were
//      taken: the collector never takes all of one process's pages at once.
//   3. frame_unmapped(frame): nobody maps the frame any more.
//        - clean page: detach the vpage from the frame (it is no longer
//          resident) and free the frame. An anonymous page that was never
//          dirtied is just dropped: its next touch zero-fills it again. A
//          page that came from a store is still there.
//        - dirty page: store_for_write(vp)->write(vpage) (store.h): the store
//          pins the frame and writes the page out; the frame stays with the
//          vpage meanwhile. If the store cannot write it (no swap disk, swap
//          full), the page stays in memory, dirty, unmapped.
//   4. write_done(frame, ok): the write has ended. Drop the store's pin (map
//      count down by one) and decide again:
//        - someone faulted the page back in meanwhile (map count still above
//          zero): it stays, mapped again by the lab-3 resident-map path, and
//          nothing is read from the store;
//        - its vpage died meanwhile (the frame has no owner): free the frame;
//        - the write failed: the page stays, dirty;
//        - otherwise: as in 3 (clean now, so the frame is freed; dirty if it
//          was written again meanwhile, so it goes out again).
//
// Everything here runs with interrupts off and never blocks: writes are
// started, not waited for. The framework (os/vm/reclaim.cpp) decides when
// to collect: when free frames fall below a low watermark, when a fault finds
// no frame, and, a little at a time, when the system is idle.
//
// The interface is fixed; the code is lab 5's (labs/lab5/collector.cpp).
#pragma once

#include <stdint.h>

class AddressSpace;
struct Process;

namespace vm {

// Frames taken from one process before it counts as collected and the scan
// moves on. Kernel command line: `quota=N`.
constexpr uint32_t kDefaultQuota = 16;

struct ScanResult {
    uint32_t scanned { 0 }; // present entries looked at
    uint32_t cleared { 0 }; // accessed entries that stayed (A cleared)
    uint32_t taken { 0 };   // entries unmapped
    uint32_t next { 0 };    // where the next scan of this space starts
};

// ---- lab 5 ----

// Step 2: scan the user entries of `space` from `start` (page aligned, user
// space; anything else means the bottom of user space) until `quota` entries
// were taken or every entry was seen once. `next` is the page after the last
// one looked at (wrapping to the bottom of user space at the top).
ScanResult scan_space(AddressSpace& space, uint32_t start, uint32_t quota);

// Step 3: the map count of `frame` (in use, owned by a vpage) has reached zero.
void frame_unmapped(uint32_t frame);

// Step 1: take up to `wanted` frames' worth of entries from the processes,
// bottom of the recency list first, at most `quota` from each in one turn.
// Returns the entries taken.
uint32_t collect(uint32_t wanted, uint32_t quota);

// Step 4: the store has finished writing the page on `frame`; ok false if
// the write failed.
void write_done(uint32_t frame, bool ok);

// ---- framework (collector_support.cpp) ----

// Scan `p` (scan_space from where its last scan stopped), count it in p's
// and the global counters, and move `p` to the top of the recency list.
// Returns the entries taken. A process without an address space counts as
// scanned, with nothing taken. A wired process (below) is not scanned: it
// only moves to the top, nothing taken.
uint32_t scan_process(Process& p, uint32_t quota);

// Lab 6: is `p`'s memory wired (left alone by the collector)? A registered
// user pager's own memory is, within a bound (vm/pager_store.h): a pager
// whose memory is paged out must page itself in before it can answer.
// nullptr (the default): no process is wired.
using WiredCheck = bool (*)(Process& p);
void set_wired_check(WiredCheck check);

// What the collector has done since boot.
struct CollectorCounters {
    uint32_t scans;         // scan_process calls
    uint32_t scanned;       // entries looked at
    uint32_t evictions;     // entries unmapped
    uint32_t max_taken;     // the most one scan_process took
    uint32_t page_outs;     // writes to a store completed
    uint32_t page_ins;      // reads from a store completed
    uint32_t write_failures; // writes the disk failed (the page stayed, dirty)
};
CollectorCounters& collector_counters();

} // namespace vm
