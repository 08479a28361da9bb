// lab3_stores.cpp: step 5 of the fault handler (os/vm/fault.h), a page that
// lives in a store. No store exists before labs 5 and 6, so these tests put
// a vpage of store kTestStore into a user process themselves: they spawn
// `bad-access kind=store-page` (it reads kPageAddress), and map the vpage
// there before the child runs (interrupts off from the spawn to the map).
//
//   lab3_no_store        no store is registered under kTestStore: the read
//                        kills the child, reason "no store" (the manifest's
//                        `kills` rule).
//   lab3_store_page_in   a test store is registered: two children map the
//                        same vpage and read it. The first fault asks the
//                        store (request), the second finds the request in
//                        flight and only waits: one request, two waiters,
//                        no frame. The test then delivers the page
//                        (vm::page_arrived); both children wake, map the
//                        resident page and read the store's word.
#include "arch/mmu.h"
#include "arch/x86/cpu.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/resolve.h"
#include "vm/store.h"
#include "vm/vpage.h"

#include "orphan_wait.h"

namespace {

constexpr uint8_t kTestStore = 9;
constexpr uint32_t kStoreOffset = 7;
constexpr uint32_t kPageAddress = 0x50000000; // bad-access's kChildArea
constexpr uint32_t kStoreWord = 0x5702E000;    // what the test store delivers
constexpr int kWaitTicks = 200;                // 2 s of guest time at most for a step

struct Counts {
    uint32_t frames_free;
    uint32_t vpages_in_use;
    static Counts now() { return { frames().frames_free(), vpages().in_use() }; }
};

void check_counts_back(Counts before)
{
    Counts after = Counts::now();
    ktest::check("counts-back-to-baseline",
        after.frames_free == before.frames_free && after.vpages_in_use == before.vpages_in_use,
        "frames free %u -> %u, vpages in use %u -> %u", before.frames_free, after.frames_free, before.vpages_in_use,
        after.vpages_in_use);
}

// Spawn `bad-access kind=store-page` (with `extra` words) and map `vpage`
// read-write at kPageAddress in it before it runs. The pid, or 0.
uint32_t spawn_with_store_page(VPageRef vpage, const char* extra)
{
    char args[128];
    format_to(args, sizeof args, "token=%s kind=store-page%s", ktest::token(), extra);
    const char* why = "";
    bool was = cpu::interrupts_enabled();
    cpu::cli(); // the child must not run before its page is there
    Process* p = process::spawn("bad-access", args, nullptr, &why);
    bool mapped = p && p->space->map(kPageAddress, vpage, Access::ReadWrite) == MapResult::Ok;
    uint32_t pid = p ? p->pid : 0;
    if (was)
        cpu::sti();
    ktest::check("child-spawned-with-store-page", mapped, "spawn: %s, map of vpage %u at 0x%08x %s", p ? "ok" : why,
        vpage, kPageAddress, mapped ? "ok" : "failed");
    return mapped ? pid : 0;
}

// The exit status of kernel-spawned `pid`, or -100 if it has not ended
// within kWaitTicks.
int32_t wait_orphan(uint32_t pid) { return orphan_wait::wait_for(pid, kWaitTicks); }

// The vpage, or nullptr once it is gone (a broken handler may let the
// children die and take it with them): a failed check, not a panic.
VPage* live(VPageRef vpage) { return vpage && vpages().is_live(vpage) ? vpages().get(vpage) : nullptr; }

// Threads waiting on `vpage` (its list of waiters).
unsigned waiters_of(VPageRef vpage)
{
    unsigned n = 0;
    cpu::cli();
    VPage* vp = live(vpage);
    for (auto* t = reinterpret_cast<Thread*>(uintptr_t(vp ? vp->waiters : 0)); t; t = t->next)
        ++n;
    cpu::sti();
    return n;
}

// A store that records its requests and delivers nothing by itself.
class TestStore final : public vm::Store {
public:
    const char* name() const override { return "lab3-test-store"; }
    bool request(VPageRef vpage) override
    {
        ++requests;
        last = vpage;
        return true;
    }
    unsigned requests { 0 };
    VPageRef last { kNoVPage };
};

// A new vpage of kTestStore; an unmapped one is destroyed again.
VPageRef store_vpage()
{
    VPageRef v = vpage_create(kTestStore, kStoreOffset);
    ktest::check("store-vpage-created", v != kNoVPage, "vpage_create returned no vpage (lab 2 not implemented?)");
    return v;
}

void drop_if_unmapped(VPageRef v)
{
    if (live(v) && live(v)->refs == 0)
        vpages().destroy(v);
}

} // namespace

KTEST(lab3_no_store)
{
    vm::set_store(kTestStore, nullptr);
    Counts before = Counts::now();
    VPageRef v = store_vpage();
    uint32_t pid = v ? spawn_with_store_page(v, "") : 0;
    if (pid) {
        int32_t status = wait_orphan(pid);
        ktest::check("child-killed", status == kill_status(kKillBadAccess), "exit status %d (killed is %d)",
            int(status), int(kill_status(kKillBadAccess)));
    }
    drop_if_unmapped(v);
    check_counts_back(before);
}

KTEST(lab3_store_page_in)
{
    TestStore store;
    vm::set_store(kTestStore, &store);
    Counts before = Counts::now();
    uint32_t queued = vm::fault_count(vm::FaultResult::Queued);
    uint32_t resident = vm::fault_count(vm::FaultResult::MappedResident);
    VPageRef v = store_vpage();
    char extra[32];
    format_to(extra, sizeof extra, " expect=0x%08x", kStoreWord);
    uint32_t pids[2] = { 0, 0 };
    for (uint32_t& pid : pids)
        pid = v ? spawn_with_store_page(v, extra) : 0;
    if (pids[0] && pids[1]) {
        // Both children run up to their read and wait on the vpage.
        unsigned waiting = 0;
        int32_t status = 0;
        for (int t = 0; t < kWaitTicks && (waiting = waiters_of(v)) < 2; ++t) {
            if (process::orphan_status(pids[0], &status) || process::orphan_status(pids[1], &status))
                break; // a child ended instead of waiting
            sched::sleep_ticks(1);
        }
        ktest::check("one-request-two-waiters", store.requests == 1 && store.last == v && waiting == 2,
            "%u requests (last for vpage %u, expected %u), %u threads waiting on the vpage", store.requests,
            store.last, v, waiting);

        // The store delivers: a frame in use, no owner, holding the page
        // (unless a broken handler made the vpage resident some other way).
        uint32_t frame = frames().allocate();
        VPage* vp = live(v);
        bool deliver = ktest::check("page-not-resident-before-delivery", vp && !vp->is_resident(),
            "vpage %u %s", v, !vp ? "is gone" : "got a frame without the store");
        if (ktest::check("frame-for-the-page", frame != FrameArray::kNoFrame) && !deliver)
            frames().free(frame);
        if (frame != FrameArray::kNoFrame && deliver) {
            auto* words = static_cast<uint32_t*>(mmu::phys_to_virt(frame));
            for (uint32_t i = 0; i < 1024; ++i)
                words[i] = i == 0 ? kStoreWord : 0;
            cpu::cli();
            vm::page_arrived(v, frame);
            cpu::sti();
        }
        int32_t first = wait_orphan(pids[0]), second = wait_orphan(pids[1]);
        ktest::check("both-children-read-the-page", first == 0 && second == 0, "exit statuses %d and %d",
            int(first), int(second));
        uint32_t queued_now = vm::fault_count(vm::FaultResult::Queued) - queued;
        uint32_t resident_now = vm::fault_count(vm::FaultResult::MappedResident) - resident;
        ktest::check("faults-counted", queued_now == 2 && resident_now == 2,
            "%u faults waited for the store, %u resident maps (expected 2 and 2)", queued_now, resident_now);
    }
    drop_if_unmapped(v);
    vm::set_store(kTestStore, nullptr);
    check_counts_back(before);
}
