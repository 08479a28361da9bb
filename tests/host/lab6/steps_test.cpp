// Lab 6: the page-in, page-out, release and failure steps (vm/pager.h).
#include "lab6_test.h"

TEST_GROUP_BASE(PagerSteps, PagerTest) {};

TEST(PagerSteps, PageInRequestNamesTheVpageAndItsOffset)
{
    VPageRef v = stored(kPagerA, 42);
    uint32_t id = pager::start_page_in(table, kPagerA, v, 77);
    const Request* r = table.find(id);
    CHECK_TEXT(r != nullptr, "the request is in flight");
    CHECK_EQUAL(uint32_t(Kind::PageIn), uint32_t(r->kind));
    CHECK_EQUAL(v, r->vpage);
    CHECK_EQUAL(42u, r->offset);
    CHECK_EQUAL(kPagerA, r->store);
    CHECK_EQUAL(77u, r->deadline);
    CHECK_FALSE(r->received);
}

TEST(PagerSteps, AcceptedPageInCopiesTheDataOntoAKernelFrame)
{
    VPageRef v = stored(kPagerA, 3);
    uint32_t id = page_in(v);
    uint32_t free_before = frames().frames_free();
    Verdict verdict = pager::accept_page_in(table, reply_to(table, id), kPagerA, data);
    CHECK_EQUAL(Verdict::Accepted, verdict);
    CHECK_TEXT(vpage(v).is_resident(), "the vpage is resident");
    CHECK_EQUAL(1u, fake_calls().arrived.size());
    CHECK_EQUAL(v, fake_calls().arrived[0].vpage);
    CHECK_EQUAL(vpage(v).frame, fake_calls().arrived[0].frame);
    CHECK_EQUAL(free_before - 1, frames().frames_free());
    CHECK(table.find(id) == nullptr);
    const uint8_t* frame = static_cast<const uint8_t*>(mmu::phys_to_virt(vpage(v).frame));
    CHECK_TEXT(memcmp(frame, data, 4096) == 0, "the frame holds the pager's data");
}

TEST(PagerSteps, PagerChangingItsPageAfterTheReplyChangesNothing)
{
    VPageRef v = stored(kPagerA, 3);
    uint32_t id = page_in(v);
    uint8_t copy[4096];
    memcpy(copy, data, sizeof copy);
    Verdict verdict = pager::accept_page_in(table, reply_to(table, id), kPagerA, data);
    CHECK_EQUAL(Verdict::Accepted, verdict);
    memset(data, 0xEE, sizeof data); // the pager scribbles on the page it answered from
    const uint8_t* frame = static_cast<const uint8_t*>(mmu::phys_to_virt(vpage(v).frame));
    CHECK_TEXT(memcmp(frame, copy, 4096) == 0, "the frame still holds the data as it was at the reply");
    CHECK_TEXT(frame != data, "the frame is not the pager's page");
}

TEST(PagerSteps, RefusedPageInChangesNothing)
{
    VPageRef v = stored(kPagerA, 3);
    uint32_t id = page_in(v);
    uint32_t free_before = frames().frames_free();
    Reply r = reply_to(table, id);
    r.offset = 4;
    Verdict verdict = pager::accept_page_in(table, r, kPagerA, data);
    CHECK_EQUAL(Verdict::WrongOffset, verdict);
    CHECK_FALSE(vpage(v).is_resident());
    CHECK_EQUAL(free_before, frames().frames_free());
    CHECK_EQUAL(0u, fake_calls().arrived.size());
    CHECK_TEXT(table.find(id) != nullptr, "the request still waits for a correct reply");
}

TEST(PagerSteps, PageInWithNoFrameLeftCanBeAnsweredAgain)
{
    VPageRef v = stored(kPagerA, 3);
    uint32_t id = page_in(v);
    std::vector<uint32_t> taken;
    for (uint32_t f; (f = frames().allocate()) != FrameArray::kNoFrame;)
        taken.push_back(f);
    Verdict first = pager::accept_page_in(table, reply_to(table, id), kPagerA, data);
    CHECK_EQUAL(Verdict::NoFrame, first);
    CHECK_TEXT(table.find(id) != nullptr, "nothing changed");
    frames().free(taken.back());
    Verdict second = pager::accept_page_in(table, reply_to(table, id), kPagerA, data);
    CHECK_EQUAL(Verdict::Accepted, second);
    taken.pop_back();
    for (uint32_t f : taken)
        frames().free(f);
}

TEST(PagerSteps, PageOutPinsTheFrameAndCleansTheVpage)
{
    VPageRef v = dirty(kPagerA, 8, 0x5A);
    uint32_t frame = vpage(v).frame;
    uint32_t id = pager::start_page_out(table, kPagerA, v, 100);
    CHECK(id != pager::kNoRequest);
    CHECK_EQUAL(1u, frames().map_count(frame));
    CHECK_FALSE(vpage(v).is_dirty());
    const Request* r = table.find(id);
    CHECK_EQUAL(frame, r->frame);
    CHECK_EQUAL(8u, r->offset);
    receive(table, id);
    Verdict verdict = pager::accept_page_out(table, reply_to(table, id), kPagerA);
    CHECK_EQUAL(Verdict::Accepted, verdict);
    CHECK_EQUAL(1u, fake_calls().written.size());
    CHECK_EQUAL(frame, fake_calls().written[0].frame);
    CHECK_TRUE(fake_calls().written[0].ok);
    CHECK(table.find(id) == nullptr);
}

TEST(PagerSteps, PageOutWithNoSlotLeavesThePageDirtyAndUnpinned)
{
    for (uint32_t i = 0; i < pager::kMaxPerPager; ++i)
        table.issue(Kind::Release, kPagerA, i, kNoVPage, 0, 100);
    VPageRef v = dirty(kPagerA, 8, 0x5A);
    uint32_t id = pager::start_page_out(table, kPagerA, v, 100);
    CHECK_EQUAL(pager::kNoRequest, id);
    CHECK_TRUE(vpage(v).is_dirty());
    CHECK_EQUAL(0u, frames().map_count(vpage(v).frame));
}

TEST(PagerSteps, RefusedPageOutAcknowledgementChangesNothing)
{
    VPageRef v = dirty(kPagerA, 8, 0x5A);
    uint32_t id = pager::start_page_out(table, kPagerA, v, 100);
    receive(table, id);
    Reply r = reply_to(table, id);
    r.kind = uint32_t(Kind::PageIn);
    Verdict verdict = pager::accept_page_out(table, r, kPagerA);
    CHECK_EQUAL(Verdict::WrongKind, verdict);
    CHECK_EQUAL(0u, fake_calls().written.size());
    CHECK_EQUAL(1u, frames().map_count(vpage(v).frame));
}

TEST(PagerSteps, FailedPageInWakesTheWaitersWithTheError)
{
    VPageRef v = stored(kPagerA, 3);
    uint32_t id = page_in(v);
    pager::fail(table, id, kErrTimedOut);
    CHECK(table.find(id) == nullptr);
    CHECK_EQUAL(1u, fake_calls().failed.size());
    CHECK_EQUAL(v, fake_calls().failed[0].vpage);
    CHECK_EQUAL(int32_t(kErrTimedOut), fake_calls().failed[0].error);
    CHECK_FALSE(vpage(v).is_resident());
}

TEST(PagerSteps, LateReplyAfterFailureIsRefused)
{
    VPageRef v = stored(kPagerA, 3);
    uint32_t id = page_in(v);
    Reply r = reply_to(table, id);
    pager::fail(table, id, kErrTimedOut);
    Verdict late = pager::accept_page_in(table, r, kPagerA, data);
    CHECK_EQUAL(Verdict::UnknownId, late);
    CHECK_FALSE(vpage(v).is_resident());
}

TEST(PagerSteps, FailedPageOutIsAFailedWrite)
{
    VPageRef v = dirty(kPagerA, 8, 0x5A);
    uint32_t id = pager::start_page_out(table, kPagerA, v, 100);
    pager::fail(table, id, kErrPagerDied);
    CHECK_EQUAL(1u, fake_calls().written.size());
    CHECK_FALSE(fake_calls().written[0].ok);
    CHECK_EQUAL(0u, fake_calls().failed.size());
}

TEST(PagerSteps, ReleaseNamesTheOffset)
{
    uint32_t id = pager::start_release(table, kPagerB, 1234, 100);
    const Request* r = table.find(id);
    CHECK_TEXT(r != nullptr, "the release is in flight until received");
    CHECK_EQUAL(uint32_t(Kind::Release), uint32_t(r->kind));
    CHECK_EQUAL(1234u, r->offset);
    CHECK_EQUAL(kPagerB, r->store);
}
