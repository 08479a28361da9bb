// pager-client: maps the file of a user-space pager (pager-ram, lab 6) with
// map_store and checks what the faults bring in. Arguments: store=N (the
// pager's store), pages=N, mode=:
//   read        read every page: each matches the file, one page-in per page;
//               read again: no page-in; a second mapping of the same file,
//               and a mapping in another process (a forked child maps it on
//               its own), share the vpages: no page-in, same data; a system
//               call reads from a page of it;
//   concurrent  `readers` forked children and the parent read page 0 at once:
//               all see the file's page (the kernel trace shows one request);
//   timeout     a system call on a page of the mapping gets an error (the
//               pager is slow: the deadline passes); then a read is killed
//               ("pager timed out");
//   dead        page 0 is read (served); a child reads page 1 and is killed
//               ("pager died": the pager exits with the request in flight);
//               page 0 is still there, and a system call on page 2 fails;
//   busy        `readers` children each read their own page of a pager that
//               never receives: each is killed ("pager busy" once the pager
//               has its share of requests in flight, "pager timed out" after);
//   write       write every page of a writable mapping (more than RAM: the
//               collector writes them to the pager), then read every page
//               back: each holds what was written;
//   bench       (make bench) the instructions of each first touch of `pages`
//               pages, fault to resume: VALUE pager_page_in_instructions;
//   spawn       spawn `program` (big-image) twice with `child=` words
//               (":" for "="): through the pager (spawn_from_store: its
//               read-only pages demand-loaded; the pager serves the program's
//               boot module as its file), then eagerly (spawn); both must
//               exit 0. VALUEs demand_spawn_instructions and
//               eager_spawn_instructions: spawn to the child's exit;
//   paging      (make bench) `pages` pages, more than RAM, of the pager's file
//               (store=N) or, without store=, of anonymous memory (the swap
//               store): filled, rewritten (VALUE rewrite_instructions_per_page:
//               a page-in and a page-out each, the collector's work included),
//               then read back, each touch that paged in timed (VALUE
//               page_in_instructions);
//   cold        (make bench) page-ins without memory pressure: `pages` pages
//               of the pager's file (or, without store=, anonymous memory)
//               are written, then `ballast` anonymous pages push most of them
//               out; the ballast is unmapped (memory is free again) and each
//               touch of the first pages that paged in is timed (VALUE
//               cold_page_in_instructions, and cold_frames_free: free frames
//               when the reading began).
#include "program.h"

#include "pager_file.h"
#include "timing.h"

namespace {

constexpr uint32_t kWriteTag = 0xC11E;

uint8_t* page_at(uint32_t base, uint32_t p) { return reinterpret_cast<uint8_t*>(uintptr_t(base + p * kPageSize)); }

uint8_t* map_file(uint32_t at, uint32_t store, uint32_t pages, uint32_t flags)
{
    void* m = sys::map_store(reinterpret_cast<void*>(at), pages * kPageSize, flags, store, 0);
    check(at == kFileMapping ? "map-store" : "map-store-again", m == reinterpret_cast<void*>(at),
        "map_store(0x%08x, %u pages, store %u) = %d", at, pages, store, error_of(m));
    return static_cast<uint8_t*>(m);
}

// Read every page; the number of pages that differ from the file.
uint32_t bad_pages(uint32_t base, uint32_t pages, uint32_t tag)
{
    uint32_t bad = 0;
    for (uint32_t p = 0; p < pages; ++p)
        bad += page_mismatches(page_at(base, p), tag, p) != 0;
    return bad;
}

int wait_all(uint32_t children, uint32_t* killed)
{
    int ok = 0;
    for (uint32_t i = 0; i < children; ++i) {
        int status = 0;
        if (sys::wait(-1, &status) > 0) {
            ok += status == 0;
            *killed += was_killed(status);
        }
    }
    return ok;
}

int read_mode(uint32_t store, uint32_t pages)
{
    if (!map_file(kFileMapping, store, pages, 0))
        return 1;
    VmStat before = vm_now();
    uint32_t bad = bad_pages(kFileMapping, pages, kFileTag);
    VmStat after = vm_now();
    check("pages-match-file", bad == 0, "%u of %u pages differ from the file", bad, pages);
    check("one-page-in-per-page", after.own_page_ins - before.own_page_ins == pages,
        "%u page-ins for %u pages", after.own_page_ins - before.own_page_ins, pages);
    before = vm_now();
    bad = bad_pages(kFileMapping, pages, kFileTag);
    after = vm_now();
    check("second-read-free", bad == 0 && after.own_page_ins == before.own_page_ins,
        "%u pages differ, %u page-ins", bad, after.own_page_ins - before.own_page_ins);
    if (!map_file(kSecondMapping, store, pages, 0))
        return 1;
    before = vm_now();
    bad = bad_pages(kSecondMapping, pages, kFileTag);
    after = vm_now();
    check("second-mapping-shares-pages", bad == 0 && after.own_page_ins == before.own_page_ins,
        "%u pages differ, %u page-ins for a file already resident", bad, after.own_page_ins - before.own_page_ins);
    // A system call reads from the mapping: the kernel faults it in too.
    // Another process maps the same file on its own: the same vpages, so
    // nothing is read from the pager again.
    int pid = sys::fork();
    if (pid == 0) {
        constexpr uint32_t kThird = 0x70000000;
        void* m = sys::map_store(reinterpret_cast<void*>(kThird), pages * kPageSize, 0, store, 0);
        VmStat b = vm_now();
        uint32_t differ = m == reinterpret_cast<void*>(kThird) ? bad_pages(kThird, pages, kFileTag) : pages;
        VmStat a = vm_now();
        sys::exit(differ == 0 && a.own_page_ins == b.own_page_ins ? 0 : 1);
    }
    int status = -1;
    int waited = sys::wait(pid, &status);
    check("other-process-shares-pages", pid > 0 && waited == pid && status == 0,
        "fork = %d, the child mapping the file again: status %d (1: data differs or a page-in)", pid, status);
    // (The mapping is read-only: write() to the console is a call that reads it.)
    int rc = sys::write(page_at(kSecondMapping, 0), 8);
    sys::write("\n", 1);
    check("syscall-reads-mapping", rc == 8, "write from the mapping = %d", rc);
    sys::munmap(reinterpret_cast<void*>(kFileMapping), pages * kPageSize);
    sys::munmap(reinterpret_cast<void*>(kSecondMapping), pages * kPageSize);
    return verdict_status();
}

int concurrent_mode(uint32_t store, uint32_t readers)
{
    if (!map_file(kFileMapping, store, 1, 0))
        return 1;
    for (uint32_t i = 0; i < readers; ++i) {
        int pid = sys::fork();
        if (pid == 0)
            sys::exit(page_mismatches(page_at(kFileMapping, 0), kFileTag, 0) == 0 ? 0 : 1);
        if (pid < 0)
            return check("fork", false, "fork = %d", pid), 1;
    }
    uint32_t bad = page_mismatches(page_at(kFileMapping, 0), kFileTag, 0);
    uint32_t killed = 0;
    int ok = wait_all(readers, &killed);
    check("all-readers-see-the-page", bad == 0 && ok == int(readers), "parent: %u words differ; %d of %u children ok",
        bad, ok, readers);
    return verdict_status();
}

int timeout_mode(uint32_t store)
{
    if (!map_file(kFileMapping, store, 2, 0))
        return 1;
    int rc = sys::write(page_at(kFileMapping, 0), 8);
    check("syscall-gets-error", rc == kErrFault, "write from a page of a slow pager = %d", rc);
    value("touch", *reinterpret_cast<volatile uint32_t*>(page_at(kFileMapping, 1))); // killed: timed out
    check("timeout-touch-survived", false, "the read returned");
    return 1;
}

int dead_mode(uint32_t store)
{
    if (!map_file(kFileMapping, store, 3, 0))
        return 1;
    check("served-page-matches", page_mismatches(page_at(kFileMapping, 0), kFileTag, 0) == 0);
    int pid = sys::fork();
    if (pid == 0) {
        value("touch", *reinterpret_cast<volatile uint32_t*>(page_at(kFileMapping, 1))); // killed: pager died
        sys::exit(3);
    }
    int status = 0;
    int waited = sys::wait(pid, &status);
    check("child-killed-pager-died", waited == pid && was_killed(status), "wait = %d, status %d", waited, status);
    check("resident-page-survives", page_mismatches(page_at(kFileMapping, 0), kFileTag, 0) == 0);
    int rc = sys::write(page_at(kFileMapping, 2), 8);
    check("syscall-after-death-fails", rc == kErrFault, "write from a page of a dead pager = %d", rc);
    return verdict_status();
}

int busy_mode(uint32_t store, uint32_t readers)
{
    if (!map_file(kFileMapping, store, readers, 0))
        return 1;
    for (uint32_t i = 0; i < readers; ++i) {
        int pid = sys::fork();
        if (pid == 0) {
            value("touch", *reinterpret_cast<volatile uint32_t*>(page_at(kFileMapping, i)));
            sys::exit(3);
        }
    }
    uint32_t killed = 0;
    wait_all(readers, &killed);
    check("every-reader-killed", killed == readers, "%u of %u readers killed", killed, readers);
    return verdict_status();
}

int write_mode(uint32_t store, uint32_t pages)
{
    if (!map_file(kFileMapping, store, pages, kMapWrite))
        return 1;
    for (uint32_t p = 0; p < pages; ++p)
        fill_page(page_at(kFileMapping, p), kWriteTag, p);
    VmStat mid = vm_now();
    uint32_t bad = bad_pages(kFileMapping, pages, kWriteTag);
    VmStat after = vm_now();
    check("written-pages-read-back", bad == 0, "%u of %u pages lost what was written", bad, pages);
    check("pages-went-to-the-pager", mid.page_outs > 0 && after.own_page_ins > mid.own_page_ins,
        "page-outs %u, page-ins while reading back %u", mid.page_outs, after.own_page_ins - mid.own_page_ins);
    sys::munmap(reinterpret_cast<void*>(kFileMapping), pages * kPageSize);
    return verdict_status();
}

// Spawn `program` (through pager `store`, or eagerly with store 0) and wait:
// the instructions from the spawn to the child's exit, or 0 if it failed.
uint64_t spawn_and_wait(const char* program, const char* args, uint32_t store, const char* what)
{
    uint64_t t0 = rdtsc();
    int pid = store ? sys::spawn_from_store(program, args, store) : sys::spawn(program, args);
    int status = -1;
    int waited = pid > 0 ? sys::wait(pid, &status) : pid;
    uint64_t spent = rdtsc() - t0;
    return check(what, pid > 0 && waited == pid && status == 0, "spawn = %d, wait = %d, status %d", pid, waited,
               status)
        ? spent
        : 0;
}

int spawn_mode(const char* args, uint32_t store)
{
    char program[32] = "big-image", words[96] = "", child[160];
    arg(args, "program").copy_to(program, sizeof program);
    arg(args, "child").copy_to(words, sizeof words);
    for (char* c = words; *c; ++c)
        *c = *c == ':' ? '=' : *c == ',' ? ' ' : *c;
    format_to(child, sizeof child, "token=%s %s", verdict_token(), words);
    uint64_t demand = spawn_and_wait(program, child, store, "demand-spawn-exit-0");
    // The eager run expects no page-in at all.
    char eager[180];
    format_to(eager, sizeof eager, "%s expect=0", child);
    uint64_t eager_cost = spawn_and_wait(program, eager, 0, "eager-spawn-exit-0");
    value("demand_spawn_instructions", demand);
    value("eager_spawn_instructions", eager_cost);
    return verdict_status();
}

int bench_mode(uint32_t store, uint32_t pages)
{
    if (!map_file(kFileMapping, store, pages, 0))
        return 1;
    // The first page-in waits while the pager times its refused replies
    // (mode=bench): it is not counted.
    uint64_t total = 0;
    uint32_t bad = 0;
    for (uint32_t p = 0; p < pages; ++p) {
        auto* word = reinterpret_cast<volatile uint32_t*>(page_at(kFileMapping, p));
        uint64_t t0 = rdtsc();
        uint32_t w = *word;
        if (p > 0)
            total += rdtsc() - t0;
        bad += w != pattern_word(kFileTag, p, 0);
    }
    check("bench-pages-match-file", bad == 0, "%u of %u pages differ", bad, pages);
    value("pager_page_in_instructions", pages > 1 ? total / (pages - 1) : 0);
    return verdict_status();
}

// `pages` pages at kFileMapping, from the pager's store (or anonymous,
// lab 5's swap store, when store is 0), each written with kWriteTag.
bool map_and_fill(const char* name, uint32_t store, uint32_t pages)
{
    uint32_t base = kFileMapping;
    if (store) {
        if (!map_file(base, store, pages, kMapWrite))
            return false;
    } else {
        void* m = sys::mmap(reinterpret_cast<void*>(base), pages * kPageSize, kMapWrite);
        if (!check(name, m == reinterpret_cast<void*>(base), "mmap = %d", error_of(m)))
            return false;
    }
    for (uint32_t p = 0; p < pages; ++p)
        fill_page(page_at(base, p), kWriteTag, p);
    return true;
}

// Read the first word of every page at kFileMapping (written with `tag`),
// timing each read that paged in; check the data and report the mean
// (VALUEs <prefix>paged_in and <prefix>page_in_instructions). Unmaps it.
void measure_page_ins(const char* check_name, const char* prefix, uint32_t pages, uint32_t tag)
{
    uint32_t base = kFileMapping;
    uint64_t total = 0;
    uint32_t paged_in = 0, bad = 0;
    for (uint32_t p = 0; p < pages; ++p) {
        VmStat before = vm_now();
        uint64_t t1 = rdtsc();
        uint32_t w = *reinterpret_cast<volatile uint32_t*>(page_at(base, p));
        uint64_t spent = rdtsc() - t1;
        VmStat after = vm_now();
        if (after.own_page_ins != before.own_page_ins) {
            total += spent;
            ++paged_in;
        }
        bad += w != pattern_word(tag, p, 0);
    }
    check(check_name, bad == 0 && paged_in > 0, "%u pages differ, %u paged in", bad, paged_in);
    char key[48];
    format_to(key, sizeof key, "%spaged_in", prefix);
    value(key, paged_in);
    format_to(key, sizeof key, "%spage_in_instructions", prefix);
    value(key, paged_in ? total / paged_in : 0);
    sys::munmap(reinterpret_cast<void*>(base), pages * kPageSize);
}

int paging_mode(uint32_t store, uint32_t pages)
{
    if (!map_and_fill("paging-mmap", store, pages))
        return 1;
    uint64_t t0 = rdtsc();
    for (uint32_t p = 0; p < pages; ++p)
        fill_page(page_at(kFileMapping, p), kWriteTag + 1, p);
    value("rewrite_instructions_per_page", (rdtsc() - t0) / pages);
    measure_page_ins("paging-data-intact", "", pages, kWriteTag + 1);
    return verdict_status();
}

int cold_mode(uint32_t store, uint32_t pages, uint32_t ballast)
{
    if (!map_and_fill("cold-mmap", store, pages))
        return 1;
    auto* b = static_cast<uint8_t*>(sys::mmap(nullptr, ballast * kPageSize, kMapWrite));
    if (!check("cold-ballast-mmap", !is_error(b), "mmap = %d", error_of(b)))
        return 1;
    for (uint32_t p = 0; p < ballast; ++p)
        *reinterpret_cast<volatile uint32_t*>(b + p * kPageSize) = p;
    sys::munmap(b, ballast * kPageSize);
    sys::sleep(20); // the page-outs still in flight end
    value("cold_frames_free", vm_now().frames_free);
    measure_page_ins("cold-data-intact", "cold_", pages, kWriteTag);
    return verdict_status();
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    uint32_t store = arg(args, "store").number(0);
    uint32_t pages = arg(args, "pages").number(4);
    uint32_t readers = arg(args, "readers").number(4);
    ArgValue mode = arg(args, "mode");
    if (mode.is("concurrent"))
        return concurrent_mode(store, readers);
    if (mode.is("timeout"))
        return timeout_mode(store);
    if (mode.is("dead"))
        return dead_mode(store);
    if (mode.is("busy"))
        return busy_mode(store, readers);
    if (mode.is("write"))
        return write_mode(store, pages);
    if (mode.is("bench"))
        return bench_mode(store, pages);
    if (mode.is("paging"))
        return paging_mode(store, pages);
    if (mode.is("cold"))
        return cold_mode(store, pages, arg(args, "ballast").number(1000));
    if (mode.is("spawn"))
        return spawn_mode(args, store);
    return read_mode(store, pages);
}
