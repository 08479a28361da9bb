// echo-server: answers calls on a port of its own with each word plus one,
// until a message whose first word is 0 (answered, then exit 0). The kernel
// test kernel_ipc_call finds the port through the kernel and calls it: the
// way the kernel will talk to a user-space pager in lab 6.
#include "program.h"

int main(const char* args)
{
    verdict_init(args);
    int port = sys::port_create();
    if (port <= 0)
        return 1;
    for (;;) {
        Message m {};
        if (sys::ipc_recv(port, &m) != 0)
            return 1;
        bool stop = m.words[0] == 0;
        for (uint32_t& w : m.words)
            ++w;
        sys::ipc_reply(&m);
        if (stop)
            return 0;
    }
}
