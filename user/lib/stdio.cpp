#include "stdio.h"

#include "syscall.h"

namespace {

// Text waiting for the write system call; flushed when full and at the end
// of each printf.
struct WriteBuffer {
    char data[kPrintfBuffer];
    size_t used { 0 };

    void flush()
    {
        if (used > 0)
            sys::write(data, used);
        used = 0;
    }
};

void put_char(void* context, char c)
{
    auto* buffer = static_cast<WriteBuffer*>(context);
    if (buffer->used == sizeof buffer->data)
        buffer->flush();
    buffer->data[buffer->used++] = c;
}

} // namespace

int vprintf(const char* fmt, va_list args)
{
    WriteBuffer buffer;
    int count = vformat(FormatSink { put_char, &buffer }, fmt, args);
    buffer.flush();
    return count;
}

int printf(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int count = vprintf(fmt, args);
    va_end(args);
    return count;
}
