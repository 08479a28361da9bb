// process.h: user processes and the process recency list.
//
// A process is an AddressSpace (lab 2) plus one thread running in ring 3.
//
// The recency list orders every live process by when it last ran:
//
//   top                                                bottom
//   [ran just now] <-> [ran before] <-> ... <-> [longest not run]
//
// A process moves to the top each time one of its threads is switched in
// (and, in lab 5, each time the clock collector scans it). The collector
// takes frames from the bottom first.
//
// Lifecycle:
//   1. spawn(): load the program from its Multiboot module into a new space,
//      make its thread; the process is on top of the recency list.
//   2. exit() or kill(): the space is destroyed, the thread ends, the
//      process is a zombie until its parent's wait() reaps it (at once if
//      it has no parent).
#pragma once

#include "proc/abi.h"
#include "proc/thread.h"
#include "vm/free_ranges.h"

#include <stdint.h>

class AddressSpace;
struct TrapFrame;
namespace ipc {
struct Pending;
}

struct Process {
    enum class State : uint8_t { Alive, Zombie };

    uint32_t pid { 0 };
    char name[32] {};
    State state { State::Alive };
    AddressSpace* space { nullptr };
    Thread* thread { nullptr };
    Process* parent { nullptr };
    int32_t exit_status { 0 };     // the wait status (abi.h): >= 0 from exit(), or -KillReason
    WaitQueue child_exited;        // the parent sleeps here in wait()
    Process* newer { nullptr };    // recency list: towards the top
    Process* older { nullptr };    // recency list: towards the bottom
    FreeRanges free_ranges;        // the free parts of user space (proc/user_space.h)
    ipc::Pending* callers { nullptr }; // calls received and not yet answered, most recent first
    // Lab 5: where the next scan of the clock collector starts, and what
    // the collector and the store did to this process (vm/collector.h).
    uint32_t clock_hand { 0 };
    uint32_t scans { 0 };          // times scanned
    uint32_t evictions { 0 };      // entries the collector unmapped
    uint32_t page_ins { 0 };       // faults that waited for a store
};
// The debugger checks read a process from memory (tests/debugger/checks/kstate.py):
// pin the kernel's (i686) layout; host tests build this header with 8-byte pointers.
#ifndef VMKIT_HOST
static_assert(__builtin_offsetof(Process, space) == 40 && __builtin_offsetof(Process, parent) == 48
        && __builtin_offsetof(Process, newer) == 64 && __builtin_offsetof(Process, older) == 68,
    "update kstate.py's Process layout with this struct");
#endif

namespace process {

// Where user stacks are: kStackPages pages below kStackTop (the top one
// resident, the others demand-zero), and under them one empty guard page.
constexpr uint32_t kStackTop = 0xBFFF0000;
constexpr uint32_t kStackPages = 64;
constexpr uint32_t kStackBottom = kStackTop - kStackPages * 4096;
constexpr uint32_t kStackGuard = kStackBottom - 4096; // the guard page: always empty
constexpr uint32_t kMmapBase = 0x40000000;

void init();

// Start the program named `program` (a Multiboot module) with the argument
// string `args`. Returns the new process, or nullptr with *why set.
Process* spawn(const char* program, const char* args, Process* parent, const char** why);

// Lab 6: the same, but the program's read-only pages are demand-loaded from
// pager `store`, which serves the program's file (its page n is the file's
// bytes [4096 n, 4096 n + 4096)). The ELF headers are read from the boot
// module; only the page contents come from the pager. store 0: spawn().
Process* spawn_from_store(const char* program, const char* args, Process* parent, uint8_t store, const char** why);

// The strings of a spawn system call (spawn, spawn_from_store), copied in
// from user memory: the program name and the argument string (a null args
// pointer means ""). False if either is unreadable or too long: the call
// then returns kErrFault. May block on the store (user_memory).
struct SpawnStrings {
    char program[32];
    char args[256];
};
bool copy_spawn_strings(SpawnStrings& out, uint32_t user_program, uint32_t user_args);

// What a spawn system call returns when spawn or spawn_from_store failed
// with `why`: kErrNotFound for "no such program", else kErrNoMemory.
int32_t spawn_error(const char* why);

// Fork the current process (lab 4): a child whose address space shares
// every page of the parent's copy-on-write, and whose thread resumes with
// `registers` but eax = 0. nullptr (and *why) if there is no memory.
Process* fork(const TrapFrame& registers, const char** why);

// The current thread's process (nullptr for a kernel thread).
Process* current();
Process* find(uint32_t pid);

// End the current process; wait() gets exit_status(status) (never negative).
// Never returns.
[[noreturn]] void exit(int32_t status);
// End the current process after a fault it cannot survive: prints the
// one-line reason (pid, program, address, eip, why); wait() gets
// kill_status(reason) (negative), never a status a program can exit with.
[[noreturn]] void kill_current(uint32_t address, uint32_t eip, const char* why, KillReason reason);

// Reap a zombie child: `pid`, or any child for pid == -1. Blocks until one
// exits. Returns the pid, or a negative kErr*; *status gets its status.
int32_t wait(int32_t pid, int32_t* status);

// Map a new demand-zero page at `linear` in p: an anonymous vpage with no
// frame yet (lab 3 gives it one on the first touch). False if no vpage or
// page table could be had.
bool map_zero_page(Process* p, uint32_t linear, bool writable, bool shared);

// The exit status of a finished process that had no parent (the kernel's
// own spawns). False if unknown.
bool orphan_status(uint32_t pid, int32_t* status);

// Move `p` to the top of the recency list.
void touch(Process* p);
// The recency list, top first, for tests and the collector.
Process* most_recent();
Process* least_recent();
uint32_t live_count();

} // namespace process
