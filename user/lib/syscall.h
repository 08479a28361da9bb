// syscall.h: the system calls, one typed wrapper each (numbers and errors in
// os/proc/abi.h).
//
// Every wrapper goes through syscall(), the one place that executes
// `int $0x80`. A result >= 0 is success; a negative result is a kErr* code.
// mmap is the exception: it returns an address, so check it with is_error().
#pragma once

#include "proc/abi.h"

#include <stddef.h>
#include <stdint.h>

// wait()'s status (abi.h): status & 0x7FFFFFFF (>= 0) for a program that
// called exit(status), or -reason (a KillReason) for one the kernel killed.
inline bool was_killed(int status) { return status < 0; }
inline int kill_reason(int status) { return status < 0 ? -status : 0; }

// eax = number, ebx, ecx, edx, esi, edi = arguments; the result in eax. The
// kernel is not asked to keep the argument registers, so they are listed as
// changed.
inline int32_t syscall(uint32_t number, uint32_t a1 = 0, uint32_t a2 = 0, uint32_t a3 = 0, uint32_t a4 = 0,
    uint32_t a5 = 0)
{
    int32_t result;
    asm volatile("int $0x80"
                 : "=a"(result), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                 : "a"(number)
                 : "memory");
    return result;
}

namespace sys {

// End this process with `status`; wait() in the parent returns it.
[[noreturn]] void exit(int status);

// Write `length` bytes at `buffer` to the console. Returns the count written.
int write(const void* buffer, size_t length);

int getpid();

// Give up the CPU to the next ready process. Returns 0.
int yield();

// Block for `ticks` timer ticks (10 ms each). Returns 0.
int sleep(uint32_t ticks);

// Start the program named `program` (a boot module's name, e.g. "hello")
// with the argument string `args`. Returns the child's pid.
int spawn(const char* program, const char* args);

// Wait for child `pid` (-1: any child) to exit and store its wait status in
// *status (>= 0, or -KillReason if the kernel killed it: was_killed()). Returns the child's pid,
// kErrNoChild if there is no such child. May block.
int wait(int pid, int* status);

// Lab 4: a copy of this process. Returns the child's pid here, 0 in the child.
int fork();

// Map `length` bytes at `address` (nullptr: anywhere) with kMap* flags.
// Returns the mapping's address, or a kErr* code cast to a pointer.
void* mmap(void* address, size_t length, uint32_t flags);
int munmap(void* address, size_t length);

// Fill *stat with the kernel's VM counters. Returns 0.
int vmstat(VmStat* stat);

// Create a port owned by this process. Returns its number, kErrLimit past
// kMaxPortsPerProcess, kErrNoMemory if every port is taken.
int port_create();
// Close a port this process owns; whoever waits on it gets kErrClosed.
int port_close(int port);

// Send *message to `port`; blocks until a receiver takes it.
int ipc_send(int port, Message* message);
// Block until a message arrives on `port`; store it in *message.
int ipc_recv(int port, Message* message);
// Send *message to `port` and block until the reply overwrites *message.
int ipc_call(int port, Message* message);
// Answer the last call this process received with *message.
int ipc_reply(Message* message);

// Lab 6 (os/vm/pager_store.h). Become a pager: returns this pager's store number.
int pager_register();
// Take the next request into *request (a page-out's data goes into the page
// at `buffer`, page aligned). Blocks; with timeout_ticks > 0, at most that
// long (then kErrTimedOut). kErrNoMemory: memory is too short to hold the
// request and the buffer at once right now; try again.
int pager_receive(PagerRequest* request, void* buffer, uint32_t timeout_ticks = 0);
// Answer a request. 0, or kErrRefused (nothing changed).
int pager_reply(const PagerReply* reply);
// Answer, then wait for the next request, in one system call: *reply as
// pager_reply (slot kPagerNoSlot) or as pager_disk's reply from `slot`; once
// it is accepted, pager_receive(request, buffer, timeout_ticks). 0: accepted
// and a request received; kErrTimedOut: accepted, no request in time; any
// other error: the reply was not accepted, nothing was received (abi.h).
int pager_reply_receive(const PagerReply* reply, PagerRequest* request, void* buffer, uint32_t timeout_ticks = 0,
    uint32_t slot = kPagerNoSlot);
// Map `length` bytes at the fixed, free `address`, backed by pager `store`
// from page `offset` on (kMapWrite: writable). Returns the address or a kErr*.
void* map_store(void* address, size_t length, uint32_t flags, uint32_t store, uint32_t offset);
// Spawn `program` with its read-only pages demand-loaded from pager `store`.
int spawn_from_store(const char* program, const char* args, uint32_t store);
// Copy up to `length` bytes of boot module `name` from `offset` to `buffer`.
int module_read(const char* name, uint32_t offset, void* buffer, uint32_t length);
// A pager's own slots on the swap disk (`pager_disk=N` on the kernel command
// line): read slot `slot` into the page at `buffer` (kPagerDiskRead), or
// write it from there (kPagerDiskWrite). 0, or kErrNotFound (not a pager, or
// no slots), kErrInvalid, kErrFault, kErrIo. Blocks while the disk works.
// kPagerDiskReply: `buffer` is a PagerReply for a page-in, its data the
// slot's page (its `data` field is not used): as pager_reply.
int pager_disk(uint32_t op, uint32_t slot, void* buffer);

} // namespace sys

// Is a pointer result (mmap) one of the kErr* codes rather than an address?
// The codes are small negative numbers: addresses in the kernel half that a
// user mapping can never have.
inline bool is_error(const void* result)
{
    auto value = int32_t(uintptr_t(result));
    return value < 0 && value >= kErrLowest;
}
inline int error_of(const void* result) { return is_error(result) ? int32_t(uintptr_t(result)) : 0; }
