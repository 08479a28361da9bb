// Lab 6: a randomised model check of the request table and the steps.
//
// Four pagers, page-ins and page-outs issued, received, answered, failed;
// and in between, replies of every malicious kind: exact replies from the
// wrong pager, replies with one field spoiled, replays of old replies,
// replies to requests not yet received, and random words. A model keeps
// what should be in flight. After every step:
//   - a reply is accepted exactly when the model says it is the one correct
//     answer to a request in flight, received, of the pager that sent it;
//   - a refused reply changed nothing (table, frames, vpages);
//   - the table holds exactly the model's requests, with their fields;
//   - every frame is accounted for: free, or resident under a vpage, and a
//     page-out in flight pins its frame once;
//   - an accepted page-in's frame holds the data of that reply.
#include "lab6_test.h"

#include <map>

namespace {

struct ModelRequest {
    Kind kind;
    uint8_t store;
    uint32_t offset;
    VPageRef vpage;
    bool received;
};

constexpr uint8_t kStores[] = { 16, 17, 18, 19 };

} // namespace

TEST_GROUP_BASE(RandomReplies, PagerTest) {};

TEST(RandomReplies, MaliciousRepliesNeverChangeAnythingAndCorrectOnesAlwaysWork)
{
    TestRandom random(20261130);
    std::map<uint32_t, ModelRequest> model;
    std::vector<Reply> old_replies; // every reply ever accepted, for replays
    std::vector<VPageRef> waiting;  // non-resident vpages without a request
    std::vector<VPageRef> resident; // resident vpages without a request
    for (int i = 0; i < 120; ++i)
        waiting.push_back(stored(kStores[i % 4], uint32_t(i)));
    uint32_t baseline_free = frames().frames_free();
    uint32_t accepted = 0, refused = 0;

    auto random_request = [&]() -> uint32_t {
        if (model.empty())
            return pager::kNoRequest;
        auto it = model.begin();
        std::advance(it, random.below(uint32_t(model.size())));
        return it->first;
    };
    auto expected_accept = [&](const Reply& r, uint8_t from) {
        auto it = model.find(r.id);
        if (it == model.end() || r.id == pager::kNoRequest)
            return false;
        const ModelRequest& m = it->second;
        return m.store == from && m.received && m.kind != Kind::Release && r.kind == uint32_t(m.kind)
            && r.store == m.store && r.offset == m.offset && r.size == pager::kPageBytes && r.count == 1;
    };

    for (int step = 0; step < 40000; ++step) {
        uint32_t op = random.below(100);
        if (op < 15 && !waiting.empty()) {
            // A fault: a page-in for a waiting vpage.
            uint32_t k = random.below(uint32_t(waiting.size()));
            VPageRef v = waiting[k];
            uint32_t id = pager::start_page_in(table, vpage(v).store, v, 100);
            if (id != pager::kNoRequest) {
                CHECK_TEXT(model.find(id) == model.end(), say("step %d: id 0x%08x is in flight already", step, id));
                model[id] = { Kind::PageIn, vpage(v).store, vpage(v).store_offset, v, false };
                waiting.erase(waiting.begin() + k);
            }
        } else if (op < 22 && !resident.empty()) {
            // The collector: a page-out of a resident vpage (dirtied).
            uint32_t k = random.below(uint32_t(resident.size()));
            VPageRef v = resident[k];
            vpages().get(v)->flags |= VPage::kDirty;
            uint32_t id = pager::start_page_out(table, vpage(v).store, v, 100);
            if (id != pager::kNoRequest) {
                model[id] = { Kind::PageOut, vpage(v).store, vpage(v).store_offset, v, false };
                resident.erase(resident.begin() + k);
            }
        } else if (op < 25) {
            uint8_t store = kStores[random.below(4)];
            uint32_t id = pager::start_release(table, store, random.below(1000), 100);
            if (id != pager::kNoRequest)
                model[id] = { Kind::Release, store, table.find(id)->offset, kNoVPage, false };
        } else if (op < 40) {
            // The transport hands a request to its pager; a release ends there.
            uint32_t id = random_request();
            if (id != pager::kNoRequest && !model[id].received) {
                receive(table, id);
                model[id].received = true;
                if (model[id].kind == Kind::Release) {
                    table.retire(id);
                    model.erase(id);
                }
            }
        } else if (op < 45) {
            // A deadline passes, or a pager dies.
            uint32_t id = random_request();
            if (id != pager::kNoRequest) {
                ModelRequest m = model[id];
                size_t written = fake_calls().written.size();
                pager::fail(table, id, kErrTimedOut);
                model.erase(id);
                if (m.kind == Kind::PageIn)
                    waiting.push_back(m.vpage);
                if (m.kind == Kind::PageOut) {
                    CHECK_EQUAL(written + 1, fake_calls().written.size());
                    CHECK_FALSE(fake_calls().written.back().ok);
                    frames().map_down(vpage(m.vpage).frame); // lab 5's write_done drops the pin
                    resident.push_back(m.vpage);
                }
            }
        } else {
            // A reply, honest or not, from some pager.
            uint32_t id = random_request();
            Reply r {};
            uint8_t from = kStores[random.below(4)];
            uint32_t how = random.below(10);
            if (id != pager::kNoRequest && how < 6) {
                const ModelRequest& m = model[id];
                r = Reply { id, uint32_t(m.kind), m.store, m.offset, pager::kPageBytes, 1 };
                from = how < 5 ? m.store : from;
                if (how == 1) { // one field spoiled
                    uint32_t* fields = &r.id;
                    fields[random.below(6)] ^= 1u << random.below(32);
                }
            } else if (how < 8 && !old_replies.empty()) {
                r = old_replies[random.below(uint32_t(old_replies.size()))];
                from = uint8_t(r.store);
            } else {
                r = Reply { uint32_t(random.next()), random.below(4), from, random.below(200), pager::kPageBytes, 1 };
            }
            bool want = expected_accept(r, from);
            Kind kind = want ? model[r.id].kind : Kind::PageIn;
            uint32_t free_before = frames().frames_free();
            size_t arrived = fake_calls().arrived.size(), written = fake_calls().written.size();
            uint32_t in_flight = table.in_flight();
            uint32_t word = uint32_t(random.next());
            memcpy(data, &word, 4);
            Verdict v = kind == Kind::PageOut ? pager::accept_page_out(table, r, from)
                                              : pager::accept_page_in(table, r, from, data);
            CHECK_EQUAL_TEXT(want, v == Verdict::Accepted,
                say("step %d: reply id 0x%08x kind %u store %u offset %u size %u count %u from %u: %s", step, r.id,
                    r.kind, r.store, r.offset, r.size, r.count, from, pager::describe(v)));
            if (v != Verdict::Accepted) {
                ++refused;
                CHECK_EQUAL(free_before, frames().frames_free());
                CHECK_EQUAL(arrived, fake_calls().arrived.size());
                CHECK_EQUAL(written, fake_calls().written.size());
                CHECK_EQUAL(in_flight, table.in_flight());
                continue;
            }
            ++accepted;
            ModelRequest m = model[r.id];
            model.erase(r.id);
            old_replies.push_back(r);
            if (kind == Kind::PageIn) {
                CHECK_EQUAL(arrived + 1, fake_calls().arrived.size());
                CHECK_TEXT(vpage(m.vpage).is_resident(), "an accepted page-in makes the vpage resident");
                uint32_t got;
                memcpy(&got, mmu::phys_to_virt(vpage(m.vpage).frame), 4);
                CHECK_EQUAL_TEXT(word, got, say("step %d: the frame holds the reply's data", step));
                resident.push_back(m.vpage);
            } else {
                CHECK_EQUAL(written + 1, fake_calls().written.size());
                CHECK_TRUE(fake_calls().written.back().ok);
                frames().map_down(vpage(m.vpage).frame); // the pin goes (lab 5's write_done)
                resident.push_back(m.vpage);
            }
        }
        // The table is the model.
        CHECK_EQUAL_TEXT(uint32_t(model.size()), table.in_flight(), say("step %d: requests in flight", step));
        for (const auto& [mid, m] : model) {
            const Request* t = table.find(mid);
            CHECK_TEXT(t != nullptr, say("step %d: request 0x%08x is missing", step, mid));
            CHECK_TEXT(uint32_t(t->kind) == uint32_t(m.kind) && t->store == m.store && t->offset == m.offset
                    && t->vpage == m.vpage && t->received == m.received,
                say("step %d: request 0x%08x differs from the model", step, mid));
            if (m.kind == Kind::PageOut)
                CHECK_EQUAL_TEXT(1u, frames().map_count(vpage(m.vpage).frame), "a page-out pins its frame once");
        }
        uint32_t resident_pages = uint32_t(resident.size());
        for (const auto& [mid, m] : model)
            resident_pages += m.kind == Kind::PageOut;
        CHECK_EQUAL_TEXT(baseline_free - resident_pages, frames().frames_free(),
            say("step %d: every frame is free or under a vpage", step));
    }
    CHECK_TEXT(accepted > 1000 && refused > 1000, say("a run with %u accepted and %u refused replies", accepted, refused));
}
