// program.h: what every user program includes.
//
// A program defines `int main(const char* args)`; crt0.S calls it with the
// argument string the kernel passed and exits with its return value. (main is
// an ordinary function in a freestanding program, so it is given C linkage
// for crt0.S to find it by that name.)
#pragma once

#include "args.h"
#include "lib/format.h"
#include "lib/string.h"
#include "stdio.h"
#include "syscall.h"
#include "verdict.h"

extern "C" int main(const char* args);
