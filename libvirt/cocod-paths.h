/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where a cocod instance keeps its things (docs/cocod.md has the table).
 *
 * System instance (root, coco:///system):
 *   run_dir    /var/run/libvirt       sockets virtcocod-sock (0600) and virtcocod-sock-ro (0666),
 *                                     the pid file virtcocod.pid
 *   vm_run_dir /var/run/libvirt/coco  one coco-vmm per running domain: control socket,
 *                                     pid file, runtime record
 *   state_dir  /var/lib/coco          the domain store lives in state_dir/domains
 *   log_dir    /var/log/coco          guest consoles, <domain name>.log
 *
 * Session instance (any user, coco:///session and coco+ext:///session):
 *   run_dir    /run/user/<uid>/libvirt when /run/user/<uid> is a directory owned by the
 *              user (where libvirt's own clients look: $XDG_RUNTIME_DIR/libvirt),
 *              else $HOME/.cache/libvirt; only the read-write socket, mode 0600
 *   vm_run_dir run_dir/coco
 *   state_dir  $HOME/.config/coco
 *   log_dir    $HOME/.cache/coco/log
 * Only the uid and HOME decide these (no XDG_* variables): the ext relay runs with a
 * scrubbed environment and must find the same daemon the user started by hand.
 *
 * --run-dir DIR:   run_dir = DIR, vm_run_dir = DIR/coco.
 * --state-dir DIR: state_dir = DIR, log_dir = DIR/log.
 */
#ifndef COCO_LIBVIRT_COCOD_PATHS_H
#define COCO_LIBVIRT_COCOD_PATHS_H

#include <limits.h>
#include <linux/limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define COCOD_SOCKET_NAME "virtcocod-sock"
#define COCOD_SOCKET_RO_NAME "virtcocod-sock-ro"
#define COCOD_PIDFILE_NAME "virtcocod.pid"

struct cocod_paths {
	bool session;
	char run_dir[PATH_MAX];
	char socket_rw[PATH_MAX];
	char socket_ro[PATH_MAX];	/* "" in session mode: no read-only socket */
	char pidfile[PATH_MAX];
	char vm_run_dir[PATH_MAX];
	char state_dir[PATH_MAX];
	char domains_dir[PATH_MAX];	/* state_dir/domains: the domain store */
	char log_dir[PATH_MAX];
};

/*
 * Fill @paths for a system (@session false) or session instance of user
 * @uid whose home is @home (session only; NULL or "" is refused with
 * -EINVAL naming HOME).  @state_dir / @run_dir override (NULL: default).
 * -ENAMETOOLONG when a path does not fit.  Creates nothing.
 */
int cocod_paths_init(struct cocod_paths *paths, bool session, uid_t uid, const char *home,
		     const char *state_dir, const char *run_dir);

/* The session run directory of @uid / @home (what the ext relay connects to). */
int cocod_session_run_dir(uid_t uid, const char *home, char *out, size_t size);

/* (Create directories with coco_mkdir_p from core/util.h.) */

#endif
