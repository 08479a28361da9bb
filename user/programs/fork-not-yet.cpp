// fork-not-yet: until lab 4 brings copy-on-write, fork answers with a clear
// error (kErrNotImplemented) and no child appears.
#include "program.h"

int main(const char* args)
{
    verdict_init(args);
    VmStat before {}, after {};
    sys::vmstat(&before);
    int r = sys::fork();
    sys::vmstat(&after);
    check("fork-says-not-implemented", r == kErrNotImplemented, "fork() = %d", r);
    int status = 0;
    check("no-child-appeared", sys::wait(-1, &status) == kErrNoChild);
    check("nothing-allocated", after.frames_free == before.frames_free && after.vpages_in_use == before.vpages_in_use);
    return verdict_status();
}
