// syscall-fresh-buffers: a system call handed a demand-zero buffer faults
// it in, as the program's own access would, and succeeds; a buffer no
// access could use still gets kErrFault, and the caller lives on.
//
// The kernel checks a user buffer page by page (os/proc/user_memory.cpp)
// and resolves a page that is not mapped yet through the fault handler. The
// table below gives each call a buffer made by a setup function and says
// what must come of it: the result, and how many pages were zero-filled
// (each one frame). Then the same through blocking calls, whose buffers are
// checked before they block:
//   wait-status-into-fresh-page   wait() stores a child's status in a fresh page
//   ipc-recv-into-fresh-page      a message from a child lands in a fresh page
#include "expected.h"
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kPageBytes = 4096;
constexpr uint32_t kLonePage = 0x60000000; // mapped alone: the page after it is unmapped
constexpr uint8_t kMarker = 0x77;

template<typename T> T* at(uint32_t address) { return reinterpret_cast<T*>(uintptr_t(address)); }

uint32_t map_page(uint32_t pages, uint32_t flags, uint32_t where = 0)
{
    void* p = sys::mmap(at<void>(where), pages * kPageBytes, flags);
    return is_error(p) ? 0 : uint32_t(uintptr_t(p));
}

// ---- buffers (0: the setup failed) ----
uint32_t fresh_page() { return map_page(1, kMapWrite); }
uint32_t fresh_read_only_page() { return map_page(1, 0); }

// A VmStat starting 8 bytes before the end of a touched page: frames_total
// and frames_free there, the rest in the fresh page after it.
uint32_t straddling_into_fresh()
{
    uint32_t base = map_page(2, kMapWrite);
    if (base)
        *at<volatile uint8_t>(base) = 1;
    return base ? base + kPageBytes - 8 : 0;
}

// The same, but nothing is mapped after the page; the page is full of kMarker.
uint32_t straddling_into_unmapped()
{
    uint32_t base = map_page(1, kMapWrite, kLonePage);
    if (base)
        memset(at<void>(base), kMarker, kPageBytes);
    return base ? base + kPageBytes - 8 : 0;
}

uint32_t guard_page() { return user_stack::kGuardPage; }

uint32_t after_munmap()
{
    uint32_t base = map_page(1, kMapWrite);
    if (base) {
        *at<volatile uint8_t>(base) = 1;
        sys::munmap(at<void>(base), kPageBytes);
    }
    return base;
}

// ---- calls ----
int vmstat_into(uint32_t buffer) { return sys::vmstat(at<VmStat>(buffer)); }

// write() of one byte of the page: a 0 byte, shown between brackets.
int write_one_byte(uint32_t buffer)
{
    printf("syscall-fresh-buffers: one byte of a fresh read-only page: [");
    int r = sys::write(at<char>(buffer), 1);
    printf("]\n");
    return r;
}

// ---- what the buffer holds afterwards ----
bool any(uint32_t, const VmStat&) { return true; }

// The bytes from `from` to the end of its page are 0 (a zero-filled page).
bool zero_to_page_end(uint32_t from)
{
    for (uint32_t a = from; a & (kPageBytes - 1); ++a)
        if (*at<uint8_t>(a) != 0)
            return false;
    return true;
}

// The page the buffer starts in was zero-filled and is still all zero.
bool page_reads_zero(uint32_t buffer, const VmStat&) { return zero_to_page_end(buffer & ~(kPageBytes - 1)); }

// vmstat wrote the counters: frames_total (first page), vpages_in_use
// (second page, when straddling) match what vmstat said just before, and
// the fresh page is zero after them.
bool holds_vmstat(uint32_t buffer, const VmStat& before)
{
    const VmStat* s = at<VmStat>(buffer);
    return s->frames_total == before.frames_total && s->vpages_in_use == before.vpages_in_use
        && zero_to_page_end(buffer + sizeof(VmStat));
}

// A refused call wrote nothing: the mapped part still holds kMarker.
bool marker_intact(uint32_t buffer, const VmStat&)
{
    const uint8_t* p = at<uint8_t>(buffer);
    for (uint32_t i = 0; i < 8; ++i)
        if (p[i] != kMarker)
            return false;
    return true;
}

struct Case {
    const char* name;
    uint32_t (*buffer)();
    int (*call)(uint32_t buffer);
    int result;            // the call's expected result
    int32_t pages_filled;  // expected zero fills, one frame each
    bool (*holds)(uint32_t buffer, const VmStat& before);
};

const Case kCases[] = {
    { "vmstat-into-fresh-page", fresh_page, vmstat_into, 0, 1, holds_vmstat },
    { "vmstat-straddling-into-fresh-page", straddling_into_fresh, vmstat_into, 0, 1, holds_vmstat },
    { "write-from-fresh-read-only-page", fresh_read_only_page, write_one_byte, 1, 1, page_reads_zero },
    { "vmstat-into-read-only-page-fails", fresh_read_only_page, vmstat_into, kErrFault, 0, any },
    { "vmstat-into-stack-guard-fails", guard_page, vmstat_into, kErrFault, 0, any },
    { "vmstat-after-munmap-fails", after_munmap, vmstat_into, kErrFault, 0, any },
    { "vmstat-straddling-into-unmapped-fails", straddling_into_unmapped, vmstat_into, kErrFault, 0, marker_intact },
};

void run_case(const Case& c)
{
    uint32_t buffer = c.buffer();
    if (!buffer) {
        check(c.name, false, "setup: mmap failed");
        return;
    }
    VmStat before = vm_now();
    int r = c.call(buffer);
    VmDelta d = vm_delta(before, vm_now());
    bool holds = c.holds(buffer, before);
    Expected e;
    e.equal("result", r, c.result);
    e.equal("zero fills", d.zero_fill, c.pages_filled);
    e.equal("frames", d.frames_taken, c.pages_filled);
    e.holds("contents right", holds);
    check(c.name, e.ok(), "buffer 0x%08x: %s", buffer, e.reason());
}

// ---- blocking calls ----
void wait_into_fresh_page()
{
    char child_args[64];
    format_to(child_args, sizeof child_args, "token=%s", verdict_token());
    int pid = sys::spawn("hello", child_args);
    uint32_t buffer = fresh_page();
    int* status = at<int>(buffer + 100);
    int reaped = pid > 0 && buffer ? sys::wait(pid, status) : -100;
    check("wait-status-into-fresh-page", reaped == pid && *status == 0, "spawn = %d, wait = %d, status %d", pid, reaped,
        buffer ? *status : -100);
}

enum : uint32_t { kWord0 = 0xFEED0001 };

void ipc_recv_into_fresh_page()
{
    int port = sys::port_create();
    char child_args[96];
    format_to(child_args, sizeof child_args, "token=%s role=sender port=%d", verdict_token(), port);
    int pid = port > 0 ? sys::spawn("syscall-fresh-buffers", child_args) : port;
    uint32_t buffer = fresh_page();
    Message* m = at<Message>(buffer + kPageBytes - sizeof(Message));
    int got = pid > 0 && buffer ? sys::ipc_recv(port, m) : -100;
    bool words = got == 0 && m->words[0] == kWord0 && m->words[3] == kWord0 + 3 && int(m->sender) == pid;
    int status = -100;
    int reaped = pid > 0 ? sys::wait(pid, &status) : pid;
    check("ipc-recv-into-fresh-page", words && reaped == pid && status == 0,
        "port %d, spawn = %d, ipc_recv = %d, words[0] 0x%08x, sender %u; wait = %d, status %d", port, pid, got,
        got == 0 ? m->words[0] : 0, got == 0 ? m->sender : 0, reaped, status);
}

int sender(const char* args)
{
    Message m {};
    for (uint32_t i = 0; i < 4; ++i)
        m.words[i] = kWord0 + i;
    return sys::ipc_send(int(arg(args, "port").number(0)), &m) == 0 ? 0 : 1;
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    if (arg(args, "role").is("sender"))
        return sender(args);
    warm_stack();
    for (const Case& c : kCases)
        run_case(c);
    wait_into_fresh_page();
    ipc_recv_into_fresh_page();
    return verdict_status();
}
