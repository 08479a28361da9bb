// ipc-server-dies: every IPC wait ends when the other side goes (issue 11,
// item 6; abi.h "IPC and sharing").
//
// Three roles of one program:
//   top (no role=): makes a report port, starts the server, collects one
//     report from each of three clients, waits for the server, and checks:
//       - exactly one call was answered (result 0, the reply's word 42);
//       - the other two ended with kErrClosed: the call the server received
//         and never answered, and the call still queued on its port when it
//         exited (before the fix the first stayed blocked forever, and so
//         did this test);
//       - afterwards every frame and vpage is back.
//   server: makes its port, starts three clients, lets them queue, receives
//     two calls, answers the second one (ipc_reply answers the most recent)
//     and exits.
//   client: calls the server, and reports the call's result to top.
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kClients = 3;

int client(const char* args)
{
    int server = int(arg(args, "port").number(0));
    int report = int(arg(args, "report").number(0));
    Message m {};
    m.words[0] = 1;
    int r = sys::ipc_call(server, &m);
    Message out {};
    out.words[0] = uint32_t(r);
    out.words[1] = r == 0 ? m.words[0] : 0;
    return sys::ipc_send(report, &out) == 0 ? 0 : 1;
}

int server(const char* args)
{
    int report = int(arg(args, "report").number(0));
    int port = sys::port_create();
    if (port <= 0)
        return 1;
    for (uint32_t i = 0; i < kClients; ++i) {
        char child_args[96];
        format_to(child_args, sizeof child_args, "token=- role=client port=%d report=%d", port, report);
        if (sys::spawn("ipc-server-dies", child_args) <= 0)
            return 2;
    }
    sys::sleep(20); // every client queues its call
    Message first {}, second {};
    if (sys::ipc_recv(port, &first) != 0 || sys::ipc_recv(port, &second) != 0)
        return 3;
    second.words[0] = 42;
    if (sys::ipc_reply(&second) != 0)
        return 4;
    return 0; // exits with one call received and unanswered, one still queued
}

int top()
{
    settle_before_baseline();
    int report = sys::port_create();
    char child_args[96];
    format_to(child_args, sizeof child_args, "token=- role=idle");
    int warm = sys::spawn("ipc-server-dies", child_args); // what the kernel keeps for good
    int status = -100;
    sys::wait(warm, &status);
    VmStat before = vm_now();

    format_to(child_args, sizeof child_args, "token=- role=server report=%d", report);
    int server_pid = sys::spawn("ipc-server-dies", child_args);
    uint32_t answered = 0, closed = 0, other = 0;
    for (uint32_t i = 0; i < kClients && server_pid > 0; ++i) {
        Message m {};
        if (sys::ipc_recv(report, &m) != 0) {
            ++other;
            continue;
        }
        int result = int32_t(m.words[0]);
        if (result == 0 && m.words[1] == 42)
            ++answered;
        else if (result == kErrClosed)
            ++closed;
        else
            ++other;
    }
    int reaped = server_pid > 0 ? sys::wait(server_pid, &status) : server_pid;
    check("server-exit-0", reaped == server_pid && status == 0, "spawn = %d, wait = %d, status %d", server_pid, reaped,
        status);
    check("one-call-answered", answered == 1, "%u answered", answered);
    check("open-calls-end-closed", closed == 2 && other == 0, "%u ended kErrClosed, %u otherwise", closed, other);
    sys::sleep(10); // the clients exit once their report is taken
    VmStat after = vm_now();
    check("memory-back", after.frames_free == before.frames_free && after.vpages_in_use == before.vpages_in_use,
        "frames %u -> %u, vpages %u -> %u", before.frames_free, after.frames_free, before.vpages_in_use,
        after.vpages_in_use);
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    ArgValue role = arg(args, "role");
    if (role.is("client"))
        return client(args);
    if (role.is("server"))
        return server(args);
    if (role.is("idle"))
        return 0;
    return top();
}
