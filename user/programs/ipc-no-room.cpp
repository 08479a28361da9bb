// ipc-no-room: the user side of the kernel test ipc_no_room
// (tests/kernel/cases/ipc_no_room.cpp), which starts the receiver with no
// free address at all.
//   receiver: makes a port, starts the sender, takes its hello (the sender's
//     page is mapped and filled by then), and receives:
//     1. with no room: kErrNoMemory, nothing mapped;
//     2. after munmap(0x40000000, 4096) (nothing is mapped there: the call
//        only makes that page free), the page arrives at 0x40000000, intact.
//   sender: sends the same page twice; the first send fails with
//     kErrNoMemory (the receiver had no room: the page was not delivered),
//     the second succeeds.
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kTag = 0x5E17;

int sender(const char* args)
{
    int port = int(arg(args, "port").number(0));
    void* page = sys::mmap(nullptr, kPageSize, kMapWrite);
    if (!check("sender-mmap", !is_error(page), "mmap = %p", page))
        return 1;
    fill_page(page, kTag, 0);
    Message hello {}; // set up: the receiver measures from here
    sys::ipc_send(port, &hello);
    Message m {};
    m.page = uint32_t(uintptr_t(page));
    int first = sys::ipc_send(port, &m);
    check("sender-told-no-room", first == kErrNoMemory, "first ipc_send = %d", first);
    int second = sys::ipc_send(port, &m);
    check("sender-second-send-delivered", second == 0, "second ipc_send = %d", second);
    return verdict_status();
}

int receiver()
{
    int port = sys::port_create();
    char child_args[96];
    format_to(child_args, sizeof child_args, "token=%s role=sender port=%d", verdict_token(), port);
    int pid = port > 0 ? sys::spawn("ipc-no-room", child_args) : port;
    if (!check("receiver-setup", pid > 0, "port %d, spawn %d", port, pid))
        return 1;
    Message m {};
    int hello = sys::ipc_recv(port, &m); // the sender has mapped and filled its page
    VmStat before = vm_now();
    m = Message {};
    int first = sys::ipc_recv(port, &m);
    VmStat after = vm_now();
    check("receiver-told-no-room", first == kErrNoMemory && m.page == 0, "ipc_recv = %d, page 0x%08x", first, m.page);
    check("nothing-mapped-on-failure", hello == 0 && after.vpages_in_use == before.vpages_in_use
            && after.frames_free == before.frames_free && after.page_tables == before.page_tables,
        "hello %d; vpages %u -> %u, frames %u -> %u, page tables %u -> %u", hello, before.vpages_in_use,
        after.vpages_in_use, before.frames_free, after.frames_free, before.page_tables, after.page_tables);
    int made_room = sys::munmap(reinterpret_cast<void*>(0x40000000), kPageSize);
    m = Message {};
    int second = sys::ipc_recv(port, &m);
    uint32_t bad = second == 0 && m.page ? page_mismatches(reinterpret_cast<void*>(uintptr_t(m.page)), kTag, 0) : 1;
    check("page-arrives-once-room", made_room == 0 && second == 0 && m.page == 0x40000000 && bad == 0,
        "munmap = %d, ipc_recv = %d, page at 0x%08x, %u words differ", made_room, second, m.page, bad);
    int status = -100;
    int reaped = sys::wait(pid, &status);
    check("sender-exit-0", reaped == pid && status == 0, "wait = %d, status %d", reaped, status);
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    return arg(args, "role").is("sender") ? sender(args) : receiver();
}
