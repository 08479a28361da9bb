// lab5.cpp: the kernel side of lab 5's workloads (the clock collector,
// os/vm/collector.h), run with a swap disk (the manifest's swap_mib).
//
//   lab5_workload   run=prog[,prog...] args="..." : runs the programs one
//                   after the other (each with the token and the args) and
//                   waits for each; then checks that frames, vpages and swap
//                   slots are back at their baseline and no transfer is left
//                   in flight. VALUEs for the bench: instructions, page-outs,
//                   page-ins, evictions, entries scanned.
#include "arch/mmu.h"
#include "arch/x86/cpu.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "lib/format.h"
#include "lib/string.h"
#include "proc/process.h"
#include "vm/address_space.h"
#include "vm/collector.h"
#include "vm/frame_array.h"
#include "vm/reclaim.h"
#include "vm/store.h"
#include "vm/swap_store.h"
#include "vm/vpage.h"

#include "orphan_wait.h"

namespace {

struct Baseline {
    uint32_t frames_free;
    uint32_t vpages_in_use;
    uint32_t slots_used;
    static Baseline now() { return { frames().frames_free(), vpages().in_use(), swap::slots_used() }; }
};

// Run `name` with `args`, wait for it; its exit status (-100: spawn failed).
int32_t run_program(const char* name, const char* args)
{
    const char* why = "";
    Process* p = process::spawn(name, args, nullptr, &why);
    if (!p)
        return -100;
    return orphan_wait::wait(p->pid);
}

} // namespace

KTEST(lab5_workload)
{
    if (!ktest::check("swap-disk-present", vm::collector_on(), "no swap store: the run has no second disk"))
        return;
    const char* list = cmdline::get("run");
    if (!ktest::check("programs-named", list != nullptr, "no run=<program,...> on the command line"))
        return;
    char names[64];
    format_to(names, sizeof names, "%s", list);
    const char* extra = cmdline::get("args");
    char args[160];
    format_to(args, sizeof args, "token=%s", ktest::token());
    if (extra) {
        // args=a:1,b:2 becomes "a=1 b=2" (the command line has no room for spaces in a value)
        size_t n = strlen(args);
        args[n++] = ' ';
        for (const char* c = extra; *c && n + 1 < sizeof args; ++c)
            args[n++] = *c == ':' ? '=' : *c == ',' ? ' ' : *c;
        args[n] = '\0';
    }
    Baseline before = Baseline::now();
    vm::CollectorCounters c0 = vm::collector_counters();
    uint64_t t0 = cpu::rdtsc();
    for (char* name = names; *name;) {
        char* end = name;
        while (*end && *end != ',')
            ++end;
        bool last = *end == '\0';
        *end = '\0';
        char check[64];
        format_to(check, sizeof check, "%s-exit-0", name);
        int32_t status = run_program(name, args);
        ktest::check(check, status == 0, "exit status %d", int(status));
        if (last)
            break;
        name = end + 1;
    }
    uint64_t instructions = cpu::rdtsc() - t0;
    // Transfers still queued hold frames; let them end first.
    for (int t = 0; t < 100 && (swap::writes_in_flight() || swap::reads_in_flight()); ++t)
        sched::sleep_ticks(1);
    Baseline after = Baseline::now();
    const vm::CollectorCounters& c = vm::collector_counters();
    ktest::value("workload_instructions", instructions);
    ktest::value("page_outs", c.page_outs - c0.page_outs);
    ktest::value("page_ins", c.page_ins - c0.page_ins);
    ktest::value("evictions", c.evictions - c0.evictions);
    ktest::value("entries_scanned", c.scanned - c0.scanned);
    ktest::value("quota_max_taken", c.max_taken);
    ktest::check("no-transfer-in-flight", !swap::writes_in_flight() && !swap::reads_in_flight(),
        "%u writes and %u reads still in flight", swap::writes_in_flight(), swap::reads_in_flight());
    ktest::check("frames-back", after.frames_free == before.frames_free, "frames free %u before, %u after",
        before.frames_free, after.frames_free);
    ktest::check("vpages-back", after.vpages_in_use == before.vpages_in_use, "vpages in use %u before, %u after",
        before.vpages_in_use, after.vpages_in_use);
    ktest::check("swap-slots-back", after.slots_used == before.slots_used, "swap slots in use %u before, %u after",
        before.slots_used, after.slots_used);
    ktest::check("quota-held", c.max_taken <= vm::quota(), "a scan took %u entries from one process (quota %u)",
        c.max_taken, vm::quota());
}

// lab5_bench: figures for `make bench` (guest instructions; no verdict
// depends on them). With a swap disk:
//   page_out_instructions   from write() to the end of page_written(): the
//                           store's work, the disk's 8 interrupts and the
//                           time the disk takes as Bochs models it
//   page_in_instructions    from request() to page_arrived()
//   scan_entry_instructions scan_space() over 1024 present, accessed
//                           entries (each loses A, none is taken), per entry
namespace {

// Wait with interrupts on until `done()`; false after ~2 s of guest time.
template <typename Done>
bool wait_for(Done done)
{
    for (int i = 0; i < 2000000 && !done(); ++i) {
        cpu::sti();
        cpu::hlt();
        cpu::cli();
    }
    return done();
}

} // namespace

KTEST(lab5_bench)
{
    if (!ktest::check("swap-disk-present", vm::collector_on(), "no swap store: the run has no second disk"))
        return;
    cpu::cli();
    VPageRef v = vpage_create(vm::kAnonymous, 0);
    uint32_t frame = frames().allocate();
    if (!ktest::check("setup", v != kNoVPage && frame != FrameArray::kNoFrame))
        return;
    uint32_t* words = static_cast<uint32_t*>(mmu::phys_to_virt(frame));
    for (uint32_t i = 0; i < 1024; ++i)
        words[i] = 0xB0000000 + i;
    vpage_attach(v, frame);
    VPage* vp = vpages().get(v);
    vp->flags |= VPage::kDirty;
    vpage_ref(v); // held by the test, so the vpage lives on while it is out

    uint32_t outs = vm::collector_counters().page_outs;
    uint64_t t0 = cpu::rdtsc();
    bool started = vm::store_for_write(*vp)->write(v);
    bool written = started && wait_for([&] { return vm::collector_counters().page_outs != outs; });
    uint64_t t1 = cpu::rdtsc();
    bool out = ktest::check("page-out", written && !vp->is_resident() && vp->store == vm::kSwap,
        "write %s, %s, vpage %s", started ? "started" : "refused", written ? "ended" : "never ended",
        vp->is_resident() ? "still resident" : "out");
    uint32_t ins = vm::collector_counters().page_ins;
    uint64_t t2 = cpu::rdtsc();
    bool asked = out && vm::store(vm::kSwap)->request(v); // only a page that is out can come in
    bool arrived = asked && wait_for([&] { return vm::collector_counters().page_ins != ins; });
    uint64_t t3 = cpu::rdtsc();
    bool same = arrived && vp->is_resident();
    for (uint32_t i = 0; same && i < 1024; ++i)
        same = static_cast<uint32_t*>(mmu::phys_to_virt(vp->frame))[i] == 0xB0000000 + i;
    ktest::check("page-in-same-data", same);
    vpage_unref(v); // frees the frame and the slot
    ktest::value("page_out_instructions", t1 - t0);
    ktest::value("page_in_instructions", t3 - t2);

    // The scan: 1024 resident pages, all accessed.
    AddressSpace* space = AddressSpace::create();
    constexpr uint32_t kBase = 0x10000000, kPages = 1024;
    uint32_t mapped = 0;
    for (uint32_t i = 0; space && i < kPages; ++i) {
        VPageRef p = vpage_create(vm::kAnonymous, 0);
        uint32_t f = frames().allocate();
        if (p == kNoVPage || f == FrameArray::kNoFrame)
            break;
        vpage_attach(p, f);
        if (space->map(kBase + i * 4096, p, Access::ReadWrite) != MapResult::Ok)
            break;
        space->entry(kBase + i * 4096, false)->set_accessed(true);
        ++mapped;
    }
    if (ktest::check("scan-setup", mapped == kPages, "%u of %u pages mapped", mapped, kPages)) {
        uint64_t s0 = cpu::rdtsc();
        vm::ScanResult r = vm::scan_space(*space, kBase, vm::kDefaultQuota);
        uint64_t s1 = cpu::rdtsc();
        ktest::check("scan-kept-accessed", r.scanned == kPages && r.taken == 0, "scanned %u, took %u", r.scanned,
            r.taken);
        ktest::value("scan_entry_instructions", (s1 - s0) / kPages);
    }
    if (space)
        space->destroy();
    cpu::sti();
}
