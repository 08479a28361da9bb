// swap-recency: the least recently run process loses its frames first
// (lab 5's policy).
//
// The parent (the runner) forks a sleeper. The sleeper maps and writes N
// pages (N = `percent`, default 20, % of the free frames), tells the parent
// and blocks in ipc_recv: it does not run again until told. The runner then
// writes N pages of its own, and then a pressure buffer of the frames still
// free plus N/2: memory runs out by about N/2 pages. The sleeper sits at the
// bottom of the recency list (the runner is on the CPU, so at the top), so
// the collector must take from it. Then the sleeper checks its data and
// reports its evictions (vmstat own_evictions).
//   sleeper-lost-first   the sleeper lost at least N/2 entries and the
//                        runner at most a quarter of what the sleeper lost
//   data-intact          both processes read back every word
#include "link.h"
#include "program.h"
#include "vmtest.h"

namespace {
constexpr uint32_t kSleeperTag = 51, kRunnerTag = 52, kPressureTag = 53;
enum Turn : uint32_t { kFilled = 1, kGo = 2, kReport = 3 };

uint32_t* map_and_fill(uint32_t pages, uint32_t tag)
{
    void* m = sys::mmap(nullptr, pages * kPageSize, kMapWrite);
    if (is_error(m))
        return nullptr;
    auto* base = static_cast<uint32_t*>(m);
    for (uint32_t p = 0; p < pages; ++p)
        fill_page(base + p * kPageWords, tag, p);
    return base;
}
} // namespace

int main(const char* args)
{
    verdict_init(args);
    warm_stack();
    VmStat start = vm_now();
    uint32_t n = uint32_t(uint64_t(start.frames_free) * arg(args, "percent").number(20) / 100);
    value("pages_each", n);
    Link link;
    if (!check("link-open", link.open()))
        return 1;
    int pid = sys::fork();
    Message m {};
    if (pid == 0) {
        link.join();
        uint32_t* mine = map_and_fill(n, kSleeperTag);
        link.tell(kFilled, mine != nullptr);
        link.hear(&m); // blocked: not running, sinking to the bottom
        VmStat now = vm_now();
        uint32_t bad = mine ? buffer_mismatches(mine, n, kSleeperTag, kSleeperTag) : ~0u;
        link.tell(kReport, now.own_evictions, bad);
        return 0;
    }
    link.accept();
    link.hear(&m);
    check("sleeper-filled", m.words[0] == kFilled && m.words[1] == 1, "sleeper: %u %u", m.words[0], m.words[1]);
    uint32_t* mine = map_and_fill(n, kRunnerTag);
    VmStat now = vm_now();
    uint32_t pressure = now.frames_free + n / 2;
    value("pressure_pages", pressure);
    uint32_t* extra = map_and_fill(pressure, kPressureTag);
    VmStat after = vm_now();
    uint32_t runner_lost = after.own_evictions - now.own_evictions;
    link.tell(kGo);
    link.hear(&m);
    uint32_t sleeper_lost = m.words[1];
    value("sleeper_evictions", sleeper_lost);
    value("runner_evictions", runner_lost);
    check("sleeper-lost-first", sleeper_lost >= n / 2 && runner_lost * 4 <= sleeper_lost,
        "the sleeper lost %u entries, the runner %u (N = %u)", sleeper_lost, runner_lost, n);
    uint32_t bad = (mine ? buffer_mismatches(mine, n, kRunnerTag, kRunnerTag) : ~0u) + (extra ? buffer_mismatches(extra, pressure, kPressureTag, kPressureTag) : ~0u);
    check("data-intact", bad == 0 && m.words[2] == 0, "runner %u words wrong, sleeper %u", bad, m.words[2]);
    int status = -100;
    check("sleeper-exit-0", sys::wait(pid, &status) == pid && status == 0, "status %d", status);
    return verdict_status();
}
