/* SPDX-License-Identifier: Apache-2.0 */
/* Directory layout of a cocod instance (see cocod-paths.h for the table). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "libvirt/cocod-paths.h"

static int COCO_PRINTF(3, 4) path_join(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return coco_err(-ENAMETOOLONG, "cocod paths: '%s...' is longer than %zu bytes; "
				"choose a shorter directory", out, size - 1);
	return 0;
}

static bool home_usable(const char *home)
{
	return home && home[0] == '/';
}

int cocod_session_run_dir(uid_t uid, const char *home, char *out, size_t size)
{
	char user_runtime[64];
	struct stat st;

	/*
	 * systemd-logind's per-user runtime directory is what $XDG_RUNTIME_DIR
	 * names in a login session, so libvirt's own clients find the socket
	 * there; it is used only when the user owns it.
	 */
	snprintf(user_runtime, sizeof(user_runtime), "/run/user/%u", (unsigned int)uid);
	if (stat(user_runtime, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid)
		return path_join(out, size, "%s/libvirt", user_runtime);
	if (!home_usable(home))
		return coco_err(-EINVAL, "cocod session: HOME is %s%s%s and /run/user/%u does not "
				"exist; set HOME to the user's home directory",
				home ? "'" : "unset", home ? home : "", home ? "'" : "",
				(unsigned int)uid);
	return path_join(out, size, "%s/.cache/libvirt", home);
}

int cocod_paths_init(struct cocod_paths *paths, bool session, uid_t uid, const char *home,
		     const char *state_dir, const char *run_dir)
{
	int rc;

	memset(paths, 0, sizeof(*paths));
	paths->session = session;

	if (session && !home_usable(home) && (!state_dir || !run_dir))
		return coco_err(-EINVAL, "cocod session: HOME is %s%s%s; a session instance keeps "
				"its domains under HOME: set HOME, or give --state-dir and --run-dir",
				home ? "'" : "unset", home ? home : "", home ? "'" : "");

	if (run_dir)
		rc = path_join(paths->run_dir, sizeof(paths->run_dir), "%s", run_dir);
	else if (session)
		rc = cocod_session_run_dir(uid, home, paths->run_dir, sizeof(paths->run_dir));
	else
		rc = path_join(paths->run_dir, sizeof(paths->run_dir), "/var/run/libvirt");
	if (rc)
		return rc;

	if (state_dir)
		rc = path_join(paths->state_dir, sizeof(paths->state_dir), "%s", state_dir);
	else if (session)
		rc = path_join(paths->state_dir, sizeof(paths->state_dir), "%s/.config/coco", home);
	else
		rc = path_join(paths->state_dir, sizeof(paths->state_dir), "/var/lib/coco");
	if (rc)
		return rc;

	if (state_dir)
		rc = path_join(paths->log_dir, sizeof(paths->log_dir), "%s/log", state_dir);
	else if (session)
		rc = path_join(paths->log_dir, sizeof(paths->log_dir), "%s/.cache/coco/log", home);
	else
		rc = path_join(paths->log_dir, sizeof(paths->log_dir), "/var/log/coco");
	if (rc)
		return rc;

	if ((rc = path_join(paths->socket_rw, sizeof(paths->socket_rw), "%s/%s", paths->run_dir,
			    COCOD_SOCKET_NAME)) ||
	    (rc = path_join(paths->pidfile, sizeof(paths->pidfile), "%s/%s", paths->run_dir,
			    COCOD_PIDFILE_NAME)) ||
	    (rc = path_join(paths->vm_run_dir, sizeof(paths->vm_run_dir), "%s/coco",
			    paths->run_dir)) ||
	    (rc = path_join(paths->domains_dir, sizeof(paths->domains_dir), "%s/domains",
			    paths->state_dir)))
		return rc;
	if (!session &&
	    (rc = path_join(paths->socket_ro, sizeof(paths->socket_ro), "%s/%s", paths->run_dir,
			    COCOD_SOCKET_RO_NAME)))
		return rc;
	return 0;
}
