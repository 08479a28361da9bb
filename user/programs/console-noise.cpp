// console-noise: writes `n=` single bytes ('~'), one system call each and no
// newline, so that another process's lines are printed while this one's
// output is always in the middle of a line. Used by console-storm (user
// verdicts) and the kernel test console_storm (kernel verdicts): their
// verdict lines must still reach the harness whole.
#include "program.h"

int main(const char* args)
{
    uint32_t n = arg(args, "n").number(2000);
    for (uint32_t i = 0; i < n; ++i)
        sys::write("~", 1);
    return 0;
}
