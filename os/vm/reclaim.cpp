#include "vm/reclaim.h"

#include "arch/x86/pit.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "lib/format.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "vm/collector.h"
#include "vm/frame_array.h"
#include "vm/pager_store.h"
#include "vm/resolve.h"
#include "vm/store.h"
#include "vm/swap_store.h"

namespace {

// Page-outs on their way: to the swap store, and (lab 6) to user pagers.
uint32_t writes_in_flight() { return swap::writes_in_flight() + pager::writes_in_flight(); }

uint32_t g_quota = vm::kDefaultQuota;
WaitQueue g_frame_waiters; // threads waiting for a write to end

uint32_t number(const char* key, uint32_t fallback)
{
    const char* v = cmdline::get(key);
    if (!v || !*v)
        return fallback;
    uint32_t n = 0;
    for (; *v >= '0' && *v <= '9'; ++v)
        n = n * 10 + uint32_t(*v - '0');
    return n ? n : fallback;
}

bool cmdline_says_off(const char* key)
{
    const char* v = cmdline::get(key);
    return v && v[0] == '0';
}

// The process on the CPU counts as just run (the recency list moves a
// process up only when it is switched in, and it may have run for long).
void on_cpu_now()
{
    if (Process* p = process::current())
        process::touch(p);
}

// Frames free now, and those a write in flight will free.
uint32_t frames_soon() { return frames().frames_free() + writes_in_flight(); }

// A collection that found nothing to take (every mapped page is in use, or
// what is resident is mapped by nobody: the seed's "no reverse map") is not
// tried again for a while: scanning costs a walk of every page table.
uint64_t g_idle_next_tick;       // the idle thread collects again at this tick
uint32_t g_fault_next;           // make_room collects again at this fault count

void collect_when_idle()
{
    if (!vm::collector_on() || frames_soon() >= vm::background_water() || pit::ticks() < g_idle_next_tick)
        return;
    // At most one batch a tick: the idle thread runs with interrupts off,
    // and the disk's interrupts must not wait long.
    uint32_t taken = vm::collect(vm::kBackgroundBatch, g_quota);
    g_idle_next_tick = pit::ticks() + (taken ? 1 : vm::kFruitlessPause);
}

} // namespace

namespace vm {

void init_collector()
{
    g_quota = number("quota", kDefaultQuota);
    // pager_disk=N: N slots of the disk for each user pager (lab 6, pager_disk).
    if (!swap::init(number("swap_slots", 0), number("pager_disk", 0) * pager::kMaxPagers))
        return;
    if (!cmdline_says_off("idle_collect"))
        sched::set_idle_hook(collect_when_idle);
    kprintf("collector: quota %u frames, low water %u, background below %u free frames\n", g_quota, kLowWater,
        background_water());
}

bool collector_on() { return swap::present(); }
uint32_t quota() { return g_quota; }
uint32_t background_water() { return frames().frames_total() / 16; }

void make_room()
{
    if (!collector_on())
        return;
    uint32_t have = frames_soon();
    if (have >= kLowWater || faults_total() < g_fault_next)
        return;
    // The faulting process is on the CPU: the most recently run of all.
    // One quota's worth at a time: the bottom process pays, and the next
    // fault's collection starts from the bottom again.
    on_cpu_now();
    uint32_t want = kHighWater - have;
    if (collect(want < g_quota ? want : g_quota, g_quota) == 0)
        g_fault_next = faults_total() + kFruitlessPause;
}

bool wait_for_frames()
{
    // Every fault path needs one frame at most, and nothing runs between
    // the failed fault and this call (interrupts are off): with a frame
    // free, it failed for something else (no vpage, the store's transfers).
    if (!collector_on() || frames().frames_free() > 0)
        return false;
    on_cpu_now();
    collect(kHighWater, g_quota);
    if (frames().frames_free() > 0)
        return true;
    if (writes_in_flight() == 0)
        return false; // nothing is on its way back: out of memory
    g_frame_waiters.sleep(); // until a write ends (page_written)
    return true;
}

void page_written(uint32_t frame, bool ok)
{
    if (!ok)
        ++collector_counters().write_failures;
    write_done(frame, ok);
    g_frame_waiters.wake_all();
}

} // namespace vm
