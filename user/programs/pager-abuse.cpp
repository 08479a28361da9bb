// pager-abuse: a hostile user program against lab 6's system calls (18-25),
// run by the kernel test lab6_pager as its "pager" (pager_program=pager-abuse).
// Nothing it does may take the kernel down, leak a frame, a vpage, a heap
// byte or a request slot (lab6_pager checks them after it exits), or kill it:
// every bad call gets an error code.
//
//   1. Not a pager yet: pager_receive, pager_reply, pager_reply_receive and
//      pager_disk are kErrNotFound (a bad reply pointer is kErrFault first:
//      the reply is read before the caller is looked up); map_store and
//      spawn_from_store of a store nobody registered are kErrNotFound;
//      module_read of no such module is kErrNotFound, into a kernel address
//      kErrFault, from past a module's end 0 bytes.
//   2. Registered: a second pager_register is kErrInvalid; kernel-half,
//      NULL and unaligned pointers are kErrFault or kErrInvalid; a receive
//      with nothing to receive times out; a reply with a made-up id is
//      kErrRefused; pager_disk with a bad op or slot is kErrInvalid.
//   2a. `registrations` children, one after another, each registers and
//      exits (beside this pager): more than the 240 store numbers all
//      succeed (a dead pager's number is given out again once no vpage names
//      it).
//   3. `calls` random calls (seed `seed`) of system calls 18-21 and 23-25
//      with arguments drawn from a pool of good, bad and hostile values
//      (kernel addresses, unaligned, wrapping, huge lengths, other stores,
//      random ids): every result is a success or an error of abi.h, no
//      random reply is ever accepted, and the program is still alive.
//      map_store of its own store may succeed: those ranges stay mapped,
//      untouched, until the exit (the kernel releases them).
// Verdicts: not-a-pager-refused, short-lived-pagers-registered (with
// registrations=), pager-registered, bad-arguments-refused,
// fuzz-results-documented, fuzz-never-accepted; VALUEs: the fuzz's counts.
#include "program.h"

#include "expected.h"

namespace {

constexpr uint32_t kSinkPages = 16;
uint8_t* g_sink;                        // mmap'd: every valid buffer of the fuzz lies in it
PagerRequest g_request;
PagerReply g_reply;
const char g_hello[] = "hello";
const char g_no_such[] = "no-such-module";

uint32_t g_state;
uint32_t next_random()
{
    g_state ^= g_state << 13;
    g_state ^= g_state >> 17;
    g_state ^= g_state << 5;
    return g_state;
}
uint32_t pick(uint32_t n) { return next_random() % n; }

uint32_t word(const void* p) { return uint32_t(uintptr_t(p)); }

bool not_a_pager()
{
    Expected e;
    uint8_t* page = g_sink;
    e.equal("pager_receive", sys::pager_receive(&g_request, page, 1), kErrNotFound);
    e.equal("pager_reply", sys::pager_reply(&g_reply), kErrNotFound);
    e.equal("pager_reply(kernel pointer)", sys::pager_reply(reinterpret_cast<const PagerReply*>(0xC0000000)),
        kErrFault);
    e.equal("pager_reply_receive", sys::pager_reply_receive(&g_reply, &g_request, page, 1, kPagerNoSlot),
        kErrNotFound);
    e.equal("pager_disk", sys::pager_disk(kPagerDiskRead, 0, page), kErrNotFound);
    void* mapped = sys::map_store(reinterpret_cast<void*>(0x50000000), 4096, kMapWrite, kFirstPagerStore + 200, 0);
    e.equal("map_store(unregistered store)", error_of(mapped), kErrNotFound);
    e.equal("spawn_from_store(unregistered store)", sys::spawn_from_store(g_hello, "", kFirstPagerStore + 200),
        kErrNotFound);
    e.equal("spawn_from_store(kernel pointer)",
        sys::spawn_from_store(reinterpret_cast<const char*>(0xC0000000), "", kFirstPagerStore), kErrFault);
    e.equal("module_read(no such module)", sys::module_read(g_no_such, 0, page, 16), kErrNotFound);
    e.equal("module_read(into the kernel)", sys::module_read(g_hello, 0, reinterpret_cast<void*>(0xC0100000), 16),
        kErrFault);
    e.equal("module_read(past the end)", sys::module_read(g_hello, 0x7FFFFFFF, page, 16), 0);
    return check("not-a-pager-refused", e.ok(), "%s", e.reason());
}

bool bad_arguments(int store)
{
    Expected e;
    uint8_t* page = g_sink;
    auto* kernel = reinterpret_cast<PagerRequest*>(0xC0000000);
    e.equal("pager_register again", sys::pager_register(), kErrInvalid);
    e.equal("pager_receive(kernel request)", sys::pager_receive(kernel, page, 1), kErrFault);
    e.equal("pager_receive(NULL request)", sys::pager_receive(nullptr, page, 1), kErrFault);
    e.equal("pager_receive(unaligned buffer)", sys::pager_receive(&g_request, page + 4, 1), kErrInvalid);
    e.equal("pager_receive(kernel buffer)", sys::pager_receive(&g_request, reinterpret_cast<void*>(0xC0001000), 1),
        kErrFault);
    e.equal("pager_receive(nothing to receive)", sys::pager_receive(&g_request, page, 1), kErrTimedOut);
    PagerReply made_up { 0x12345678, kPagerPageIn, uint32_t(store), 0, 4096, 1, word(page) };
    e.equal("pager_reply(made-up id)", sys::pager_reply(&made_up), kErrRefused);
    e.equal("pager_reply(NULL)", sys::pager_reply(nullptr), kErrFault);
    e.equal("pager_reply_receive(NULL reply)", sys::pager_reply_receive(nullptr, &g_request, page, 1, kPagerNoSlot),
        kErrFault);
    e.equal("pager_reply_receive(made-up id)", sys::pager_reply_receive(&made_up, &g_request, page, 1, kPagerNoSlot),
        kErrRefused);
    e.equal("pager_disk(bad op)", sys::pager_disk(7, 0, page), kErrInvalid);
    e.equal("pager_disk(slot past the end)", sys::pager_disk(kPagerDiskRead, 0x7FFFFFFF, page), kErrInvalid);
    e.equal("pager_disk(unaligned buffer)", sys::pager_disk(kPagerDiskRead, 0, page + 1), kErrInvalid);
    void* wrapped = sys::map_store(reinterpret_cast<void*>(0xBFFFF000), 0x2000, 0, uint32_t(store), 0);
    e.equal("map_store(wrapping into the kernel)", error_of(wrapped), kErrInvalid);
    void* past = sys::map_store(reinterpret_cast<void*>(0x50000000), 4096, 0, uint32_t(store), 0xFFFFFFFF);
    e.equal("map_store(offset past the store)", error_of(past), kErrInvalid);
    return check("bad-arguments-refused", e.ok(), "%s", e.reason());
}

// One argument from the pool: good, bad and hostile values.
uint32_t any_pointer()
{
    static const uint32_t kBad[] = { 0, 1, 0xFFF, 0x1000, 0xBFFFF000, 0xBFFFFFFC, 0xC0000000, 0xC0100000,
        0xFFFFF000, 0xFFFFFFFF };
    switch (pick(6)) {
    case 0: return kBad[pick(sizeof kBad / sizeof kBad[0])];
    case 1: return word(g_sink) + pick(kSinkPages - 1) * 4096;         // a good page
    case 2: return word(g_sink) + pick(kSinkPages - 1) * 4096 + pick(4096); // often unaligned
    case 3: return word(&g_reply);
    case 4: return word(&g_request);
    default: return next_random();
    }
}

// A buffer the kernel may write a page into: the pool without this
// program's own variables (a 4 KiB write there would be its own bug).
uint32_t any_buffer()
{
    uint32_t p = any_pointer();
    return p == word(&g_reply) || p == word(&g_request) ? word(g_sink) : p;
}

uint32_t any_store(int own)
{
    switch (pick(4)) {
    case 0: return uint32_t(own);
    case 1: return kFirstPagerStore + pick(240);
    case 2: return pick(kFirstPagerStore); // the swap store, and numbers below the pagers'
    default: return next_random();
    }
}

// `n` short-lived pagers, one after another (each a child that registers
// and exits): more than the 240 store numbers, so the dead pagers' numbers
// must be given out again once nothing names them.
bool short_lived_pagers(uint32_t n)
{
    uint32_t refused = 0;
    int first_status = 0;
    for (uint32_t i = 0; i < n; ++i) {
        int pid = sys::fork();
        if (pid == 0) {
            int number = sys::pager_register();
            sys::exit(number >= int(kFirstPagerStore) ? 0 : 100 - number);
        }
        int status = -1;
        if (pid < 0 || sys::wait(pid, &status) != pid || status != 0) {
            if (refused++ == 0)
                first_status = pid < 0 ? pid : status;
        }
    }
    return check("short-lived-pagers-registered", refused == 0,
        "%u of %u children could not register (the first: %d; 100 - status = the error)", refused, n, first_status);
}

bool documented(int32_t rc) { return rc >= 0 || rc >= kErrLowest; }

} // namespace

int main(const char* args)
{
    verdict_init(args);
    g_state = arg(args, "seed").number(1) | 1;
    uint32_t calls = arg(args, "calls").number(2000);
    g_sink = static_cast<uint8_t*>(sys::mmap(nullptr, kSinkPages * 4096, kMapWrite));
    if (!check("sink-mapped", !is_error(g_sink), "mmap = %d", error_of(g_sink)))
        return 1;
    not_a_pager();
    int store = sys::pager_register();
    if (!check("pager-registered", store >= int(kFirstPagerStore), "pager_register() = %d", store))
        return 1;
    bad_arguments(store);
    if (uint32_t n = arg(args, "registrations").number(0))
        short_lived_pagers(n);

    static const uint32_t kCalls[] = { kSysPagerRegister, kSysPagerReceive, kSysPagerReply, kSysMapStore,
        kSysModuleRead, kSysPagerDisk, kSysPagerReplyReceive };
    uint32_t undocumented = 0, accepted = 0, mapped = 0, first_bad_call = 0;
    int32_t first_bad_rc = 0;
    for (uint32_t i = 0; i < calls; ++i) {
        uint32_t number = kCalls[pick(sizeof kCalls / sizeof kCalls[0])];
        // A reply with random fields (sometimes our own store and a page-in).
        g_reply = PagerReply { next_random(), pick(4), pick(2) ? uint32_t(store) : next_random(), pick(64),
            pick(2) ? 4096u : next_random(), pick(3), any_pointer() };
        int32_t rc = 0;
        switch (number) {
        case kSysPagerRegister:
            rc = syscall(number);
            break;
        case kSysPagerReceive: // a short timeout: nothing may wait for good
            rc = syscall(number, any_pointer(), any_buffer(), 1 + pick(2));
            break;
        case kSysPagerReply:
            rc = syscall(number, any_pointer());
            accepted += rc == 0;
            break;
        case kSysMapStore: {
            uint32_t at = pick(2) ? 0x60000000 + pick(256) * 4096 : any_pointer();
            rc = syscall(number, at, pick(2) ? pick(5) * 4096 : next_random(), pick(4), any_store(store),
                pick(2) ? pick(64) : next_random());
            if (uint32_t(rc) == at) { // success is the address, which may be above 2 GiB (negative)
                ++mapped;
                rc = 0;
            }
            break;
        }
        case kSysModuleRead: // a good buffer is a page of the sink: at most 4 KiB
            rc = syscall(number, pick(2) ? word(g_hello) : any_pointer(), pick(2) ? pick(8192) : next_random(),
                any_buffer(), pick(4097));
            break;
        case kSysPagerDisk: {
            uint32_t op = pick(4);
            rc = syscall(number, op, pick(2) ? pick(8) : next_random(), op == kPagerDiskReply ? any_pointer()
                                                                                              : any_buffer());
            accepted += op == kPagerDiskReply && rc == 0;
            break;
        }
        case kSysPagerReplyReceive: // 0 or kErrTimedOut: the reply was accepted
            rc = syscall(number, any_pointer(), any_pointer(), any_buffer(), 1 + pick(2),
                pick(2) ? kPagerNoSlot : pick(8));
            accepted += rc == 0 || rc == kErrTimedOut;
            break;
        }
        if (!documented(rc) && undocumented++ == 0) {
            first_bad_call = number;
            first_bad_rc = rc;
        }
    }
    value("fuzz_calls", calls);
    value("fuzz_store_mappings", mapped);
    check("fuzz-results-documented", undocumented == 0, "%u results outside abi.h's errors; the first: call %u gave %d",
        undocumented, first_bad_call, first_bad_rc);
    check("fuzz-never-accepted", accepted == 0, "%u random replies were accepted", accepted);
    return verdict_status();
}
