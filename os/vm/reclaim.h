// reclaim.h: when the clock collector (lab 5, vm/collector.h) runs.
//
//   low memory   before each fault is resolved: if free frames (plus those
//                on their way back from a write) are below kLowWater, collect
//                one quota's worth (towards kHighWater), the faulting process
//                first moved to the top (it is on the CPU);
//   no frame     a fault that found no frame (OutOfMemory, or a store with
//                no frame for a page-in) collects, and if writes are still
//                in flight sleeps until one ends, then tries again; only
//                when nothing can be had does the process die, "out of memory";
//   idle         the idle thread collects a little (one batch, at most once a
//                timer tick) while free frames are below background_water():
//                it only runs when no process is ready, so it never takes a
//                runnable process's time.
//
// The collector is on only with a swap store (a second disk): without one,
// the kernel behaves as in labs 1-4 (a fault with no frame kills).
//
// Kernel command line: quota=N (frames per process per turn, default
// kDefaultQuota), swap_slots=N (use at most N slots of the disk: a small
// swap), idle_collect=0 (no background collection).
#pragma once

#include <stdint.h>

namespace vm {

constexpr uint32_t kLowWater = 32;   // frames
constexpr uint32_t kHighWater = 64;
constexpr uint32_t kBackgroundBatch = 16;
// After a collection that took nothing, the idle thread waits this many
// ticks, and make_room this many faults, before trying again.
constexpr uint32_t kFruitlessPause = 16;

// Set up the swap store (a second disk) and the triggers. Called by vm::init.
void init_collector();
bool collector_on();
uint32_t quota(); // the command line's quota=N, or kDefaultQuota

// Before a fault: collect if memory is low. May start writes; never blocks.
void make_room();
// A fault found no frame: collect, wait for a write to end if one is in
// flight. True if it is worth trying again. May block.
bool wait_for_frames();
// Frames below which the idle thread collects.
uint32_t background_water();

} // namespace vm
