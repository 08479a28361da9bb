// swap-linear: a buffer larger than memory is filled, transformed and
// verified to the byte (lab 5; Pintos's page-linear).
//
//   swap-linear percent=200            one process, a buffer of 200% of the
//                                      frames free at its start
//   swap-linear percent=50 procs=4     four processes at once, each with 50%
//
// Each worker: mmap the buffer; fill every word of every page with its
// pattern (vmtest.h); transform every word in place (x -> 3x + 7), which
// reads back each page the collector wrote out; verify every word. Verdicts:
//   <w>-mmap, <w>-data-intact (every word of every page, after the transform),
//   and for the whole run: swapped (pages went out and came back in: the
//   buffer did not fit), every worker exited 0.
// The kernel test around it (lab5_workload) checks that frames, vpages and
// swap slots are back at their baseline once every process is gone.
#include "program.h"
#include "vmtest.h"

namespace {

uint32_t transformed(uint32_t x) { return x * 3 + 7; }

int work(uint32_t pages, uint32_t tag)
{
    char name[48];
    format_to(name, sizeof name, "w%u-mmap", tag);
    void* mapped = sys::mmap(nullptr, pages * kPageSize, kMapWrite);
    if (!check(name, !is_error(mapped), "mmap(%u pages) = %p", pages, mapped))
        return 1;
    auto* words = static_cast<volatile uint32_t*>(mapped);
    for (uint32_t p = 0; p < pages; ++p)
        fill_page(const_cast<uint32_t*>(words + p * kPageWords), tag, p);
    for (uint32_t i = 0; i < pages * kPageWords; ++i)
        words[i] = transformed(words[i]);
    uint32_t bad = 0, first_bad = ~0u;
    for (uint32_t p = 0; p < pages; ++p)
        for (uint32_t w = 0; w < kPageWords; ++w)
            if (words[p * kPageWords + w] != transformed(pattern_word(tag, p, w))) {
                if (bad++ == 0)
                    first_bad = p;
            }
    format_to(name, sizeof name, "w%u-data-intact", tag);
    check(name, bad == 0, "%u of %u words wrong, the first in page %u", bad, pages * kPageWords, first_bad);
    sys::munmap(mapped, pages * kPageSize);
    return bad == 0 ? 0 : 1;
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    uint32_t tag = arg(args, "worker").number(0);
    uint32_t pages = arg(args, "pages").number(0);
    if (tag)
        return work(pages, tag) | verdict_status();

    uint32_t percent = arg(args, "percent").number(200);
    uint32_t procs = arg(args, "procs").number(1);
    VmStat before = vm_now();
    pages = uint32_t(uint64_t(before.frames_free) * percent / 100);
    value("buffer_pages", pages);
    value("frames_free_at_start", before.frames_free);
    if (procs <= 1) {
        work(pages, 1);
    } else {
        int pids[8];
        procs = procs > 8 ? 8 : procs;
        for (uint32_t i = 0; i < procs; ++i) {
            char child[96];
            format_to(child, sizeof child, "token=%s worker=%u pages=%u", verdict_token(), i + 1, pages);
            pids[i] = sys::spawn("swap-linear", child);
        }
        uint32_t ok = 0;
        for (uint32_t i = 0; i < procs; ++i) {
            int status = -100;
            ok += pids[i] > 0 && sys::wait(pids[i], &status) == pids[i] && status == 0;
        }
        check("workers-exit-0", ok == procs, "%u of %u workers exited 0", ok, procs);
    }
    VmStat after = vm_now();
    value("page_outs", after.page_outs - before.page_outs);
    value("page_ins", after.page_ins - before.page_ins);
    value("evictions", after.evictions - before.evictions);
    check("swapped", after.page_outs > before.page_outs && after.page_ins > before.page_ins,
        "%u pages written out, %u read in: the buffer never left memory", after.page_outs - before.page_outs,
        after.page_ins - before.page_ins);
    return verdict_status();
}
