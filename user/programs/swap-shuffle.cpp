// swap-shuffle: a buffer larger than memory is shuffled page by page
// (lab 5). `percent` (default 150) % of the free frames; page p starts with
// its number in word 0 and its pattern in the rest; then 2 x pages swaps of
// two pseudo-randomly chosen pages (all 1024 words each: random accesses all
// over the buffer). The same swaps replayed on a small table of page numbers
// say where each page must be; every word of every page is checked.
#include "program.h"
#include "vmtest.h"

namespace {
constexpr uint32_t kTag = 31;
constexpr uint32_t kMaxPages = 16384;
uint32_t g_where[kMaxPages]; // the page number that must end at each place
}

int main(const char* args)
{
    verdict_init(args);
    VmStat before = vm_now();
    uint32_t pages = uint32_t(uint64_t(before.frames_free) * arg(args, "percent").number(150) / 100);
    pages = pages > kMaxPages ? kMaxPages : pages;
    value("buffer_pages", pages);
    void* mapped = sys::mmap(nullptr, pages * kPageSize, kMapWrite);
    if (!check("mmap", !is_error(mapped), "mmap(%u pages) = %p", pages, mapped))
        return 1;
    auto* base = static_cast<uint32_t*>(mapped);
    for (uint32_t p = 0; p < pages; ++p) {
        fill_page(base + p * kPageWords, kTag, p);
        base[p * kPageWords] = p;
        g_where[p] = p;
    }
    uint32_t x = 0xC0FFEE;
    for (uint32_t s = 0; s < 2 * pages; ++s) {
        x = x * 1664525u + 1013904223u;
        uint32_t a = (x >> 8) % pages;
        x = x * 1664525u + 1013904223u;
        uint32_t b = (x >> 8) % pages;
        uint32_t* pa = base + a * kPageWords;
        uint32_t* pb = base + b * kPageWords;
        for (uint32_t w = 0; w < kPageWords; ++w) {
            uint32_t t = pa[w];
            pa[w] = pb[w];
            pb[w] = t;
        }
        uint32_t t = g_where[a];
        g_where[a] = g_where[b];
        g_where[b] = t;
    }
    uint32_t misplaced = 0, bad_words = 0;
    for (uint32_t p = 0; p < pages; ++p) {
        const uint32_t* page = base + p * kPageWords;
        misplaced += page[0] != g_where[p];
        bad_words += word_mismatches(page, kTag, g_where[p], 1, kPageWords);
    }
    check("pages-where-the-swaps-put-them", misplaced == 0, "%u pages hold another page's number", misplaced);
    check("data-intact", bad_words == 0, "%u words differ from their page's pattern", bad_words);
    check_swapped(before);
    sys::munmap(mapped, pages * kPageSize);
    return verdict_status();
}
