// lab5_test.h: the machine of the clock-collector host tests (lab 5,
// os/vm/collector.h), on top of lab 4's user accesses (../lab4/lab4_test.h).
// This binary links the reference labs 1-4 and lab 5's collector.cpp.
//
// - RecordingStore: a vm::Store registered as the swap store (vm::kSwap).
//   It does what the kernel's swap store does to the machine (a slot for an
//   anonymous vpage, the pin on the frame, the dirty flag cleared) but keeps
//   the transfers until the test ends them: finish_write(i, ok) copies the
//   page into its slot and calls vm::page_written(); deliver(vpage) reads a
//   slot into a new frame and attaches it, as vm::page_arrived() would.
//   Every write, request and release is recorded.
// - The recency list: fake_processes.cpp gives process::touch/least_recent/
//   most_recent/live_count over the test's own Process objects
//   (RecencyList), top first.
// - Invariants: check_counts() recounts every map count and vpage reference
//   from the page tables of the test's spaces (plus the store's pins).
#pragma once

#include "proc/process.h"
#include "vm/collector.h"

#include <map>
#include <vector>

#include "../lab4/lab4_test.h" // last: CppUTest comes with it

struct RecordingStore final : vm::Store {
    struct Write {
        VPageRef vpage;
        uint32_t frame;
        uint32_t slot;
        bool done;
    };
    const char* name() const override { return "recording-swap"; }

    bool request(VPageRef v) override
    {
        requests.push_back(v);
        return true;
    }
    bool write(VPageRef v) override
    {
        VPage* vp = vpages().get(v);
        CHECK_TEXT(vp->is_resident(), say("write of vpage %u, which is not resident", v));
        if (vp->store == vm::kAnonymous) {
            if (slots_used() >= capacity)
                return refuse(v);
            uint32_t slot = next_slot++;
            used[slot] = true;
            vp->store = vm::kSwap;
            vp->store_offset = slot;
        }
        frames().map_up(vp->frame); // the pin
        vp->flags &= uint8_t(~VPage::kDirty);
        writes.push_back({ v, vp->frame, vp->store_offset, false });
        return true;
    }
    void release(uint32_t slot) override
    {
        CHECK_TEXT(used.count(slot) && used[slot], say("release of slot %u, which is not in use", slot));
        used[slot] = false;
        releases.push_back(slot);
    }

    bool refuse(VPageRef v)
    {
        refused.push_back(v);
        return false;
    }
    uint32_t slots_used() const
    {
        uint32_t n = 0;
        for (auto& [slot, in_use] : used)
            n += in_use;
        return n;
    }
    uint32_t writes_pending() const
    {
        uint32_t n = 0;
        for (const Write& w : writes)
            n += !w.done;
        return n;
    }
    // End write i: the page goes into its slot (if ok), then the kernel's
    // completion path runs.
    void finish_write(size_t i, bool ok = true)
    {
        Write& w = writes.at(i);
        CHECK_TEXT(!w.done, say("write %zu ended twice", i));
        w.done = true;
        if (ok) {
            const uint8_t* b = static_cast<const uint8_t*>(mmu::phys_to_virt(w.frame));
            slots[w.slot].assign(b, b + kPage);
        }
        vm::page_written(w.frame, ok);
    }
    void finish_all_writes()
    {
        for (size_t i = 0; i < writes.size(); ++i)
            if (!writes[i].done)
                finish_write(i);
    }
    // Bring `v` in from its slot, as the kernel's store does on a request.
    void deliver(VPageRef v)
    {
        VPage* vp = vpages().get(v);
        uint32_t frame = frames().allocate();
        CHECK_TEXT(frame != FrameArray::kNoFrame, "a frame for the page-in");
        auto it = slots.find(vp->store_offset);
        CHECK_TEXT(it != slots.end(), say("slot %u of vpage %u was never written", vp->store_offset, v));
        memcpy(mmu::phys_to_virt(frame), it->second.data(), kPage);
        vpage_attach(v, frame);
        ++deliveries;
    }

    uint32_t capacity = 1u << 20;
    uint32_t next_slot = 0;
    std::map<uint32_t, bool> used;
    std::map<uint32_t, std::vector<uint8_t>> slots;
    std::vector<Write> writes;
    std::vector<VPageRef> requests, refused;
    std::vector<uint32_t> releases;
    uint32_t deliveries = 0;
};

// The recency list the fake process layer serves (fake_processes.cpp).
namespace recency {
std::vector<Process*>& list(); // top first
}

class CollectorTest : public FaultTest {
public:
    RecordingStore store;

    void setup() override
    {
        FaultTest::setup();
        vm::set_store(vm::kSwap, &store);
        vm::collector_counters() = vm::CollectorCounters {};
    }
    void teardown() override
    {
        for (Process* p : m_processes)
            delete p;
        m_processes.clear();
        recency::list().clear();
        recency::list().shrink_to_fit(); // nothing outlives the test (CppUTest counts leaks)
        FaultTest::teardown();
    }

    // A process on top of the recency list with a new address space.
    Process* make_process(uint32_t pid)
    {
        auto* p = new Process;
        p->pid = pid;
        p->space = make_space();
        m_processes.push_back(p);
        recency::list().insert(recency::list().begin(), p);
        return p;
    }

    // `n` anonymous pages at `base` in `space`, each written once with the
    // word pattern + page (so dirty, accessed), as a program would.
    void fill_pages(AddressSpace* space, uint32_t base, uint32_t n, uint32_t pattern)
    {
        for (uint32_t i = 0; i < n; ++i) {
            MapResult r = space->map(base + i * kPage, anonymous_vpage(), Access::ReadWrite);
            CHECK_TEXT(r == MapResult::Ok, "map");
            for (uint32_t w = 0; w < kPage / 4; w += 256)
                user_write(space, base + i * kPage + w * 4, pattern + i + w);
        }
    }
    // Clear A on `n` pages at `base` (as a scan long ago would have).
    void age(AddressSpace* space, uint32_t base, uint32_t n)
    {
        for (uint32_t i = 0; i < n; ++i)
            space->entry(base + i * kPage, false)->set_accessed(false);
    }

    // Every map count equals the present entries pointing at the frame plus
    // the store's pins; every vpage's refs equals the entries naming it.
    void check_counts(std::initializer_list<AddressSpace*> spaces, const char* what)
    {
        std::map<uint32_t, uint32_t> maps;
        std::map<VPageRef, uint32_t> refs;
        for (AddressSpace* space : spaces) {
            const PageDirectoryEntry* d = directory_at(space->directory());
            for (uint32_t i = 0; i < kKernelFirst; ++i) {
                if (!d[i].is_present())
                    continue;
                auto* t = static_cast<const PageTableEntry*>(mmu::phys_to_virt(d[i].table()));
                for (uint32_t j = 0; j < paging::kEntriesPerTable; ++j) {
                    if (t[j].is_empty())
                        continue;
                    if (t[j].is_present()) {
                        ++maps[t[j].frame()];
                        ++refs[frames().owner(t[j].frame())];
                    } else {
                        ++refs[AddressSpace::entry_vpage(t[j])];
                    }
                }
            }
        }
        for (const RecordingStore::Write& w : store.writes)
            if (!w.done)
                ++maps[w.frame];
        for (auto& [frame, n] : maps)
            UNSIGNED_LONGS_EQUAL_TEXT(n, frames().map_count(frame), say("%s: map count of frame 0x%08x", what, frame));
        for (auto& [v, n] : refs)
            LONGS_EQUAL_TEXT(n, vpage(v).refs, say("%s: refs of vpage %u", what, v));
    }

private:
    std::vector<Process*> m_processes;
};
