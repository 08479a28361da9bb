#include "expected.h"

#include "lib/format.h"

#include <stdarg.h>

void Expected::add(char* buffer, uint32_t& length, const char* fmt, ...)
{
    if (length >= kMax - 1)
        return;
    if (length > 0)
        length += format_to(buffer + length, kMax - length, ", ");
    if (length >= kMax - 1)
        return;
    va_list args;
    va_start(args, fmt);
    length += vformat_to(buffer + length, kMax - length, fmt, args);
    va_end(args);
    if (length > kMax - 1)
        length = kMax - 1;
}

void Expected::equal(const char* what, int32_t actual, int32_t expected)
{
    if (actual != expected)
        add(m_differ, m_differ_length, "%s %d (expected %d)", what, actual, expected);
    else
        add(m_same, m_same_length, "%s %d", what, actual);
}

void Expected::holds(const char* what, bool fact)
{
    if (!fact)
        add(m_differ, m_differ_length, "not %s", what);
    else
        add(m_same, m_same_length, "%s", what);
}

const char* Expected::reason()
{
    if (m_differ_length == 0)
        format_to(m_reason, sizeof m_reason, "as expected: %s", m_same);
    else if (m_same_length == 0)
        format_to(m_reason, sizeof m_reason, "%s", m_differ);
    else
        format_to(m_reason, sizeof m_reason, "%s; as expected: %s", m_differ, m_same);
    return m_reason;
}
