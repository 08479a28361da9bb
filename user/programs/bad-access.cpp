// bad-access: each kind of bad memory access kills the process that made it,
// with the right reason, and nothing else.
//
// Parent (no kind=): starts one child per kind of the table below
// (`bad-access kind=<kind>`), waits for it and checks that the kernel killed
// it (killed-<kind>: wait's status is -kKillBadAccess, -kKillStackOverflow for stack-overflow). The kernel's KILL line
// for each child gives the reason and the address; the manifest checks them
// (the `kills` rule). Around the children the parent checks that
//   - each child's fault counted as one bad fault (bad-faults-counted);
//   - every frame and vpage of the killed children came back
//     (memory-back-after-kills, after a warm-up child);
//   - its own memory and its own life went on (parent-memory-intact), and
//     its code was not written through the mapping it handed over
//     (parent-code-intact, see ipc-read-only).
//
//   kind                 the access                                reason                         address
//   null                 read address 0                            NULL pointer access            0x00000000
//   null-page-end        write the last word of page 0             NULL pointer access            0x00000ffc
//   first-user-page      read 0x1000, the first user page (empty)  access to an unmapped address  0x00001000
//   kernel-half          write 0xC0000000, the kernel's first byte access to the kernel half      0xc0000000
//   code-write           write the program's own code              write to a read-only page      0x00400000
//   read-only-mmap       write a fresh read-only mmap page         write to a read-only page      0x50000010
//   read-then-write      read a read-only mmap page (0), write it  write to a read-only page      0x50000020
//   after-munmap         read a page after munmap                  access to an unmapped address  0x50000040
//   stack-overflow       recurse until the stack runs out          stack overflow (guard page)    0xbffafffc
//   ipc-read-only        write the parent's code page, which the   write to a read-only page      0x40000000
//                        parent sent over IPC (mapped where the
//                        child's first mmap would go)
//
// `kind=store-page` reads 0x50000000, where the kernel tests of
// tests/kernel/cases/lab3_stores.cpp map a vpage of a store before the child
// runs: lab3_no_store (no such store: killed, reason "no store") and
// lab3_store_page_in (`expect=<word>`: the store delivers the page, the read
// returns the word and the child exits 0). `kind=none` exits 0.
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kChildArea = 0x50000000;
constexpr uint32_t kCodeStart = 0x00400000; // .text starts here (user/user.ld)
const char* g_args; // the argument string, for the kinds that take more words

template<typename T> volatile T* at(uint32_t address) { return reinterpret_cast<volatile T*>(uintptr_t(address)); }

// One 32-bit load or store at `address`, in assembly: a compiler may turn a
// dereference of a constant null pointer into a trap instruction instead.
void read_word(uint32_t address)
{
    uint32_t v;
    asm volatile("movl (%1), %0" : "=r"(v) : "r"(address) : "memory");
}
void write_word(uint32_t address) { asm volatile("movl $0xBAD, (%0)" : : "r"(address) : "memory"); }

// mmap `pages` at kChildArea with `flags`; false (and a failed verdict) if
// that did not work.
bool map_child_area(uint32_t pages, uint32_t flags)
{
    void* area = sys::mmap(reinterpret_cast<void*>(uintptr_t(kChildArea)), pages * 4096, flags);
    return check("child-mmap", area == reinterpret_cast<void*>(uintptr_t(kChildArea)), "mmap = %p", area);
}

// The recursion of stack-overflow, in assembly so that the stack is written
// one word after the other with no gap (per level: the saved ebp, the return
// address). The first write below the last stack page is then the guard
// page's top word, whatever frames a compiler would have laid out.
asm(R"(
    .text
    .type recurse_forever, @function
recurse_forever:
    pushl %ebp
    call recurse_forever
    popl %ebp
    ret
    .size recurse_forever, . - recurse_forever
)");
extern "C" void recurse_forever();

void null_read() { read_word(0x00000000); }
void null_page_end() { write_word(0x00000FFC); }
void first_user_page() { read_word(0x00001000); }
void kernel_half() { write_word(0xC0000000); }
void code_write() { write_word(kCodeStart); }

void read_only_mmap()
{
    if (map_child_area(1, 0))
        write_word(kChildArea + 0x10);
}

void read_then_write()
{
    if (!map_child_area(1, 0))
        return;
    check("read-only-page-reads-zero", *at<uint32_t>(kChildArea + 0x20) == 0);
    write_word(kChildArea + 0x20);
}

void after_munmap()
{
    if (!map_child_area(2, kMapWrite))
        return;
    write_word(kChildArea);
    write_word(kChildArea + 4096);
    int r = sys::munmap(reinterpret_cast<void*>(uintptr_t(kChildArea)), 4096);
    check("other-page-survives-munmap", r == 0 && *at<uint32_t>(kChildArea + 4096) == 0xBAD, "munmap = %d", r);
    read_word(kChildArea + 0x40);
}

void stack_overflow() { recurse_forever(); }

// Tell the parent (port=) our port, receive its code page, write it.
void ipc_read_only()
{
    int port = sys::port_create();
    Message hello {};
    hello.words[0] = uint32_t(port);
    int sent = port > 0 ? sys::ipc_send(int(arg(g_args, "port").number(0)), &hello) : port;
    Message page {};
    int got = sent == 0 ? sys::ipc_recv(port, &page) : sent;
    if (check("child-got-code-page", got == 0 && page.page != 0, "ipc = %d, page 0x%08x", got, page.page))
        write_word(page.page);
}

void store_page()
{
    ArgValue expect = arg(g_args, "expect");
    uint32_t word = *at<uint32_t>(kChildArea);
    if (expect.present()) {
        check("store-page-arrived", word == expect.number(0), "read 0x%08x, the store delivered 0x%08x", word,
            expect.number(0));
        sys::exit(verdict_status());
    }
}
void none() { }

enum class Starter : uint8_t {
    Parent,          // one of the parent's children
    ParentSendsCode, // the same, and the parent sends it its code page
    Others,          // started by a kernel test, or the warm-up
};
struct Kind {
    const char* name;
    void (*run)();
    Starter starter;
};
const Kind kKinds[] = {
    { "null", null_read, Starter::Parent },
    { "null-page-end", null_page_end, Starter::Parent },
    { "first-user-page", first_user_page, Starter::Parent },
    { "kernel-half", kernel_half, Starter::Parent },
    { "code-write", code_write, Starter::Parent },
    { "read-only-mmap", read_only_mmap, Starter::Parent },
    { "read-then-write", read_then_write, Starter::Parent },
    { "after-munmap", after_munmap, Starter::Parent },
    { "stack-overflow", stack_overflow, Starter::Parent },
    { "ipc-read-only", ipc_read_only, Starter::ParentSendsCode },
    { "store-page", store_page, Starter::Others },
    { "none", none, Starter::Others },
};

// A child: make the access; getting past it is a failure (but for `none`).
int child(ArgValue kind)
{
    for (const Kind& k : kKinds) {
        if (!kind.is(k.name))
            continue;
        k.run();
        if (k.run == none)
            return 0;
        check("should-not-reach", false, "kind=%s: the bad access did not kill the process", k.name);
        return 2;
    }
    char name[32] = "";
    kind.copy_to(name, sizeof name);
    check("kind-known", false, "unknown kind '%s'", name);
    return 3;
}

// Start `bad-access kind=<kind>` (for ParentSendsCode, send it the code
// page when it asks) and wait for it; its wait status.
int run_child(const Kind& kind, int* pid)
{
    bool send_code = kind.starter == Starter::ParentSendsCode;
    int port = send_code ? sys::port_create() : 0;
    char child_args[96];
    format_to(child_args, sizeof child_args, "token=%s kind=%s port=%d", verdict_token(), kind.name, port);
    *pid = sys::spawn("bad-access", child_args);
    if (send_code && *pid > 0) {
        Message hello {}, code {};
        int got = sys::ipc_recv(port, &hello);
        code.page = kCodeStart;
        int sent = got == 0 ? sys::ipc_send(int(hello.words[0]), &code) : got;
        check("code-page-sent", sent == 0, "port %d, ipc_recv = %d, ipc_send = %d", port, got, sent);
    }
    int status = -100;
    int reaped = *pid > 0 ? sys::wait(*pid, &status) : *pid;
    return reaped == *pid ? status : -100;
}

int parent()
{
    warm_stack();
    void* page = sys::mmap(nullptr, 4096, kMapWrite);
    if (!check("parent-mmap", !is_error(page), "mmap = %p", page))
        return verdict_status();
    auto* mine = static_cast<volatile uint32_t*>(page);
    for (uint32_t i = 0; i < 1024; ++i)
        mine[i] = i ^ 0xC0FFEE;

    uint32_t code_word = *at<uint32_t>(kCodeStart);

    int pid = 0;
    const Kind warm_up = { "none", none, Starter::Others }; // what the kernel keeps for good is in the baseline
    int status = run_child(warm_up, &pid);
    check("warm-up-child", status == 0, "spawn = %d, status %d", pid, status);
    VmStat before = vm_now();
    int32_t killed_kinds = 0;
    for (const Kind& kind : kKinds) {
        if (kind.starter == Starter::Others)
            continue;
        ++killed_kinds;
        char name[48];
        format_to(name, sizeof name, "killed-%s", kind.name);
        status = run_child(kind, &pid);
        int32_t killed = kill_status(strcmp(kind.name, "stack-overflow") == 0 ? kKillStackOverflow : kKillBadAccess);
        check(name, pid > 0 && status == killed, "spawn = %d, status %d (killed is %d)", pid, status, killed);
    }
    VmStat after = vm_now();
    VmDelta d = vm_delta(before, after);
    check("bad-faults-counted", d.bad == killed_kinds, "%d children killed by a bad fault, faults_bad went up by %d",
        killed_kinds, d.bad);
    check("memory-back-after-kills", d.frames_taken == 0 && d.vpages_made == 0,
        "after the killed children: %d frames and %d vpages not given back", d.frames_taken, d.vpages_made);
    uint32_t lost = 0;
    for (uint32_t i = 0; i < 1024; ++i)
        lost += mine[i] != (i ^ 0xC0FFEE);
    check("parent-memory-intact", lost == 0, "%u words of the parent's page changed", lost);
    uint32_t code_now = *at<uint32_t>(kCodeStart);
    check("parent-code-intact", code_now == code_word, "the first code word is 0x%08x, was 0x%08x", code_now,
        code_word);
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    g_args = args;
    ArgValue kind = arg(args, "kind");
    return kind.present() ? child(kind) : parent();
}
