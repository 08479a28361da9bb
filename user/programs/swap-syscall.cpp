// swap-syscall: system calls whose user buffers are paged out (lab 5).
//
// Each round the parent writes a Message that straddles a page boundary
// (both pages its own, private), then writes a pressure buffer of 120% of
// the free frames, which pushes those two pages out to swap. Then:
//   - ipc_send straight from the straddling Message: the kernel pages both
//     halves back in during the call (it sleeps on each) and copies them
//     page by page; the child receives exactly the words written
//     (ipc-from-paged-out-buffer);
//   - vmstat into a straddling VmStat in two other paged-out pages
//     (vmstat-into-paged-out-buffer: the call succeeds and the counters
//     read there match those read into the stack);
//   - write() of 6000 bytes of text from paged-out pages returns 6000.
// page-ins-during-calls: the calls did wait for the store.
#include "program.h"
#include "vmtest.h"

namespace {
constexpr uint32_t kRounds = 3;
constexpr uint32_t kTextBytes = 6000;
}

int main(const char* args)
{
    verdict_init(args);
    warm_stack();
    int parent_port = sys::port_create();
    int pid = sys::fork();
    if (pid == 0) {
        int mine = sys::port_create();
        Message hello {};
        hello.words[0] = uint32_t(mine);
        sys::ipc_send(parent_port, &hello);
        for (uint32_t r = 0; r < kRounds; ++r) {
            Message m {};
            sys::ipc_recv(mine, &m);
            Message answer {};
            answer.words[0] = m.words[0] == 0xA0 + r && m.words[1] == pattern_word(61, r, 1)
                && m.words[2] == pattern_word(61, r, 2) && m.words[3] == pattern_word(61, r, 3);
            sys::ipc_send(parent_port, &answer);
        }
        return 0;
    }
    Message hello {};
    sys::ipc_recv(parent_port, &hello);
    int child_port = int(hello.words[0]);

    uint32_t area_pages = 6;
    void* mapped = sys::mmap(nullptr, area_pages * kPageSize, kMapWrite);
    if (!check("mmap", !is_error(mapped), "mmap = %p", mapped))
        return 1;
    auto* area = static_cast<uint8_t*>(mapped);
    auto* message = reinterpret_cast<Message*>(area + kPageSize - 12);        // pages 0 and 1
    auto* stat = reinterpret_cast<VmStat*>(area + 3 * kPageSize - 20);        // pages 2 and 3
    char* text = reinterpret_cast<char*>(area + 4 * kPageSize - 1000);        // pages 3..5
    for (uint32_t i = 0; i < kTextBytes; ++i)
        text[i] = i % 64 == 63 ? '\n' : char('a' + i % 26);
    text[kTextBytes - 1] = '\n'; // the verdict lines that follow start a line

    uint32_t delivered = 0, stats_ok = 0, writes_ok = 0, waited = 0;
    for (uint32_t r = 0; r < kRounds; ++r) {
        message->words[0] = 0xA0 + r;
        for (uint32_t w = 1; w < 4; ++w)
            message->words[w] = pattern_word(61, r, w);
        // Push the area out: a sweep over more than memory, written.
        VmStat now = vm_now();
        uint32_t pressure = now.frames_free * 6 / 5;
        void* p = sys::mmap(nullptr, pressure * kPageSize, kMapWrite);
        if (!is_error(p)) {
            auto* words = static_cast<volatile uint32_t*>(p);
            for (uint32_t i = 0; i < pressure; ++i)
                words[i * kPageWords] = i + 1;
            sys::munmap(p, pressure * kPageSize);
        }
        VmStat before = vm_now();
        int sent = sys::ipc_send(child_port, message);
        int got_stat = sys::vmstat(stat);
        VmStat mine = vm_now();
        int written = sys::write(text, kTextBytes);
        VmStat after = vm_now();
        waited += after.own_page_ins - before.own_page_ins;
        Message answer {};
        sys::ipc_recv(parent_port, &answer);
        delivered += sent == 0 && answer.words[0] == 1;
        stats_ok += got_stat == 0 && stat->frames_total == mine.frames_total && stat->swap_slots_total == mine.swap_slots_total;
        writes_ok += written == int(kTextBytes);
    }
    check("ipc-from-paged-out-buffer", delivered == kRounds, "%u of %u messages arrived intact", delivered, kRounds);
    check("vmstat-into-paged-out-buffer", stats_ok == kRounds, "%u of %u vmstat calls right", stats_ok, kRounds);
    check("write-from-paged-out-buffer", writes_ok == kRounds, "%u of %u writes complete", writes_ok, kRounds);
    check("page-ins-during-calls", waited >= kRounds, "the calls waited for the store %u times in %u rounds", waited,
        kRounds);
    int status = -100;
    check("child-exit-0", sys::wait(pid, &status) == pid && status == 0, "status %d", status);
    return verdict_status();
}
