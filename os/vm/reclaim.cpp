#include "vm/reclaim.h"

#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "lib/format.h"
#include "proc/thread.h"
#include "vm/collector.h"
#include "vm/frame_array.h"
#include "vm/pager_store.h"
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

// Frames free now, and those a write in flight will free.
uint32_t frames_soon() { return frames().frames_free() + writes_in_flight(); }

void collect_when_idle()
{
    if (vm::collector_on() && frames_soon() < vm::background_water())
        vm::collect(vm::kBackgroundBatch, g_quota);
}

} // namespace

namespace vm {

void init_collector()
{
    g_quota = number("quota", kDefaultQuota);
    if (!swap::init(number("swap_slots", 0)))
        return;
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
    if (have < kLowWater)
        collect(kHighWater - have, g_quota);
}

bool wait_for_frames()
{
    if (!collector_on())
        return false;
    if (frames().frames_free() > 0)
        return true;
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
