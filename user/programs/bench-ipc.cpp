// bench-ipc: the cost of one IPC round trip (ipc_call to a server in another
// process, its ipc_recv and ipc_reply), in guest instructions.
//
// The server is a child of the same program (role=server port=N): it makes
// its own port, sends its number to port N, then answers every call until a
// call with words[0] == kStop. The client times kCalls calls between two
// rdtsc readings.
#include "program.h"
#include "timing.h"

namespace {
constexpr uint32_t kCalls = 1000;
constexpr uint32_t kStop = 0xFFFFFFFF;

int serve(const char* args)
{
    int port = sys::port_create();
    Message m {};
    m.words[0] = uint32_t(port);
    if (port <= 0 || sys::ipc_send(int(arg(args, "port").number(0)), &m) != 0)
        return 1;
    for (;;) {
        if (sys::ipc_recv(port, &m) != 0)
            return 1;
        bool stop = m.words[0] == kStop;
        m.words[1] = m.words[0] + 1;
        sys::ipc_reply(&m);
        if (stop)
            return 0;
    }
}
} // namespace

int main(const char* args)
{
    verdict_init(args);
    if (arg(args, "role").is("server"))
        return serve(args);

    int reply_port = sys::port_create();
    char child_args[96];
    format_to(child_args, sizeof child_args, "token=%s role=server port=%d", verdict_token(), reply_port);
    int server = sys::spawn("bench-ipc", child_args);
    Message m {};
    int got = server > 0 ? sys::ipc_recv(reply_port, &m) : server;
    int port = int(m.words[0]);
    if (!check("server-ready", got == 0 && port > 0, "spawn %d, ipc_recv %d, port %d", server, got, port))
        return 1;

    bool answered = true;
    m = Message {};
    sys::ipc_call(port, &m); // warm-up
    uint64_t start = rdtsc();
    for (uint32_t i = 0; i < kCalls; ++i) {
        m.words[0] = i;
        answered &= sys::ipc_call(port, &m) == 0 && m.words[1] == i + 1;
    }
    uint64_t elapsed = rdtsc() - start;
    check("calls-answered", answered, "a call failed or got a wrong answer");
    value("ipc_roundtrip_instructions", elapsed / kCalls);

    m.words[0] = kStop;
    sys::ipc_call(port, &m);
    int status = -100;
    int reaped = sys::wait(server, &status);
    check("server-exit-0", reaped == server && status == 0, "wait = %d, status %d", reaped, status);
    return verdict_status();
}
