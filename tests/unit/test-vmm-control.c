/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the parts of coco-vmm that do not run guests - the control
 * protocol (tools/coco-vmm/control.c) against a fake VM service, the
 * control socket (server.c: mode, stale and live sockets, one request per
 * connection, slow and flooding clients), the command line (options.c)
 * and the pid file (daemon.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/common/test-main.h"
#include "tools/coco-vmm/control.h"
#include "tools/coco-vmm/daemon.h"
#include "tools/coco-vmm/options.h"
#include "tools/coco-vmm/server.h"

/* ------------------------------------------------------------------ */
/* A fake VM behind the protocol                                        */

struct fake_vm {
	enum vmm_state state;
	bool ended;
	uint32_t exit_status;
	const char *outcome;
	const char *reason;
	int starts, stops;
	const uint8_t *evidence;
	size_t evidence_len;
	const char *evidence_refusal;	/* non-NULL: evidence() fails with it */
};

static const uint8_t fake_measurement[] = { 0x00, 0x01, 0xab, 0xff };

static int fake_start(void *ctx, char *error, size_t size)
{
	struct fake_vm *vm = ctx;

	if (vm->state != VMM_STATE_CREATED) {
		snprintf(error, size, "already %s", vmm_state_name(vm->state));
		return -EBUSY;
	}
	vm->starts++;
	vm->state = VMM_STATE_RUNNING;
	return 0;
}

static int fake_stop(void *ctx, char *error, size_t size)
{
	struct fake_vm *vm = ctx;

	(void)error;
	(void)size;
	vm->stops++;
	vm->state = VMM_STATE_STOPPED;
	return 0;
}

static void fake_status(void *ctx, struct vmm_status *st)
{
	struct fake_vm *vm = ctx;

	st->state = vm->state;
	st->ended = vm->ended;
	st->outcome = vm->outcome;
	st->exited = vm->outcome && !strcmp(vm->outcome, "exited");
	st->exit_status = vm->exit_status;
	snprintf(st->reason, sizeof(st->reason), "%s", vm->reason ? vm->reason : "");
}

static void fake_info(void *ctx, struct vmm_info *info)
{
	(void)ctx;
	info->backend = "sev-snp-model";
	info->vcpus = 2;
	info->memory = 64ull << 20;
	info->measurement = fake_measurement;
	info->measurement_len = sizeof(fake_measurement);
	info->measurement_alg = "sha384";
	info->pid = 4242;
}

static int fake_evidence(void *ctx, const uint8_t **data, size_t *len, const char **format,
			 char *error, size_t size)
{
	struct fake_vm *vm = ctx;

	if (vm->evidence_refusal) {
		snprintf(error, size, "%s", vm->evidence_refusal);
		return -ENOENT;
	}
	*data = vm->evidence;
	*len = vm->evidence_len;
	*format = "sev-snp-report";
	return 0;
}

static struct vmm_service fake_service(struct fake_vm *vm)
{
	return (struct vmm_service){
		.ctx = vm, .start = fake_start, .stop = fake_stop, .status = fake_status,
		.info = fake_info, .evidence = fake_evidence,
	};
}

static char *handle(struct vmm_service *svc, const char *line)
{
	return vmm_control_handle(svc, line, strlen(line));
}

/* One JSON object on one line: starts with '{', one newline, at the end. */
static bool one_json_line(const char *reply)
{
	size_t len = strlen(reply);

	return len >= 3 && reply[0] == '{' && reply[len - 1] == '\n' && reply[len - 2] == '}' &&
	       strchr(reply, '\n') == reply + len - 1;
}

/* ------------------------------------------------------------------ */
/* Request parser                                                       */

static void test_parse_requests(void)
{
	static const struct {
		const char *line;
		enum vmm_request request;
	} good[] = {
		{ "start", VMM_REQUEST_START }, { "stop\n", VMM_REQUEST_STOP },
		{ "status\r\n", VMM_REQUEST_STATUS }, { "info\n", VMM_REQUEST_INFO },
		{ "evidence", VMM_REQUEST_EVIDENCE },
	};
	static const char *const bad[] = {
		"", "\n", "\r\n", "START", "start ", " start", "star", "startx", "stop now",
		"start\n\n", "status\r\r\n", "info\t", "{\"cmd\":\"start\"}", "\xff\xfe",
	};
	enum vmm_request request;
	const char *error;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		request = 0;
		CU_ASSERT_EQUAL(vmm_request_parse(good[i].line, strlen(good[i].line), &request,
						  &error), 0);
		CU_ASSERT_EQUAL(request, good[i].request);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error = NULL;
		CU_ASSERT_EQUAL(vmm_request_parse(bad[i], strlen(bad[i]), &request, &error),
				-EINVAL);
		CU_ASSERT_PTR_NOT_NULL(error);
	}
	/* A NUL inside the line is not the end of the request. */
	CU_ASSERT_EQUAL(vmm_request_parse("stop\0start", 10, &request, &error), -EINVAL);
	CU_ASSERT_EQUAL(vmm_request_parse("stop\0", 5, &request, &error), -EINVAL);
}

static void test_parse_length_limit(void)
{
	char line[VMM_CONTROL_LINE_MAX + 2];
	enum vmm_request request;
	const char *error = NULL;

	memset(line, 'a', sizeof(line));
	CU_ASSERT_EQUAL(vmm_request_parse(line, sizeof(line), &request, &error), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(error);
	CU_ASSERT_PTR_NOT_NULL(strstr(error, "too long"));
	/* At the limit it is only unknown. */
	CU_ASSERT_EQUAL(vmm_request_parse(line, VMM_CONTROL_LINE_MAX, &request, &error), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(error, "unknown"));
}

/* ------------------------------------------------------------------ */
/* Replies                                                              */

static void test_status_replies(void)
{
	struct fake_vm vm = { .state = VMM_STATE_CREATED };
	struct vmm_service svc = fake_service(&vm);
	char *reply = handle(&svc, "status\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT(one_json_line(reply));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"state\":\"created\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"exit_status\":null"));
	free(reply);

	/* An ended run: outcome, status, and a reason that needs escaping stays one line. */
	vm.state = VMM_STATE_TERMINATED;
	vm.ended = true;
	vm.outcome = "terminated";
	vm.exit_status = 7;
	vm.reason = "guest said \"bye\"\nand left\\";
	reply = handle(&svc, "status");
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT(one_json_line(reply));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"state\":\"terminated\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"outcome\":\"terminated\""));
	/* A guest that did not exit has no exit status (0 would read as success). */
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"exit_status\":null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"reason\":\"guest said \\\"bye\\\"\\nand left\\\\\""));
	free(reply);
	vm.state = VMM_STATE_EXITED;
	vm.outcome = "exited";
	reply = handle(&svc, "status");
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"exit_status\":7"));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"reason\":\"guest said \\\"bye\\\"\\nand left\\\\\""));
	free(reply);
}

static void test_start_stop_replies(void)
{
	struct fake_vm vm = { .state = VMM_STATE_CREATED };
	struct vmm_service svc = fake_service(&vm);
	char *reply = handle(&svc, "start\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(vm.starts, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"ok\":true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"state\":\"running\""));
	free(reply);

	/* The service refuses a second start: the reply carries its reason, nothing else. */
	reply = handle(&svc, "start\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(vm.starts, 1);
	CU_ASSERT(one_json_line(reply));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"error\":\"already running\""));
	CU_ASSERT_PTR_NULL(strstr(reply, "\"ok\""));
	free(reply);

	reply = handle(&svc, "stop\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(vm.stops, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"state\":\"stopped\""));
	free(reply);
}

static void test_bad_request_reply(void)
{
	struct fake_vm vm = { .state = VMM_STATE_CREATED };
	struct vmm_service svc = fake_service(&vm);
	char *reply = handle(&svc, "reboot\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT(one_json_line(reply));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"error\":\"unknown request"));
	/* Nothing was asked of the VM. */
	CU_ASSERT_EQUAL(vm.starts + vm.stops, 0);
	free(reply);
}

static void test_info_reply(void)
{
	struct fake_vm vm = { .state = VMM_STATE_CREATED };
	struct vmm_service svc = fake_service(&vm);
	char *reply = handle(&svc, "info\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT(one_json_line(reply));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"backend\":\"sev-snp-model\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"vcpus\":2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"memory\":67108864"));
	/* Lower-case hex, leading zero bytes kept. */
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"measurement\":\"0001abff\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"pid\":4242"));
	free(reply);
}

static void test_evidence_reply(void)
{
	uint8_t evidence[1184];
	struct fake_vm vm = { .state = VMM_STATE_EXITED, .evidence = evidence,
			      .evidence_len = sizeof(evidence) };
	struct vmm_service svc = fake_service(&vm);
	char *reply, *hex;

	for (size_t i = 0; i < sizeof(evidence); i++)
		evidence[i] = (uint8_t)(i * 7 + 3);
	reply = handle(&svc, "evidence\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT(one_json_line(reply));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"format\":\"sev-snp-report\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"length\":1184"));
	hex = strstr(reply, "\"evidence\":\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(hex);
	hex += strlen("\"evidence\":\"");
	CU_ASSERT_EQUAL_FATAL(strcspn(hex, "\""), 2 * sizeof(evidence));
	for (size_t i = 0; i < sizeof(evidence); i++) {
		unsigned int byte;
		CU_ASSERT_EQUAL_FATAL(sscanf(hex + 2 * i, "%2x", &byte), 1);
		CU_ASSERT_EQUAL_FATAL(byte, evidence[i]);
	}
	free(reply);

	vm.evidence_refusal = "no evidence yet";
	reply = handle(&svc, "evidence\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"error\":\"no evidence yet\""));
	CU_ASSERT_PTR_NULL(strstr(reply, "\"format\""));
	free(reply);
}

/* ------------------------------------------------------------------ */
/* Control socket                                                       */

static char tmpdir[64];

static int suite_init(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-vmm-control.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_clean(void)
{
	char cmdline[128];

	snprintf(cmdline, sizeof(cmdline), "rm -rf '%s'", tmpdir);
	return system(cmdline) == 0 ? 0 : -1;
}

static const char *tmp_path(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static int client_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Everything the server wrote until it closed. */
static char *client_read_all(int fd)
{
	static char buf[8192];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return buf;
}

/* One request over the socket; the server serves it in this thread. */
static char *round_trip(struct vmm_server *server, struct vmm_service *svc, const void *data,
			size_t len)
{
	int fd = client_connect(server->path);
	char *reply;

	if (fd < 0)
		return NULL;
	if (len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	shutdown(fd, SHUT_WR);
	if (vmm_server_serve_one(server, svc, 1000)) {
		close(fd);
		return NULL;
	}
	reply = client_read_all(fd);
	close(fd);
	return reply;
}

static void test_socket_mode_and_removal(void)
{
	struct vmm_server server;
	char error[256] = "";
	struct stat st;
	const char *path = tmp_path("mode.sock");

	CU_ASSERT_EQUAL_FATAL(vmm_server_listen(&server, path, error, sizeof(error)), 0);
	CU_ASSERT_EQUAL_FATAL(lstat(path, &st), 0);
	CU_ASSERT(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	vmm_server_close(&server);
	CU_ASSERT_EQUAL(lstat(path, &st), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
}

static void test_socket_requests(void)
{
	struct fake_vm vm = { .state = VMM_STATE_CREATED };
	struct vmm_service svc = fake_service(&vm);
	struct vmm_server server;
	char error[256] = "";
	char *reply;

	CU_ASSERT_EQUAL_FATAL(vmm_server_listen(&server, tmp_path("req.sock"), error,
						sizeof(error)), 0);
	reply = round_trip(&server, &svc, "status\n", 7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT(one_json_line(reply));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"state\":\"created\""));

	reply = round_trip(&server, &svc, "start\n", 6);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"state\":\"running\""));
	CU_ASSERT_EQUAL(vm.starts, 1);

	/* No newline: the end of the client's writing ends the line. */
	reply = round_trip(&server, &svc, "info", 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"pid\":4242"));

	/* One request per connection: a second line is not served. */
	reply = round_trip(&server, &svc, "status\nstop\n", 12);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT(one_json_line(reply));
	CU_ASSERT_EQUAL(vm.stops, 0);

	/* Garbage and a flood get an error reply, and the server serves the next client. */
	reply = round_trip(&server, &svc, "\x00\x01\x02\n", 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"error\":"));
	{
		char flood[4096];
		memset(flood, 's', sizeof(flood));
		reply = round_trip(&server, &svc, flood, sizeof(flood));
		CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
		CU_ASSERT_PTR_NOT_NULL(strstr(reply, "too long"));
	}
	reply = round_trip(&server, &svc, "", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"error\":\"empty request"));
	reply = round_trip(&server, &svc, "stop\n", 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(vm.stops, 1);
	vmm_server_close(&server);
}

/* A client that connects and says nothing gets an error after the timeout. */
static void test_socket_silent_client(void)
{
	struct fake_vm vm = { .state = VMM_STATE_CREATED };
	struct vmm_service svc = fake_service(&vm);
	struct vmm_server server;
	char error[256] = "";
	char *reply;
	int fd;

	CU_ASSERT_EQUAL_FATAL(vmm_server_listen(&server, tmp_path("silent.sock"), error,
						sizeof(error)), 0);
	fd = client_connect(server.path);
	CU_ASSERT_FATAL(fd >= 0);
	/* "sta" and no more: neither a line nor the end of writing. */
	CU_ASSERT_EQUAL(write(fd, "sta", 3), 3);
	CU_ASSERT_EQUAL(vmm_server_serve_one(&server, &svc, 100), 0);
	reply = client_read_all(fd);
	close(fd);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "no complete request line in time"));
	CU_ASSERT_EQUAL(vm.starts, 0);
	vmm_server_close(&server);
}

/* Silent clients do not hold up another one: its request is answered while they wait. */
static void test_socket_clients_side_by_side(void)
{
	struct fake_vm vm = { .state = VMM_STATE_CREATED };
	struct vmm_service svc = fake_service(&vm);
	struct vmm_server server;
	char error[256] = "";
	int silent[VMM_SERVER_MAX_CLIENTS + 1], talker, extra;
	char *reply;

	CU_ASSERT_EQUAL_FATAL(vmm_server_listen(&server, tmp_path("many.sock"), error,
						sizeof(error)), 0);
	for (int i = 0; i < 5; i++) {
		silent[i] = client_connect(server.path);
		CU_ASSERT_FATAL(silent[i] >= 0);
	}
	talker = client_connect(server.path);
	CU_ASSERT_FATAL(talker >= 0);
	CU_ASSERT_EQUAL(write(talker, "status\n", 7), 7);
	/* A few rounds of the event loop, with a timeout far longer than they take. */
	for (int round = 0; round < 4; round++) {
		struct pollfd fds[1 + VMM_SERVER_MAX_CLIENTS];
		size_t n = vmm_server_pollfds(&server, fds);

		CU_ASSERT(poll(fds, n, 200) >= 0);
		CU_ASSERT_EQUAL(vmm_server_dispatch(&server, &svc, fds, n, 10000), 0);
	}
	reply = client_read_all(talker);
	close(talker);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\"state\":\"created\""));
	CU_ASSERT_EQUAL(server.nclients, 5);	/* the silent ones still have time */
	CU_ASSERT(vmm_server_poll_timeout(&server) > 5000);
	/* Past the table's size a client is told the VMM is busy. */
	for (int i = 5; i < VMM_SERVER_MAX_CLIENTS + 1; i++) {
		silent[i] = client_connect(server.path);
		CU_ASSERT_FATAL(silent[i] >= 0);
	}
	extra = client_connect(server.path);
	CU_ASSERT_FATAL(extra >= 0);
	{
		struct pollfd fds[1 + VMM_SERVER_MAX_CLIENTS];
		size_t n = vmm_server_pollfds(&server, fds);

		CU_ASSERT(poll(fds, n, 200) >= 0);
		CU_ASSERT_EQUAL(vmm_server_dispatch(&server, &svc, fds, n, 10000), 0);
	}
	CU_ASSERT_EQUAL(server.nclients, VMM_SERVER_MAX_CLIENTS);
	reply = client_read_all(extra);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "too many clients"));
	close(extra);
	for (int i = 0; i < VMM_SERVER_MAX_CLIENTS + 1; i++)
		close(silent[i]);
	vmm_server_close(&server);
}

static void test_socket_stale_and_live(void)
{
	struct vmm_server first, second;
	char error[256] = "";
	const char *path = tmp_path("busy.sock");
	int fd;

	CU_ASSERT_EQUAL_FATAL(vmm_server_listen(&first, path, error, sizeof(error)), 0);
	/* A live coco-vmm's socket is not taken over. */
	error[0] = '\0';
	CU_ASSERT_EQUAL(vmm_server_listen(&second, path, error, sizeof(error)), -EADDRINUSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(error, "running coco-vmm"));
	/* A socket nobody listens on any more (a VMM that died) is replaced. */
	close(first.fd);
	error[0] = '\0';
	CU_ASSERT_EQUAL(vmm_server_listen(&second, path, error, sizeof(error)), 0);
	fd = client_connect(path);
	CU_ASSERT(fd >= 0);
	if (fd >= 0)
		close(fd);
	vmm_server_close(&second);
}

static void test_socket_bad_paths(void)
{
	struct vmm_server server;
	char error[256] = "", longpath[200];
	const char *file = tmp_path("not-a-socket");
	FILE *f = fopen(file, "w");
	struct stat st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
	CU_ASSERT_EQUAL(vmm_server_listen(&server, file, error, sizeof(error)), -EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(error, "not a socket"));
	/* The file is left alone. */
	CU_ASSERT_EQUAL(lstat(file, &st), 0);
	CU_ASSERT(S_ISREG(st.st_mode));

	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	error[0] = '\0';
	CU_ASSERT_EQUAL(vmm_server_listen(&server, longpath, error, sizeof(error)),
			-ENAMETOOLONG);
	CU_ASSERT_PTR_NOT_NULL(strstr(error, "longer than"));
	error[0] = '\0';
	CU_ASSERT(vmm_server_listen(&server, tmp_path("no/such/dir.sock"), error,
				    sizeof(error)) < 0);
	CU_ASSERT(error[0] != '\0');
}

/* ------------------------------------------------------------------ */
/* Command line                                                         */

static int parse(struct vmm_cli *cli, char *error, size_t size, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "coco-vmm";
	va_start(ap, size);
	for (char *arg; argc < 31 && (arg = va_arg(ap, char *)) != NULL;)
		argv[argc++] = arg;
	va_end(ap);
	argv[argc] = NULL;
	return vmm_cli_parse(argc, argv, cli, error, size);
}

static void test_options_defaults_and_values(void)
{
	struct vmm_cli cli;
	char error[256] = "";

	CU_ASSERT_EQUAL_FATAL(parse(&cli, error, sizeof(error), "--backend", "tdx-model",
				    "--control", "/tmp/c.sock", NULL), 0);
	CU_ASSERT_STRING_EQUAL(cli.backend, "tdx-model");
	CU_ASSERT_STRING_EQUAL(cli.control, "/tmp/c.sock");
	CU_ASSERT_EQUAL(cli.memory, VMM_DEFAULT_MEMORY);
	CU_ASSERT_EQUAL(cli.vcpus, 1);
	CU_ASSERT_EQUAL(cli.timeout_s, 0);
	CU_ASSERT_FALSE(cli.detach);
	CU_ASSERT_PTR_NULL(cli.image);

	CU_ASSERT_EQUAL_FATAL(parse(&cli, error, sizeof(error), "--backend", "sev-snp-model",
				    "--control", "c", "--image", "g.elf", "--memory", "128M",
				    "--vcpus", "4", "--report-data", "0xA1b2", "--mode", "21",
				    "--timeout", "30", "--console", "con.txt", "--detach",
				    "--pidfile", "p", NULL), 0);
	CU_ASSERT_EQUAL(cli.memory, 128ull << 20);
	CU_ASSERT_EQUAL(cli.vcpus, 4);
	CU_ASSERT_EQUAL(cli.report_data_len, 2);
	CU_ASSERT_EQUAL(cli.report_data[0], 0xa1);
	CU_ASSERT_EQUAL(cli.report_data[1], 0xb2);
	CU_ASSERT_EQUAL(cli.report_data[2], 0);
	CU_ASSERT_EQUAL(cli.mode, 21);
	CU_ASSERT_EQUAL(cli.timeout_s, 30);
	CU_ASSERT_STRING_EQUAL(cli.console, "con.txt");
	CU_ASSERT(cli.detach);
	CU_ASSERT_STRING_EQUAL(cli.pidfile, "p");
	CU_ASSERT_STRING_EQUAL(cli.image, "g.elf");

	CU_ASSERT_EQUAL(parse(&cli, error, sizeof(error), "--help", NULL), 0);
	CU_ASSERT(cli.help);
}

static void test_options_refused(void)
{
	static const struct {
		const char *args[6];
		const char *says;
	} cases[] = {
		{ { "--control", "c" }, "--backend is required" },
		{ { "--backend", "auto" }, "--control" },
		{ { "--backend", "a", "--control", "c", "--vcpus", "0" }, "--vcpus" },
		{ { "--backend", "a", "--control", "c", "--vcpus", "257" }, "--vcpus" },
		{ { "--backend", "a", "--control", "c", "--vcpus", "-1" }, "--vcpus" },
		{ { "--backend", "a", "--control", "c", "--memory", "12Q" }, "--memory" },
		{ { "--backend", "a", "--control", "c", "--memory", "0" }, "--memory" },
		{ { "--backend", "a", "--control", "c", "--timeout", "0" }, "--timeout" },
		{ { "--backend", "a", "--control", "c", "--mode", "4294967296" }, "--mode" },
		{ { "--backend", "a", "--control", "c", "--report-data", "abc" }, "--report-data" },
		{ { "--backend", "a", "--control", "c", "--report-data", "zz" }, "--report-data" },
		{ { "--backend", "a", "--control", "c", "--backend", "b" }, "twice" },
		{ { "--backend", "a", "--control", "c", "extra" }, "unexpected argument" },
		{ { "--backend", "a", "--control", "c", "--bogus" }, "unknown option" },
		{ { "--backend", "a", "--control" }, "missing value" },
	};
	char hex65[2 * 65 + 1];
	struct vmm_cli cli;
	char error[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const *a = cases[i].args;
		error[0] = '\0';
		CU_ASSERT_EQUAL(parse(&cli, error, sizeof(error), a[0], a[1], a[2], a[3], a[4],
				      a[5], NULL), -EINVAL);
		if (!strstr(error, cases[i].says))
			fprintf(stderr, "\ncase %zu: unexpected message '%s'\n", i, error);
		CU_ASSERT_PTR_NOT_NULL(strstr(error, cases[i].says));
	}
	/* 65 bytes of report data are one too many; 64 fit. */
	memset(hex65, 'a', sizeof(hex65) - 1);
	hex65[sizeof(hex65) - 1] = '\0';
	CU_ASSERT_EQUAL(parse(&cli, error, sizeof(error), "--backend", "a", "--control", "c",
			      "--report-data", hex65, NULL), -EINVAL);
	hex65[128] = '\0';
	CU_ASSERT_EQUAL(parse(&cli, error, sizeof(error), "--backend", "a", "--control", "c",
			      "--report-data", hex65, NULL), 0);
	CU_ASSERT_EQUAL(cli.report_data_len, 64);
}

static void test_sizes(void)
{
	uint64_t v;

	CU_ASSERT_EQUAL(vmm_parse_size("4096", &v), 0);
	CU_ASSERT_EQUAL(v, 4096);
	CU_ASSERT_EQUAL(vmm_parse_size("2G", &v), 0);
	CU_ASSERT_EQUAL(v, 2ull << 30);
	CU_ASSERT_EQUAL(vmm_parse_size("64MiB", &v), 0);
	CU_ASSERT_EQUAL(v, 64ull << 20);
	CU_ASSERT_EQUAL(vmm_parse_size("1k", &v), 0);
	CU_ASSERT_EQUAL(v, 1024);
	/* 2^34 GiB is 2^64 bytes: one past what fits. */
	CU_ASSERT_EQUAL(vmm_parse_size("17179869184G", &v), -1);
	CU_ASSERT_EQUAL(vmm_parse_size("17179869183G", &v), 0);
	CU_ASSERT_EQUAL(v, 17179869183ull << 30);
	CU_ASSERT_EQUAL(vmm_parse_size("-1", &v), -1);
	CU_ASSERT_EQUAL(vmm_parse_size("1MX", &v), -1);
	CU_ASSERT_EQUAL(vmm_parse_size("", &v), -1);
}

/* ------------------------------------------------------------------ */
/* Pid file                                                             */

static void test_pidfile(void)
{
	const char *path = tmp_path("vmm.pid");
	char error[256] = "", text[32] = "";
	struct stat st;
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(vmm_pidfile_write(path, 12345, error, sizeof(error)), 0);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(text, sizeof(text), f));
	fclose(f);
	CU_ASSERT_STRING_EQUAL(text, "12345\n");
	/* Another pid's file is not ours to remove. */
	vmm_pidfile_remove(path, 999);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	vmm_pidfile_remove(path, 12345);
	CU_ASSERT_EQUAL(stat(path, &st), -1);
	CU_ASSERT(vmm_pidfile_write(tmp_path("no/such/dir/p"), 1, error, sizeof(error)) < 0);
	CU_ASSERT(error[0] != '\0');
}

/* Checked before anything exists: a live owner refuses, a stale file or none passes. */
static void test_pidfile_check(void)
{
	const char *path = tmp_path("check.pid");
	char error[256] = "";
	pid_t dead = fork();

	if (dead == 0)
		_exit(0);
	CU_ASSERT_FATAL(dead > 0);
	waitpid(dead, NULL, 0);
	unlink(path);
	CU_ASSERT_EQUAL(vmm_pidfile_check(path, error, sizeof(error)), 0);	/* none yet */
	CU_ASSERT_EQUAL_FATAL(vmm_pidfile_write(path, getppid(), error, sizeof(error)), 0);
	CU_ASSERT_EQUAL(vmm_pidfile_check(path, error, sizeof(error)), -EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(error, "alive"));
	CU_ASSERT_EQUAL_FATAL(vmm_pidfile_write(path, dead, error, sizeof(error)), 0);
	CU_ASSERT_EQUAL(vmm_pidfile_check(path, error, sizeof(error)), 0);	/* stale */
	unlink(path);
	error[0] = '\0';
	CU_ASSERT(vmm_pidfile_check(tmp_path("no/such/dir/p"), error, sizeof(error)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(error, "not writable"));
}

static void test_absolute_path(void)
{
	char cwd[4096], expect[4200];
	char *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	p = vmm_absolute_path("a/b.sock");
	snprintf(expect, sizeof(expect), "%s/a/b.sock", cwd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p, expect);
	free(p);
	p = vmm_absolute_path("/x");
	CU_ASSERT_STRING_EQUAL(p, "/x");
	free(p);
	CU_ASSERT_PTR_NULL(vmm_absolute_path(NULL));
}

static CU_TestInfo protocol_tests[] = {
	{ "requests parse", test_parse_requests },
	{ "request length limit", test_parse_length_limit },
	{ "status replies", test_status_replies },
	{ "start and stop replies", test_start_stop_replies },
	{ "bad request reply", test_bad_request_reply },
	{ "info reply", test_info_reply },
	{ "evidence reply", test_evidence_reply },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo socket_tests[] = {
	{ "socket mode 0600, removed on close", test_socket_mode_and_removal },
	{ "requests over the socket", test_socket_requests },
	{ "silent client times out", test_socket_silent_client },
	{ "clients served side by side; busy past the table", test_socket_clients_side_by_side },
	{ "stale socket replaced, live one refused", test_socket_stale_and_live },
	{ "bad socket paths", test_socket_bad_paths },
	{ "pid file", test_pidfile },
	{ "pid file checked before start", test_pidfile_check },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo option_tests[] = {
	{ "defaults and values", test_options_defaults_and_values },
	{ "refused options", test_options_refused },
	{ "sizes", test_sizes },
	{ "absolute paths", test_absolute_path },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "control protocol", NULL, NULL, NULL, NULL, protocol_tests },
		{ "control socket", suite_init, suite_clean, NULL, NULL, socket_tests },
		{ "command line", NULL, NULL, NULL, NULL, option_tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}
