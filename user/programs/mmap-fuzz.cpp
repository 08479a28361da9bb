// mmap-fuzz: 3,000 random mmap (fixed and NULL), munmap and IPC page
// receipts, each checked against a model of the window it plays in
// (issue 11, "Done when": a fuzz test of placement with exact counts).
//
// The model is a bitmap of kWindow pages from 0x40000000 (one page table's
// worth): which pages are taken. mmap(NULL) and a received page must land
// exactly at the model's first fit from 0x40000000 (the process maps nothing
// else up there); a fixed mmap must succeed exactly when its range is free
// (else kErrInUse); munmap always succeeds and frees its range. Every mapped
// page holds a tag the fuzzer wrote (or the sender's, for received pages)
// and is checked before it is unmapped.
//
// A helper process (role=sender) sends one page of its own, with its tag,
// each time it is received. At the end the window is unmapped, the helper
// stopped by closing the port (its blocked send gets kErrClosed), and the
// frames, vpages and page tables are exactly the baseline's.
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kBase = 0x40000000;
constexpr uint32_t kWindow = 1024;      // pages: one page table
constexpr uint32_t kFixedSpan = 256;    // fixed mmaps play in the first 256 pages
constexpr uint32_t kMaxTaken = 400;     // keeps every first fit inside the window
constexpr uint32_t kSenderTag = 0xFEED;
constexpr int kSteps = 3000;

bool g_taken[kWindow];
uint32_t g_tag[kWindow]; // the tag each taken page was filled with

uint64_t g_seed = 0x1C0FFEE5;
uint32_t below(uint32_t n)
{
    g_seed ^= g_seed << 13;
    g_seed ^= g_seed >> 7;
    g_seed ^= g_seed << 17;
    return uint32_t(g_seed % n);
}

void* page_ptr(uint32_t page) { return reinterpret_cast<void*>(uintptr_t(kBase + page * kPageSize)); }

uint32_t taken_count()
{
    uint32_t n = 0;
    for (bool t : g_taken)
        n += t;
    return n;
}

// The model's first fit of n pages, or kWindow if none.
uint32_t first_fit(uint32_t n)
{
    for (uint32_t p = 0; p + n <= kWindow; ++p) {
        uint32_t k = 0;
        while (k < n && !g_taken[p + k])
            ++k;
        if (k == n)
            return p;
    }
    return kWindow;
}

bool range_free(uint32_t first, uint32_t n)
{
    for (uint32_t p = first; p < first + n; ++p)
        if (g_taken[p])
            return false;
    return true;
}

struct Tally {
    uint32_t ops, wrong_place, wrong_result, bad_data;
};

void take(uint32_t first, uint32_t n, uint32_t tag)
{
    for (uint32_t p = first; p < first + n; ++p) {
        g_taken[p] = true;
        g_tag[p] = tag;
        fill_words(page_ptr(p), tag, p, 0, 4); // a few words: cheap, and enough to see a wrong page
    }
}

int sender(const char* args)
{
    int port = int(arg(args, "port").number(0));
    void* page = sys::mmap(nullptr, kPageSize, kMapWrite);
    if (is_error(page))
        return 1;
    fill_words(page, kSenderTag, 0, 0, 4);
    for (;;) {
        Message m {};
        m.page = uint32_t(uintptr_t(page));
        int r = sys::ipc_send(port, &m);
        if (r == kErrClosed)
            return 0;
        if (r != 0)
            return 2;
    }
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    if (arg(args, "role").is("sender"))
        return sender(args);
    warm_stack();
    int port = sys::port_create();
    char child_args[96];
    format_to(child_args, sizeof child_args, "token=- role=sender port=%d", port);
    int helper = port > 0 ? sys::spawn("mmap-fuzz", child_args) : port;
    if (!check("fuzz-setup", helper > 0, "port %d, spawn %d", port, helper))
        return 1;
    sys::sleep(2); // the helper maps its page and blocks in its send
    VmStat start = vm_now();

    Tally t {};
    uint32_t received = 0;
    for (int step = 0; step < kSteps; ++step) {
        uint32_t kind = below(8);
        uint32_t n = 1 + below(below(4) == 0 ? 16 : 3);
        ++t.ops;
        if (kind < 2 && taken_count() + n <= kMaxTaken) { // mmap(NULL)
            uint32_t expect = first_fit(n);
            void* got = sys::mmap(nullptr, n * kPageSize, kMapWrite);
            if (got != page_ptr(expect)) {
                ++t.wrong_place;
                continue;
            }
            take(expect, n, 0x1000 + uint32_t(step));
        } else if (kind < 4 && taken_count() + n <= kMaxTaken) { // fixed mmap
            uint32_t first = below(kFixedSpan - n);
            bool expect = range_free(first, n);
            void* got = sys::mmap(page_ptr(first), n * kPageSize, kMapWrite);
            if (expect ? got != page_ptr(first) : error_of(got) != kErrInUse) {
                ++t.wrong_result;
                continue;
            }
            if (expect)
                take(first, n, 0x1000 + uint32_t(step));
        } else if (kind == 4 && taken_count() + 1 <= kMaxTaken) { // an IPC page
            uint32_t expect = first_fit(1);
            Message m {};
            int r = sys::ipc_recv(port, &m);
            if (r != 0 || m.page != uint32_t(uintptr_t(page_ptr(expect)))) {
                ++t.wrong_place;
                continue;
            }
            t.bad_data += word_mismatches(page_ptr(expect), kSenderTag, 0, 0, 4) != 0;
            g_taken[expect] = true;
            g_tag[expect] = kSenderTag;
            ++received;
        } else { // munmap of a random range (taken, free or both)
            uint32_t first = below(kWindow - n);
            for (uint32_t p = first; p < first + n; ++p)
                if (g_taken[p])
                    t.bad_data += word_mismatches(page_ptr(p), g_tag[p], g_tag[p] == kSenderTag ? 0 : p, 0, 4) != 0;
            int r = sys::munmap(page_ptr(first), n * kPageSize);
            if (r != 0)
                ++t.wrong_result;
            for (uint32_t p = first; p < first + n; ++p)
                g_taken[p] = false;
        }
    }
    check("placement-matches-model", t.wrong_place == 0, "%u of %u operations placed elsewhere", t.wrong_place, t.ops);
    check("results-match-model", t.wrong_result == 0, "%u of %u operations returned otherwise", t.wrong_result, t.ops);
    check("data-intact", t.bad_data == 0, "%u pages lost their tag", t.bad_data);
    check("pages-received", received > 100, "only %u IPC pages in %d steps", received, kSteps);

    int r = sys::munmap(page_ptr(0), kWindow * kPageSize);
    VmStat end = vm_now();
    check("exact-counts-at-end", r == 0 && end.frames_free == start.frames_free
            && end.vpages_in_use == start.vpages_in_use && end.page_tables == start.page_tables,
        "munmap = %d; frames %u -> %u, vpages %u -> %u, page tables %u -> %u", r, start.frames_free, end.frames_free,
        start.vpages_in_use, end.vpages_in_use, start.page_tables, end.page_tables);
    int closed = sys::port_close(port);
    int status = -100;
    int reaped = sys::wait(helper, &status);
    check("helper-stopped-by-close", closed == 0 && reaped == helper && status == 0, "port_close = %d, wait = %d, status %d",
        closed, reaped, status);
    return verdict_status();
}
