#include "kernel/lab.h"

#include "kernel/console.h"

namespace {
// Remember which functions already reported, so a loop over a skeleton does
// not flood the console.
constexpr int kRemembered = 64;
const char* g_reported[kRemembered];
int g_count;
}

void lab_not_implemented(int lab, const char* function)
{
    for (int i = 0; i < g_count; ++i)
        if (g_reported[i] == function)
            return;
    if (g_count < kRemembered)
        g_reported[g_count++] = function;
    kprintf("lab %d not implemented: %s\n", lab, function);
}
