// fork-cow: fork shares every page and copies only what is written.
//
// Two rounds, N = 16 and N = 512 dirty pages (mmap, every word written with
// the parent's pattern). Writes after fork cover half a page, so that a copy
// must carry the other half over. In each round, with p the page number:
//   1. fork: frames_free right before and right after fork, less the frames
//      the faults counted in between took (a copy or a zero fill takes one
//      frame each: the two sides' stack writes, and the parent's write to the
//      upper half of page 0 straight after fork, before it could lose the
//      CPU: a stale writable TLB entry would let that write through to the
//      child), is what fork itself took: one page directory plus the
//      child's page tables, whatever N; and fork makes no vpage.
//   2. The child reads all N pages: the parent's patterns as they were at
//      fork, no fault, no frame. It writes the lower half of the k pages
//      p % 5 == 1: exactly k frames, k vpages and k copy-on-write faults,
//      none kept. It sees its own writes there and the parent's patterns
//      everywhere else.
//   3. The parent (while the child lives) still sees only its own patterns;
//      it writes the upper half of the j pages p % 5 == 3: j copies (the
//      child still maps them), and the child still sees the parent's old
//      patterns there.
//   4. The child exits. The parent writes the lower half of the k pages the
//      child had copied and of the m pages p % 5 == 4 nobody wrote since
//      fork: it is their last mapping, so no copy: k + m kept faults, no
//      frame, no vpage.
//   5. munmap: the counts are back where they were before the round.
// Last, the frames fork took are the same for N = 16 and N = 512.
//
// Turns are taken through a Link (IPC rendezvous); each side measures only
// while the other is blocked, after its own stack is its own again.
#include "link.h"
#include "program.h"
#include "vmtest.h"

namespace {

enum Tag : uint32_t { kParentTag = 1, kChildTag = 2, kParentAfterForkTag = 3, kParentLastTag = 4 };
enum Turn : uint32_t { kGo = 1, kChildWrote = 2, kParentWrote = 3 };
constexpr uint32_t kHalf = kPageWords / 2;

bool child_page(uint32_t p) { return p % 5 == 1; }
bool parent_page(uint32_t p) { return p % 5 == 3; }
bool last_page(uint32_t p) { return p % 5 == 4; }

// Who looks, and how far the round has come.
enum class View {
    ChildBefore,  // the child, before its writes
    ChildAfter,   // the child, after its writes (later writes of the parent are not its)
    ParentForked, // the parent after its write to page 0 right after fork
    ParentWrote,  // ... and to the j pages
    ParentLast,   // ... and to the k + m pages, after the child exited
};

// The tags of the lower and the upper half of page p in a view.
struct Halves {
    uint32_t lower, upper;
};
Halves expected(View v, uint32_t p)
{
    bool child = v == View::ChildBefore || v == View::ChildAfter;
    Halves h { kParentTag, kParentTag };
    if (v == View::ChildAfter && child_page(p))
        h.lower = kChildTag;
    if (!child && p == 0)
        h.upper = kParentAfterForkTag;
    if ((v == View::ParentWrote || v == View::ParentLast) && parent_page(p))
        h.upper = kParentAfterForkTag;
    if (v == View::ParentLast && (child_page(p) || last_page(p)))
        h.lower = kParentLastTag;
    return h;
}

uint32_t count_pages(uint32_t n, bool (*which)(uint32_t))
{
    uint32_t count = 0;
    for (uint32_t p = 0; p < n; ++p)
        count += which(p);
    return count;
}

uint8_t* page_at(uint8_t* area, uint32_t p) { return area + p * kPageSize; }

// Words of the N pages that differ from the view.
uint32_t area_mismatches(uint8_t* area, uint32_t n, View v)
{
    uint32_t bad = 0;
    for (uint32_t p = 0; p < n; ++p) {
        Halves h = expected(v, p);
        bad += word_mismatches(page_at(area, p), h.lower, p, 0, kHalf)
            + word_mismatches(page_at(area, p), h.upper, p, kHalf, kPageWords);
    }
    return bad;
}

// Write one half of the pages `which` selects with `tag`.
void write_halves(uint8_t* area, uint32_t n, bool (*which)(uint32_t), bool upper, uint32_t tag)
{
    for (uint32_t p = 0; p < n; ++p)
        if (which(p))
            fill_words(page_at(area, p), tag, p, upper ? kHalf : 0, upper ? kPageWords : kHalf);
}

// Distinct page tables (4 MiB regions) that the ranges [first, last] touch.
uint32_t page_tables(const uint32_t (*ranges)[2], uint32_t count)
{
    uint32_t seen[16], n = 0;
    for (uint32_t r = 0; r < count; ++r)
        for (uint32_t t = ranges[r][0] >> 22; t <= ranges[r][1] >> 22; ++t) {
            bool known = false;
            for (uint32_t i = 0; i < n; ++i)
                known = known || seen[i] == t;
            if (!known && n < 16)
                seen[n++] = t;
        }
    return n;
}

int g_data_word = 1; // a word of the program's data segment, for page_tables()

// The child's part of a round. Returns its exit status.
int child_round(Link& link, uint8_t* area, uint32_t n)
{
    char name[64];
    if (!link.join())
        return 2;
    warm_stack(4096); // our stack pages our own before we count
    Message m {};
    link.hear(&m); // kGo: the parent is blocked until we tell it

    VmStat a = vm_now();
    uint32_t bad_before = area_mismatches(area, n, View::ChildBefore);
    VmStat b = vm_now();
    write_halves(area, n, child_page, false, kChildTag);
    VmStat c = vm_now();
    uint32_t bad_after = area_mismatches(area, n, View::ChildAfter);

    uint32_t k = count_pages(n, child_page);
    VmDelta reads = vm_delta(a, b), writes = vm_delta(b, c);
    format_to(name, sizeof name, "n%u-child-sees-parent-data", n);
    check(name, bad_before == 0, "%u words of %u pages differ from the parent's pattern", bad_before, n);
    format_to(name, sizeof name, "n%u-child-reads-cost-nothing", n);
    check(name, reads.frames_taken == 0 && reads.faults == 0, "reading %u pages took %d frames, %u faults", n,
        reads.frames_taken, reads.faults);
    format_to(name, sizeof name, "n%u-child-writes-cost-k-frames", n);
    check(name,
        writes.frames_taken == int32_t(k) && writes.vpages_made == int32_t(k) && writes.copied == int32_t(k)
            && writes.kept == 0,
        "writing k=%u pages: %d frames, %d vpages, %u copied, %u kept", k, writes.frames_taken, writes.vpages_made,
        writes.copied, writes.kept);
    format_to(name, sizeof name, "n%u-child-sees-own-writes", n);
    check(name, bad_after == 0, "%u words differ from the child's view", bad_after);

    link.tell(kChildWrote);
    link.hear(&m); // kParentWrote
    uint32_t bad_later = area_mismatches(area, n, View::ChildAfter);
    format_to(name, sizeof name, "n%u-child-unchanged-by-parent", n);
    check(name, bad_later == 0, "after the parent's writes, %u words differ from the child's view", bad_later);
    return verdict_status();
}

struct RoundResult {
    int32_t fork_frames; // frames fork itself took; -1000 if fork failed
};

RoundResult parent_round(uint32_t n)
{
    char name[64];
    RoundResult result { -1000 };
    VmStat baseline = vm_now();
    auto* area = static_cast<uint8_t*>(sys::mmap(nullptr, n * kPageSize, kMapWrite));
    Link link;
    format_to(name, sizeof name, "n%u-fork-succeeds", n);
    if (is_error(area) || !link.open()) {
        check(name, false, "mmap = %d (or no port)", error_of(area));
        return result;
    }
    for (uint32_t p = 0; p < n; ++p)
        fill_page(page_at(area, p), kParentTag, p);

    VmStat before = vm_now();
    int pid = sys::fork();
    if (pid > 0) // at once, before this process can lose the CPU
        fill_words(area, kParentAfterForkTag, 0, kHalf, kPageWords);
    VmStat after = vm_now();
    if (pid == 0)
        sys::exit(child_round(link, area, n));
    if (!check(name, pid > 0 && link.accept(), "fork = %d", pid))
        return result;
    warm_stack(4096); // our stack pages our own before we count

    // 1. What fork took: the frames gone less what the faults in between took.
    VmDelta d = vm_delta(before, after);
    result.fork_frames = d.frames_taken - int32_t(d.copied + d.zero_fill);
    int32_t fork_vpages = d.vpages_made - int32_t(d.copied);
    uint32_t last = uint32_t(uintptr_t(area)) + n * kPageSize - 1;
    auto stack = uint32_t(uintptr_t(&d));
    const uint32_t ranges[][2] = {
        { uint32_t(uintptr_t(&g_data_word)), uint32_t(uintptr_t(&g_data_word)) }, // the program image
        { uint32_t(uintptr_t(area)), last },                                     // the N pages
        { stack, stack },                                                       // the stack
    };
    int32_t expected = 1 + int32_t(page_tables(ranges, 3));
    format_to(name, sizeof name, "fork-frames-n%u", n);
    value(name, uint32_t(result.fork_frames));
    format_to(name, sizeof name, "fork-window-frames-n%u", n); // with the stack copies
    value(name, uint32_t(d.frames_taken));
    format_to(name, sizeof name, "n%u-fork-makes-no-vpage", n);
    check(name, fork_vpages == 0, "fork made %d vpages (%d new, %u copies in between)", fork_vpages, d.vpages_made,
        d.copied);
    format_to(name, sizeof name, "n%u-fork-takes-tables-and-directory", n);
    check(name, result.fork_frames == expected,
        "fork took %d frames (%d gone, %u copies and %u zero fills in between); a directory and the page tables "
        "are %d",
        result.fork_frames, d.frames_taken, d.copied, d.zero_fill, expected);

    // 2. The child's turn.
    Message m {};
    link.tell(kGo);
    link.hear(&m); // kChildWrote

    // 3. Ours, while the child lives.
    uint32_t bad = area_mismatches(area, n, View::ParentForked);
    format_to(name, sizeof name, "n%u-parent-unchanged-by-child", n);
    check(name, bad == 0, "%u words differ from the parent's pattern", bad);
    uint32_t j = count_pages(n, parent_page);
    VmStat a = vm_now();
    write_halves(area, n, parent_page, true, kParentAfterForkTag);
    VmStat b = vm_now();
    VmDelta w = vm_delta(a, b);
    format_to(name, sizeof name, "n%u-parent-writes-copy", n);
    check(name, w.frames_taken == int32_t(j) && w.copied == int32_t(j) && w.kept == 0,
        "writing j=%u shared pages: %d frames, %u copied, %u kept", j, w.frames_taken, w.copied, w.kept);
    link.tell(kParentWrote);

    int status = -100;
    int reaped = sys::wait(pid, &status);
    format_to(name, sizeof name, "n%u-child-exit-0", n);
    check(name, reaped == pid && status == 0, "wait = %d, status %d", reaped, status);

    // 4. The last mapping keeps its page.
    uint32_t k = count_pages(n, child_page), mm = count_pages(n, last_page);
    a = vm_now();
    write_halves(area, n, [](uint32_t p) { return child_page(p) || last_page(p); }, false, kParentLastTag);
    b = vm_now();
    w = vm_delta(a, b);
    format_to(name, sizeof name, "n%u-last-mapping-kept", n);
    check(name,
        w.frames_taken == 0 && w.vpages_made == 0 && w.kept == int32_t(k + mm) && w.copied == 0,
        "writing %u+%u pages no one else maps: %d frames, %d vpages, %u kept, %u copied", k, mm, w.frames_taken,
        w.vpages_made, w.kept, w.copied);
    bad = area_mismatches(area, n, View::ParentLast);
    format_to(name, sizeof name, "n%u-parent-data-final", n);
    check(name, bad == 0, "%u words differ from the parent's own writes", bad);

    // 5. Everything back.
    sys::munmap(area, n * kPageSize);
    VmStat end = vm_now();
    format_to(name, sizeof name, "n%u-counts-back", n);
    check(name, end.frames_free == baseline.frames_free && end.vpages_in_use == baseline.vpages_in_use,
        "frames_free %u -> %u, vpages_in_use %u -> %u", baseline.frames_free, end.frames_free,
        baseline.vpages_in_use, end.vpages_in_use);
    return result;
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    // Warm-up: the stack pages used below resident, one fork and exit (what
    // the kernel allocates once for good is not charged to the rounds).
    settle_before_baseline();
    int warm = sys::fork();
    if (warm == 0)
        sys::exit(0);
    int status = -100;
    check("warm-up-fork", warm > 0 && sys::wait(warm, &status) == warm && status == 0, "fork = %d, status %d", warm,
        status);

    RoundResult small = parent_round(16);
    RoundResult large = parent_round(512);
    check("fork-frames-independent-of-n", small.fork_frames == large.fork_frames && small.fork_frames >= 0,
        "fork took %d frames with 16 dirty pages, %d with 512", small.fork_frames, large.fork_frames);
    return verdict_status();
}
