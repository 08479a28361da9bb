// page_fault.h: a page fault, decoded once from CR2 and the error code
// before any policy looks at it.
//
// The error code pushed by the processor for #PF (Intel SDM vol. 3A, 4.7,
// Figure 4-12):
//
//   31                              5   4   3   2   1   0
//  +--------------------------------+---+---+---+---+---+
//  |            reserved            |I/D|RSV|U/S|W/R| P |
//  +--------------------------------+---+---+---+---+---+
//   P   0: the page was not present       1: a protection violation
//   W/R 0: a read                         1: a write
//   U/S 0: in kernel mode (CPL 0)         1: in user mode (CPL 3)
//   RSV 1: a reserved bit was set in a paging structure
//   I/D 1: an instruction fetch (only with NX, never on this CPU setup)
#pragma once

#include <stdint.h>

class PageFault {
public:
    // Error-code bits, for faults the kernel makes up (user_memory).
    static constexpr uint32_t kProtection = 1 << 0;
    static constexpr uint32_t kWrite = 1 << 1;
    static constexpr uint32_t kUser = 1 << 2;

    constexpr PageFault(uint32_t address, uint32_t error_code, uint32_t eip)
        : m_address(address), m_error_code(error_code), m_eip(eip) { }

    constexpr uint32_t address() const { return m_address; }
    constexpr uint32_t error_code() const { return m_error_code; }
    constexpr uint32_t eip() const { return m_eip; }

    constexpr bool is_not_present() const { return !(m_error_code & 1); }
    constexpr bool is_protection_violation() const { return m_error_code & 1; }
    constexpr bool is_write() const { return m_error_code & 2; }
    constexpr bool is_read() const { return !is_write(); }
    constexpr bool is_user() const { return m_error_code & 4; }
    constexpr bool is_kernel() const { return !is_user(); }
    constexpr bool is_reserved_bit() const { return m_error_code & 8; }

    // "not-present write in user mode"-style summary for reports.
    const char* cause() const
    {
        if (is_reserved_bit())
            return "reserved bit set in a paging entry";
        if (is_not_present())
            return is_write() ? "write to a not-present page" : "read of a not-present page";
        return is_write() ? "write to a read-only page" : "protection violation on read";
    }
    const char* mode() const { return is_user() ? "user" : "kernel"; }

private:
    uint32_t m_address;
    uint32_t m_error_code;
    uint32_t m_eip;
};
