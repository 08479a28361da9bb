// ipc-share-after-fork: a page sent over IPC from a writable mapping is
// shared with the receiver whatever its history (issue 11, item 5; abi.h
// "IPC and sharing"). Before the fix, a page of a sender that had ever
// forked stayed copy-on-write, and the receiver's writes went to a private
// copy the sender never saw.
//
//   sender (no role=): maps a page, writes it, forks a child that exits at
//     once (the page is copy-on-write now, with the child long gone), starts
//     the receiver and calls it with the page, then
//       1. the receiver sees what the sender wrote, and writes its own;
//       2. the sender sees the receiver's writes;
//       3. the sender writes again: the receiver sees it;
//       4. after another fork whose child writes the page, the receiver sees
//          the child's writes too (shared pages stay shared across fork).
//   receiver (role=receiver): answers calls: kOpTake (keep the page, check
//     it, write its own pattern), kOpCheck (check the page against a tag),
//     kOpStop.
#include "program.h"
#include "vmtest.h"

namespace {

enum Op : uint32_t { kOpTake = 1, kOpCheck = 2, kOpStop = 3 };
constexpr uint32_t kSenderTag = 0x51, kReceiverTag = 0x52, kAgainTag = 0x53, kChildTag = 0x54;

int receiver(const char* args)
{
    int sender_port = int(arg(args, "port").number(0));
    int port = sys::port_create();
    Message hello {};
    hello.words[0] = uint32_t(port);
    if (port <= 0 || sys::ipc_send(sender_port, &hello) != 0)
        return 1;
    void* page = nullptr;
    for (;;) {
        Message m {};
        if (sys::ipc_recv(port, &m) != 0)
            return 2;
        if (m.words[0] == kOpTake) {
            page = reinterpret_cast<void*>(uintptr_t(m.page));
            m.words[1] = page ? page_mismatches(page, m.words[1], 0) : 4096;
            if (page)
                fill_page(page, kReceiverTag, 0);
        } else if (m.words[0] == kOpCheck) {
            m.words[1] = page ? page_mismatches(page, m.words[1], 0) : 4096;
        } else {
            sys::ipc_reply(&m);
            return 0;
        }
        m.page = 0;
        sys::ipc_reply(&m);
    }
}

// Call the receiver: op, a tag to check against, maybe the page. The
// receiver's count of words that differ, or 4096 + the error.
uint32_t ask(int port, Op op, uint32_t tag, void* page)
{
    Message m {};
    m.words[0] = op;
    m.words[1] = tag;
    m.page = uint32_t(uintptr_t(page));
    int r = sys::ipc_call(port, &m);
    return r == 0 ? m.words[1] : 4096 + uint32_t(-r);
}

int sender()
{
    warm_stack();
    void* page = sys::mmap(nullptr, kPageSize, kMapWrite);
    int port = sys::port_create();
    if (!check("sender-setup", !is_error(page) && port > 0, "mmap %p, port %d", page, port))
        return 1;
    fill_page(page, kSenderTag, 0);
    int status = -100;
    int child = sys::fork();
    if (child == 0)
        sys::exit(0);
    check("first-fork-child-gone", child > 0 && sys::wait(child, &status) == child && status == 0,
        "fork = %d, status %d", child, status);

    char child_args[96];
    format_to(child_args, sizeof child_args, "token=%s role=receiver port=%d", verdict_token(), port);
    int receiver_pid = sys::spawn("ipc-share-after-fork", child_args);
    Message hello {};
    int got = receiver_pid > 0 ? sys::ipc_recv(port, &hello) : receiver_pid;
    int receiver_port = int(hello.words[0]);
    if (!check("learn-receiver-port", got == 0 && receiver_port > 0, "spawn %d, ipc_recv %d", receiver_pid, got))
        return 1;

    uint32_t bad = ask(receiver_port, kOpTake, kSenderTag, page);
    check("receiver-sees-sender-data", bad == 0, "%u words differ", bad);
    bad = page_mismatches(page, kReceiverTag, 0);
    check("sender-sees-receiver-writes", bad == 0, "%u words of the sender's page are not the receiver's", bad);
    fill_page(page, kAgainTag, 0);
    bad = ask(receiver_port, kOpCheck, kAgainTag, nullptr);
    check("receiver-sees-sender-writes", bad == 0, "%u words differ", bad);

    child = sys::fork();
    if (child == 0) {
        fill_page(page, kChildTag, 0);
        sys::exit(0);
    }
    check("second-fork-child-exit-0", child > 0 && sys::wait(child, &status) == child && status == 0,
        "fork = %d, status %d", child, status);
    bad = ask(receiver_port, kOpCheck, kChildTag, nullptr);
    check("shared-across-later-fork", bad == 0, "%u words differ from the fork child's writes", bad);

    ask(receiver_port, kOpStop, 0, nullptr);
    int reaped = sys::wait(receiver_pid, &status);
    check("receiver-exit-0", reaped == receiver_pid && status == 0, "wait = %d, status %d", reaped, status);
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    return arg(args, "role").is("receiver") ? receiver(args) : sender();
}
