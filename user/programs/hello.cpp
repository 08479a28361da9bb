// hello: the smallest program. Prints a line, checks that getpid() gives a
// real pid, exits 0.
#include "program.h"

int main(const char* args)
{
    verdict_init(args);
    int pid = sys::getpid();
    printf("hello from pid %d (args '%s')\n", pid, args);
    check("getpid-positive", pid > 0, "getpid() = %d", pid);
    return 0;
}
