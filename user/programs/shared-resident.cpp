// shared-resident: a page already resident through another process is
// mapped without a new frame.
//
// One program, two roles, one vpage:
//   writer (no role=): mmaps a page and does not touch it; starts the reader
//     and learns its port; sends it the page over IPC (the reader gets a
//     not-present mapping of the same vpage: no frame, no fault,
//     page-sent-untouched; the reader made the page table beforehand). Then the writer writes a pattern: its first
//     write is a zero fill, one new frame (writer-zero-fills). It tells the
//     reader, waits for it (reader-exit-0), finds the reader's mark in the
//     page (reader-write-seen), and unmaps it: the last mapping gone, the
//     frame comes back (munmap-frees-the-frame).
//   reader (role=reader port=N): sends its port number to port N, receives
//     the page (reader-got-page-mapping), waits for the writer's word, then
//     reads the page: one fault, a resident map, no new frame
//     (reader-maps-resident), and the writer's pattern is there
//     (reader-sees-writer-data). It writes a mark at the end of the page.
// Each role warms its stack, and each measures only while the other is
// blocked in IPC or wait, so that the counters see only the page.
#include "expected.h"
#include "program.h"
#include "vmtest.h"

namespace {

enum Op : uint32_t { kOpPort = 1, kOpPage = 2, kOpWritten = 3 };
constexpr uint32_t kMark = 0x5EE0F00D;
constexpr uint32_t kMarkWord = 1023; // the reader's mark: the page's last word

uint32_t pattern(uint32_t word) { return word * 0x9E3779B1u ^ 0xA5A5A5A5u; }

int reader(const char* args)
{
    warm_stack();
    // The page will be mapped at the first free address from 0x40000000: map
    // a page just before it first and keep it, so that the page table exists
    // and the transfer itself needs no frame.
    sys::mmap(nullptr, 4096, kMapWrite);
    int writer_port = int(arg(args, "port").number(0));
    int port = sys::port_create();
    Message m {};
    m.words[0] = kOpPort;
    m.words[1] = uint32_t(port);
    int sent = port > 0 ? sys::ipc_send(writer_port, &m) : port;
    if (!check("reader-announces-port", sent == 0, "port_create = %d, ipc_send(%d) = %d", port, writer_port, sent))
        return 1;

    Message page_message {};
    int got = sys::ipc_recv(port, &page_message);
    uint32_t page = page_message.page;
    bool mapped = got == 0 && page_message.words[0] == kOpPage && page != 0 && (page & 0xFFF) == 0;
    if (!check("reader-got-page-mapping", mapped, "ipc_recv = %d, words[0] %u, page 0x%08x", got,
            page_message.words[0], page))
        return 1;
    Message written {};
    got = sys::ipc_recv(port, &written);
    if (!check("reader-told-written", got == 0 && written.words[0] == kOpWritten, "ipc_recv = %d, words[0] %u", got,
            written.words[0]))
        return 1;

    // The writer is blocked (in wait) from here on: only this read faults.
    auto* words = reinterpret_cast<volatile uint32_t*>(uintptr_t(page));
    VmStat before = vm_now();
    uint32_t first = words[0];
    VmDelta d = vm_delta(before, vm_now());
    Expected read;
    read.equal("faults", d.faults, 1);
    read.equal("resident maps", d.resident_map, 1);
    read.equal("zero fills", d.zero_fill, 0);
    read.equal("bad", d.bad, 0);
    read.equal("frames", d.frames_taken, 0);
    check("reader-maps-resident", read.ok(), "reading the writer's page: %s", read.reason());
    uint32_t differ = first != pattern(0);
    for (uint32_t i = 1; i < 1024; ++i)
        differ += words[i] != pattern(i);
    check("reader-sees-writer-data", differ == 0, "%u of 1024 words differ from the writer's pattern", differ);
    words[kMarkWord] = kMark;
    return verdict_status();
}

int writer()
{
    settle_before_baseline(); // the region's page table held: munmap below frees only the page
    int port = sys::port_create();
    void* page = sys::mmap(nullptr, 4096, kMapWrite);
    if (!check("writer-setup", port > 0 && !is_error(page), "port %d, mmap %p", port, page))
        return 1;
    auto* words = static_cast<volatile uint32_t*>(page);
    char child_args[96];
    format_to(child_args, sizeof child_args, "token=%s role=reader port=%d", verdict_token(), port);
    int reader_pid = sys::spawn("shared-resident", child_args);
    Message hello {};
    int got = reader_pid > 0 ? sys::ipc_recv(port, &hello) : reader_pid;
    int reader_port = int(hello.words[1]);
    if (!check("learn-reader-port", got == 0 && hello.words[0] == kOpPort && int(hello.sender) == reader_pid,
            "spawn = %d, ipc_recv = %d, words[0] %u, sender %u", reader_pid, got, hello.words[0], hello.sender))
        return 1;

    // 1. The untouched page goes over: the reader maps the vpage, not present.
    VmStat before_send = vm_now();
    Message m {};
    m.words[0] = kOpPage;
    m.page = uint32_t(uintptr_t(page));
    int sent = sys::ipc_send(reader_port, &m);
    VmDelta send = vm_delta(before_send, vm_now());
    check("page-sent-untouched", sent == 0 && send.faults == 0 && send.frames_taken == 0,
        "ipc_send = %d; sending the page: %d faults, %d frames", sent, send.faults, send.frames_taken);

    // 2. The writer's first write: a zero fill, one frame. (The reader is
    //    blocked in ipc_recv.)
    VmStat before_write = vm_now();
    for (uint32_t i = 0; i < 1024; ++i)
        words[i] = pattern(i);
    VmDelta write = vm_delta(before_write, vm_now());
    Expected wrote;
    wrote.equal("faults", write.faults, 1);
    wrote.equal("zero fills", write.zero_fill, 1);
    wrote.equal("resident maps", write.resident_map, 0);
    wrote.equal("frames", write.frames_taken, 1);
    check("writer-zero-fills", wrote.ok(), "writing the page: %s", wrote.reason());

    // 3. Let the reader read it, and wait for it.
    m = Message {};
    m.words[0] = kOpWritten;
    sent = sys::ipc_send(reader_port, &m);
    int status = -100;
    int reaped = sys::wait(reader_pid, &status);
    check("reader-exit-0", sent == 0 && reaped == reader_pid && status == 0, "ipc_send = %d, wait = %d, status %d",
        sent, reaped, status);
    check("reader-write-seen", words[kMarkWord] == kMark, "word %u is 0x%08x, the reader wrote 0x%08x", kMarkWord,
        words[kMarkWord], kMark);

    // 4. The writer's mapping is the last: unmapping it frees the frame.
    VmStat before_unmap = vm_now();
    int r = sys::munmap(page, 4096);
    VmDelta unmap = vm_delta(before_unmap, vm_now());
    Expected freed;
    freed.equal("munmap", r, 0);
    freed.equal("frames given back", -unmap.frames_taken, 1);
    freed.equal("vpages given back", -unmap.vpages_made, 1);
    check("munmap-frees-the-frame", freed.ok(), "%s", freed.reason());
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    return arg(args, "role").is("reader") ? reader(args) : writer();
}
