// handout-swap: the example of the lab 5 handout. Maps 64 pages more than
// there are free frames, writes each page's number into its first word,
// then reads every page back. The pages that went out to swap come back.
//   mmap-succeeds, every-page-back (each page reads its number), swapped
#include "program.h"
#include "vmtest.h"

int main(const char* args)
{
    verdict_init(args);
    VmStat before = vm_now();
    uint32_t pages = before.frames_free + 64;
    void* mapped = sys::mmap(nullptr, pages * kPageSize, kMapWrite);
    if (!check("mmap-succeeds", !is_error(mapped), "mmap(%u pages) = %p", pages, mapped))
        return 1;
    auto* words = static_cast<volatile uint32_t*>(mapped);
    for (uint32_t p = 0; p < pages; ++p)
        words[p * kPageWords] = p;
    uint32_t wrong = 0;
    for (uint32_t p = 0; p < pages; ++p)
        wrong += words[p * kPageWords] != p;
    check("every-page-back", wrong == 0, "%u of %u pages read a wrong number", wrong, pages);
    VmStat after = vm_now();
    check("swapped", after.page_outs > before.page_outs && after.page_ins > before.page_ins,
        "%u pages out, %u in", after.page_outs - before.page_outs, after.page_ins - before.page_ins);
    sys::munmap(mapped, pages * kPageSize);
    return verdict_status();
}
