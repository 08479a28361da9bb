// port-limits: ports can be closed, are closed at exit, and one process
// cannot take them all (issue 11, item 7; abi.h, port_close).
//   1. kMaxPortsPerProcess ports, then kErrLimit; closing one makes room.
//   2. port_close refuses a port the caller does not own, and a closed one.
//   3. A child that takes its whole share and exits gives it back: nine
//      children in a row (more ports than exist in total) each get all of
//      theirs.
//   4. A sender blocked on a port that its owner closes gets kErrClosed;
//      a later send to the closed number is kErrNotFound.
#include "program.h"

namespace {

int hog()
{
    int n = 0;
    while (n < 100 && sys::port_create() > 0)
        ++n;
    return n; // exit with the count; exit closes them all
}

int blocked_sender(const char* args)
{
    Message m {};
    int r = sys::ipc_send(int(arg(args, "port").number(0)), &m);
    return -r; // kErrClosed expected: exits with 9
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    ArgValue role = arg(args, "role");
    if (role.is("hog"))
        return hog();
    if (role.is("sender"))
        return blocked_sender(args);

    int ports[kMaxPortsPerProcess];
    bool all = true;
    for (uint32_t i = 0; i < kMaxPortsPerProcess; ++i) {
        ports[i] = sys::port_create();
        all = all && ports[i] > 0;
    }
    int over = sys::port_create();
    check("own-share-of-ports", all, "a port_create within the share failed");
    check("past-share-is-limit", over == kErrLimit, "port_create() past %u = %d", kMaxPortsPerProcess, over);
    int closed = sys::port_close(ports[3]);
    int again = sys::port_create();
    check("close-makes-room", closed == 0 && again > 0, "port_close = %d, then port_create = %d", closed, again);
    ports[3] = again;

    int twice = sys::port_close(ports[3]);
    int twice_again = sys::port_close(ports[3]);
    int never = sys::port_close(0);
    int huge = sys::port_close(100000);
    check("close-twice-not-found", twice == 0 && twice_again == kErrNotFound, "port_close = %d, then %d", twice,
        twice_again);
    check("close-bad-number-not-found", never == kErrNotFound && huge == kErrNotFound, "port_close(0) = %d, (100000) = %d",
        never, huge);

    // 3. Nine hogs in a row: 9 x kMaxPortsPerProcess > kMaxPorts - ours.
    uint32_t full = 0;
    for (int i = 0; i < 9; ++i) {
        int pid = sys::spawn("port-limits", "token=- role=hog");
        int status = -100;
        if (pid > 0 && sys::wait(pid, &status) == pid && status == int(kMaxPortsPerProcess))
            ++full;
    }
    check("ports-released-at-exit", full == 9, "%u of 9 children got their whole share", full);

    // 4. A blocked sender, and the owner closes the port.
    int queue = sys::port_create();
    char child_args[64];
    format_to(child_args, sizeof child_args, "token=- role=sender port=%d", queue);
    int pid = queue > 0 ? sys::spawn("port-limits", child_args) : queue;
    sys::sleep(5); // the child blocks in ipc_send
    int shut = sys::port_close(queue);
    int status = -100;
    int reaped = pid > 0 ? sys::wait(pid, &status) : pid;
    check("queued-sender-gets-closed", shut == 0 && reaped == pid && status == -kErrClosed,
        "port_close = %d; wait = %d, status %d (kErrClosed is %d)", shut, reaped, status, int(kErrClosed));
    Message m {};
    int late = sys::ipc_send(queue, &m);
    check("closed-port-not-found", late == kErrNotFound, "ipc_send to the closed port = %d", late);
    return verdict_status();
}
