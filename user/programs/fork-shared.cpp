// fork-shared: a shared mapping stays shared across fork.
//
// The parent mmaps 4 pages with kMapShared | kMapWrite and writes pages 0
// and 1 (resident); pages 2 and 3 are left untouched (demand-zero). It also
// has one private page, for contrast. Then it forks, and the two take turns
// (Link), each measuring only while the other is blocked:
//   1. child:  writes page 0 (resident): no fault at all; writes page 2
//              (untouched): one zero fill, one frame; writes its private
//              page: a copy, as any private page.
//   2. parent: sees the child's data in pages 0 and 2 (page 2 through a
//              resident-map fault, no frame), its own old data in the
//              private page; writes page 1: no fault; writes page 3: one
//              zero fill.
//   3. child:  sees the parent's data in pages 1 and 3 (page 3: resident map);
//              forks a grandchild that writes page 1 and exits.
//   4. parent: sees the grandchild's data in page 1.
// No copy-on-write fault for a shared page in any of it; and after the
// child exits and the mapping is gone, the counts are back to the baseline.
#include "link.h"
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kShared = 4;
enum Tag : uint32_t { kParentTag = 1, kChildTag = 2, kGrandchildTag = 3, kPrivateParent = 4, kPrivateChild = 5 };
enum Turn : uint32_t { kGo = 1, kDone = 2 };

uint8_t* page_at(uint8_t* area, uint32_t p) { return area + p * kPageSize; }

// The child's side; returns its exit status.
int child(Link& link, uint8_t* shared, uint8_t* mine)
{
    if (!link.join())
        return 2;
    warm_stack(4096);
    Message m {};
    link.hear(&m); // kGo

    // 1.
    VmStat a = vm_now();
    fill_page(page_at(shared, 0), kChildTag, 0);
    VmStat b = vm_now();
    fill_page(page_at(shared, 2), kChildTag, 2);
    VmStat c = vm_now();
    fill_page(mine, kPrivateChild, 0);
    VmStat d = vm_now();
    VmDelta resident = vm_delta(a, b), fresh = vm_delta(b, c), priv = vm_delta(c, d);
    check("child-writes-shared-page-without-fault", resident.faults == 0 && resident.frames_taken == 0,
        "%u faults, %d frames", resident.faults, resident.frames_taken);
    check("child-first-touch-zero-fills-shared-page",
        fresh.zero_fill == 1 && fresh.copied + fresh.kept == 0 && fresh.frames_taken == 1,
        "%u zero fills, %u copied, %u kept, %d frames", fresh.zero_fill, fresh.copied, fresh.kept,
        fresh.frames_taken);
    check("child-private-page-copied", priv.copied == 1 && priv.frames_taken == 1, "%u copied, %d frames",
        priv.copied, priv.frames_taken);
    link.tell(kDone);

    // 3.
    link.hear(&m); // kGo
    a = vm_now();
    uint32_t bad = page_mismatches(page_at(shared, 1), kParentTag, 1) + page_mismatches(page_at(shared, 3), kParentTag, 3);
    b = vm_now();
    VmDelta seen = vm_delta(a, b);
    check("child-sees-parent-writes", bad == 0, "%u words of pages 1 and 3 differ", bad);
    check("child-maps-parent-page-resident", seen.resident_map == 1 && seen.frames_taken == 0 && seen.copied == 0,
        "reading pages 1 and 3: %u resident maps, %d frames, %u copied", seen.resident_map, seen.frames_taken,
        seen.copied);
    int pid = sys::fork();
    if (pid == 0) {
        fill_page(page_at(shared, 1), kGrandchildTag, 1);
        sys::exit(0);
    }
    int status = -100;
    check("grandchild-exit-0", pid > 0 && sys::wait(pid, &status) == pid && status == 0, "fork = %d, status %d", pid,
        status);
    link.tell(kDone);
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    settle_before_baseline();
    VmStat baseline = vm_now();

    auto* shared = static_cast<uint8_t*>(sys::mmap(nullptr, kShared * kPageSize, kMapShared | kMapWrite));
    auto* mine = static_cast<uint8_t*>(sys::mmap(nullptr, kPageSize, kMapWrite));
    Link link;
    if (!check("mmap-shared", !is_error(shared) && !is_error(mine) && link.open(), "mmap = %d, %d", error_of(shared),
            error_of(mine)))
        return verdict_status();
    fill_page(page_at(shared, 0), kParentTag, 0);
    fill_page(page_at(shared, 1), kParentTag, 1);
    fill_page(mine, kPrivateParent, 0);

    int pid = sys::fork();
    if (pid == 0)
        sys::exit(child(link, shared, mine));
    if (!check("fork-succeeds", pid > 0 && link.accept(), "fork = %d", pid))
        return verdict_status();
    warm_stack(4096);
    Message m {};
    link.tell(kGo);
    link.hear(&m); // kDone: step 1

    // 2.
    VmStat a = vm_now();
    uint32_t bad = page_mismatches(page_at(shared, 0), kChildTag, 0) + page_mismatches(page_at(shared, 2), kChildTag, 2);
    uint32_t private_bad = page_mismatches(mine, kPrivateParent, 0);
    VmStat b = vm_now();
    fill_page(page_at(shared, 1), kParentTag, 1);
    VmStat c = vm_now();
    fill_page(page_at(shared, 3), kParentTag, 3);
    VmStat d = vm_now();
    VmDelta seen = vm_delta(a, b), resident = vm_delta(b, c), fresh = vm_delta(c, d);
    check("parent-sees-child-writes", bad == 0, "%u words of pages 0 and 2 differ", bad);
    check("parent-maps-child-page-resident", seen.resident_map == 1 && seen.frames_taken == 0 && seen.copied == 0,
        "reading pages 0 and 2: %u resident maps, %d frames, %u copied", seen.resident_map, seen.frames_taken,
        seen.copied);
    check("private-page-not-shared", private_bad == 0, "%u words of the private page differ", private_bad);
    check("parent-writes-shared-page-without-fault", resident.faults == 0 && resident.frames_taken == 0,
        "%u faults, %d frames", resident.faults, resident.frames_taken);
    check("parent-first-touch-zero-fills-shared-page",
        fresh.zero_fill == 1 && fresh.copied + fresh.kept == 0 && fresh.frames_taken == 1,
        "%u zero fills, %u copied, %u kept, %d frames", fresh.zero_fill, fresh.copied, fresh.kept,
        fresh.frames_taken);

    // 3. and 4.
    link.tell(kGo);
    link.hear(&m); // kDone
    bad = page_mismatches(page_at(shared, 1), kGrandchildTag, 1);
    check("parent-sees-grandchild-writes", bad == 0, "%u words of page 1 differ", bad);
    int status = -100;
    int reaped = sys::wait(pid, &status);
    check("child-exit-0", reaped == pid && status == 0, "wait = %d, status %d", reaped, status);
    // The shared pages outlive the child, with its data.
    bad = page_mismatches(page_at(shared, 0), kChildTag, 0) + page_mismatches(page_at(shared, 2), kChildTag, 2)
        + page_mismatches(page_at(shared, 3), kParentTag, 3);
    check("shared-data-outlives-child", bad == 0, "%u words differ", bad);

    sys::munmap(shared, kShared * kPageSize);
    sys::munmap(mine, kPageSize);
    VmStat after = vm_now();
    check("counts-back", after.frames_free == baseline.frames_free && after.vpages_in_use == baseline.vpages_in_use,
        "frames_free %u -> %u, vpages_in_use %u -> %u", baseline.frames_free, after.frames_free,
        baseline.vpages_in_use, after.vpages_in_use);
    return verdict_status();
}
