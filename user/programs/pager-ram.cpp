// pager-ram: a user-space pager (lab 6) serving a file of its own RAM: page
// p of the file is pattern_word(kFileTag, p, .) until a page-out gives it
// newer contents (kept in an mmap'd RAM disk of `disk` pages; a page-out
// beyond it is not acknowledged, so the kernel keeps the page).
//
// It registers (pager_register) and serves until it has had no request for
// `idle` ticks, then exits 0. `mode=` makes it misbehave (lab 6's tests):
//   good      answer every request correctly;
//   lie       before each correct answer, send every kind of lie (wrong id,
//             made-up id, wrong kind, store, offset, size, count, bad data
//             pointer): each must be refused; with backing=disk, also three
//             through pager_disk's reply (wrong id, offset, kind) and one
//             naming a slot out of range (kErrInvalid);
//   replay    answer, then send the same answer again; and send the previous
//             answer again when the next request comes: each refused;
//   slow      answer every page-in `delay` ticks late (past the deadline): the
//             late answer must be refused;
//   die       answer `serve` page-ins, then exit with the next one in flight;
//   crash     the same, but die by a NULL access (killed);
//   deaf      never receive: sleep `idle` ticks and exit;
//   flood     while the first page-in is in flight, send `flood` replies with
//             random ids (all refused), then answer correctly;
//   bench     (make bench) as good, but first time `flood` replies with
//             unknown ids and `flood` with the right id and a wrong offset:
//             VALUEs refused_unknown_id_instructions, refused_wrong_offset_instructions;
//   own-store serve as `good`; once idle, map its own store: pager_receive
//             into it fails, then touching it kills the pager ("pager faults
//             on its own store").
// `delay=N` (every mode): wait N ticks before each answer.
// `prefill=1` (every mode): the RAM disk holds the file's first `disk` pages
// from the start, so a page-in is answered straight from it (no work for the
// pager but the reply: what make bench measures).
// `file=NAME` (every mode): the file is boot module NAME instead (a file
// server: page p is the module's bytes [4096 p, 4096 p + 4096), zero past
// its end), read with module_read.
// `backing=disk` (every mode): the RAM disk is the pager's own slots on the
// swap disk instead (pager_disk, the kernel's `pager_disk=N`; `disk` slots
// of them): the pager keeps no page of its file in RAM, as a real pager
// would not (make bench's comparison with lab 5's swap store under memory
// pressure). A page-in of a page on the disk is answered with
// pager_disk(kPagerDiskReply) (the kernel reads the slot), except in the
// modes that send other replies first (lie, replay, flood, bench).
// After each answer the pager scribbles over the page it answered from: the
// faulting process must still see the data as it was when the answer went.
// `scribble=0` leaves that out (make bench: it is a test, not a pager's work),
// and then the pager answers and waits for the next request in one system
// call (pager_reply_receive), in the modes that send nothing but the answer
// (good, bench after its timing, die, crash, own-store).
// In mode lie, pager_reply_receive's refusals are checked too: a lie through
// it (kErrRefused), and bad pointers, buffer or slot (kErrFault, kErrInvalid,
// before anything is answered): none answers or receives anything.
// Verdicts: pager-registered, and per mode the checks above; VALUEs:
// page_ins, page_outs, releases, refused.
#include "program.h"

#include "pager_file.h"
#include "timing.h"

namespace {

constexpr uint32_t kMaxPages = 8192;

alignas(4096) uint8_t g_buffer[4096];  // pager_receive's page (page-outs land here)
alignas(4096) uint8_t g_scratch[4096]; // a page-in's answer is built here
uint8_t g_written[kMaxPages / 8];      // pages the RAM disk holds (a page-out came)

struct Stats {
    uint32_t page_ins, page_outs, releases, refused_ok, refused_bad, accepted_bad, disk_errors;
} g_stats;

PagerReply answer_for(const PagerRequest& r, const void* data)
{
    return PagerReply { r.id, r.kind, r.store, r.offset, 4096, 1, uint32_t(uintptr_t(data)) };
}

// Send a reply that must be refused; count whether it was.
void lie(PagerReply reply)
{
    int rc = sys::pager_reply(&reply);
    if (rc == kErrRefused)
        ++g_stats.refused_ok;
    else
        ++g_stats.refused_bad;
}

void all_lies(const PagerRequest& r, const void* data)
{
    PagerReply good = answer_for(r, data);
    PagerReply x = good;
    x.id ^= 1u << 6; // same slot, another tag
    lie(x);
    x = good;
    x.id = 0x5EC12E00u | (good.id & 63); // a guess
    lie(x);
    x = good;
    x.id = 0;
    lie(x);
    x = good;
    x.kind = r.kind == kPagerPageIn ? kPagerPageOut : kPagerPageIn;
    lie(x);
    x = good;
    x.store = r.store + 1;
    lie(x);
    x = good;
    x.offset = r.offset + 1; // a page it was not asked for
    lie(x);
    x = good;
    x.size = 4095;
    lie(x);
    x = good;
    x.size = 8192;
    lie(x);
    x = good;
    x.count = 2;
    lie(x);
    x = good;
    x.count = 0;
    lie(x);
    if (r.kind == kPagerPageIn) {
        x = good;
        x.data = good.data + 4; // not page aligned
        lie(x);
        x = good;
        x.data = 0xC0000000; // the kernel's
        lie(x);
    }
}

uint8_t* g_disk;       // kMaxPages pages of RAM disk, demand-zero until written
bool g_on_disk;        // backing=disk: the pages are on the swap disk's pager slots, not at g_disk
char g_file[64];       // file=NAME: serve this boot module

bool written(uint32_t offset) { return offset < kMaxPages && (g_written[offset / 8] & (1u << (offset % 8))); }

const void* page_in_data(uint32_t offset)
{
    if (written(offset) && g_on_disk) {
        g_stats.disk_errors += sys::pager_disk(kPagerDiskRead, offset, g_scratch) != 0;
        return g_scratch;
    }
    if (written(offset))
        return g_disk + offset * 4096;
    if (g_file[0]) {
        int n = sys::module_read(g_file, offset * 4096, g_scratch, 4096);
        for (uint32_t i = n > 0 ? uint32_t(n) : 0; i < 4096; ++i)
            g_scratch[i] = 0;
        return g_scratch;
    }
    fill_page(g_scratch, kFileTag, offset);
    return g_scratch;
}

// backing=disk: the same lies through pager_disk's reply from a slot, and a
// slot out of range: each refused, nothing changed.
void disk_lies(const PagerRequest& r)
{
    PagerReply good = answer_for(r, nullptr);
    PagerReply x = good;
    x.id ^= 1u << 6;
    int rc = sys::pager_disk(kPagerDiskReply, r.offset, &x);
    rc == kErrRefused ? ++g_stats.refused_ok : ++g_stats.refused_bad;
    x = good;
    x.offset = r.offset + 1;
    rc = sys::pager_disk(kPagerDiskReply, r.offset, &x);
    rc == kErrRefused ? ++g_stats.refused_ok : ++g_stats.refused_bad;
    x = good;
    x.kind = kPagerPageOut;
    rc = sys::pager_disk(kPagerDiskReply, r.offset, &x);
    rc == kErrRefused ? ++g_stats.refused_ok : ++g_stats.refused_bad;
    rc = sys::pager_disk(kPagerDiskReply, 0xFFFFFFu, &good); // no such slot: not even a reply
    rc == kErrInvalid ? ++g_stats.refused_ok : ++g_stats.refused_bad;
}

void scribble(const void* data)
{
    auto* words = static_cast<uint32_t*>(const_cast<void*>(data));
    bool disk = data != g_scratch;
    if (!disk) // the RAM disk keeps its data; the scratch page is fair game
        for (uint32_t i = 0; i < kPageWords; ++i)
            words[i] = 0xDEADBEEF;
}

// mode=lie: pager_reply_receive refuses without answering or receiving: a
// lie (kErrRefused), a bad reply or request pointer (kErrFault), an unaligned
// buffer (kErrInvalid), with backing=disk a slot out of range (kErrInvalid).
// The correct answer sent afterwards must still be accepted.
void combined_lies(const PagerRequest& r, const void* data)
{
    PagerReply good = answer_for(r, data);
    PagerReply x = good;
    x.id ^= 1u << 6;
    PagerRequest next;
    int rc = sys::pager_reply_receive(&x, &next, g_buffer, 1);
    rc == kErrRefused ? ++g_stats.refused_ok : ++g_stats.refused_bad;
    rc = sys::pager_reply_receive(nullptr, &next, g_buffer, 1);
    rc == kErrFault ? ++g_stats.refused_ok : ++g_stats.refused_bad;
    rc = sys::pager_reply_receive(&good, reinterpret_cast<PagerRequest*>(0xC0000000u), g_buffer, 1);
    rc == kErrFault ? ++g_stats.refused_ok : ++g_stats.refused_bad;
    rc = sys::pager_reply_receive(&good, &next, g_buffer + 4, 1);
    rc == kErrInvalid ? ++g_stats.refused_ok : ++g_stats.refused_bad;
    if (g_on_disk) {
        rc = sys::pager_reply_receive(&good, &next, g_buffer, 1, 0xFFFFFFu);
        rc == kErrInvalid ? ++g_stats.refused_ok : ++g_stats.refused_bad;
    }
}

// Map its own store and use it: a pager waiting for itself. The system
// call is refused (kErrFault), the touch kills the pager.
int use_own_store(int store)
{
    void* mine = sys::map_store(reinterpret_cast<void*>(kSecondMapping), 4096, kMapWrite, uint32_t(store), 0);
    check("own-store-mapped", mine == reinterpret_cast<void*>(kSecondMapping), "map_store = %d", error_of(mine));
    PagerRequest r;
    int rc = sys::pager_receive(&r, mine, 1);
    check("own-store-buffer-refused", rc == kErrFault, "pager_receive into its own store = %d", rc);
    value("own_store_touch", *static_cast<volatile uint32_t*>(mine)); // killed here
    check("own-store-touch-survived", false, "the touch of its own store returned");
    return 1;
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    ArgValue mode = arg(args, "mode");
    uint32_t idle = arg(args, "idle").number(30);
    uint32_t delay = arg(args, "delay").number(0);
    uint32_t serve = arg(args, "serve").number(1);
    uint32_t flood = arg(args, "flood").number(5000);
    int store = sys::pager_register();
    if (!check("pager-registered", store >= int(kFirstPagerStore), "pager_register() = %d", store))
        return 1;
    arg(args, "file").copy_to(g_file, sizeof g_file);
    uint32_t disk = arg(args, "disk").number(64);
    if (disk > kMaxPages)
        disk = kMaxPages;
    bool scribbles = arg(args, "scribble").number(1) != 0;
    g_on_disk = arg(args, "backing").is("disk");
    if (!g_on_disk) {
        g_disk = static_cast<uint8_t*>(sys::mmap(nullptr, disk * 4096, kMapWrite));
        if (!check("ram-disk-mapped", !is_error(g_disk), "mmap = %d", error_of(g_disk)))
            return 1;
    }
    if (arg(args, "prefill").number(0))
        for (uint32_t p = 0; p < disk; ++p) {
            uint8_t* page = g_on_disk ? g_scratch : g_disk + p * 4096;
            fill_page(page, kFileTag, p);
            if (g_on_disk && sys::pager_disk(kPagerDiskWrite, p, page) != 0) {
                ++g_stats.disk_errors;
                break;
            }
            g_written[p / 8] |= uint8_t(1u << (p % 8));
        }

    if (mode.is("deaf")) {
        sys::sleep(idle);
        return verdict_status();
    }
    // The mode, once (the loop below asks for every request).
    const bool is_bench = mode.is("bench");
    const bool is_crash = mode.is("crash");
    const bool is_die = mode.is("die");
    const bool is_flood = mode.is("flood");
    const bool is_lie = mode.is("lie");
    const bool is_own_store = mode.is("own-store");
    const bool is_replay = mode.is("replay");
    const bool is_slow = mode.is("slow");
    // Answers that go with the next receive (pager_reply_receive).
    const bool combine = !scribbles && !is_lie && !is_replay && !is_slow && !is_flood;
    PagerReply pending {};
    uint32_t pending_slot = kPagerNoSlot;
    bool have_pending = false;
    PagerReply previous {};
    bool have_previous = false, flooded = false;
    for (;;) {
        PagerRequest r;
        int rc;
        if (have_pending) {
            have_pending = false;
            rc = sys::pager_reply_receive(&pending, &r, g_buffer, idle, pending_slot);
            bool accepted = rc == 0 || rc == kErrTimedOut;
            if (!accepted)
                ++g_stats.accepted_bad;
            else if (pending.kind == kPagerPageIn)
                ++g_stats.page_ins;
            else
                ++g_stats.page_outs;
            if (!accepted)
                rc = sys::pager_receive(&r, g_buffer, idle);
        } else {
            rc = sys::pager_receive(&r, g_buffer, idle);
        }
        if (rc == kErrTimedOut)
            break;
        if (rc == kErrNoMemory)
            continue; // memory too short to hold both buffers at once: again
        if (rc != 0) {
            check("receive-ok", false, "pager_receive = %d", rc);
            return 1;
        }
        if (r.kind == kPagerRelease) {
            ++g_stats.releases;
            continue;
        }
        if (r.kind == kPagerPageOut) {
            if (r.offset >= disk)
                continue; // no room: no acknowledgement, the kernel keeps the page
            if (g_on_disk) {
                if (sys::pager_disk(kPagerDiskWrite, r.offset, g_buffer) != 0) {
                    ++g_stats.disk_errors;
                    continue; // not stored: no acknowledgement, the kernel keeps the page
                }
            } else {
                memcpy(g_disk + r.offset * 4096, g_buffer, 4096);
            }
            g_written[r.offset / 8] |= uint8_t(1u << (r.offset % 8));
            PagerReply ack = answer_for(r, nullptr);
            if (combine) {
                pending = ack;
                pending_slot = kPagerNoSlot;
                have_pending = true;
                continue;
            }
            if (sys::pager_reply(&ack) == 0)
                ++g_stats.page_outs;
            else
                ++g_stats.accepted_bad;
            continue;
        }
        // A page-in.
        if (is_die || is_crash) {
            if (g_stats.page_ins >= serve) {
                value("died_with_request", r.id != 0);
                if (is_crash)
                    value("crash", *reinterpret_cast<volatile uint32_t*>(uintptr_t(0)));
                sys::exit(0);
            }
        }
        // backing=disk, a page on the disk, and nothing to send but the
        // answer: the kernel reads the slot itself (pager_disk's reply).
        bool from_slot = g_on_disk && written(r.offset) && !is_lie && !is_replay && !is_flood && !is_bench;
        const void* data = from_slot ? nullptr : page_in_data(r.offset);
        if (is_replay && have_previous)
            lie(previous);
        if (is_lie)
            all_lies(r, data);
        if (is_lie && g_on_disk)
            disk_lies(r);
        if (is_lie)
            combined_lies(r, data);
        if (is_flood && !flooded) {
            flooded = true;
            uint32_t x = 0x9E3779B9u ^ r.id;
            for (uint32_t i = 0; i < flood; ++i) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                PagerReply bogus = answer_for(r, data);
                bogus.id = x == r.id ? x + 64 : x;
                lie(bogus);
            }
        }
        if (is_bench && !flooded) {
            flooded = true;
            PagerReply bogus = answer_for(r, data);
            uint64_t t0 = rdtsc();
            for (uint32_t i = 0; i < flood; ++i) {
                bogus.id = r.id ^ ((i + 1) << 6);
                lie(bogus);
            }
            uint64_t t1 = rdtsc();
            bogus = answer_for(r, data);
            bogus.offset = r.offset + 1;
            for (uint32_t i = 0; i < flood; ++i)
                lie(bogus);
            uint64_t t2 = rdtsc();
            value("refused_unknown_id_instructions", (t1 - t0) / flood);
            value("refused_wrong_offset_instructions", (t2 - t1) / flood);
        }
        if (is_slow)
            sys::sleep(delay);
        else if (delay)
            sys::sleep(delay);
        PagerReply good = answer_for(r, data);
        if (combine && !is_slow) {
            pending = good;
            pending_slot = from_slot ? r.offset : kPagerNoSlot;
            have_pending = true;
            previous = good;
            have_previous = true;
            continue;
        }
        rc = from_slot ? sys::pager_disk(kPagerDiskReply, r.offset, &good) : sys::pager_reply(&good);
        if (is_slow) {
            if (rc == kErrRefused)
                ++g_stats.refused_ok;
            else
                ++g_stats.refused_bad;
        } else if (rc == 0) {
            ++g_stats.page_ins;
        } else {
            ++g_stats.accepted_bad;
        }
        if (scribbles && data)
            scribble(data);
        if (is_replay)
            lie(good); // the same answer twice
        previous = good;
        have_previous = true;
    }
    value("page_ins", g_stats.page_ins);
    value("page_outs", g_stats.page_outs);
    value("releases", g_stats.releases);
    value("refused", g_stats.refused_ok);
    if (is_own_store)
        return use_own_store(store);
    if (g_on_disk)
        check("disk-transfers-ok", g_stats.disk_errors == 0, "%u pager_disk calls failed", g_stats.disk_errors);
    check("good-replies-accepted", g_stats.accepted_bad == 0, "%u correct replies were refused", g_stats.accepted_bad);
    if (is_lie || is_replay || is_flood || is_slow)
        check("bad-replies-refused", g_stats.refused_ok > 0 && g_stats.refused_bad == 0,
            "%u refused with kErrRefused, %u not", g_stats.refused_ok, g_stats.refused_bad);
    return verdict_status();
}
