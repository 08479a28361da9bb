// abi.h: the system-call interface between user programs and the kernel.
// Shared by the kernel (os/proc/) and the user library (user/lib/); plain C
// types only.
//
// A system call is `int $0x80` with
//   eax = call number, ebx, ecx, edx, esi, edi = arguments 1..5;
// the result comes back in eax: >= 0 on success, a negative kErr* on error.
//
//  nr  name      arguments                               result
//   1  exit      status                                  (does not return)
//   2  write     buffer, length                          bytes written (to the console)
//   3  getpid                                            pid
//   4  yield                                             0
//   5  sleep     ticks (1 tick = 10 ms)                  0
//   6  spawn     program name, argument string           pid of the child
//   7  wait      pid (or -1: any child), status pointer  pid of the reaped child (status required;
//                                                        see "wait status" below)
//   8  fork                                              child pid / 0 in the child (lab 4)
//   9  mmap      address (0: any), length, flags         address of the mapping (see "address space")
//  10  munmap    address, length                         0
//  11  vmstat    struct VmStat pointer                   0
//  12  ipc_send  port, struct Message pointer            0 (blocks until received)
//  13  ipc_recv  port, struct Message pointer            0 (blocks until a message)
//  14  ipc_call  port, struct Message pointer            0 (send, then wait for the reply in place)
//  15  ipc_reply struct Message pointer                  0 (answers the last call received)
//  16  port_create                                       a new port number owned by the caller
//  17  port_close port                                   0 (the caller must own it)
//  18  pager_register                                    lab 6: the caller becomes a pager: its store number
//  19  pager_receive struct PagerRequest pointer, page buffer, timeout ticks (0: none)
//                                                        0 (a page-out's data is in the buffer), kErrTimedOut,
//                                                        kErrNoMemory (both buffers could not be had at once: again)
//  20  pager_reply struct PagerReply pointer             0, or kErrRefused (nothing changed)
//  21  map_store address, length, flags, store, offset   address (fixed: the range must be free): pages
//                                                        backed by pager `store` from page `offset` on
//  22  spawn_from_store program, argument string, store  pid (spawn, its read-only pages demand-loaded from the pager)
//  23  module_read name, offset, buffer, length          bytes copied from a boot module (a file server's files)
//  24  pager_disk op, slot, page buffer                  lab 6: 0 once a pager's own disk slot is read into
//                                                        the buffer (kPagerDiskRead) or written from it
//                                                        (kPagerDiskWrite); blocks while the disk works.
//                  kPagerDiskReply, slot, PagerReply ptr 0, kErrRefused: pager_reply of a page-in whose data
//                                                        is the slot's page (read by the kernel onto its frame)
//  25  pager_reply_receive PagerReply ptr, PagerRequest ptr, page buffer, timeout ticks, slot
//                        lab 6: answer and wait in one call: pager_reply (slot kPagerNoSlot) or
//                        pager_disk's reply from `slot`, then, once that reply is accepted, pager_receive.
//                        0: accepted, and a request is in *request; kErrTimedOut: accepted, no request
//                        came in time; any other error: the reply was not accepted and nothing was
//                        received (kErrFault: a bad pointer, checked before anything is answered;
//                        kErrInvalid: the buffer is not page aligned, or no such slot; kErrRefused,
//                        kErrNoMemory, kErrIo, kErrNotFound as pager_reply and pager_disk give them).
//                        The receive waits while memory is too short for both buffers (pager_receive
//                        would return kErrNoMemory).
//
// Address space. User space is [0x1000, 0xC0000000). Every address and
// range argument must lie wholly inside it (a range that reaches or wraps
// past 0xC0000000 is kErrInvalid, never clipped). The stack and its guard
// page are the program's for good: mmap never places anything there and
// refuses a fixed address there (kErrInvalid). mmap(0, ...) and a page
// received over IPC go to the first free range from 0x40000000 up (then
// from the bottom); what munmap frees is reused, and a page table left
// empty is freed. A fixed mmap over anything already taken is kErrInUse.
// A length of 0 is kErrInvalid for both mmap and munmap.
//
// IPC and sharing. A page sent over IPC (Message::page) must be mapped in
// the sender (else the send is kErrFault). The rule, whatever the page's
// history (fork, copy-on-write, demand zero):
//   - sent from a writable mapping: sender and receiver share the page; each
//     sees the other's writes, now and after any later fork of either side
//     (a copy-on-write page is copied for the sender first, at send time);
//   - sent from a read-only mapping: the receiver maps it read-only.
// If the receiver has no free page to put it at, both the receive and the
// send (or call) fail with kErrNoMemory, and nothing is mapped.
// Every blocking IPC ends when its counterpart goes: a sender or caller
// queued on a port that is closed or whose owner exits, and a caller whose
// message was received but not yet answered when the receiver exits, get
// kErrClosed. A process owns at most kMaxPortsPerProcess ports (kErrLimit
// past that); its ports are closed when it exits.
//
// Wait status. wait() stores status & 0x7FFFFFFF (never negative: exit(-1)
// gives 0x7FFFFFFF) for a process that called exit(status), and -reason (a
// KillReason, < 0) for a process the kernel killed: the two never collide.
#pragma once

#include <stdint.h>

enum SyscallNumber : uint32_t {
    kSysExit = 1,
    kSysWrite = 2,
    kSysGetpid = 3,
    kSysYield = 4,
    kSysSleep = 5,
    kSysSpawn = 6,
    kSysWait = 7,
    kSysFork = 8,
    kSysMmap = 9,
    kSysMunmap = 10,
    kSysVmstat = 11,
    kSysIpcSend = 12,
    kSysIpcRecv = 13,
    kSysIpcCall = 14,
    kSysIpcReply = 15,
    kSysPortCreate = 16,
    kSysPortClose = 17,
    kSysPagerRegister = 18, // lab 6 (os/vm/pager_store.h)
    kSysPagerReceive = 19,
    kSysPagerReply = 20,
    kSysMapStore = 21,
    kSysSpawnFromStore = 22,
    kSysModuleRead = 23,
    kSysPagerDisk = 24,
    kSysPagerReplyReceive = 25,
    kSysCount
};

// Error results (negative in eax).
enum SyscallError : int32_t {
    kErrFault = -1,       // a pointer argument is not valid user memory
    kErrInvalid = -2,     // an argument is out of range
    kErrNoMemory = -3,    // no frame, vpage or heap left
    kErrNotFound = -4,    // no such program, process or port
    kErrNoChild = -5,     // wait: no such child
    kErrNotImplemented = -6, // the lab behind this call is a skeleton
    kErrNoSys = -7,       // no such system call
    kErrInUse = -8,       // mmap: a fixed address range is already (partly) taken
    kErrClosed = -9,      // IPC: the port was closed, or the process at the other end exited
    kErrLimit = -10,      // a per-process limit is reached (ports)
    kErrTimedOut = -11,   // lab 6: the pager did not answer before the deadline (or pager_receive's timeout)
    kErrRefused = -12,    // lab 6: a pager's reply was refused (the trace says why); nothing changed
    kErrPagerDied = -13,  // lab 6: the pager exited with the request in flight
    kErrDeadlock = -14,   // lab 6: a pager touched a page of its own store
    kErrIo = -15,         // lab 6: pager_disk: the disk reported an error
    kErrLowest = kErrIo, // every error is in [kErrLowest, -1]
};

// Ports one process may own at a time.
constexpr uint32_t kMaxPortsPerProcess = 8;

// Why the kernel killed a process; wait() stores -reason as its status.
enum KillReason : int32_t {
    kKillBadAccess = 1,     // a page fault the VM refused (NULL, unmapped, read-only, kernel half, no memory)
    kKillStackOverflow = 2, // a fault on the stack's guard page
    kKillException = 3,     // another CPU exception (privileged instruction, divide error, ...)
};
constexpr int32_t kill_status(KillReason reason) { return -int32_t(reason); }
constexpr int32_t exit_status(int32_t status) { return status & 0x7FFFFFFF; }

// mmap flags
constexpr uint32_t kMapWrite = 1u << 0;
constexpr uint32_t kMapShared = 1u << 1; // shared with children across fork (else private)

// vmstat: the counters tests and students read.
struct VmStat {
    uint32_t frames_total;
    uint32_t frames_free;
    uint32_t vpages_in_use;
    uint32_t faults_total;         // page faults of user memory: the program's own accesses and the
                                   // system-call buffers the kernel faulted in for it (each counted once)
    uint32_t faults_zero_fill;
    uint32_t faults_resident_map;
    uint32_t faults_copy_on_write; // both kinds: copied, and last mapping kept (no copy)
    uint32_t faults_store;         // faults that waited for a store
    uint32_t faults_bad;           // faults refused: the process was killed, or the system call got kErrFault
    uint32_t evictions;            // lab 5: page-table entries the clock collector unmapped
    uint32_t page_ins;             // pages read from a store
    uint32_t page_outs;            // pages written to a store
    uint32_t faults_cow_kept;      // copy-on-write faults that needed no copy (last mapping)
    uint32_t bulk_instructions;    // guest instructions spent zeroing and copying whole frames (low 32 bits)
    uint32_t page_tables;          // page tables of the caller's user half (empty ones are freed)
    // lab 5 (all zero without a swap disk)
    uint32_t scans;                // processes scanned by the clock collector
    uint32_t scanned;              // page-table entries it looked at
    uint32_t max_taken;            // the most entries one scan took from one process (<= quota)
    uint32_t quota;                // the collector's quota
    uint32_t swap_slots_total;
    uint32_t swap_slots_used;
    uint32_t own_scans;            // the calling process: times it was scanned,
    uint32_t own_evictions;        //   entries taken from it,
    uint32_t own_page_ins;         //   its faults that waited for a store
};

// An IPC message: a few words, and optionally one page handed over.
struct Message {
    uint32_t sender;     // filled in by the kernel: the sending pid
    uint32_t words[4];
    uint32_t page;       // send: user address of a page to transfer (0: none);
                         // receive: where the kernel mapped the transferred page (0: none)
};

// Lab 6: the pager protocol (os/vm/pager.h, os/vm/pager_store.h).
constexpr uint32_t kPagerPageIn = 1;  // "read me this": reply with the page
constexpr uint32_t kPagerPageOut = 2; // "write this": the page is in the receive buffer; acknowledge
constexpr uint32_t kPagerRelease = 3; // "I don't need you anymore": no reply
constexpr uint32_t kPagerDiskRead = 0;  // pager_disk: slot -> buffer
constexpr uint32_t kPagerDiskWrite = 1; // pager_disk: buffer -> slot
constexpr uint32_t kPagerDiskReply = 2; // pager_disk: answer a page-in with the slot's page (no copy through the pager)
constexpr uint32_t kPagerNoSlot = 0xFFFFFFFFu; // pager_reply_receive: the reply's data is at reply.data, not in a slot
// Pager store numbers are 16..255. A dead pager's number is given to a new
// pager only once the fresh numbers have run out and no page of the dead
// one is left, so a page never changes its pager.
constexpr uint32_t kFirstPagerStore = 16;

// What pager_receive fills in.
struct PagerRequest {
    uint32_t id;     // kernel-issued, good for one reply
    uint32_t kind;   // kPager*
    uint32_t store;  // the pager's own store number
    uint32_t offset; // page number within the store
};

// What a pager sends with pager_reply. Every field is checked against the
// request `id` names.
struct PagerReply {
    uint32_t id;
    uint32_t kind;   // the request's kind (page-in or page-out)
    uint32_t store;  // the request's store
    uint32_t offset; // the request's offset
    uint32_t size;   // 4096
    uint32_t count;  // 1
    uint32_t data;   // page-in: user address of the page's data (page aligned); page-out: 0
};
