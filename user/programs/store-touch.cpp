// store-touch: reads pages that a kernel test mapped from its test store
// (tests/kernel/cases/lab3_store.cpp) and checks the store's pattern: word i
// of page p is 0x57000000 | p << 12 | i. Each first read faults; the thread
// waits until the store delivers the page.
#include "program.h"

namespace {
constexpr uint32_t kStoreBase = 0x60000000;
constexpr uint32_t kPages = 4;
}

int main(const char* args)
{
    verdict_init(args);
    bool right = true;
    for (uint32_t p = 0; p < kPages; ++p) {
        auto* words = reinterpret_cast<volatile uint32_t*>(kStoreBase + p * 4096);
        for (uint32_t i = 0; i < 1024; i += 255)
            right = right && words[i] == (0x57000000 | p << 12 | i);
    }
    return right ? 0 : 1;
}
