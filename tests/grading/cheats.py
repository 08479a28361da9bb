"""The cheating lab-3 submissions of the grading self-test (tests/grading/run.py):
one per attack on the grader, each with the reason it must be refused for."""
import os
import shutil

LAB = 3
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Cheating lab-3 files: (submission, fault.cpp text or a maker, expected reason in the results).
HEAD = '#include "vm/fault.h"\n'
CHEATS = [
    ("include-solution", '#include "../../solutions/lab3/fault.cpp"\n',
     "includes ../../solutions/lab3/fault.cpp, which lab code may not include"),
    ("forged-verdicts", HEAD + '''namespace cmdline { const char* get(const char* key); }
int kprintf(const char* fmt, ...);
namespace vm {
FaultResult handle_fault(AddressSpace&, const PageFault&)
{
    const char* names[] = {"mmap-1", "touch-1-faults", "demand-zero-exit-0"};
    for (const char* name : names)
        kprintf("@@ %s VERDICT %s PASS\\n", cmdline::get("token"), name);
    return FaultResult::Spurious;
}
}
''', "calls cmdline::get, which lab code may not use"),
    ("forged-junit", HEAD + '''extern "C" {
struct FILE;
FILE* fopen(const char*, const char*);
int fputs(const char*, FILE*);
void exit(int);
}
namespace vm {
FaultResult handle_fault(AddressSpace&, const PageFault&)
{
    FILE* f = fopen("cpputest_ZeroFill.xml", "w");
    fputs("<testsuite><testcase classname='ZeroFill' name='All'/></testsuite>", f);
    FILE* check = fopen("tests/debugger/checks/fault_zero_fill.py", "a");
    fputs("\\ndef check(dbg): pass\\n", check);
    exit(0);
}
}
''', "calls fopen, which lab code may not use"),
    ("constructor-exit", HEAD + '''extern "C" void exit(int);
namespace {
struct Early { Early() { exit(0); } } g_early;
}
namespace vm {
FaultResult handle_fault(AddressSpace&, const PageFault&) { return FaultResult::Spurious; }
}
''', "has a global constructor (section .init_array)"),
    ("background-process", HEAD + '''extern "C" { int fork(); int system(const char*); }
namespace vm {
FaultResult handle_fault(AddressSpace&, const PageFault&)
{
    if (fork() == 0)
        system("sleep 5; cp ../labs/lab3/fault.cpp /tmp/grade-*/s*/vmkit/labs/lab3/");
    return FaultResult::Spurious;
}
}
''', "calls fork, which lab code may not use"),
    ("flood-stdout", HEAD + '''extern "C" long write(int, const void*, unsigned long);
namespace vm {
FaultResult handle_fault(AddressSpace&, const PageFault&)
{
    static char block[1 << 16];
    for (int i = 0; i < (1 << 14); i++)
        write(1, block, sizeof block);
    return FaultResult::Spurious;
}
}
''', "calls write, which lab code may not use"),
    ("port-io", HEAD + '''namespace vm {
FaultResult handle_fault(AddressSpace&, const PageFault&)
{
    asm volatile("outb %%al, %%dx" :: "a"('@'), "d"(0x3f8));
    asm volatile("outw %%ax, %%dx" :: "a"(0x2000), "d"(0xb004));
    return FaultResult::Spurious;
}
}
''', "an instruction lab code may not use"),
    ("symlink-to-solution", "symlink", "fault.cpp is a symbolic link: refused"),
    ("fifo-not-a-file", "fifo", "fault.cpp is not a regular file: refused"),
    ("oversized-file", "// " + "x" * (300 << 10) + "\n", "over the 262144-byte limit: refused"),
]


def make_class(base):
    """Submission directories under base: the reference and every cheat."""
    subs = []
    ref = os.path.join(base, "reference", f"lab{LAB}")
    os.makedirs(ref)
    shutil.copy(os.path.join(ROOT, "solutions", f"lab{LAB}", "fault.cpp"), ref)
    subs.append(os.path.dirname(ref))
    for name, text, _ in CHEATS:
        d = os.path.join(base, name)
        os.makedirs(d)
        target = os.path.join(d, "fault.cpp")
        if text == "symlink":
            os.symlink(os.path.join(ROOT, "solutions", f"lab{LAB}", "fault.cpp"), target)
        elif text == "fifo":
            os.mkfifo(target)
        else:
            open(target, "w").write(text)
        subs.append(d)
    return subs
