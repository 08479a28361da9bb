// syscall-bad-pointers: every pointer argument is checked by the kernel.
//
// Each system call that takes a pointer (write, wait, vmstat, ipc_send,
// ipc_recv, ipc_call, ipc_reply) is given, in turn, each of the bad pointers
// below; each call must return kErrFault (and the kernel must not fault
// itself). One verdict per (call, pointer): `write-null`, `wait-kernel`, ...
//
// Preparation so that the pointer is the only thing wrong: wait gets a real
// child, the ipc calls a port of our own, and the last user page is mapped
// (so that only the part of `straddle` past 0xC0000000 is bad).
#include "program.h"

namespace {

struct BadPointer {
    const char* name;
    uint32_t address;
    bool straddles; // the address is computed from the object's size instead
};

// `straddle` puts the object (or write's kWriteBytes) across 0xC0000000: its
// first bytes are in the (mapped) last user page, the rest in the kernel half.
// Null comes last: a kernel that took wait's NULL as "no status wanted" would
// reap the child there, and the other wait cases need it.
constexpr uint32_t kKernelHalf = 0xC0000000;
constexpr uint32_t kLastUserPage = kKernelHalf - 4096;
constexpr uint32_t kWriteBytes = 64;
const BadPointer kPointers[] = {
    { "kernel", 0xC0100000, false },   // the kernel image: present, but supervisor-only
    { "unmapped", 0x70000000, false }, // user half, nothing mapped there
    { "straddle", 0, true },           // 0xBFFFFFF0 for 64 bytes or a VmStat, 0xBFFFFFFE for an int
    { "null", 0x00000000, false },     // the unmapped first page
};

uint32_t straddling(uint32_t size) { return kKernelHalf - (size / 2 < 16 ? size / 2 : 16); }

struct Context {
    int port;
    int child;
};

// One system call made with a bad pointer `p` to an object of `size` bytes;
// returns its result.
struct Call {
    const char* name;
    uint32_t size;
    int (*call)(const Context& context, uint32_t p);
};

template<typename T> T* as(uint32_t address) { return reinterpret_cast<T*>(uintptr_t(address)); }

const Call kCalls[] = {
    { "write", kWriteBytes, [](const Context&, uint32_t p) { return sys::write(as<char>(p), kWriteBytes); } },
    { "wait", sizeof(int), [](const Context& c, uint32_t p) { return sys::wait(c.child, as<int>(p)); } },
    { "vmstat", sizeof(VmStat), [](const Context&, uint32_t p) { return sys::vmstat(as<VmStat>(p)); } },
    { "ipc-send", sizeof(Message), [](const Context& c, uint32_t p) { return sys::ipc_send(c.port, as<Message>(p)); } },
    { "ipc-recv", sizeof(Message), [](const Context& c, uint32_t p) { return sys::ipc_recv(c.port, as<Message>(p)); } },
    { "ipc-call", sizeof(Message), [](const Context& c, uint32_t p) { return sys::ipc_call(c.port, as<Message>(p)); } },
    { "ipc-reply", sizeof(Message), [](const Context&, uint32_t p) { return sys::ipc_reply(as<Message>(p)); } },
};

} // namespace

int main(const char* args)
{
    verdict_init(args);
    char child_args[64];
    format_to(child_args, sizeof child_args, "token=%s", verdict_token());
    Context context { sys::port_create(), sys::spawn("hello", child_args) };
    check("setup-port", context.port >= 0, "port_create() = %d", context.port);
    check("setup-child", context.child > 0, "spawn(hello) = %d", context.child);
    void* last = sys::mmap(reinterpret_cast<void*>(uintptr_t(kLastUserPage)), 4096, kMapWrite);
    check("setup-last-user-page", last == reinterpret_cast<void*>(uintptr_t(kLastUserPage)), "mmap(0x%08x) = %p",
        kLastUserPage, last);

    for (const Call& call : kCalls) {
        for (const BadPointer& pointer : kPointers) {
            char name[48];
            format_to(name, sizeof name, "%s-%s", call.name, pointer.name);
            uint32_t address = pointer.straddles ? straddling(call.size) : pointer.address;
            int result = call.call(context, address);
            check(name, result == kErrFault, "%s with 0x%08x returned %d, not kErrFault (%d)", call.name, address,
                result, int(kErrFault));
        }
    }

    // The child was never reaped by a failed wait: reap it now. (A kernel that
    // reaps before it finds the bad pointer gives kErrNoChild here.)
    int status = 0;
    int reaped = sys::wait(context.child, &status);
    check("child-reaped", reaped == context.child || reaped == kErrNoChild, "wait(%d) = %d", context.child, reaped);
    return verdict_status();
}
