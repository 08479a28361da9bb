// ipc.h: synchronous message passing between processes, by port.
//
// A port belongs to the process that created it; only that process
// receives on it. A message is a few words (abi.h Message) and optionally
// one page, which the receiver gets mapped (the same vpage: shared).
//
// A call, step by step:
//   1. The caller's message is copied into its thread's kernel buffer; the
//      thread queues on the port and blocks.
//   2. The owner's ipc_recv takes the first queued thread, copies the
//      message out (mapping the page, if any) and remembers the caller.
//   3. The owner's ipc_reply copies the reply into the caller's buffer and
//      wakes it; the caller copies it back to user memory.
// A send is a call whose sender is released at step 2, with no reply.
// A receiver may take several calls before it answers; ipc_reply answers
// the most recent one still open.
//
// Every wait ends when its counterpart goes (kErrClosed):
//   - a port is closed (port_close, or its owner exits): every sender and
//     caller still queued on it;
//   - a receiver exits: every caller it received and did not answer.
// A call to a port that no longer exists is kErrNotFound at once.
//
// Pages (abi.h, "IPC and sharing"): the sender's page is mapped at a free
// address of the receiver (user_space::place_page), the same vpage, so the
// two share it; a reply may carry a page back the same way. A receiver with
// no room fails its receive with kErrNoMemory, and the sender's call fails
// with the same code: a page is never dropped while someone reports success.
//
// Kernel threads can call a user port too (ipc::call with a kernel
// Message): the way the kernel will talk to a user-space pager in lab 6.
#pragma once

#include "proc/abi.h"

#include <stdint.h>

struct Process;

namespace ipc {

constexpr uint32_t kMaxPorts = 64;

// A new port owned by `owner`: its number (> 0), kErrLimit if the owner has
// kMaxPortsPerProcess already, or kErrNoMemory if all kMaxPorts are taken.
int32_t port_create(Process* owner);

// Close port `number` of `owner`: queued senders and callers get
// kErrClosed; the number is free for port_create. Calls already received
// from it can still be answered. kErrNotFound if `owner` does not own it.
int32_t port_close(uint32_t number, Process* owner);

// Blocking operations on kernel copies of messages. Return 0 or a kErr*.
int32_t call(uint32_t port, Message& message); // message is replaced by the reply
int32_t send(uint32_t port, const Message& message);
int32_t receive(uint32_t port, Message& message); // the current process must own the port
int32_t reply(const Message& message);

// The first port `owner` created, or 0.
uint32_t port_owned_by(const Process* owner);

// A process is exiting: close its ports, and end every call it received and
// did not answer (kErrClosed).
void release_ports(Process* owner);

} // namespace ipc
