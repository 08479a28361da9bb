// swap-hotcold: hot pages stay, cold pages go (lab 5's policy).
//
// A hot set of kHotPages pages is read between sweeps over chunks of a cold
// set of `percent` (default 150) % of the free frames, `rounds` (default 3)
// times over. Each cold page is written on its sweep, so every cold page
// goes out and comes back once a round; a hot page is read after every
// kChunk cold pages, so a clock collector sees its accessed bit set each
// time it comes round and leaves it. The faults that waited for the store
// (vmstat own_page_ins) are counted around the hot reads and around the cold
// sweeps: hot-pages-stay holds when the hot set's page-ins are at most a
// tenth of the cold set's. VALUEs: hot_page_ins, cold_page_ins.
#include "program.h"
#include "vmtest.h"

namespace {
constexpr uint32_t kHotPages = 32;
constexpr uint32_t kChunk = 32;
constexpr uint32_t kHotTag = 41, kColdTag = 42;
}

int main(const char* args)
{
    verdict_init(args);
    VmStat start = vm_now();
    uint32_t cold = uint32_t(uint64_t(start.frames_free) * arg(args, "percent").number(150) / 100);
    uint32_t rounds = arg(args, "rounds").number(3);
    void* hot_mapped = sys::mmap(nullptr, kHotPages * kPageSize, kMapWrite);
    void* cold_mapped = sys::mmap(nullptr, cold * kPageSize, kMapWrite);
    if (!check("mmap", !is_error(hot_mapped) && !is_error(cold_mapped), "mmap = %p, %p", hot_mapped, cold_mapped))
        return 1;
    auto* hot = static_cast<volatile uint32_t*>(hot_mapped);
    auto* colds = static_cast<volatile uint32_t*>(cold_mapped);
    for (uint32_t p = 0; p < kHotPages; ++p)
        fill_page(const_cast<uint32_t*>(hot + p * kPageWords), kHotTag, p);
    uint32_t hot_ins = 0, cold_ins = 0, hot_bad = 0, cold_bad = 0;
    for (uint32_t r = 0; r < rounds; ++r) {
        for (uint32_t c = 0; c < cold; c += kChunk) {
            VmStat a = vm_now();
            for (uint32_t p = c; p < cold && p < c + kChunk; ++p) {
                volatile uint32_t* page = colds + p * kPageWords;
                if (r > 0)
                    cold_bad += page[7] != pattern_word(kColdTag + r - 1, p, 7);
                page[7] = pattern_word(kColdTag + r, p, 7);
            }
            VmStat b = vm_now();
            for (uint32_t p = 0; p < kHotPages; ++p)
                hot_bad += hot[p * kPageWords + 5] != pattern_word(kHotTag, p, 5);
            VmStat d = vm_now();
            cold_ins += b.own_page_ins - a.own_page_ins;
            hot_ins += d.own_page_ins - b.own_page_ins;
        }
    }
    value("cold_pages", cold);
    value("hot_page_ins", hot_ins);
    value("cold_page_ins", cold_ins);
    check("data-intact", hot_bad == 0 && cold_bad == 0, "%u hot and %u cold words wrong", hot_bad, cold_bad);
    check("cold-pages-go", cold_ins >= cold * (rounds - 1) / 2,
        "only %u cold page-ins in %u rounds over %u pages: the cold set never left memory", cold_ins, rounds, cold);
    check("hot-pages-stay", hot_ins * 10 <= cold_ins, "%u hot page-ins against %u cold ones (at most a tenth)",
        hot_ins, cold_ins);
    sys::munmap(hot_mapped, kHotPages * kPageSize);
    sys::munmap(cold_mapped, cold * kPageSize);
    return verdict_status();
}
