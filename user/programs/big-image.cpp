// big-image: a program with a 1 MiB image (lab 6's demand loading). Its
// read-only data holds a 1 MiB table (256 pages), word i = (i + 1) * 2654435761
// (mod 2^32), in the file. It reads word 0 of `touch` pages of the table,
// spread over it, checks each, and reports how many of its faults waited for
// a store while it did: spawned through a file pager (spawn_from_store),
// each touched page is exactly one page-in; spawned eagerly, none.
//   verdicts: table-words-match, table-page-ins-match-touches (expect=N: N
//   page-ins for the touches; default: as many as pages touched)
#include "program.h"

#include "vmtest.h"

// The table, built by the assembler so that it is in the file (not bss).
asm(R"(
    .section .rodata.big_table, "a"
    .balign 4096
    .globl big_table
big_table:
    .set big_i, 0
    .rept 262144
    .long ((big_i + 1) * 2654435761) & 0xffffffff
    .set big_i, big_i + 1
    .endr
    .text
)");
extern "C" const uint32_t big_table[262144];

namespace {
constexpr uint32_t kTablePages = 256;
uint32_t expected_word(uint32_t i) { return uint32_t(uint64_t(i + 1) * 2654435761u); }
}

int main(const char* args)
{
    verdict_init(args);
    uint32_t touch = arg(args, "touch").number(1);
    if (touch == 0 || touch > kTablePages)
        touch = 1;
    uint32_t expect = arg(args, "expect").number(touch);
    warm_stack();
    VmStat before = vm_now();
    uint32_t bad = 0;
    for (uint32_t k = 0; k < touch; ++k) {
        uint32_t i = (k * kTablePages / touch) * 1024;
        bad += *static_cast<const volatile uint32_t*>(&big_table[i]) != expected_word(i);
    }
    VmStat after = vm_now();
    uint32_t page_ins = after.own_page_ins - before.own_page_ins;
    value("table_page_ins", page_ins);
    check("table-words-match", bad == 0, "%u of %u touched words differ", bad, touch);
    check("table-page-ins-match-touches", page_ins == expect, "%u page-ins for %u touched pages (expected %u)",
        page_ins, touch, expect);
    return verdict_status();
}
