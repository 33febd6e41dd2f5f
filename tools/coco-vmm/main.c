/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coco-vmm: one confidential VM per process (docs/coco-vmm.md).  Start-up
 * creates and launches the VM and opens the control socket; then a single
 * loop serves control requests, signals and the end of the run.  Public
 * API only (include/coco/).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <coco/coco.h>

#include "builtin-guests.h"
#include "daemon.h"
#include "options.h"
#include "server.h"
#include "vm-service.h"

#define EXIT_USAGE 2
#define EXIT_NO_KVM 3
/* How long one client may take to send its request line. */
#define REQUEST_TIMEOUT_MS 2000
#define IMAGE_MAX (256u << 20)

/* Start-up failures go to stderr, or once detached to the caller waiting for the report. */
static int report_fd = -1;

static int __attribute__((format(printf, 2, 3))) fail(int status, const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (report_fd >= 0) {
		vmm_detach_report(report_fd, status, message);
		report_fd = -1;
	} else {
		fprintf(stderr, "coco-vmm: %s\n", message);
	}
	return status;
}

static int read_image(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (!f)
		return fail(1, "cannot open --image '%s': %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    size == 0 || (unsigned long)size > IMAGE_MAX) {
		fclose(f);
		return fail(1, "--image '%s' is not a readable file of 1 byte to %u MiB", path,
			    IMAGE_MAX >> 20);
	}
	*data = malloc((size_t)size);
	if (!*data || fread(*data, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(*data);
		*data = NULL;
		return fail(1, "cannot read --image '%s'", path);
	}
	fclose(f);
	*len = (size_t)size;
	return 0;
}

/* Blocked in every thread (the VM's too) and read from a signalfd by the main loop. */
static int setup_signals(sigset_t *handled)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN };

	/* Whatever started us may hang up or stop reading; neither is our end. */
	sigaction(SIGHUP, &ignore, NULL);
	sigaction(SIGPIPE, &ignore, NULL);
	sigemptyset(handled);
	sigaddset(handled, SIGTERM);
	sigaddset(handled, SIGINT);
	if (sigprocmask(SIG_BLOCK, handled, NULL) < 0)
		return -1;
	return signalfd(-1, handled, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int serve(struct vmm_server *server, struct vm_service *vs, int signal_fd)
{
	struct vmm_service service;

	vm_service_bind(vs, &service);
	for (;;) {
		/* The signals, the run's end, then the control socket and its pending clients. */
		struct pollfd fds[2 + 1 + VMM_SERVER_MAX_CLIENTS] = {
			{ .fd = signal_fd, .events = POLLIN },
			{ .fd = vm_service_done_fd(vs), .events = POLLIN },
		};
		size_t n = 2 + vmm_server_pollfds(server, fds + 2);

		if (poll(fds, n, vmm_server_poll_timeout(server)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (fds[0].revents & POLLIN)
			return 0;	/* SIGTERM / SIGINT: stop */
		if (fds[1].revents & POLLIN) {
			uint64_t count;
			/* The run ended; status tells clients.  Keep serving until `stop`. */
			if (read(fds[1].fd, &count, sizeof(count)) < 0) {
				/* EAGAIN: already drained */
			}
		}
		vmm_server_dispatch(server, &service, fds + 2, n - 2, REQUEST_TIMEOUT_MS);
		if (vm_service_stop_requested(vs))
			return 0;
	}
}

int main(int argc, char **argv)
{
	struct vm_service_config config = { .console_fd = -1 };
	struct vmm_server server = { .fd = -1 };
	struct vm_service *vs = NULL;
	struct coco_probe_result probe;
	const struct builtin_guest_file *builtin = NULL;
	char error[1024] = "";
	struct vmm_cli cli;
	sigset_t handled;
	const char *backend;
	char *control = NULL, *console = NULL, *pidfile = NULL;
	uint8_t *image = NULL;
	size_t image_len = 0;
	int signal_fd = -1, kvm_fd, status = 1, ret;
	bool pidfile_written = false;

	if (vmm_cli_parse(argc, argv, &cli, error, sizeof(error))) {
		fprintf(stderr, "coco-vmm: %s (see coco-vmm --help)\n", error);
		return EXIT_USAGE;
	}
	if (cli.help) {
		vmm_cli_usage(stdout);
		return 0;
	}
	/*
	 * A detached VMM outlives its caller: it keeps none of the caller's descriptors
	 * (pipes, sockets) beyond stdio, which detaching points at /dev/null.  Nothing of
	 * ours is open yet.
	 */
	if (cli.detach)
		close_range(STDERR_FILENO + 1, ~0u, 0);
	if (cli.pidfile && vmm_pidfile_check(cli.pidfile, error, sizeof(error)))
		return fail(1, "%s", error);
	if (coco_backend_select(cli.backend, &backend, &probe))
		return fail(1, "backend '%s': %s", cli.backend, coco_last_error());
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		return fail(EXIT_NO_KVM, "/dev/kvm is not usable (%s): coco-vmm runs guests on KVM; "
			    "load kvm and give this user access to /dev/kvm", strerror(errno));
	close(kvm_fd);
	if (cli.image) {
		if (read_image(cli.image, &image, &image_len))
			return 1;
	} else {
		builtin = builtin_guest_for(probe.vendor);
		if (!builtin)
			return fail(1, "this build has no built-in %s test guest; give --image",
				    coco_vendor_name(probe.vendor));
	}
	/* Detaching moves to /: every path is made absolute first. */
	control = vmm_absolute_path(cli.control);
	console = vmm_absolute_path(cli.console);
	pidfile = vmm_absolute_path(cli.pidfile);
	if (!control || (cli.console && !console) || (cli.pidfile && !pidfile)) {
		status = fail(1, "cannot make the --control, --console and --pidfile paths absolute");
		goto out;
	}
	if (cli.detach && (ret = vmm_detach(&report_fd)) < 0) {
		status = fail(1, "cannot detach: %s", strerror(-ret));
		goto out;
	}
	signal_fd = setup_signals(&handled);
	if (signal_fd < 0) {
		status = fail(1, "cannot set up signal handling: %s", strerror(errno));
		goto out;
	}

	config.backend = backend;
	config.vendor = probe.vendor;
	config.image = image ? (const void *)image : (const void *)builtin->data;
	config.image_len = image ? image_len : builtin->len;
	config.memory = cli.memory;
	config.vcpus = cli.vcpus;
	memcpy(config.report_data, cli.report_data, sizeof(config.report_data));
	config.mode = cli.mode;
	config.timeout_s = cli.timeout_s;
	config.console_fd = cli.detach ? -1 : STDOUT_FILENO;
	if (console) {
		config.console_fd = open(console, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (config.console_fd < 0) {
			status = fail(1, "cannot open --console '%s': %s", console, strerror(errno));
			goto out;
		}
	}
	if (vm_service_create(&config, &vs, error, sizeof(error))) {
		status = fail(1, "%s", error);
		goto out;
	}
	if (vmm_server_listen(&server, control, error, sizeof(error))) {
		status = fail(1, "%s", error);
		goto out;
	}
	if (pidfile) {
		if (vmm_pidfile_write(pidfile, getpid(), error, sizeof(error))) {
			status = fail(1, "%s", error);
			goto out;
		}
		pidfile_written = true;
	}
	if (report_fd >= 0) {
		vmm_detach_report(report_fd, 0, NULL);
		report_fd = -1;
	} else {
		fprintf(stderr, "coco-vmm: %s guest launched on %s; control socket %s\n",
			cli.image ? "the" : "the built-in", backend, control);
	}

	if (serve(&server, vs, signal_fd) < 0)
		status = 1;
	else
		status = vm_service_shutdown(vs);
out:
	vmm_server_close(&server);
	if (pidfile_written)
		vmm_pidfile_remove(pidfile, getpid());
	vm_service_destroy(vs);
	if (cli.console && config.console_fd >= 0)
		close(config.console_fd);
	if (signal_fd >= 0)
		close(signal_fd);
	free(image);
	free(control);
	free(console);
	free(pidfile);
	return status;
}
