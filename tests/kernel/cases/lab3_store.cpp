// lab3_store.cpp: step 5 of the fault handler against a store the test
// provides (labs 5 and 6 bring real ones).
//
// Two processes (store-touch) map the same kPages vpages of store 7, not
// resident, read-only at store-touch's kStoreBase. A kernel thread plays the
// store: it answers each request some ticks later with a frame filled with a
// pattern naming the page. Each process reads every page and checks the
// pattern. Proves: a fault on a store page asks the store and the thread
// waits on the vpage; page_arrived() wakes every waiter; the retried access
// maps the frame; two processes faulting on one page make one request.
#include "arch/mmu.h"
#include "arch/x86/cpu.h"
#include "lib/format.h"
#include "kernel/ktest.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/resolve.h"
#include "vm/store.h"

namespace {

constexpr uint8_t kStoreNumber = 7;
constexpr uint32_t kPages = 4;
constexpr uint32_t kStoreBase = 0x60000000; // as in user/programs/store-touch.cpp

class TestStore final : public vm::Store {
public:
    const char* name() const override { return "test store"; }
    bool request(VPageRef vpage) override
    {
        if (request_count == kPages * 2)
            return false; // more requests than any correct handler makes
        requests[request_count] = vpage;
        request_count = request_count + 1;
        return true;
    }

    VPageRef requests[kPages * 2] {};
    volatile unsigned request_count { 0 };
    volatile unsigned delivered { 0 };
    volatile bool stop { false };
};

TestStore g_store;

// The store's thread: every 3 ticks, deliver what was asked for.
void serve(void*)
{
    while (!g_store.stop) {
        sched::sleep_ticks(3);
        cpu::cli(); // the frame array and the vpages are touched with interrupts off
        while (g_store.delivered < g_store.request_count) {
            VPageRef v = g_store.requests[g_store.delivered];
            uint32_t frame = frames().allocate();
            if (frame == FrameArray::kNoFrame)
                break;
            auto* words = static_cast<uint32_t*>(mmu::phys_to_virt(frame));
            for (uint32_t i = 0; i < 1024; ++i)
                words[i] = 0x57000000 | (vpages().get(v)->store_offset << 12) | i;
            vm::page_arrived(v, frame);
            g_store.delivered = g_store.delivered + 1;
        }
        cpu::sti();
    }
}

int32_t wait_orphan(uint32_t pid)
{
    int32_t status = 0;
    while (!process::orphan_status(pid, &status))
        sched::sleep_ticks(1);
    return status;
}

} // namespace

KTEST(lab3_store)
{
    vm::set_store(kStoreNumber, &g_store);
    uint32_t queued_before = vm::fault_count(vm::FaultResult::Queued);
    char args[64];
    format_to(args, sizeof args, "token=%s", ktest::token());
    const char* why = "";
    cpu::cli();
    Process* a = process::spawn("store-touch", args, nullptr, &why);
    Process* b = a ? process::spawn("store-touch", args, nullptr, &why) : nullptr;
    bool mapped = a && b;
    for (uint32_t i = 0; mapped && i < kPages; ++i) {
        VPageRef v = vpage_create(kStoreNumber, i);
        mapped = v != kNoVPage && a->space->map(kStoreBase + i * 4096, v, Access::ReadOnly) == MapResult::Ok
            && b->space->map(kStoreBase + i * 4096, v, Access::ReadOnly) == MapResult::Ok;
    }
    uint32_t pid_a = a ? a->pid : 0, pid_b = b ? b->pid : 0;
    cpu::sti();
    if (!ktest::check("store-pages-mapped", mapped, "spawn or map failed: %s", why ? why : ""))
        return;
    Thread* server = sched::create_kernel_thread("test-store", serve, nullptr);
    ktest::check("store-thread", server != nullptr);
    int32_t status_a = wait_orphan(pid_a), status_b = wait_orphan(pid_b);
    ktest::check("both-read-the-store-pages", status_a == 0 && status_b == 0, "exit status %d and %d",
        int(status_a), int(status_b));
    ktest::check("one-request-per-page", g_store.request_count == kPages, "%u requests for %u pages",
        g_store.request_count, kPages);
    uint32_t queued = vm::fault_count(vm::FaultResult::Queued) - queued_before;
    ktest::check("both-processes-waited", queued >= kPages + 1, "%u faults waited for the store", queued);
    g_store.stop = true;
    vm::set_store(kStoreNumber, nullptr);
}
