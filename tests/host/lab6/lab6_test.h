// lab6_test.h: the machine and the fakes of lab 6's host tests (the
// request table and the page-in, page-out and release steps, vm/pager.h).
//
// - PagerTest: lab 2's Machine (8 MiB of simulated RAM, a frame array, a
//   vpage pool) and a RequestTable with a fixed seed.
// - The framework calls of the steps are faked (fakes.cpp) and recorded:
//   vm::page_arrived makes the vpage resident as the kernel's does and
//   counts; vm::page_written and pager::fail_waiters only record.
// - reply_to(): the exact reply to a request, which a test then spoils.
#pragma once

#include "proc/abi.h"
#include "vm/pager.h"
#include "vm/store.h"

#include <vector>

#include "../lab3/lab3_test.h" // last: CppUTest comes with it (and say())

using pager::Kind;
using pager::Reply;
using pager::Request;
using pager::RequestTable;
using pager::Verdict;

inline SimpleString StringFrom(Verdict v) { return SimpleString(pager::describe(v)); }

// What the fakes saw.
struct FakeCalls {
    struct Arrived {
        VPageRef vpage;
        uint32_t frame;
    };
    struct Written {
        uint32_t frame;
        bool ok;
    };
    struct Failed {
        VPageRef vpage;
        int32_t error;
    };
    std::vector<Arrived> arrived;
    std::vector<Written> written;
    std::vector<Failed> failed;
    // Empty, with no memory held (CppUTest counts what a test leaves allocated).
    void clear()
    {
        std::vector<Arrived>().swap(arrived);
        std::vector<Written>().swap(written);
        std::vector<Failed>().swap(failed);
    }
};
FakeCalls& fake_calls();

constexpr uint8_t kPagerA = 16;
constexpr uint8_t kPagerB = 17;

// The reply a correct pager sends to request `id` of `table`.
inline Reply reply_to(RequestTable& table, uint32_t id)
{
    const Request* r = table.find(id);
    CHECK_TEXT(r != nullptr, "the request is in flight");
    return Reply { r->id, uint32_t(r->kind), r->store, r->offset, pager::kPageBytes, 1 };
}

// The transport's receipt: the pager has taken request `id`.
inline void receive(RequestTable& table, uint32_t id)
{
    Request* r = table.find(id);
    CHECK_TEXT(r != nullptr, "the request is in flight");
    r->received = true;
}

class PagerTest : public Utest {
public:
    Machine machine;
    RequestTable table { 0x12345678 };
    alignas(4096) uint8_t data[4096];

    void setup() override
    {
        machine.boot(4096);
        fake_calls().clear();
        for (uint32_t i = 0; i < sizeof data; ++i)
            data[i] = uint8_t(i * 7 + 3);
    }
    void teardown() override { fake_calls().clear(); }

    // A vpage of pager `store` at `offset`, not resident.
    VPageRef stored(uint8_t store, uint32_t offset)
    {
        VPageRef v = vpage_create(store, offset);
        CHECK_TEXT(v != kNoVPage, "vpage_create");
        return v;
    }
    // A resident, dirty vpage of `store` on a frame full of `fill`, mapped nowhere.
    VPageRef dirty(uint8_t store, uint32_t offset, uint8_t fill)
    {
        VPageRef v = stored(store, offset);
        uint32_t frame = frames().allocate();
        CHECK_TEXT(frame != FrameArray::kNoFrame, "a frame");
        memset(mmu::phys_to_virt(frame), fill, 4096);
        vpage_attach(v, frame);
        vpages().get(v)->flags |= VPage::kDirty;
        return v;
    }
    // A page-in issued and received: its id.
    uint32_t page_in(VPageRef v, uint32_t deadline = 100)
    {
        uint32_t id = pager::start_page_in(table, vpage(v).store, v, deadline);
        CHECK_TEXT(id != pager::kNoRequest, "start_page_in gave an id");
        receive(table, id);
        return id;
    }
};
