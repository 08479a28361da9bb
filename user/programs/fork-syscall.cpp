// fork-syscall: the kernel writes into copy-on-write pages for a system call.
//
// System calls fault user buffers in before they copy (user_memory.cpp), a
// write as a write: a buffer in a page shared copy-on-write after fork must
// be copied first, like a store of the program itself. The parent fills
// pages 0..4 of a 6-page mapping with its pattern (page 5 stays untouched)
// and forks; while the parent waits, the child
//   1. vmstat()s into page 0: the call succeeds, the page is copied once
//      (one frame, one copy-on-write fault), the rest of the page is the
//      parent's data;
//   2. vmstat()s into a buffer straddling pages 1 and 2: both copied;
//   3. ipc_recv()s a message from the parent into page 3: copied, and the
//      message is there;
//   4. vmstat()s into the untouched page 5: succeeds, the rest reads zero;
//   5. vmstat()s into its read-only data: still kErrFault (fork made no
//      read-only page writable).
// The parent checks that none of it reached its own pages, lets the child
// exit, then vmstat()s into page 4, whose last mapping it now is: kept, no
// copy and no frame. At the end the counts are back to the baseline.
#include "link.h"
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kPages = 6;
constexpr uint32_t kParentTag = 1;
enum Turn : uint32_t { kGo = 1, kReady = 2, kPayload = 3, kDone = 4, kExit = 5 };
constexpr uint32_t kPayloadWords[3] = { 0x600DF00D, 0x12345678, 0xCAFE0042 };

const uint32_t kReadOnly[32] = { 0x52454144, 0x4F4E4C59 }; // in .rodata

uint8_t* page_at(uint8_t* area, uint32_t p) { return area + p * kPageSize; }

// Words of pages [first, last] that differ from `tag`'s pattern (tag 0: zero),
// not counting the bytes [skip, skip + skip_length) of the area.
uint32_t mismatches_outside(uint8_t* area, uint32_t first, uint32_t last, uint32_t tag, const void* skip,
    uint32_t skip_length)
{
    auto from = uint32_t(uintptr_t(skip)), to = from + skip_length;
    uint32_t bad = 0;
    for (uint32_t p = first; p <= last; ++p) {
        auto* words = reinterpret_cast<const volatile uint32_t*>(page_at(area, p));
        for (uint32_t i = 0; i < kPageWords; ++i) {
            auto at = uint32_t(uintptr_t(&words[i]));
            if (at + 4 <= from || at >= to)
                bad += words[i] != (tag ? pattern_word(tag, p, i) : 0);
        }
    }
    return bad;
}

// A VmStat the kernel wrote at `at`, read back word by word (it may straddle
// pages and be unaligned for nothing): does it equal `reference`, a reading
// taken just after the call? (vmstat faults its buffer in before it reads
// the counters, so its answer includes that fault.)
bool stat_matches(const VmStat* at, const VmStat& reference)
{
    VmStat s {};
    memcpy(&s, at, sizeof s);
    return s.frames_total == reference.frames_total && s.frames_free == reference.frames_free
        && s.vpages_in_use == reference.vpages_in_use && s.faults_copy_on_write == reference.faults_copy_on_write;
}

auto* stat_at(uint8_t* area, uint32_t offset) { return reinterpret_cast<VmStat*>(area + offset); }

int child(Link& link, uint8_t* area, int parent)
{
    if (!link.join())
        return 2;
    warm_stack(4096);
    Message m {};
    link.hear(&m); // kGo

    // 1. One page.
    VmStat* s0 = stat_at(area, 100);
    VmStat a = vm_now();
    int r = sys::vmstat(s0);
    VmStat b = vm_now();
    VmDelta d = vm_delta(a, b);
    check("child-vmstat-into-cow-page", r == 0 && stat_matches(s0, b), "vmstat = %d (or wrong counts)", r);
    check("kernel-write-copies-once", d.copied == 1 && d.kept == 0 && d.frames_taken == 1,
        "%u copied, %u kept, %d frames", d.copied, d.kept, d.frames_taken);
    uint32_t bad = mismatches_outside(area, 0, 0, kParentTag, s0, sizeof *s0);
    check("copy-keeps-rest-of-page", bad == 0, "%u words of page 0 outside the VmStat differ", bad);

    // 2. Straddling two pages.
    VmStat* s1 = stat_at(area, 2 * kPageSize - 20);
    a = vm_now();
    r = sys::vmstat(s1);
    b = vm_now();
    d = vm_delta(a, b);
    bad = mismatches_outside(area, 1, 2, kParentTag, s1, sizeof *s1);
    check("straddling-write-copies-both-pages",
        r == 0 && stat_matches(s1, b) && d.copied == 2 && d.kept == 0 && d.frames_taken == 2 && bad == 0,
        "vmstat = %d, %u copied, %u kept, %d frames, %u words of pages 1-2 differ", r, d.copied, d.kept,
        d.frames_taken, bad);

    // 3. A message received into a shared page.
    auto* message = reinterpret_cast<Message*>(page_at(area, 3) + 300);
    a = vm_now();
    link.tell(kReady);
    r = link.hear(message);
    b = vm_now();
    d = vm_delta(a, b);
    bad = mismatches_outside(area, 3, 3, kParentTag, message, sizeof *message);
    check("child-ipc-recv-into-cow-page",
        r == 0 && message->words[0] == kPayload && message->words[1] == kPayloadWords[0]
            && message->words[2] == kPayloadWords[1] && message->words[3] == kPayloadWords[2]
            && int(message->sender) == parent && d.copied == 1 && d.frames_taken == 1 && bad == 0,
        "ipc_recv = %d, words %x %x %x %x from %u, %u copied, %d frames, %u words of page 3 differ", r,
        message->words[0], message->words[1], message->words[2], message->words[3], message->sender, d.copied,
        d.frames_taken, bad);

    // 4. A page nobody had touched.
    VmStat* s5 = stat_at(area, 5 * kPageSize);
    a = vm_now();
    r = sys::vmstat(s5);
    b = vm_now();
    bad = mismatches_outside(area, 5, 5, 0, s5, sizeof *s5);
    check("untouched-page-written-by-kernel", r == 0 && stat_matches(s5, b) && bad == 0,
        "vmstat = %d, %u words of the rest of page 5 are not zero", r, bad);

    // 5. Read-only stays read-only.
    r = sys::vmstat(reinterpret_cast<VmStat*>(const_cast<uint32_t*>(kReadOnly)));
    auto* ro = reinterpret_cast<const volatile uint32_t*>(kReadOnly);
    bool intact = ro[0] == 0x52454144 && ro[1] == 0x4F4E4C59 && ro[2] == 0;
    check("readonly-page-still-refused", r == kErrFault && intact, "vmstat into .rodata = %d", r);

    link.tell(kDone);
    link.hear(&m); // kExit
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    settle_before_baseline();
    VmStat baseline = vm_now();

    auto* area = static_cast<uint8_t*>(sys::mmap(nullptr, kPages * kPageSize, kMapWrite));
    Link link;
    if (!check("mmap-area", !is_error(area) && link.open(), "mmap = %d", error_of(area)))
        return verdict_status();
    for (uint32_t p = 0; p < 5; ++p)
        fill_page(page_at(area, p), kParentTag, p);

    int self = sys::getpid();
    int pid = sys::fork();
    if (pid == 0)
        sys::exit(child(link, area, self));
    if (!check("fork-succeeds", pid > 0 && link.accept(), "fork = %d", pid))
        return verdict_status();
    warm_stack(4096);
    Message m {};
    link.tell(kGo);
    link.hear(&m); // kReady
    link.tell(kPayload, kPayloadWords[0], kPayloadWords[1], kPayloadWords[2]);
    link.hear(&m); // kDone

    uint32_t bad = mismatches_outside(area, 0, 4, kParentTag, nullptr, 0) + mismatches_outside(area, 5, 5, 0, nullptr, 0);
    check("parent-pages-unchanged", bad == 0, "%u words of the parent's 6 pages differ", bad);
    link.tell(kExit);
    int status = -100;
    int reaped = sys::wait(pid, &status);
    check("child-exit-0", reaped == pid && status == 0, "wait = %d, status %d", reaped, status);

    VmStat* s4 = stat_at(area, 4 * kPageSize + 200);
    VmStat a = vm_now();
    int r = sys::vmstat(s4);
    VmStat b = vm_now();
    VmDelta d = vm_delta(a, b);
    bad = mismatches_outside(area, 4, 4, kParentTag, s4, sizeof *s4);
    check("kernel-write-to-last-mapping-kept",
        r == 0 && stat_matches(s4, b) && d.kept == 1 && d.copied == 0 && d.frames_taken == 0 && bad == 0,
        "vmstat = %d, %u kept, %u copied, %d frames, %u words of page 4 differ", r, d.kept, d.copied, d.frames_taken,
        bad);

    sys::munmap(area, kPages * kPageSize);
    VmStat after = vm_now();
    check("counts-back", after.frames_free == baseline.frames_free && after.vpages_in_use == baseline.vpages_in_use,
        "frames_free %u -> %u, vpages_in_use %u -> %u", baseline.frames_free, after.frames_free,
        baseline.vpages_in_use, after.vpages_in_use);
    return verdict_status();
}
