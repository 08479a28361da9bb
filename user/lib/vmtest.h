// vmtest.h: what the VM tests share (lab 4's fork programs): page patterns
// that say who wrote a page, the change of the kernel's VM counters between
// two vmstat calls, and a stack made resident ahead of time.
//
// Why warm the stack: after fork the parent and the child share every stack
// page copy-on-write. A stack page that neither had touched before fork is a
// demand-zero vpage; the first write to it gives the shared vpage a zeroed
// frame *and* the writer a copy, and the zeroed frame stays with the other
// process. A test that counts frames first makes every stack page it will
// use resident (warm_stack), so that each later stack write costs exactly
// one copy or none.
#pragma once

#include "syscall.h"

#include <stdint.h>

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPageWords = kPageSize / 4;

// Word `word` of page number `page`, as written by `tag` (a nonzero number
// naming the writer: a process, a generation, a round). Different tags,
// pages or words give different words.
uint32_t pattern_word(uint32_t tag, uint32_t page, uint32_t word);
// Fill words [first, end) of a page with the pattern / count those that
// differ from it; and the same for the whole page.
void fill_words(void* page, uint32_t tag, uint32_t page_number, uint32_t first, uint32_t end);
uint32_t word_mismatches(const void* page, uint32_t tag, uint32_t page_number, uint32_t first, uint32_t end);
void fill_page(void* page, uint32_t tag, uint32_t page_number);
uint32_t page_mismatches(const void* page, uint32_t tag, uint32_t page_number);

// vmstat, or all zero if the call failed.
VmStat vm_now();

// What happened between two vmstat readings.
struct VmDelta {
    int32_t frames_taken;   // frames_free went down by this much
    int32_t vpages_made;    // vpages_in_use went up by this much
    uint32_t faults;        // page faults taken by user code
    uint32_t zero_fill;
    uint32_t resident_map;
    uint32_t copied;        // copy-on-write faults that copied the page
    uint32_t kept;          // copy-on-write faults that kept it (last mapping)
};
VmDelta vm_delta(const VmStat& before, const VmStat& after);

// Make the `bytes` of stack below the caller resident (write to every page).
void warm_stack(uint32_t bytes);
