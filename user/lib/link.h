// link.h: a parent and the child it forked, taking turns (lab 4's tests).
//
// After fork() the two processes share no memory they can talk through (that
// is the point of copy-on-write), so a Link talks through two IPC ports, one
// owned by each side. Every message is a rendezvous: ipc_send blocks until
// the other side has received it. "tell, then hear" therefore hands the turn
// over in a fixed order, whatever the scheduler does:
//
//   Link link;
//   link.open();                 // parent, before fork: its own port
//   int pid = sys::fork();
//   if (pid == 0) {
//       link.join();             // child: makes its port, tells the parent its number
//       link.hear(&m);           // ... waits for its turn
//   } else {
//       link.accept();           // parent: learns the child's port
//       link.tell(kGo);          // returns once the child has the message
//   }
#pragma once

#include "syscall.h"

#include <stdint.h>

class Link {
public:
    // Parent, before fork: make the parent's port. False if there is none.
    bool open();
    // Child, after fork: make the child's port and send its number to the
    // parent. Blocks until the parent accepts.
    bool join();
    // Parent, after fork: receive the child's port number.
    bool accept();

    // Send up to four words to the other side; returns once it has them.
    // 0, or the negative ipc_send error.
    int tell(uint32_t w0, uint32_t w1 = 0, uint32_t w2 = 0, uint32_t w3 = 0);
    // Block until the other side tells something. 0, or the ipc_recv error.
    int hear(Message* message);

private:
    int m_mine { 0 };   // the port this process receives on
    int m_theirs { 0 }; // the other side's port
};
