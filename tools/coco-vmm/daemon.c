/* SPDX-License-Identifier: Apache-2.0 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The caller's side: wait for the daemon's report and leave with its status. */
static void __attribute__((noreturn)) wait_for_report(int fd, pid_t child)
{
	char buf[1024];
	size_t got = 0;
	ssize_t n;
	int status;

	/* The first child exits as soon as the daemon is forked: reap it. */
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	while (got < sizeof(buf) - 1) {
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (got == 0) {
		fprintf(stderr, "coco-vmm: the detached VMM ended during start-up without a "
			"report\n");
		_exit(1);
	}
	/* Report: one status byte, then the message. */
	if (buf[0] != 0)
		fprintf(stderr, "coco-vmm: %s\n", buf + 1);
	_exit((unsigned char)buf[0]);
}

int vmm_detach(int *report_fd)
{
	int pipefd[2], null_fd;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid > 0) {
		close(pipefd[1]);
		wait_for_report(pipefd[0], pid);
	}
	/* First child: a new session without a controlling terminal, then fork again
	 * so the daemon is no session leader and can never acquire one. */
	close(pipefd[0]);
	if (setsid() < 0)
		_exit(1);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		_exit(1);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(null_fd, STDOUT_FILENO) < 0 ||
	    dup2(null_fd, STDERR_FILENO) < 0)
		_exit(1);
	if (null_fd > STDERR_FILENO)
		close(null_fd);
	*report_fd = pipefd[1];
	return 0;
}

void vmm_detach_report(int report_fd, int status, const char *message)
{
	char buf[1024];
	size_t len;

	if (report_fd < 0)
		return;
	buf[0] = (char)(status & 0xff);
	len = 1;
	if (status && message)
		len += (size_t)snprintf(buf + 1, sizeof(buf) - 1, "%s", message);
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	if (write(report_fd, buf, len) < 0) {
		/* The caller is gone: nobody left to tell. */
	}
	close(report_fd);
}

int vmm_pidfile_check(const char *path, char *error, size_t size)
{
	char dir[PATH_MAX], text[32];
	const char *slash = strrchr(path, '/');
	ssize_t n;
	long pid;
	int fd;

	/* The pid file is written beside itself (temporary file, rename): its directory. */
	if (snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
		     slash ? (slash == path ? "/" : path) : ".") >= (int)sizeof(dir)) {
		snprintf(error, size, "--pidfile path too long: %s", path);
		return -ENAMETOOLONG;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		int err = -errno;

		snprintf(error, size, "--pidfile '%s': its directory '%s' is not writable: %s",
			 path, dir, strerror(errno));
		return err;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;	/* no pid file yet */
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	pid = strtol(text, NULL, 10);
	if (pid > 0 && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
		snprintf(error, size, "--pidfile '%s' names process %ld, which is alive (another "
			 "coco-vmm?); stop it or choose another pid file", path, pid);
		return -EEXIST;
	}
	return 0;	/* a stale pid file: replaced */
}

int vmm_pidfile_write(const char *path, pid_t pid, char *error, size_t size)
{
	char tmp[PATH_MAX], text[32];
	int fd, len;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(error, size, "--pidfile path too long: %s", path);
		return -ENAMETOOLONG;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;
		snprintf(error, size, "cannot create the pid file beside '%s': %s", path,
			 strerror(errno));
		return err;
	}
	len = snprintf(text, sizeof(text), "%ld\n", (long)pid);
	if (write(fd, text, (size_t)len) != len || fchmod(fd, 0644) < 0 || fsync(fd) < 0 ||
	    close(fd) < 0 || rename(tmp, path) < 0) {
		int err = errno ? -errno : -EIO;
		snprintf(error, size, "cannot write the pid file '%s': %s", path, strerror(-err));
		unlink(tmp);
		return err;
	}
	return 0;
}

void vmm_pidfile_remove(const char *path, pid_t pid)
{
	char text[32];
	ssize_t n;
	int fd;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return;
	text[n] = '\0';
	if (strtol(text, NULL, 10) == (long)pid)
		unlink(path);
}

char *vmm_absolute_path(const char *path)
{
	char cwd[PATH_MAX];
	char *out;

	if (!path)
		return NULL;
	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (asprintf(&out, "%s/%s", cwd, path) < 0)
		return NULL;
	return out;
}
