// pic.h: the two 8259A interrupt controllers, remapped so that IRQ 0..15
// arrive as vectors 32..47 instead of colliding with the exceptions.
#pragma once

namespace pic {
void init();                      // remap; every line masked
void unmask(unsigned irq);        // let one IRQ line through
void end_of_interrupt(unsigned irq);
}
