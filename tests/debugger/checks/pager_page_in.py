"""pager-page-in (lab 6): one page-in through a user-space pager, watched
from the debugger.

Boots `test=lab6_pager` with pager-ram (mode good) and pager-client reading
one page of the pager's file. The check
  1. breaks when the page-in request is made (pager::start_page_in): its
     arguments name the store and the vpage; at its return, eax is the id;
  2. reads the request table (pager::g_table) from guest memory: the slot
     the id names holds exactly that id, kind page-in, that store, the
     vpage and its offset, not yet received;
  3. breaks when the pager's reply reaches lab 6 (pager::accept_page_in):
     the reply carries the id; the request is marked received; the vpage
     is still not resident and a thread waits on it (VPage::waiters);
  4. lets the reply be accepted (to accept_page_in's return: eax is
     Verdict::Accepted) and checks that the vpage is resident on the frame
     the reply was copied to: the frame's descriptor names the vpage, the
     frame holds the pager's data word for word, no thread waits any more,
     and the request slot is free again;
  5. reads the protocol trace (pager::g_trace, pager::g_trace_count) from
     guest memory: the request's issue and receipt are there, in that order.
     (Its reply is recorded by the transport after accept_page_in returns.)

Request (os/vm/pager.h), 24 bytes: id, offset, deadline, vpage, frame,
then store (8 bits) | kind (8) | received (8).
TraceEntry (os/vm/pager_store.h), 16 bytes: id, offset, then store (8) |
kind (8) | event (8) | verdict (8), then repeats; a ring of 512.
"""
from checks import kstate

KERNEL_TEST = "lab6_pager"      # the manifest adds the pager and client words
REQUEST_BYTES = 24
SLOTS = 64
PAGE_IN = 1                     # pager::Kind::PageIn
ACCEPTED = 0                    # pager::Verdict::Accepted
COMPARED_WORDS = 64
TRACE_ENTRIES = 512
ISSUE, RECEIVE = 1, 2           # pager::Event


def request(dbg, table, slot):
    """Slot `slot` of the request table at `table`, as a dict."""
    w = dbg.read_virt(table + REQUEST_BYTES * slot, 6)
    return {"id": w[0], "offset": w[1], "deadline": w[2], "vpage": w[3], "frame": w[4],
            "store": w[5] & 0xFF, "kind": (w[5] >> 8) & 0xFF, "received": (w[5] >> 16) & 0xFF}


def check(dbg):
    """Break at the request, read the table and the vpage, let the pager answer, check."""
    table = dbg.symbol_address("pager::g_table")

    # 1. The request is made.
    dbg.run_to("pager::start_page_in")
    esp = dbg.regs()["esp"]
    _table_arg, store, handle, _deadline = dbg.read_virt(esp + 4, 4)
    store &= 0xFF
    dbg.expect(store >= 16, f"start_page_in for store {store}: pager stores are 16 and up")
    vp = kstate.vpage(dbg, handle)
    dbg.expect(vp.frame == 0 and vp.store == store,
               f"vpage {handle}: frame 0x{vp.frame:08x}, store {vp.store}; expected not resident, store {store}")
    request_id = dbg.run_to_return()["eax"]
    dbg.expect(request_id != 0, "start_page_in returned no id (0)")

    # 2. The table holds it.
    slot = request_id & (SLOTS - 1)
    r = request(dbg, table, slot)
    dbg.expect(r["id"] == request_id and r["kind"] == PAGE_IN and r["store"] == store and r["vpage"] == handle
               and r["offset"] == vp.store_offset and not r["received"],
               f"slot {slot} holds {r}; expected id {request_id:#010x}, a page-in of store {store} for vpage "
               f"{handle} at offset {vp.store_offset}, not yet received")

    # 3. The pager's reply reaches lab 6.
    dbg.clear_breakpoints()
    dbg.run_to("pager::accept_page_in")
    esp = dbg.regs()["esp"]
    _table_arg, reply_at, _from, data_at = dbg.read_virt(esp + 4, 4)
    reply = dbg.read_virt(reply_at, 6)
    dbg.expect(reply[0] == request_id, f"the reply names id {reply[0]:#010x}, the request was {request_id:#010x}")
    r = request(dbg, table, slot)
    dbg.expect(r["id"] == request_id and r["received"], f"slot {slot} before the reply is accepted: {r}")
    vp = kstate.vpage(dbg, handle)
    dbg.expect(vp.frame == 0 and vp.waiters != 0,
               f"vpage {handle} while the pager answers: frame 0x{vp.frame:08x}, waiters {vp.waiters:#x}; "
               f"expected not resident with a waiting thread")
    data = dbg.read_virt(data_at, COMPARED_WORDS)

    # 4. Accepted: the vpage is resident on the frame the data went to.
    regs = dbg.run_to_return()
    dbg.expect(regs["eax"] & 0xFF == ACCEPTED, f"accept_page_in returned verdict {regs['eax'] & 0xFF}, not Accepted")
    vp = kstate.vpage(dbg, handle)
    dbg.expect(vp.frame != 0, f"vpage {handle} is not resident after the reply was accepted")
    fa = kstate.frame_array(dbg)
    owner, _map_count = kstate.descriptor(dbg, fa, vp.frame)
    dbg.expect(owner == handle, f"frame 0x{vp.frame:08x}'s descriptor names vpage {owner}, not {handle}")
    copied = dbg.read_phys(vp.frame, COMPARED_WORDS)
    dbg.expect(copied == data, f"frame 0x{vp.frame:08x} does not hold the pager's data "
               f"(first words {copied[:4]} vs {data[:4]})")
    dbg.expect(vp.waiters == 0, f"vpage {handle} still has waiters {vp.waiters:#x} after page_arrived")
    r = request(dbg, table, slot)
    dbg.expect(r["id"] == 0, f"slot {slot} is not free after the reply: {r}")

    # 5. The trace has the request's issue, then its receipt.
    count = dbg.read_symbol("pager::g_trace_count", 1)[0]
    ring = dbg.symbol_address("pager::g_trace")
    events = []
    for n in range(max(0, count - 16), count):
        w = dbg.read_virt(ring + 16 * (n % TRACE_ENTRIES), 3)
        if w[0] == request_id:
            events.append(((w[2] >> 16) & 0xFF, (w[2] >> 8) & 0xFF, w[2] & 0xFF, w[1]))
    dbg.expect([e[0] for e in events][:2] == [ISSUE, RECEIVE]
               and all(kind == PAGE_IN and st == store and off == vp.store_offset for _, kind, st, off in events),
               f"the trace for id {request_id:#010x}: {events}; expected issue, then receive, of this page-in")
