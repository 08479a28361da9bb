"""Debugger checks: one module per check, named by the manifest's "script".

A check module defines
    KERNEL_TEST = "<kernel test>"   # booted with test=<KERNEL_TEST> token=...
    def check(dbg): ...             # dbg: harness.debugger.Debugger
and may define END_OUTCOMES (how the run must end after the check; default
("poweroff", "panic")). A check states what must hold with
dbg.expect(condition, "message shown when it does not").
"""
