"""The VM-aware debugger shell of `make debug` (tools/bochs-run debug).

    shell.py     the shell: Bochs under pexpect, every Bochs command passed
                 through with its output, readline editing and history, the
                 `vm` commands added, the fault breakpoint's filter
    commands.py  the `vm` commands: frames, vpages and page tables, read from
                 guest memory with the debugger checks' own readers
                 (tests/debugger/checks/kstate.py) through a harness Debugger
    words.py     the words they print: entry flags, vpage flags, FaultResult
                 names (read from os/vm/fault.h)

tests/debugger/shell_tests.py drives it with pexpect.
"""
