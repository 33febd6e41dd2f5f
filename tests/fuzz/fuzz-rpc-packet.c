/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: libvirt RPC packets (libvirt/rpc-packet.c) and the rpcgen
 * codecs of libvirt/coco-remote-protocol.x.  The input is a byte stream
 * fed to the frame reader in chunks (size from the last byte); every
 * packet it yields is parsed and its payload decoded as the args of its
 * procedure.  Independently the whole input is decoded as every args
 * struct (and the union-carrying replies and remote_error), and what
 * decodes is encoded again.  Nothing may crash, leak or read out of
 * bounds; anything refused must come with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/error.h"
#include "libvirt/rpc-packet.h"

struct codec {
	int proc;		/* remote procedure whose args these are; 0: not args */
	xdrproc_t xdr;
	size_t size;
};

#define ARGS(p, t) { REMOTE_PROC_##p, COCO_XDRPROC(xdr_##t), sizeof(t) }
#define OTHER(t) { 0, COCO_XDRPROC(xdr_##t), sizeof(t) }

static const struct codec codecs[] = {
	ARGS(CONNECT_OPEN, remote_connect_open_args),
	ARGS(CONNECT_SUPPORTS_FEATURE, remote_connect_supports_feature_args),
	ARGS(CONNECT_GET_DOMAIN_CAPABILITIES, remote_connect_get_domain_capabilities_args),
	ARGS(NODE_GET_SEV_INFO, remote_node_get_sev_info_args),
	ARGS(CONNECT_LIST_ALL_DOMAINS, remote_connect_list_all_domains_args),
	ARGS(CONNECT_LIST_DOMAINS, remote_connect_list_domains_args),
	ARGS(CONNECT_LIST_DEFINED_DOMAINS, remote_connect_list_defined_domains_args),
	ARGS(DOMAIN_LOOKUP_BY_ID, remote_domain_lookup_by_id_args),
	ARGS(DOMAIN_LOOKUP_BY_NAME, remote_domain_lookup_by_name_args),
	ARGS(DOMAIN_LOOKUP_BY_UUID, remote_domain_lookup_by_uuid_args),
	ARGS(DOMAIN_DEFINE_XML, remote_domain_define_xml_args),
	ARGS(DOMAIN_DEFINE_XML_FLAGS, remote_domain_define_xml_flags_args),
	ARGS(DOMAIN_UNDEFINE, remote_domain_undefine_args),
	ARGS(DOMAIN_UNDEFINE_FLAGS, remote_domain_undefine_flags_args),
	ARGS(DOMAIN_CREATE, remote_domain_create_args),
	ARGS(DOMAIN_CREATE_WITH_FLAGS, remote_domain_create_with_flags_args),
	ARGS(DOMAIN_DESTROY, remote_domain_destroy_args),
	ARGS(DOMAIN_DESTROY_FLAGS, remote_domain_destroy_flags_args),
	ARGS(DOMAIN_SHUTDOWN, remote_domain_shutdown_args),
	ARGS(DOMAIN_SHUTDOWN_FLAGS, remote_domain_shutdown_flags_args),
	ARGS(DOMAIN_GET_INFO, remote_domain_get_info_args),
	ARGS(DOMAIN_GET_STATE, remote_domain_get_state_args),
	ARGS(DOMAIN_GET_XML_DESC, remote_domain_get_xml_desc_args),
	ARGS(DOMAIN_GET_OS_TYPE, remote_domain_get_os_type_args),
	ARGS(DOMAIN_IS_ACTIVE, remote_domain_is_active_args),
	ARGS(DOMAIN_IS_PERSISTENT, remote_domain_is_persistent_args),
	ARGS(DOMAIN_GET_AUTOSTART, remote_domain_get_autostart_args),
	ARGS(DOMAIN_SET_AUTOSTART, remote_domain_set_autostart_args),
	ARGS(DOMAIN_GET_LAUNCH_SECURITY_INFO, remote_domain_get_launch_security_info_args),
	ARGS(DOMAIN_HAS_MANAGED_SAVE_IMAGE, remote_domain_has_managed_save_image_args),
	ARGS(DOMAIN_SNAPSHOT_NUM, remote_domain_snapshot_num_args),
	ARGS(DOMAIN_GET_SECURITY_LABEL, remote_domain_get_security_label_args),
	ARGS(DOMAIN_GET_MESSAGES, remote_domain_get_messages_args),
	OTHER(remote_error),
	OTHER(remote_auth_list_ret),
	OTHER(remote_node_get_info_ret),
	OTHER(remote_node_get_security_model_ret),
	OTHER(remote_node_get_sev_info_ret),
	OTHER(remote_domain_get_launch_security_info_ret),
	OTHER(remote_connect_list_all_domains_ret),
	OTHER(remote_domain_get_info_ret),
};

#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

/* Large enough for any struct above (checked in decode_as). */
union any_value {
	remote_error err;
	remote_connect_get_domain_capabilities_args caps;
	remote_node_get_info_ret info;
	remote_domain_get_info_ret dinfo;
	uint8_t bytes[512];
};

static void decode_as(const struct codec *c, int proc, const uint8_t *data, size_t len)
{
	virNetMessageHeader hdr = { .prog = REMOTE_PROGRAM, .vers = 1, .proc = proc,
				    .type = VIR_NET_CALL };
	union any_value v;
	uint8_t *out = NULL;
	size_t out_len;

	if (c->size > sizeof(v))
		abort();	/* the union above must grow with the table */
	if (coco_rpc_payload_decode(data, len, c->xdr, "fuzz", &v, c->size) == 0) {
		if (coco_rpc_packet_encode(&hdr, c->xdr, &v, &out, &out_len) == 0) {
			/*
			 * What decoded from len bytes re-encodes to at most len bytes
			 * (fewer when a string carried a NUL: C strings end there).
			 */
			if (out_len > COCO_RPC_MIN_PACKET + len)
				abort();
			free(out);
		}
		coco_rpc_payload_free(c->xdr, &v);
	} else if (!coco_last_error()) {
		abort();	/* refused without a message */
	}
}

static void handle_packet(const uint8_t *pkt, size_t len)
{
	virNetMessageHeader hdr;
	const uint8_t *payload;
	size_t payload_len;
	uint8_t *reply = NULL;
	size_t reply_len;

	if (coco_rpc_packet_parse(pkt, len, &hdr, &payload, &payload_len))
		return;
	if (hdr.prog != REMOTE_PROGRAM || hdr.type != VIR_NET_CALL)
		return;
	for (size_t i = 0; i < NCODECS; i++) {
		if (codecs[i].proc == hdr.proc) {
			decode_as(&codecs[i], hdr.proc, payload, payload_len);
			return;
		}
	}
	if (coco_rpc_encode_unknown_procedure(&hdr, &reply, &reply_len) == 0)
		free(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coco_rpc_reader r;
	size_t chunk = size ? 1 + data[size - 1] % 64 : 1;
	size_t pos = 0;

	coco_rpc_reader_init(&r);
	while (pos < size) {
		size_t end = pos + chunk < size ? pos + chunk : size;
		const uint8_t *pkt;
		size_t pkt_len;
		long used = coco_rpc_reader_feed(&r, data + pos, end - pos, &pkt, &pkt_len);

		if (used < 0)
			break;
		if (used == 0)
			abort();	/* a reader that takes nothing would spin its caller */
		pos += (size_t)used;
		if (pkt)
			handle_packet(pkt, pkt_len);
	}
	coco_rpc_reader_finish(&r);
	coco_rpc_reader_release(&r);

	for (size_t i = 0; i < NCODECS; i++)
		decode_as(&codecs[i], codecs[i].proc, data, size);
	coco_clear_error();
	return 0;
}
