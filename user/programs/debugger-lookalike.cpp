// debugger-lookalike: prints what the Bochs debugger prints (a prompt, the
// `Next at t=` line with a tick count, a time-breakpoint note, the exit
// banner), then its verdicts. The harness reads the guest only from the
// serial file, never from the debugger's stream, so none of this may change
// how the run is judged: it must still end as a clean power-off, with the
// verdicts, the real instruction count and no "hang".
#include "program.h"

int main(const char* args)
{
    verdict_init(args);
    printf("Next at t=999999999999\n");
    printf("(0).[999999999999] [0x000000100000] 0008:c0100000 (unk. ctxt): hlt\n");
    printf("Caught time breakpoint\n");
    printf("Bochs is exiting with the following message:\n[CPU0  ] exception(): 3rd (13) exception with no resolution\n");
    printf("<bochs:7> ");
    check("printed-debugger-text", true);
    printf("<bochs:8> ");
    return 0;
}
