#include "vmtest.h"

#include "verdict.h"

uint32_t pattern_word(uint32_t tag, uint32_t page, uint32_t word)
{
    uint32_t x = tag * 0x9E3779B1u + page * 0x85EBCA77u + word * 0xC2B2AE3Du + 0x27D4EB2Fu;
    x ^= x >> 15;
    x *= 0x2C1B3C6Du;
    return x ^ (x >> 13);
}

void fill_words(void* page, uint32_t tag, uint32_t page_number, uint32_t first, uint32_t end)
{
    auto* words = static_cast<volatile uint32_t*>(page);
    for (uint32_t i = first; i < end; ++i)
        words[i] = pattern_word(tag, page_number, i);
}

uint32_t word_mismatches(const void* page, uint32_t tag, uint32_t page_number, uint32_t first, uint32_t end)
{
    auto* words = static_cast<const volatile uint32_t*>(page);
    uint32_t bad = 0;
    for (uint32_t i = first; i < end; ++i)
        bad += words[i] != pattern_word(tag, page_number, i);
    return bad;
}

void fill_page(void* page, uint32_t tag, uint32_t page_number) { fill_words(page, tag, page_number, 0, kPageWords); }

uint32_t page_mismatches(const void* page, uint32_t tag, uint32_t page_number)
{
    return word_mismatches(page, tag, page_number, 0, kPageWords);
}

uint32_t buffer_mismatches(const void* base, uint32_t pages, uint32_t even_tag, uint32_t odd_tag)
{
    auto* words = static_cast<const uint32_t*>(base);
    uint32_t bad = 0;
    for (uint32_t p = 0; p < pages; ++p)
        bad += page_mismatches(words + p * kPageWords, p % 2 ? odd_tag : even_tag, p);
    return bad;
}

VmStat vm_now()
{
    VmStat s {};
    if (sys::vmstat(&s) != 0)
        s = VmStat {};
    return s;
}

bool check_swapped(const VmStat& before)
{
    VmStat after = vm_now();
    return check("swapped", after.page_outs > before.page_outs && after.page_ins > before.page_ins,
        "%u pages written out, %u read in", after.page_outs - before.page_outs, after.page_ins - before.page_ins);
}

VmDelta vm_delta(const VmStat& before, const VmStat& after)
{
    VmDelta d {};
    d.frames_taken = int32_t(before.frames_free - after.frames_free);
    d.vpages_made = int32_t(after.vpages_in_use - before.vpages_in_use);
    d.faults = int32_t(after.faults_total - before.faults_total);
    d.zero_fill = after.faults_zero_fill - before.faults_zero_fill;
    d.resident_map = after.faults_resident_map - before.faults_resident_map;
    d.kept = after.faults_cow_kept - before.faults_cow_kept;
    d.copied = (after.faults_copy_on_write - before.faults_copy_on_write) - d.kept;
    d.bad = after.faults_bad - before.faults_bad;
    return d;
}

// noinline: the array must be a frame of its own; and its address escapes
// into the asm, or the compiler could keep only the bytes written (a local
// array nobody can see needs no layout).
__attribute__((noinline)) void warm_stack(uint32_t bytes)
{
    constexpr uint32_t kMax = 32 * 1024;
    volatile uint8_t area[kMax];
    asm volatile("" : : "r"(area) : "memory");
    if (bytes > kMax)
        bytes = kMax;
    for (uint32_t at = 0; at < bytes; at += 512)
        area[kMax - 1 - at] = 0;
}

void settle_before_baseline()
{
    warm_stack();
    // Kept mapped for good: a page table left empty by munmap is freed, so
    // this page is what keeps the mmap region's table (the measured mappings
    // go right after it, into the same table).
    sys::mmap(nullptr, kPageSize, kMapWrite);
}
