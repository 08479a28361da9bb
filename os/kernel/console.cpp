#include "kernel/console.h"

#include "arch/x86/serial.h"
#include "lib/format.h"

namespace {
struct Chunk {
    char bytes[kConsoleChunk];
    size_t used { 0 };
};

void put_chunk(void* context, char c)
{
    auto* chunk = static_cast<Chunk*>(context);
    if (chunk->used == sizeof chunk->bytes) {
        serial::write(chunk->bytes, chunk->used);
        chunk->used = 0;
    }
    chunk->bytes[chunk->used++] = c;
}
}

int kvprintf(const char* fmt, va_list args)
{
    Chunk chunk;
    int n = vformat(FormatSink { put_chunk, &chunk }, fmt, args);
    serial::write(chunk.bytes, chunk.used);
    return n;
}

int kprintf(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = kvprintf(fmt, args);
    va_end(args);
    return n;
}

void console_write(const char* bytes, size_t n)
{
    for (size_t done = 0; done < n; done += kConsoleChunk)
        serial::write(bytes + done, n - done < kConsoleChunk ? n - done : kConsoleChunk);
}

void console_write_line(const char* line, size_t n) { serial::write(line, n, true); }
