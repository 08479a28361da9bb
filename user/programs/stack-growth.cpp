// stack-growth: the stack grows into its demand-zero pages, one fault and
// one frame per new page, and they read as zero.
//
// Only the top stack page is resident when a program starts; the 63 below it
// are demand-zero (os/proc/process.h). main reads vmstat first thing, while
// the stack is still in the top page (stack-starts-in-top-page), then
// recurses through 1 KiB frames until 200 KiB of stack are in use:
//   - each frame finds its part of a new page zero (stack-pages-read-zero),
//     fills it, and finds it intact when the deeper calls have returned
//     (stack-frames-intact);
//   - every page between the deepest point and the top page faulted exactly
//     once, as a zero fill, and took one frame (stack-faults-counted,
//     stack-frames-counted): the kernel counted each page the stack grew
//     into, and nothing else;
//   - the same recursion again faults no more (second-dive-free).
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kDepthBytes = 200 * 1024;
constexpr uint32_t kTarget = user_stack::kTop - kDepthBytes; // the stack reaches below this
constexpr uint32_t kPadWords = 256;                          // 1 KiB of locals per frame

uint32_t g_nonzero;   // words of a new stack page that did not read 0
uint32_t g_damaged;   // words a frame found changed after its deeper calls
uint32_t g_lowest;    // the lowest stack address written

uint32_t stack_pointer()
{
    uint32_t sp;
    asm volatile("movl %%esp, %0" : "=r"(sp));
    return sp;
}

// One frame of the recursion: check and fill `pad`, go deeper until the
// frame is below kTarget, then check that `pad` survived.
__attribute__((noinline)) void dive(uint32_t depth, bool first_time)
{
    volatile uint32_t pad[kPadWords];
    asm volatile("" : : "r"(pad) : "memory"); // a real 1 KiB array (see warm_stack())
    for (uint32_t i = 0; i < kPadWords; ++i) {
        // Only the top page was ever used before the first dive.
        if (first_time && uint32_t(uintptr_t(&pad[i])) < user_stack::kTopPage && pad[i] != 0)
            ++g_nonzero;
        pad[i] = depth * 1000 + i;
    }
    if (uint32_t(uintptr_t(pad)) > kTarget) {
        dive(depth + 1, first_time);
    } else {
        // The deepest frame: write the word just below esp, the lowest
        // address the whole recursion writes (no frame has anything below
        // its esp, and this one calls nothing).
        uint32_t sp;
        asm volatile("pushl $0\n\tmovl %%esp, %0\n\taddl $4, %%esp" : "=r"(sp) : : "memory");
        g_lowest = sp;
    }
    for (uint32_t i = 0; i < kPadWords; ++i)
        g_damaged += pad[i] != depth * 1000 + i;
}

} // namespace

int main(const char* args)
{
    VmStat before {};
    int got = sys::vmstat(&before);
    uint32_t main_sp = stack_pointer();
    verdict_init(args);
    dive(0, true);
    VmStat after {};
    sys::vmstat(&after);

    // Pages from the deepest one up to (not including) the top page.
    uint32_t new_pages = (user_stack::kTopPage - (g_lowest & ~0xFFFu)) / 4096;
    VmDelta d = vm_delta(before, after);
    value("stack_pages_grown", new_pages);
    check("stack-starts-in-top-page", got == 0 && main_sp >= user_stack::kTopPage + 512,
        "vmstat = %d, esp in main 0x%08x (top page 0x%08x)", got, main_sp, user_stack::kTopPage);
    check("stack-reached-200k", g_lowest < kTarget && g_lowest >= user_stack::kBottom,
        "lowest stack address 0x%08x, wanted below 0x%08x", g_lowest, kTarget);
    check("stack-pages-read-zero", g_nonzero == 0, "%u words of new stack pages were not 0", g_nonzero);
    check("stack-frames-intact", g_damaged == 0, "%u words of stack frames changed under them", g_damaged);
    check("stack-faults-counted", d.faults == int32_t(new_pages) && d.zero_fill == int32_t(new_pages) && d.bad == 0,
        "the stack grew into %u pages: %d faults, %d zero fills, %d bad", new_pages, d.faults, d.zero_fill, d.bad);
    check("stack-frames-counted", d.frames_taken == int32_t(new_pages), "the stack grew into %u pages, %d frames used",
        new_pages, d.frames_taken);

    VmStat again = vm_now();
    dive(0, false);
    VmDelta second = vm_delta(again, vm_now());
    check("second-dive-free", second.faults == 0 && second.frames_taken == 0 && g_damaged == 0,
        "the same depth again: %d faults, %d frames, %u words damaged", second.faults, second.frames_taken, g_damaged);
    return verdict_status();
}
