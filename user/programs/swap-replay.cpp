// swap-replay: replay deterministic page-reference strings, for the oracle
// (lab 5: tests/harness/replacement.py simulates LRU, OPT, a one-bit clock
// and FIFO on the same strings with the same K and compares).
//
// K is the frames the replayed pages can have: the frames free when the
// program starts, less kReserve (the collector's high watermark and this
// program's own stack and image). For each string (`kinds`, default
// loop,hotcold,matrix) the program maps N pages, replays the string (a
// write to each page referenced: every page is dirty, so going out means a
// write and coming back means a read), and prints
//   VALUE oracle_<kind>_k, oracle_<kind>_n, oracle_<kind>_length, and
//   VALUE oracle_<kind>_misses: zero fills + faults that waited for the
//         store from the reference length/4 on (the warm-up quarter is not
//         counted, here or in the simulations).
// The strings (replacement.py builds the same ones):
//   loop     N = 11K/10 pages, two passes 0..N-1
//   hotcold  N = 14K/5 pages, 8K references: 90% to the first 2N/7 pages
//            (hot: 4K/5, they fit), 10% to the others, chosen by an LCG
//            (x = 1664525x + 1013904223, r = x >> 8; hot if r % 100 < 90;
//            page (r / 100) % size). (An 80/20 mix does not tell FIFO from
//            LRU by 1.5x even in simulation: 1.25x.)
//   matrix   N = 5K/4 pages as 16 rows of C = ceil(N/16) pages, walked
//            column by column, twice (a strided, matrix-like pattern)
#include "program.h"
#include "vmtest.h"

namespace {

constexpr uint32_t kReserve = 80;
constexpr uint32_t kRows = 16;

// Replays a string; `total` references long (known in advance), it reads
// the counters when reference total/4 is reached (the end of the warm-up).
struct Replay {
    volatile uint32_t* base;
    uint32_t total;
    uint32_t length { 0 };
    VmStat at_warm {};
    void touch(uint32_t page)
    {
        if (length == total / 4)
            at_warm = vm_now();
        base[page * kPageWords + (length & 1023)] = length;
        ++length;
    }
};

uint32_t length_of(const char* kind, uint32_t k, uint32_t n)
{
    if (strcmp(kind, "loop") == 0)
        return 2 * n;
    if (strcmp(kind, "hotcold") == 0)
        return 8 * k;
    return 2 * n;
}

uint32_t pages_for(const char* kind, uint32_t k)
{
    if (strcmp(kind, "loop") == 0)
        return k * 11 / 10;
    if (strcmp(kind, "hotcold") == 0)
        return k * 14 / 5;
    return k * 5 / 4;
}

void replay(const char* kind, uint32_t k, uint32_t n, Replay& r)
{
    if (strcmp(kind, "loop") == 0) {
        for (uint32_t pass = 0; pass < 2; ++pass)
            for (uint32_t p = 0; p < n; ++p)
                r.touch(p);
    } else if (strcmp(kind, "hotcold") == 0) {
        uint32_t hot = n * 2 / 7, x = 0x5EED;
        for (uint32_t j = 0; j < 8 * k; ++j) {
            x = x * 1664525u + 1013904223u;
            uint32_t v = x >> 8;
            r.touch(v % 100 < 90 ? (v / 100) % hot : hot + (v / 100) % (n - hot));
        }
    } else {
        uint32_t cols = (n + kRows - 1) / kRows;
        for (uint32_t pass = 0; pass < 2; ++pass)
            for (uint32_t c = 0; c < cols; ++c)
                for (uint32_t row = 0; row < kRows; ++row)
                    if (row * cols + c < n)
                        r.touch(row * cols + c);
    }
}

} // namespace

int main(const char* args)
{
    verdict_init(args);
    settle_before_baseline();
    char kinds[64] = "loop,hotcold,matrix";
    arg(args, "kinds").copy_to(kinds, sizeof kinds);
    for (char* kind = kinds; *kind;) {
        char* end = kind;
        while (*end && *end != ',')
            ++end;
        bool last = *end == '\0';
        *end = '\0';
        VmStat start = vm_now();
        uint32_t k = start.frames_free - kReserve;
        uint32_t n = pages_for(kind, k);
        void* mapped = sys::mmap(nullptr, n * kPageSize, kMapWrite);
        char key[48];
        format_to(key, sizeof key, "%s-mapped", kind);
        if (check(key, !is_error(mapped), "mmap(%u pages) = %p", n, mapped)) {
            Replay r { static_cast<volatile uint32_t*>(mapped), length_of(kind, k, n) };
            replay(kind, k, n, r);
            VmStat after = vm_now();
            const VmStat& before = r.at_warm;
            uint32_t misses = (after.faults_zero_fill - before.faults_zero_fill) + (after.own_page_ins - before.own_page_ins);
            format_to(key, sizeof key, "oracle_%s_k", kind);
            value(key, k);
            format_to(key, sizeof key, "oracle_%s_n", kind);
            value(key, n);
            format_to(key, sizeof key, "oracle_%s_length", kind);
            value(key, r.length);
            format_to(key, sizeof key, "oracle_%s_misses", kind);
            value(key, misses);
            sys::munmap(mapped, n * kPageSize);
        }
        if (last)
            break;
        kind = end + 1;
    }
    return verdict_status();
}
