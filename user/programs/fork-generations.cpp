// fork-generations: three generations of forks, each with its own view of
// the same pages, and every order of their exits gives all memory back.
//
// A referee (this program's first process) starts a family and drives it
// over IPC; it shares nothing with the family it would have to trust:
//   parent     forked by the referee: mmaps 8 pages and fills them with its
//              pattern, then forks
//   child      writes pages 2..7 with its pattern, then forks
//   grandchild checks what it inherited, then writes pages 1 and 5..7
// so that each page holds, in each generation's view:
//
//   page        0   1   2   3   4   5   6   7
//   parent      P   P   P   P   P   P   P   P
//   child       P   P   C   C   C   C   C   C
//   grandchild  P   G   C   C   C   G   G   G
//
// Each member makes a port, registers it with the referee, and then answers
// the referee's calls: "verify" (count the words of its 8 pages that differ
// from its view) and "exit". The referee
//   1. verifies all three (each generation checks its own data);
//   2. ends them one at a time in one of the six orders, verifying the ones
//      left after each exit, and knows an exit is complete when a message
//      to the member's port fails (exit releases the ports, then the space);
//   3. reaps the parent and compares frames_free and vpages_in_use with the
//      baseline taken before the first fork (after a warm-up family).
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kPages = 8;
enum Role : uint32_t { kParent = 0, kChild = 1, kGrandchild = 2, kRoles = 3 };
enum Op : uint32_t { kRegister = 1, kVerify = 2, kExit = 3, kProbe = 4 };
const char kRoleLetter[] = { 'p', 'c', 'g' };

// The pattern tag a page holds in `role`'s view (the table above).
uint32_t view_tag(Role role, uint32_t page)
{
    constexpr uint32_t kP = 1, kC = 2, kG = 3;
    if (role == kParent || page == 0)
        return kP;
    if (role == kChild)
        return page == 1 ? kP : kC;
    return page == 1 || page >= 5 ? kG : kC;
}

uint32_t view_mismatches(Role role, uint8_t* area)
{
    uint32_t bad = 0;
    for (uint32_t p = 0; p < kPages; ++p)
        bad += page_mismatches(area + p * kPageSize, view_tag(role, p), p);
    return bad;
}

// Make this member's port and register it with the referee (`inherited_bad`:
// what it found wrong in the data it inherited). Returns the port.
int enroll(Role role, int referee, uint32_t inherited_bad)
{
    int port = sys::port_create();
    Message m {};
    m.words[0] = kRegister;
    m.words[1] = role;
    m.words[2] = uint32_t(port > 0 ? port : 0);
    m.words[3] = inherited_bad;
    sys::ipc_send(referee, &m);
    return port;
}

// Answer the referee's calls on `port` until told to exit; the exit status.
int serve(Role role, int port, uint8_t* area)
{
    for (;;) {
        Message m {};
        if (sys::ipc_recv(port, &m) != 0)
            return 3;
        uint32_t op = m.words[0];
        m.words[1] = op == kVerify ? view_mismatches(role, area) : 0;
        sys::ipc_reply(&m);
        if (op == kExit)
            return 0;
    }
}

// Fork the next generation; a member that cannot registers the missing one
// with no port, so that the referee does not wait for it.
int fork_next(Role next, int referee)
{
    int pid = sys::fork();
    if (pid < 0)
        enroll(next, referee, 0xFFFFFFFF);
    return pid;
}

// The family's code from the referee's fork on (in the parent, then in the
// child and the grandchild as they are forked). Never returns.
[[noreturn]] void family(int referee)
{
    auto* area = static_cast<uint8_t*>(sys::mmap(nullptr, kPages * kPageSize, kMapWrite));
    if (is_error(area))
        sys::exit(4);
    for (uint32_t p = 0; p < kPages; ++p)
        fill_page(area + p * kPageSize, view_tag(kParent, p), p);
    int port = enroll(kParent, referee, 0);
    if (fork_next(kChild, referee) != 0)
        sys::exit(serve(kParent, port, area));

    uint32_t inherited = view_mismatches(kParent, area);
    for (uint32_t p = 2; p < kPages; ++p)
        fill_page(area + p * kPageSize, view_tag(kChild, p), p);
    port = enroll(kChild, referee, inherited);
    if (fork_next(kGrandchild, referee) != 0)
        sys::exit(serve(kChild, port, area));

    inherited = view_mismatches(kChild, area);
    for (uint32_t p = 1; p < kPages; ++p)
        if (view_tag(kGrandchild, p) != view_tag(kChild, p))
            fill_page(area + p * kPageSize, view_tag(kGrandchild, p), p);
    port = enroll(kGrandchild, referee, inherited);
    sys::exit(serve(kGrandchild, port, area));
}

struct Member {
    int port { 0 };
    uint32_t inherited_bad { 0 };
    bool alive { false };
};

// What one family run found.
struct Outcome {
    bool registered { false };      // all three forked and registered
    uint32_t inherited_bad[kRoles] {}; // child: parent's data before writing; grandchild: child's
    uint32_t first_bad[kRoles] {};  // mismatches at the first verify, all alive
    uint32_t later_bad { 0 };       // mismatches of the survivors after each exit
    bool exits_complete { true };   // every exit answered, then its port died
    int status { -100 };            // the parent's exit status
    VmStat after {};
};

uint32_t verify(const Member& member)
{
    Message m {};
    m.words[0] = kVerify;
    if (sys::ipc_call(member.port, &m) != 0 || m.words[0] != kVerify)
        return 0xFFFFFFFF;
    return m.words[1];
}

// Run one family and end it in `order` (three roles).
Outcome run_family(int referee, const Role* order)
{
    Outcome out;
    int pid = sys::fork();
    if (pid == 0)
        family(referee);
    Member members[kRoles];
    bool registered = pid > 0;
    for (uint32_t i = 0; registered && i < kRoles; ++i) {
        Message m {};
        registered = sys::ipc_recv(referee, &m) == 0 && m.words[0] == kRegister && m.words[1] == i
            && m.words[2] != 0;
        members[i] = Member { int(m.words[2]), m.words[3], registered };
    }
    out.registered = registered;
    for (uint32_t r = 0; r < kRoles; ++r) {
        out.inherited_bad[r] = members[r].inherited_bad;
        out.first_bad[r] = members[r].alive ? verify(members[r]) : 0xFFFFFFFF;
    }
    for (uint32_t i = 0; i < kRoles; ++i) {
        Member& leaving = members[order[i]];
        if (!leaving.alive)
            continue;
        Message m {};
        m.words[0] = kExit;
        bool answered = sys::ipc_call(leaving.port, &m) == 0 && m.words[0] == kExit;
        m.words[0] = kProbe;
        bool gone = sys::ipc_send(leaving.port, &m) == kErrNotFound;
        out.exits_complete = out.exits_complete && answered && gone;
        leaving.alive = false;
        for (const Member& left : members)
            if (left.alive)
                out.later_bad += verify(left);
    }
    if (pid > 0)
        sys::wait(pid, &out.status);
    out.after = vm_now();
    return out;
}

const Role kOrders[6][kRoles] = {
    { kParent, kChild, kGrandchild }, { kParent, kGrandchild, kChild }, { kChild, kParent, kGrandchild },
    { kChild, kGrandchild, kParent }, { kGrandchild, kParent, kChild }, { kGrandchild, kChild, kParent },
};

} // namespace

int main(const char* args)
{
    verdict_init(args);
    int referee = sys::port_create();
    if (!check("referee-port", referee > 0, "port_create = %d", referee))
        return verdict_status();
    // Warm-up: the stack pages the family will use resident, and one whole
    // family, so that what the kernel keeps once for good is in the baseline.
    warm_stack(16 * 1024);
    Outcome warm = run_family(referee, kOrders[0]);
    check("warm-up-family", warm.registered && warm.status == 0, "registered %d, parent status %d", warm.registered,
        warm.status);
    VmStat baseline = vm_now();

    bool registered = true, exits_complete = true, statuses = true;
    uint32_t inherited_child = 0, inherited_grandchild = 0, first[kRoles] {}, later = 0;
    for (const Role* order : kOrders) {
        Outcome o = run_family(referee, order);
        registered = registered && o.registered;
        exits_complete = exits_complete && o.exits_complete;
        statuses = statuses && o.status == 0;
        inherited_child += o.inherited_bad[kChild];
        inherited_grandchild += o.inherited_bad[kGrandchild];
        for (uint32_t r = 0; r < kRoles; ++r)
            first[r] += o.first_bad[r];
        later += o.later_bad;
        char name[48];
        format_to(name, sizeof name, "exit-%c%c%c-counts-back", kRoleLetter[order[0]], kRoleLetter[order[1]],
            kRoleLetter[order[2]]);
        check(name, o.after.frames_free == baseline.frames_free && o.after.vpages_in_use == baseline.vpages_in_use,
            "frames_free %u -> %u, vpages_in_use %u -> %u", baseline.frames_free, o.after.frames_free,
            baseline.vpages_in_use, o.after.vpages_in_use);
    }
    check("three-generations-forked", registered, "a member did not fork or register");
    check("child-inherits-parent-data", inherited_child == 0, "%u words differ", inherited_child);
    check("grandchild-inherits-child-data", inherited_grandchild == 0, "%u words differ", inherited_grandchild);
    check("grandchild-sees-own-writes", first[kGrandchild] == 0, "%u words differ", first[kGrandchild]);
    check("child-unchanged-by-grandchild", first[kChild] == 0, "%u words differ", first[kChild]);
    check("parent-unchanged-by-descendants", first[kParent] == 0, "%u words differ", first[kParent]);
    check("data-survives-each-exit", later == 0, "%u words differ in the members left", later);
    check("exits-complete", exits_complete, "an exit was not answered, or its port outlived it");
    check("parent-exit-0", statuses, "the family's parent did not exit with 0");
    return verdict_status();
}
