#include "link.h"

bool Link::open()
{
    m_mine = sys::port_create();
    m_theirs = 0;
    return m_mine > 0;
}

bool Link::join()
{
    m_theirs = m_mine; // the parent's port, inherited with the parent's memory
    m_mine = sys::port_create();
    if (m_mine <= 0)
        return false;
    Message hello {};
    hello.words[0] = uint32_t(m_mine);
    return sys::ipc_send(m_theirs, &hello) == 0;
}

bool Link::accept()
{
    Message hello {};
    if (sys::ipc_recv(m_mine, &hello) != 0)
        return false;
    m_theirs = int(hello.words[0]);
    return m_theirs > 0;
}

int Link::tell(uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3)
{
    Message m {};
    m.words[0] = w0;
    m.words[1] = w1;
    m.words[2] = w2;
    m.words[3] = w3;
    return sys::ipc_send(m_theirs, &m);
}

int Link::hear(Message* message) { return sys::ipc_recv(m_mine, message); }
