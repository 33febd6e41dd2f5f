/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libvirt RPC packets (rpc-packet.h): the length word, the 24-byte header,
 * XDR payloads through rpcgen's routines, libvirtd-style error replies and
 * a streaming frame reader.  Limits are libvirt's (coco-remote-protocol.x).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "libvirt/rpc-packet.h"

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int check_length_word(const char *op, uint32_t word)
{
	if (word < COCO_RPC_MIN_PACKET)
		return coco_err(-EINVAL, "%s: length word %u is below the %u bytes of the length "
				"word and header; the peer does not speak libvirt's RPC framing",
				op, word, (unsigned int)COCO_RPC_MIN_PACKET);
	if (word > COCO_RPC_MAX_PACKET)
		return coco_err(-E2BIG, "%s: length word %u exceeds libvirt's packet limit of %zu "
				"bytes (VIR_NET_MESSAGE_MAX + 4)", op, word, COCO_RPC_MAX_PACKET);
	return 0;
}

int coco_rpc_packet_parse(const uint8_t *packet, size_t len, virNetMessageHeader *hdr,
			  const uint8_t **payload, size_t *payload_len)
{
	XDR xdrs;
	bool_t ok;
	uint32_t word;
	int rc;

	if (len < COCO_RPC_MIN_PACKET)
		return coco_err(-EINVAL, "rpc packet: %zu bytes, fewer than the %u of the length "
				"word and header", len, (unsigned int)COCO_RPC_MIN_PACKET);
	word = load_be32(packet);
	rc = check_length_word("rpc packet", word);
	if (rc)
		return rc;
	if (word != len)
		return coco_err(-EINVAL, "rpc packet: length word says %u bytes but the packet has "
				"%zu; framing is out of step", word, len);

	memset(hdr, 0, sizeof(*hdr));
	xdrmem_create(&xdrs, (char *)(packet + COCO_RPC_LEN_WORD), COCO_RPC_HEADER_LEN, XDR_DECODE);
	ok = xdr_virNetMessageHeader(&xdrs, hdr);
	xdr_destroy(&xdrs);
	if (!ok)
		return coco_err(-EINVAL, "rpc packet: the 24-byte header does not decode");
	if ((unsigned int)hdr->type > VIR_NET_STREAM_HOLE)
		return coco_err(-EINVAL, "rpc packet: header type %d is not a libvirt message type "
				"(0 CALL .. 6 STREAM_HOLE)", (int)hdr->type);
	if ((unsigned int)hdr->status > VIR_NET_CONTINUE)
		return coco_err(-EINVAL, "rpc packet: header status %d is not a libvirt status "
				"(0 OK, 1 ERROR, 2 CONTINUE)", (int)hdr->status);
	*payload = packet + COCO_RPC_MIN_PACKET;
	*payload_len = len - COCO_RPC_MIN_PACKET;
	return 0;
}

int coco_rpc_packet_encode(const virNetMessageHeader *hdr, xdrproc_t body_proc,
			   const void *body, uint8_t **out, size_t *out_len)
{
	size_t body_len = body_proc ? xdr_sizeof(body_proc, (void *)body) : 0;
	size_t total = COCO_RPC_MIN_PACKET + body_len;
	uint32_t word;
	uint8_t *buf;
	XDR xdrs;
	bool_t ok;

	*out = NULL;
	*out_len = 0;
	if (total > COCO_RPC_MAX_PACKET)
		return coco_err(-E2BIG, "rpc encode: proc %d payload of %zu bytes exceeds libvirt's "
				"packet limit of %zu bytes; send less per reply", hdr->proc, body_len,
				COCO_RPC_MAX_PACKET);
	buf = calloc(1, total);
	if (!buf)
		return coco_err(-ENOMEM, "rpc encode: no memory for a %zu-byte packet", total);
	word = (uint32_t)total;
	xdrmem_create(&xdrs, (char *)buf, (u_int)total, XDR_ENCODE);
	ok = xdr_u_int(&xdrs, &word) && xdr_virNetMessageHeader(&xdrs, (virNetMessageHeader *)hdr);
	if (ok && body_proc)
		ok = body_proc(&xdrs, (void *)body);
	/* The length word must describe exactly what was written. */
	if (ok && xdr_getpos(&xdrs) != total)
		ok = 0;
	xdr_destroy(&xdrs);
	if (!ok) {
		free(buf);
		return coco_err(-EINVAL, "rpc encode: proc %d payload does not encode (a string or "
				"list over its protocol limit, or a union arm outside the protocol)",
				hdr->proc);
	}
	*out = buf;
	*out_len = total;
	return 0;
}

int coco_rpc_payload_decode(const uint8_t *payload, size_t len, xdrproc_t proc,
			    const char *what, void *out, size_t out_size)
{
	XDR xdrs;
	bool_t ok;
	u_int used;

	memset(out, 0, out_size);
	if (len > COCO_RPC_MAX_PACKET - COCO_RPC_MIN_PACKET)
		return coco_err(-E2BIG, "rpc decode %s: %zu-byte payload exceeds libvirt's packet "
				"limit", what, len);
	xdrmem_create(&xdrs, (char *)payload, (u_int)len, XDR_DECODE);
	ok = proc(&xdrs, out);
	used = xdr_getpos(&xdrs);
	xdr_destroy(&xdrs);
	if (!ok) {
		xdr_free(proc, out);
		memset(out, 0, out_size);
		return coco_err(-EINVAL, "rpc decode %s: the %zu-byte payload does not decode "
				"(truncated, a string or list over its protocol limit, or an "
				"unknown union arm)", what, len);
	}
	if (used != len) {
		xdr_free(proc, out);
		memset(out, 0, out_size);
		return coco_err(-EINVAL, "rpc decode %s: %zu trailing bytes after the %u the struct "
				"takes", what, len - used, used);
	}
	return 0;
}

void coco_rpc_payload_free(xdrproc_t proc, void *value)
{
	xdr_free(proc, value);
}

virNetMessageHeader coco_rpc_reply_header(const virNetMessageHeader *call,
					  virNetMessageStatus status)
{
	virNetMessageHeader reply = {
		.prog = call->prog,
		.vers = call->vers,
		.proc = call->proc,
		.type = VIR_NET_REPLY,
		.serial = call->serial,
		.status = status,
	};

	return reply;
}

int coco_rpc_encode_reply(const virNetMessageHeader *call, xdrproc_t ret_proc,
			  const void *ret, uint8_t **out, size_t *out_len)
{
	virNetMessageHeader reply = coco_rpc_reply_header(call, VIR_NET_OK);

	return coco_rpc_packet_encode(&reply, ret_proc, ret, out, out_len);
}

int coco_rpc_encode_error_reply(const virNetMessageHeader *call, int code, int domain,
				const char *prefix, const char *detail, uint8_t **out,
				size_t *out_len)
{
	virNetMessageHeader reply = coco_rpc_reply_header(call, VIR_NET_ERROR);
	char *message = NULL, *str1 = NULL, *str2 = (char *)detail;
	remote_error err = {
		.code = code,
		.domain = domain,
		.level = COCO_VIR_ERR_ERROR,
		.int1 = -1,
		.int2 = -1,
	};
	int rc;

	*out = NULL;
	*out_len = 0;
	if (!detail || !*detail)
		return coco_err(-EINVAL, "rpc error reply: code %d needs a non-empty detail message",
				code);
	if (asprintf(&message, "%s%s", prefix, detail) < 0) {
		message = NULL;
		return coco_err(-ENOMEM, "rpc error reply: no memory for the message");
	}
	if (asprintf(&str1, "%s%%s", prefix) < 0) {
		free(message);
		return coco_err(-ENOMEM, "rpc error reply: no memory for the message");
	}
	err.message = &message;
	err.str1 = &str1;
	err.str2 = &str2;
	rc = coco_rpc_packet_encode(&reply, COCO_XDRPROC(xdr_remote_error), &err, out, out_len);
	free(message);
	free(str1);
	return rc;
}

int coco_rpc_encode_unknown_procedure(const virNetMessageHeader *call, uint8_t **out,
				      size_t *out_len)
{
	char detail[40];

	snprintf(detail, sizeof(detail), "unknown procedure: %d", call->proc);
	return coco_rpc_encode_error_reply(call, COCO_VIR_ERR_RPC, COCO_VIR_FROM_RPC, "", detail,
					   out, out_len);
}

void coco_rpc_reader_init(struct coco_rpc_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void coco_rpc_reader_release(struct coco_rpc_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

static int reader_fail(struct coco_rpc_reader *r, int err)
{
	r->error = err;
	return err;
}

/* Room for @want bytes, growing by doubling so memory follows the data that arrived. */
static int reader_reserve(struct coco_rpc_reader *r, size_t want)
{
	size_t cap = r->cap ? r->cap : 256;
	uint8_t *buf;

	if (want <= r->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (r->need && cap > r->need)
		cap = r->need;
	if (cap < want)
		cap = want;
	buf = realloc(r->buf, cap);
	if (!buf)
		return coco_err(-ENOMEM, "rpc frame reader: no memory for %zu bytes of a packet", cap);
	r->buf = buf;
	r->cap = cap;
	return 0;
}

long coco_rpc_reader_feed(struct coco_rpc_reader *r, const uint8_t *data, size_t len,
			  const uint8_t **packet, size_t *packet_len)
{
	size_t used = 0;
	int rc;

	*packet = NULL;
	*packet_len = 0;
	if (r->error)
		return coco_err(r->error, "rpc frame reader: the stream already failed framing; "
				"close the connection");
	if (r->delivered) {
		r->delivered = 0;
		r->have = 0;
		r->need = 0;
	}
	while (used < len) {
		size_t target = r->need ? r->need : COCO_RPC_LEN_WORD;
		size_t take = target - r->have;

		if (take > len - used)
			take = len - used;
		rc = reader_reserve(r, r->have + take);
		if (rc)
			return reader_fail(r, rc);
		memcpy(r->buf + r->have, data + used, take);
		r->have += take;
		used += take;
		if (!r->need && r->have == COCO_RPC_LEN_WORD) {
			uint32_t word = load_be32(r->buf);

			rc = check_length_word("rpc frame reader", word);
			if (rc)
				return reader_fail(r, rc);
			r->need = word;
		}
		if (r->need && r->have == r->need) {
			r->delivered = 1;
			*packet = r->buf;
			*packet_len = r->have;
			break;
		}
	}
	return (long)used;
}

int coco_rpc_reader_finish(const struct coco_rpc_reader *r)
{
	if (r->error)
		return coco_err(r->error, "rpc frame reader: the stream failed framing");
	if (r->delivered || r->have == 0)
		return 0;
	if (!r->need)
		return coco_err(-EPIPE, "rpc frame reader: stream ended inside a length word "
				"(%zu of 4 bytes)", r->have);
	return coco_err(-EPIPE, "rpc frame reader: stream ended with a truncated packet (%zu of "
			"%zu bytes)", r->have, r->need);
}
