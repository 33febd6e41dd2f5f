/* SPDX-License-Identifier: Apache-2.0 */
/* Hosts: an opened backend (include/coco/host.h). */
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/backend.h"
#include "core/internal.h"
#include "core/util.h"
#include "coco/version.h"

const char *coco_version(void)
{
	return COCO_VERSION_STRING;
}

const char *coco_vendor_name(enum coco_vendor vendor)
{
	switch (vendor) {
	case COCO_VENDOR_AMD_SEV_SNP:
		return "sev-snp";
	case COCO_VENDOR_INTEL_TDX:
		return "tdx";
	default:
		return "none";
	}
}

/*
 * Where a model backend keeps its platform file when the caller names none:
 * $COCO_PLATFORM_DIR, else /run/cocohost for root, else the user's runtime
 * directory.  One file per backend, so several models can coexist.
 */
static int default_platform_path(const struct coco_backend *b, char **out)
{
	const char *dir = getenv("COCO_PLATFORM_DIR");
	char buf[PATH_MAX];
	char fallback[64];
	int ret;

	if (!dir || !*dir) {
		if (geteuid() == 0) {
			dir = "/run/cocohost";
		} else if ((dir = getenv("XDG_RUNTIME_DIR")) && *dir) {
			snprintf(buf, sizeof(buf), "%s/cocohost", dir);
			dir = buf;
		} else {
			snprintf(fallback, sizeof(fallback), "/tmp/cocohost-%u",
				 (unsigned)geteuid());
			dir = fallback;
		}
	}
	ret = coco_mkdir_p(dir, 0700);
	if (ret)
		return coco_err_context(ret, "platform directory for backend '%s'", b->name);
	/*
	 * The platform stands for this host's hardware: a directory someone
	 * else could have made (under /tmp, say) must not hold it.
	 */
	if (!getenv("COCO_PLATFORM_DIR") || !*getenv("COCO_PLATFORM_DIR")) {
		struct stat st;
		if (lstat(dir, &st) < 0)
			return coco_err(-errno, "platform directory '%s': %s", dir, strerror(errno));
		if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
			return coco_err(-EPERM, "platform directory '%s' is not a private directory "
					"of this user (owner uid %u, mode 0%o); remove it, or set "
					"COCO_PLATFORM_DIR", dir, (unsigned)st.st_uid,
					(unsigned)(st.st_mode & 07777));
	}
	if (asprintf(out, "%s/%s.platform", dir, b->name) < 0)
		return coco_err(-ENOMEM, "out of memory");
	return 0;
}

int coco_host_open(const char *selection, const struct coco_host_options *opts,
		   struct coco_host **out)
{
	static const struct coco_host_options no_opts;
	const struct coco_backend *b;
	struct coco_probe_result probe;
	struct coco_host *host;
	const char *name;
	int ret;

	if (!out)
		return coco_err(-EINVAL, "coco_host_open: host is required");
	if (!opts)
		opts = &no_opts;
	ret = coco_backend_select(selection, &name, &probe);
	if (ret)
		return ret;
	b = coco_backends_find(name);
	host = calloc(1, sizeof(*host));
	if (!host)
		return coco_err(-ENOMEM, "coco_host_open: out of memory");
	host->backend = b;
	pthread_mutex_init(&host->lock, NULL);
	host->private_platform = opts->private_platform;
	host->model_max_guests = opts->model_max_guests;
	if (!b->hardware && !opts->private_platform) {
		if (opts->platform_path) {
			host->platform_path = strdup(opts->platform_path);
			ret = host->platform_path ? 0 : coco_err(-ENOMEM, "out of memory");
		} else {
			ret = default_platform_path(b, &host->platform_path);
		}
	}
	if (!ret)
		ret = b->host_open(host, opts);
	if (ret) {
		pthread_mutex_destroy(&host->lock);
		free(host->platform_path);
		free(host);
		return ret;
	}
	*out = host;
	return 0;
}

static void host_free(struct coco_host *host)
{
	host->backend->host_close(host);
	pthread_mutex_destroy(&host->lock);
	free(host->platform_path);
	free(host);
}

void coco_host_close(struct coco_host *host)
{
	bool now;

	if (!host)
		return;
	pthread_mutex_lock(&host->lock);
	host->closed = true;
	now = host->nvms == 0;
	pthread_mutex_unlock(&host->lock);
	if (now)
		host_free(host);
	else
		coco_info("coco_host_close: %u VMs still exist; the host closes with the last",
			  host->nvms);
}

void coco_host_vm_gone(struct coco_host *host)
{
	bool now;

	pthread_mutex_lock(&host->lock);
	now = --host->nvms == 0 && host->closed;
	pthread_mutex_unlock(&host->lock);
	if (now)
		host_free(host);
}

const char *coco_host_backend(const struct coco_host *host)
{
	return host->backend->name;
}

enum coco_vendor coco_host_vendor(const struct coco_host *host)
{
	return host->backend->vendor;
}

bool coco_host_is_hardware(const struct coco_host *host)
{
	return host->backend->hardware;
}

int coco_host_get_caps(struct coco_host *host, struct coco_caps *caps)
{
	const struct coco_backend *b = host->backend;

	memset(caps, 0, sizeof(*caps));
	snprintf(caps->backend, sizeof(caps->backend), "%s", b->name);
	caps->vendor = b->vendor;
	caps->hardware = b->hardware;
	if (b->mem_convert)
		caps->features |= COCO_FEATURE_MEMORY_CONVERSION;
	if (b->get_evidence)
		caps->features |= COCO_FEATURE_EVIDENCE;
	caps->features |= COCO_FEATURE_LAUNCH | b->design_features;
	return b->caps(host, caps);
}

void coco_caps_add(struct coco_caps *caps, const char *key, const char *fmt, ...)
{
	struct coco_caps_detail *d;
	va_list ap;

	if (caps->ndetails >= COCO_CAPS_MAX_DETAILS)
		return;
	d = &caps->details[caps->ndetails++];
	snprintf(d->key, sizeof(d->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(d->value, sizeof(d->value), fmt, ap);
	va_end(ap);
}
