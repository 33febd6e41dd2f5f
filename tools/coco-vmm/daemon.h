/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coco-vmm --detach: leave the caller (double fork, new session, stdio on
 * /dev/null) while letting it learn whether start-up succeeded: the
 * original process waits on a pipe until the daemon reports "ready" or an
 * error, and exits with the matching status.
 */
#ifndef COCO_VMM_DAEMON_H
#define COCO_VMM_DAEMON_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Detach.  Returns in the daemon only (with *@report_fd for
 * vmm_detach_report); the caller's process waits for the report, prints
 * an error report on stderr and _exit()s with its status.  -errno when
 * forking failed (still in the caller, nothing changed).
 */
int vmm_detach(int *report_fd);

/* Tell the waiting caller: @status 0 = ready, else the exit status with @message. */
void vmm_detach_report(int report_fd, int status, const char *message);

/* Write @pid to @path atomically (a temporary file renamed over it). */
int vmm_pidfile_write(const char *path, pid_t pid, char *error, size_t size);

/*
 * Before anything is created: the pid file's directory is writable and the
 * file does not name a live process (a stale one is replaced later).
 */
int vmm_pidfile_check(const char *path, char *error, size_t size);

/* Remove @path if it still holds @pid (another instance may have replaced it). */
void vmm_pidfile_remove(const char *path, pid_t pid);

/* @path made absolute against the working directory (malloc'd); NULL for NULL. */
char *vmm_absolute_path(const char *path);

#endif
