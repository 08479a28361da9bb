// Lab 6: the request table (vm/pager.h): ids, and every field of a reply.
#include "lab6_test.h"

#include <set>

TEST_GROUP_BASE(RequestTable, PagerTest) {};

TEST(RequestTable, IdNamesItsSlotAndIsNeverZero)
{
    std::set<uint32_t> slots;
    for (uint32_t i = 0; i < pager::kMaxPerPager; ++i) {
        uint32_t id = table.issue(Kind::PageIn, kPagerA, i, kNoVPage, 0, 100);
        CHECK_TEXT(id != pager::kNoRequest, say("request %u got no id", i));
        CHECK_TEXT((id >> pager::kSlotBits) != 0, say("id 0x%08x has a zero tag", id));
        const Request* r = table.find(id);
        CHECK_TEXT(r != nullptr, "find(id) finds the request");
        CHECK_EQUAL(i, r->offset);
        CHECK_EQUAL(&table.slot(RequestTable::slot_of(id)), r);
        slots.insert(RequestTable::slot_of(id));
    }
    CHECK_EQUAL(size_t(pager::kMaxPerPager), slots.size());
}

TEST(RequestTable, SlotNeverGetsItsLastIdAgain)
{
    uint32_t last = pager::kNoRequest;
    for (int i = 0; i < 20000; ++i) {
        uint32_t id = table.issue(Kind::PageIn, kPagerA, 0, kNoVPage, 0, 100);
        CHECK_EQUAL(0u, RequestTable::slot_of(id)); // the only slot in use: always slot 0
        CHECK_TEXT(id != last, say("slot 0 got id 0x%08x twice in a row", id));
        last = id;
        table.retire(id);
    }
}

TEST(RequestTable, OnePagerGetsAtMostItsShare)
{
    for (uint32_t i = 0; i < pager::kMaxPerPager; ++i)
        CHECK(table.issue(Kind::PageIn, kPagerA, i, kNoVPage, 0, 100) != pager::kNoRequest);
    uint32_t refused = table.issue(Kind::PageIn, kPagerA, 99, kNoVPage, 0, 100);
    CHECK_EQUAL(pager::kNoRequest, refused);
    CHECK_EQUAL(pager::kMaxPerPager, table.in_flight(kPagerA));
    // Another pager still gets slots: one pager cannot starve the others.
    CHECK(table.issue(Kind::PageIn, kPagerB, 0, kNoVPage, 0, 100) != pager::kNoRequest);
}

TEST(RequestTable, FullTableRefuses)
{
    for (uint8_t store = kPagerA; table.in_flight() < pager::kSlots; ++store)
        while (table.in_flight(store) < pager::kMaxPerPager && table.in_flight() < pager::kSlots)
            CHECK(table.issue(Kind::PageIn, store, 0, kNoVPage, 0, 100) != pager::kNoRequest);
    uint32_t id = table.issue(Kind::PageIn, 40, 0, kNoVPage, 0, 100);
    CHECK_EQUAL(pager::kNoRequest, id);
}

TEST(RequestTable, ExactReplyIsAccepted)
{
    uint32_t id = table.issue(Kind::PageIn, kPagerA, 5, kNoVPage, 0, 100);
    receive(table, id);
    Verdict v = table.check(reply_to(table, id), kPagerA);
    CHECK_EQUAL(Verdict::Accepted, v);
}

// Each wrong field of a reply, and the verdict it must get.
struct Spoil {
    const char* what;
    void (*spoil)(Reply&);
    Verdict verdict;
};
const Spoil kSpoils[] = {
    { "another tag, same slot", [](Reply& r) { r.id ^= 1u << pager::kSlotBits; }, Verdict::UnknownId },
    { "another slot, same tag", [](Reply& r) { r.id ^= 1u; }, Verdict::UnknownId },
    { "id 0", [](Reply& r) { r.id = 0; }, Verdict::UnknownId },
    { "all ones", [](Reply& r) { r.id = 0xFFFFFFFF; }, Verdict::UnknownId },
    { "kind page-out", [](Reply& r) { r.kind = uint32_t(Kind::PageOut); }, Verdict::WrongKind },
    { "kind release", [](Reply& r) { r.kind = uint32_t(Kind::Release); }, Verdict::WrongKind },
    { "kind 77", [](Reply& r) { r.kind = 77; }, Verdict::WrongKind },
    { "another store", [](Reply& r) { r.store = kPagerB; }, Verdict::WrongStore },
    { "store + 256", [](Reply& r) { r.store += 256; }, Verdict::WrongStore },
    { "the next page", [](Reply& r) { r.offset += 1; }, Verdict::WrongOffset },
    { "offset in bytes", [](Reply& r) { r.offset *= 4096; }, Verdict::WrongOffset },
    { "size 4095", [](Reply& r) { r.size = 4095; }, Verdict::WrongSize },
    { "size 0", [](Reply& r) { r.size = 0; }, Verdict::WrongSize },
    { "size 8192", [](Reply& r) { r.size = 8192; }, Verdict::WrongSize },
    { "count 0", [](Reply& r) { r.count = 0; }, Verdict::WrongCount },
    { "count 2", [](Reply& r) { r.count = 2; }, Verdict::WrongCount },
};

TEST(RequestTable, EveryWrongFieldIsRefusedAndChangesNothing)
{
    uint32_t id = table.issue(Kind::PageIn, kPagerA, 5, kNoVPage, 0, 100);
    receive(table, id);
    Request before = *table.find(id);
    for (const Spoil& s : kSpoils) {
        Reply r = reply_to(table, id);
        s.spoil(r);
        Verdict v = table.check(r, kPagerA);
        CHECK_EQUAL_TEXT(s.verdict, v, s.what);
        const Request* after = table.find(id);
        CHECK_TEXT(after && memcmp(after, &before, sizeof before) == 0, say("%s changed the request", s.what));
    }
}

TEST(RequestTable, PagerCannotAnswerAnotherPagersRequest)
{
    uint32_t id = table.issue(Kind::PageIn, kPagerB, 5, kNoVPage, 0, 100);
    receive(table, id);
    Reply r = reply_to(table, id); // the exact reply, store field included
    Verdict v = table.check(r, kPagerA);
    CHECK_EQUAL(Verdict::UnknownId, v);
}

TEST(RequestTable, ReplyBeforeReceiptIsRefused)
{
    uint32_t id = table.issue(Kind::PageIn, kPagerA, 5, kNoVPage, 0, 100);
    Verdict v = table.check(reply_to(table, id), kPagerA);
    CHECK_EQUAL(Verdict::NotReceived, v);
}

TEST(RequestTable, ReleaseTakesNoReply)
{
    uint32_t id = pager::start_release(table, kPagerA, 9, 100);
    receive(table, id);
    Verdict v = table.check(reply_to(table, id), kPagerA);
    CHECK_EQUAL(Verdict::WrongKind, v);
}

TEST(RequestTable, RetiredIdIsRefused)
{
    uint32_t id = table.issue(Kind::PageIn, kPagerA, 5, kNoVPage, 0, 100);
    receive(table, id);
    Reply r = reply_to(table, id);
    Request ended = table.retire(id);
    CHECK_EQUAL(id, ended.id);
    CHECK(table.find(id) == nullptr);
    Verdict replay = table.check(r, kPagerA);
    CHECK_EQUAL(Verdict::UnknownId, replay);
    // The slot's next request has another id: the old reply still fails.
    uint32_t next = table.issue(Kind::PageIn, kPagerA, 5, kNoVPage, 0, 100);
    receive(table, next);
    CHECK_EQUAL(RequestTable::slot_of(id), RequestTable::slot_of(next));
    Verdict stale = table.check(r, kPagerA);
    CHECK_EQUAL(Verdict::UnknownId, stale);
}

TEST(RequestTable, RetireOfUnknownIdIsCaught)
{
    CHECK_VERIFY_FAILS(table.retire(0x12345678));
}

TEST(RequestTable, NextExpiredFindsOnlyRequestsPastTheirDeadline)
{
    uint32_t early = table.issue(Kind::PageIn, kPagerA, 1, kNoVPage, 0, 10);
    uint32_t late = table.issue(Kind::PageIn, kPagerA, 2, kNoVPage, 0, 50);
    CHECK_EQUAL(pager::kNoRequest, table.next_expired(10));
    CHECK_EQUAL(early, table.next_expired(11));
    table.retire(early);
    CHECK_EQUAL(pager::kNoRequest, table.next_expired(50));
    CHECK_EQUAL(late, table.next_expired(51));
}

TEST(RequestTable, GuessingFindsNothing)
{
    // 64 requests in flight; a million guesses by a pager that knows none
    // of the ids. Each guess names a slot in use: only the tag can save it.
    for (uint8_t s = kPagerA; s < kPagerA + 2; ++s)
        for (uint32_t i = 0; i < pager::kMaxPerPager; ++i)
            receive(table, table.issue(Kind::PageIn, s, i, kNoVPage, 0, 100));
    TestRandom random(7);
    uint32_t hits = 0;
    for (int i = 0; i < 1000000; ++i) {
        Reply r { uint32_t(random.next()), uint32_t(Kind::PageIn), kPagerA, 0, pager::kPageBytes, 1 };
        const Request& target = table.slot(RequestTable::slot_of(r.id));
        r.offset = target.offset;
        hits += table.check(r, kPagerA) == Verdict::Accepted;
    }
    // Expected: 1e6 * 32/64 / 2^26, about 0.007.
    CHECK_EQUAL(0u, hits);
}
