// vmtest.h: what the VM tests share (labs 3 and 4): page patterns that say
// who wrote a page, the change of the kernel's VM counters between two
// vmstat calls, the user stack's layout, and a stack made resident ahead of
// time.
//
//   warm_stack();                             // 1. the stack a measurement uses is resident
//   VmStat before = vm_now();                 // 2. read the counters
//   ...touch n pages...                       // 3. the operation
//   VmDelta d = vm_delta(before, vm_now());   // 4. what it cost
//   check("touch-faults", d.faults == n && d.zero_fill == n, ...);
//
// The counters are the whole kernel's: a measurement is exact only while no
// other process faults or allocates, and while the measuring program's own
// stack does not grow into a new (demand-zero) page between steps 2 and 4.
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

// The words that differ from the pattern in `pages` pages in a row from
// `base`, page p written as page number p by `even_tag` (p even) or
// `odd_tag` (p odd); pass the same tag twice for a buffer one writer filled.
uint32_t buffer_mismatches(const void* base, uint32_t pages, uint32_t even_tag, uint32_t odd_tag);

// vmstat, or all zero if the call failed.
VmStat vm_now();

// The swap tests' check "swapped": pages went out to swap and came back in
// since `before` (both page_outs and page_ins grew). Returns whether it passed.
bool check_swapped(const VmStat& before);

// What happened between two vmstat readings.
struct VmDelta {
    int32_t frames_taken;   // frames_free went down by this much
    int32_t vpages_made;    // vpages_in_use went up by this much
    int32_t faults;         // page faults taken by user code
    int32_t zero_fill;
    int32_t resident_map;
    int32_t copied;         // copy-on-write faults that copied the page
    int32_t kept;           // copy-on-write faults that kept it (last mapping)
    int32_t bad;            // faults refused (a kill, or kErrFault for a system call)
};
VmDelta vm_delta(const VmStat& before, const VmStat& after);

// Make the `bytes` (at most 32 KiB) of stack below the caller resident
// (write to every page), so that calls made later at a shallower depth fault
// nothing.
constexpr uint32_t kWarmStackBytes = 16 * 1024;
void warm_stack(uint32_t bytes = kWarmStackBytes);

// Before a baseline is taken: the stack warmed (warm_stack()) and the page
// table of the mmap area made and held (one page mapped at the start of the
// area and kept: munmap frees a page table it leaves empty), so that what
// the kernel allocates once for good is not charged to what is measured.
void settle_before_baseline();

// The user stack as the kernel lays it out (os/proc/process.h): kPages
// pages below kTop, the top one resident at the start (it holds the
// argument string), the others demand-zero, and an empty guard page below.
namespace user_stack {
constexpr uint32_t kTop = 0xBFFF0000;
constexpr uint32_t kPages = 64;
constexpr uint32_t kTopPage = kTop - 4096;
constexpr uint32_t kBottom = kTop - kPages * 4096;
constexpr uint32_t kGuardPage = kBottom - 4096;
} // namespace user_stack
