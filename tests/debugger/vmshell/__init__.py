"""The VM-aware debugger shell of `make debug` (tools/bochs-run debug).

    shell.py     the shell: Bochs under pexpect, every Bochs command passed
                 through with its output, readline editing and history, the
                 `vm` commands added, the fault breakpoint's filter
    commands.py  the `vm` views: page walks, vpages, frames, read from guest
                 memory with the debugger checks' own readers
                 (tests/debugger/checks/kstate.py) through a harness Debugger
    summaries.py `vm procs`, `vm frames`, `vm check` (tables labs 5-6 extend)
    words.py     the words they print: entry flags, vpage flags, FaultResult
                 names (read from os/vm/fault.h); NotThere for missing data

tests/debugger/shell_tests.py drives it with pexpect.
"""
