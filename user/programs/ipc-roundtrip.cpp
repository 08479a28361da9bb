// ipc-roundtrip: a call carries words to a server and its reply carries
// words back; a message can hand over a page.
//
// One program, two roles:
//   client (no role=): makes a reply port, starts the server with
//     `role=server port=<reply port>`, learns the server's port from the
//     server's first message, then
//       1. calls with words {1,2,3,4}; the reply must be transform() of them;
//       2. fills a page from mmap with a pattern and calls with it as
//          Message.page; the server checks the pattern where it received it;
//       3. tells the server to stop and waits for it (status 0).
//   server (role=server port=N): makes its own port (only a port's owner
//     receives on it), sends its number to port N, then answers calls until
//     told to stop.
#include "program.h"

namespace {

enum Op : uint32_t { kOpTransform = 1, kOpPage = 2, kOpStop = 3 };

uint32_t transform(uint32_t word, unsigned i) { return word * 3 + 100 * i + 7; }

// The byte at `offset` of the page the client sends.
uint8_t pattern(uint32_t offset) { return uint8_t(offset * 7 + (offset >> 8) + 0x5A); }

// Count the bytes of `page` that do not follow pattern().
uint32_t pattern_mismatches(const uint8_t* page)
{
    uint32_t bad = 0;
    for (uint32_t i = 0; i < 4096; ++i)
        bad += page[i] != pattern(i);
    return bad;
}

int serve(const char* args)
{
    int client_port = int(arg(args, "port").number(0));
    int client = int(arg(args, "client").number(0));
    int port = sys::port_create();
    check("server-port-create", port > 0, "port_create() = %d", port);
    Message hello {};
    hello.words[0] = uint32_t(port);
    int sent = sys::ipc_send(client_port, &hello);
    if (!check("server-announces-port", sent == 0, "ipc_send(%d) = %d", client_port, sent))
        return 1;
    for (;;) {
        Message m {};
        int got = sys::ipc_recv(port, &m);
        if (!check("server-recv", got == 0, "ipc_recv(%d) = %d", port, got))
            return 1;
        if (m.words[0] == kOpTransform) {
            check("server-sender-is-client", int(m.sender) == client, "sender %u, client %d", m.sender, client);
            for (unsigned i = 1; i < 4; ++i)
                m.words[i] = transform(m.words[i], i);
        } else if (m.words[0] == kOpPage) {
            bool mapped = m.page != 0 && (m.page & 0xFFF) == 0;
            uint32_t bad = mapped ? pattern_mismatches(reinterpret_cast<const uint8_t*>(uintptr_t(m.page))) : 4096;
            check("server-page-mapped", mapped, "Message.page = 0x%08x", m.page);
            check("server-page-pattern", bad == 0, "%u of 4096 bytes differ at 0x%08x", bad, m.page);
            m.words[1] = bad;
        }
        bool stop = m.words[0] == kOpStop;
        m.page = 0; // the reply carries no page
        int replied = sys::ipc_reply(&m);
        check("server-reply", replied == 0, "ipc_reply = %d", replied);
        if (stop)
            return verdict_status();
    }
}

int client(const char*)
{
    int reply_port = sys::port_create();
    char child_args[128];
    format_to(child_args, sizeof child_args, "token=%s role=server port=%d client=%d", verdict_token(), reply_port,
        sys::getpid());
    int server = sys::spawn("ipc-roundtrip", child_args);
    if (!check("spawn-server", reply_port > 0 && server > 0, "port %d, spawn = %d", reply_port, server))
        return 1;
    Message hello {};
    int got = sys::ipc_recv(reply_port, &hello);
    int port = int(hello.words[0]);
    if (!check("learn-server-port", got == 0 && port > 0 && int(hello.sender) == server,
            "ipc_recv = %d, port %d, sender %u (server %d)", got, port, hello.sender, server))
        return 1;

    // 1. words there and back
    Message m {};
    m.words[0] = kOpTransform;
    for (unsigned i = 1; i < 4; ++i)
        m.words[i] = 1000 + i;
    int called = sys::ipc_call(port, &m);
    bool transformed = m.words[0] == kOpTransform;
    for (unsigned i = 1; i < 4; ++i)
        transformed = transformed && m.words[i] == transform(1000 + i, i);
    check("call-returns-0", called == 0, "ipc_call = %d", called);
    check("reply-words-transformed", transformed, "reply words %u %u %u %u", m.words[0], m.words[1], m.words[2],
        m.words[3]);

    // 2. a page
    auto* page = static_cast<uint8_t*>(sys::mmap(nullptr, 4096, kMapWrite));
    if (check("mmap-page", !is_error(page), "mmap = %d", error_of(page))) {
        for (uint32_t i = 0; i < 4096; ++i)
            page[i] = pattern(i);
        m = Message {};
        m.words[0] = kOpPage;
        m.page = uint32_t(uintptr_t(page));
        called = sys::ipc_call(port, &m);
        check("page-call-returns-0", called == 0 && m.words[0] == kOpPage, "ipc_call = %d, words[0] %u", called,
            m.words[0]);
        check("page-arrived-intact", m.words[1] == 0, "server saw %u bytes differ", m.words[1]);
    }

    // 3. stop
    m = Message {};
    m.words[0] = kOpStop;
    called = sys::ipc_call(port, &m);
    int status = -100;
    int reaped = sys::wait(server, &status);
    check("server-exit-0", called == 0 && reaped == server && status == 0, "stop call %d, wait %d, status %d", called,
        reaped, status);
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    return arg(args, "role").is("server") ? serve(args) : client(args);
}
