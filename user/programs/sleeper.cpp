// sleeper: sleeps `ticks` timer ticks (default 50), then exits 0. A process
// that is alive but not running, for the recency-list test.
#include "program.h"

int main(const char* args)
{
    verdict_init(args);
    sys::sleep(arg(args, "ticks").number(50));
    return 0;
}
