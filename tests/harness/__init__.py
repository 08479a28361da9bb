"""Test harness of the kit: runs the kernel in Bochs and judges its output.

Modules:
  paths     -- where things are in the tree (repository root, bochsrc, build/)
  procs     -- bookkeeping of Bochs processes so none is ever left running
  bochs     -- one Bochs session (spawn, debugger prompt) and `run()`, a whole run
  kout      -- parsing of the kernel's `@@ <token> ...` lines
  judge     -- pass/fail of a kernel test from a run and the manifest's rules
  debugger  -- the `Debugger` helper that debugger checks are written against
  elf       -- just enough ELF32 reading to map symbols to file bytes
  symbols   -- kernel.sym files (`ADDRESS NAME`), made with nm when missing
  boot      -- the boot paths (grub: make run/debug; shim: test runs) and a run's medium
  iso       -- a run's boot ISO (files staged once per build, grub-mkimage + xorriso)
  shimboot  -- a run's shim ROM and payload disk (tools/shim/shim.S; no GRUB)
  bootimage -- what an ISO holds: lean GRUB config, quoting, the program archive
  manifest  -- labs/manifest.json: tests, defaults, selection
  results   -- result lines, replay commands, JUnit XML and JSON files
  suite     -- what the kernel and debugger runners share (CLI, parallel runs)
  selftest  -- self-tests of the harness and both boot paths (make test-harness)
"""
