// The paravirtual block interface: the shared ring a split driver's
// frontend (in the guest) and backend (in the VMM) exchange requests
// through. Names and rules are Xen's (xen/include/public/io/ring.h and
// io/blkif.h): one page holding a header of producer/consumer indices and a
// ring of slots; the frontend produces requests (req_prod) and consumes
// responses (rsp_cons, private); the backend consumes requests (req_cons,
// private) and produces responses (rsp_prod) into the same slots. Indices
// only grow; a slot is index & (size - 1).
//
// Notifications are what batching saves: the frontend publishes a whole
// batch of requests with one store to req_prod and notifies only if the
// backend asked to hear about the index range just published (req_event —
// RING_PUSH_REQUESTS_AND_CHECK_NOTIFY); the backend, after draining the
// ring, sets req_event = req_cons + 1 ("wake me for the next one").
//
// Simplifications: a request names its buffer by guest-physical address
// (Xen passes grant references; virtio passes guest-physical addresses as
// here) and covers one contiguous buffer; the frontend polls for responses
// instead of taking an event. guests/include/io.inc has the same layout.

export const ringHeader = {
	reqProd: 0,
	reqEvent: 4,
	rspProd: 8,
	rspEvent: 12,
	/** Slots start here. */
	slots: 64,
} as const;

export const slotBytes = 32;
/** The most slots a one-page ring holds: a power of two, as __RING_SIZE computes. */
export const maxRingSize = 64;

/** Request fields (offsets in a slot). */
export const request = {
	operation: 0,
	sectors: 4,
	id: 8,
	sector: 12,
	/** Guest-physical address of the buffer. */
	buffer: 16,
} as const;

/** Response fields (the same slot, overwritten by the backend). */
export const response = {
	id: 0,
	operation: 4,
	status: 8,
} as const;

export const BLKIF_OP_READ = 0;
export const BLKIF_OP_WRITE = 1;
export const BLKIF_RSP_OKAY = 0;
export const BLKIF_RSP_ERROR = -1;

/** The notification doorbell for hardware-virtualized guests: virtio-pci's legacy QUEUE_NOTIFY register (I/O BAR at 0xC000, offset 16). */
export const notifyPort = 0xc010;
/** Xen's event_channel_op hypercall and its send command (xen/include/public/xen.h, event_channel.h). */
export const eventChannelOp = 32;
export const EVTCHNOP_send = 4;
/** The event channel the backend listens on (any small number; Xen's toolstack allocates one). */
export const blkEventChannel = 3;
