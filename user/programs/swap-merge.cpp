// swap-merge: forked children sort chunks, the parent merges (lab 5; Pintos's
// page-merge). A shared buffer of `percent` (default 100) % of the free
// frames, in bytes, is filled from a fixed pseudo-random sequence; `procs`
// (default 4) children each sort one chunk in place (a counting sort: two
// passes over the chunk) at the same time; the parent merges the sorted
// chunks into a private buffer of the same size and checks that the result
// is in order and holds every byte value as often as the input did.
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kMaxProcs = 8;

void sort_chunk(uint8_t* chunk, uint32_t n)
{
    uint32_t count[256] = {};
    for (uint32_t i = 0; i < n; ++i)
        ++count[chunk[i]];
    uint32_t at = 0;
    for (uint32_t v = 0; v < 256; ++v)
        for (uint32_t k = 0; k < count[v]; ++k)
            chunk[at++] = uint8_t(v);
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    VmStat before = vm_now();
    uint32_t pages = uint32_t(uint64_t(before.frames_free) * arg(args, "percent").number(100) / 100);
    uint32_t procs = arg(args, "procs").number(4);
    procs = procs < 1 ? 1 : procs > kMaxProcs ? kMaxProcs : procs;
    uint32_t bytes = pages * kPageSize;
    value("buffer_pages", pages);
    void* in_mapped = sys::mmap(nullptr, bytes, kMapWrite | kMapShared);
    void* out_mapped = sys::mmap(nullptr, bytes, kMapWrite);
    if (!check("mmap", !is_error(in_mapped) && !is_error(out_mapped), "mmap(%u pages) = %p, %p", pages, in_mapped,
            out_mapped))
        return 1;
    auto* in = static_cast<uint8_t*>(in_mapped);
    auto* out = static_cast<uint8_t*>(out_mapped);
    uint32_t histogram[256] = {};
    uint32_t x = 0x12345678;
    for (uint32_t i = 0; i < bytes; ++i) {
        x = x * 1664525u + 1013904223u;
        in[i] = uint8_t(x >> 24);
        ++histogram[in[i]];
    }

    uint32_t chunk = bytes / procs;
    int pids[kMaxProcs];
    for (uint32_t c = 0; c < procs; ++c) {
        pids[c] = sys::fork();
        if (pids[c] == 0) {
            uint32_t n = c + 1 == procs ? bytes - c * chunk : chunk;
            sort_chunk(in + c * chunk, n);
            return 0;
        }
    }
    uint32_t ok = 0;
    for (uint32_t c = 0; c < procs; ++c) {
        int status = -100;
        ok += pids[c] > 0 && sys::wait(pids[c], &status) == pids[c] && status == 0;
    }
    check("sorters-exit-0", ok == procs, "%u of %u sorters exited 0", ok, procs);

    // Merge: the smallest head of the chunks each time.
    uint32_t head[kMaxProcs], end[kMaxProcs];
    for (uint32_t c = 0; c < procs; ++c) {
        head[c] = c * chunk;
        end[c] = c + 1 == procs ? bytes : (c + 1) * chunk;
    }
    for (uint32_t i = 0; i < bytes; ++i) {
        uint32_t best = kMaxProcs;
        for (uint32_t c = 0; c < procs; ++c)
            if (head[c] < end[c] && (best == kMaxProcs || in[head[c]] < in[head[best]]))
                best = c;
        out[i] = in[head[best]++];
    }
    uint32_t disorder = 0;
    uint32_t seen[256] = {};
    for (uint32_t i = 0; i < bytes; ++i) {
        disorder += i > 0 && out[i] < out[i - 1];
        ++seen[out[i]];
    }
    uint32_t wrong_counts = 0;
    for (uint32_t v = 0; v < 256; ++v)
        wrong_counts += seen[v] != histogram[v];
    check("merged-in-order", disorder == 0, "%u bytes smaller than the one before", disorder);
    check("merged-same-bytes", wrong_counts == 0, "%u byte values occur a different number of times", wrong_counts);
    check_swapped(before);
    sys::munmap(in_mapped, bytes);
    sys::munmap(out_mapped, bytes);
    return verdict_status();
}
