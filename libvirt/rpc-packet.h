/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libvirt RPC packets: framing, header, XDR payloads and error replies
 * (docs/libvirt-rpc.md).  A packet on the wire is
 *
 *   u32 length (big-endian, counts itself) | 24-byte header | payload
 *
 * The header and payload structs are rpcgen's, from coco-remote-protocol.x.
 * Nothing here touches a socket: bytes in, packets out.
 */
#ifndef COCO_LIBVIRT_RPC_PACKET_H
#define COCO_LIBVIRT_RPC_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "coco_remote_protocol.h"

/* rpcgen's routines as the xdrproc_t libtirpc takes (a cast through void (*)(void)). */
#define COCO_XDRPROC(fn) ((xdrproc_t)(void (*)(void))(fn))

/* The length word and the header: the smallest packet there is (void payload). */
#define COCO_RPC_LEN_WORD VIR_NET_MESSAGE_LEN_MAX
#define COCO_RPC_HEADER_LEN VIR_NET_MESSAGE_HEADER_MAX
#define COCO_RPC_MIN_PACKET (COCO_RPC_LEN_WORD + COCO_RPC_HEADER_LEN)
/* libvirt refuses a packet whose length word, less its own 4 bytes, exceeds this. */
#define COCO_RPC_MAX_PACKET ((size_t)VIR_NET_MESSAGE_MAX + COCO_RPC_LEN_WORD)

/* virErrorLevel and the virErrorNumber / virErrorDomain values we send. */
#define COCO_VIR_ERR_ERROR 2
#define COCO_VIR_ERR_INTERNAL_ERROR 1
#define COCO_VIR_ERR_NO_SUPPORT 3
#define COCO_VIR_ERR_INVALID_ARG 8
#define COCO_VIR_ERR_OPERATION_FAILED 9
#define COCO_VIR_ERR_RPC 39
#define COCO_VIR_ERR_NO_DOMAIN 42
#define COCO_VIR_ERR_OPERATION_INVALID 55
#define COCO_VIR_FROM_RPC 7
#define COCO_VIR_FROM_REMOTE 13
#define COCO_VIR_FROM_DOMAIN 20

/*
 * Parse one complete packet (@len bytes, length word included): the length
 * word must equal @len, the header must decode with a known type and
 * status.  *payload points into @packet.  0 or -EINVAL/-E2BIG with a
 * message naming the defect.
 */
int coco_rpc_packet_parse(const uint8_t *packet, size_t len, virNetMessageHeader *hdr,
			  const uint8_t **payload, size_t *payload_len);

/*
 * Encode a packet: length word, @hdr, then @body through @body_proc
 * (NULL body_proc: empty payload).  *out is malloc'ed (free()).  -E2BIG
 * when the packet would exceed COCO_RPC_MAX_PACKET, -EINVAL when the body
 * does not encode (a string or array over its protocol limit).
 */
int coco_rpc_packet_encode(const virNetMessageHeader *hdr, xdrproc_t body_proc,
			   const void *body, uint8_t **out, size_t *out_len);

/*
 * Decode a payload into *@out (@out_size bytes, zeroed first) with @proc;
 * @what names the struct in error messages.
 * Every byte must be consumed: trailing bytes are refused.  On failure
 * whatever was allocated is freed and *@out is zeroed again.  Release a
 * decoded value with coco_rpc_payload_free().
 */
int coco_rpc_payload_decode(const uint8_t *payload, size_t len, xdrproc_t proc,
			    const char *what, void *out, size_t out_size);
void coco_rpc_payload_free(xdrproc_t proc, void *value);

/* The REPLY header answering @call: prog, vers, proc and serial echoed. */
virNetMessageHeader coco_rpc_reply_header(const virNetMessageHeader *call,
					  virNetMessageStatus status);

/* A successful REPLY to @call carrying @ret (NULL ret_proc: void ret). */
int coco_rpc_encode_reply(const virNetMessageHeader *call, xdrproc_t ret_proc,
			  const void *ret, uint8_t **out, size_t *out_len);

/*
 * A REPLY with status ERROR to @call, its remote_error as libvirtd's
 * virReportError fills it: message = @prefix + @detail, level ERROR,
 * str1 = @prefix + "%s" (libvirt's message template for @code),
 * str2 = @detail, str3/dom/net absent, int1 = int2 = -1.
 * @prefix is libvirt's text for @code ("" for VIR_ERR_RPC, "Domain not
 * found: " for VIR_ERR_NO_DOMAIN, ...); @detail must be non-empty.
 */
int coco_rpc_encode_error_reply(const virNetMessageHeader *call, int code, int domain,
				const char *prefix, const char *detail, uint8_t **out,
				size_t *out_len);

/*
 * The answer libvirtd gives a procedure it does not know: VIR_ERR_RPC from
 * VIR_FROM_RPC, "unknown procedure: N".  The client turns exactly this into
 * VIR_ERR_NO_SUPPORT, which virsh's fallbacks rely on.
 */
int coco_rpc_encode_unknown_procedure(const virNetMessageHeader *call, uint8_t **out,
				      size_t *out_len);

/*
 * Streaming frame reader: feed bytes in any chunking, get whole packets.
 * The buffer grows with the bytes that arrive (a length word alone never
 * reserves 32 MiB).  After an error the stream cannot be resynchronised:
 * every later feed repeats the error.
 */
struct coco_rpc_reader {
	uint8_t *buf;
	size_t cap;
	size_t have;		/* bytes of the current packet buffered */
	size_t need;		/* its length once the length word is in, else 0 */
	int error;		/* sticky negative errno after a framing error */
	int delivered;		/* buf holds a packet handed out by the last feed */
};

void coco_rpc_reader_init(struct coco_rpc_reader *r);
void coco_rpc_reader_release(struct coco_rpc_reader *r);

/*
 * Take bytes from @data until one packet is complete or @len runs out.
 * Returns how many bytes were consumed (the caller feeds the rest again),
 * or a negative errno: -EINVAL for a length word below
 * COCO_RPC_MIN_PACKET, -E2BIG above COCO_RPC_MAX_PACKET, -ENOMEM.  When a
 * packet completes, *packet / *packet_len describe it (length word
 * included) until the next call; otherwise *packet is NULL.
 */
long coco_rpc_reader_feed(struct coco_rpc_reader *r, const uint8_t *data, size_t len,
			  const uint8_t **packet, size_t *packet_len);

/* At end of stream: 0 when no partial packet is buffered, -EPIPE (truncated) otherwise. */
int coco_rpc_reader_finish(const struct coco_rpc_reader *r);

#endif
