/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The probe of an SEV-SNP host: every fact the hardware path relies on,
 * checked through the KVM seam, each with what was found and, when it is
 * missing, what to do about it.  The probe opens /dev/kvm and /dev/sev and
 * closes them again; it changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/kvm-dev.h"
#include "core/kvm.h"
#include "core/util.h"
#include "sev-snp/kvm-snp.h"
#include "sev-snp/sev-dev.h"
#include "sev-snp/snp-uapi.h"

/* CPUID leaves and bits (AMD APM vol. 3, CPUID Fn8000_001F "encrypted memory capabilities"). */
#define CPUID_EXT_MAX_LEAF 0x80000000u
#define CPUID_AMD_MEM_ENCRYPT 0x8000001Fu
#define CPUID_MEM_ENCRYPT_SEV_SNP (1u << 4)	/* EAX bit 4 */

#define SNP_PARAM_PATH "/sys/module/kvm_amd/parameters/sev_snp"
#define SEV_PARAM_PATH "/sys/module/kvm_amd/parameters/sev"
#define CPUINFO_PATH "/proc/cpuinfo"

/* Is @flag one of the words on the first "flags" line of /proc/cpuinfo? */
static bool cpuinfo_has_flag(const char *flag, bool *readable)
{
	char buf[16384];
	size_t flen = strlen(flag);
	char *line, *save = NULL;

	*readable = coco_kvm_read_file(CPUINFO_PATH, buf, sizeof(buf)) > 0;
	if (!*readable)
		return false;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *words, *word, *wsave = NULL;

		if (strncmp(line, "flags", 5) != 0 || !(words = strchr(line, ':')))
			continue;
		for (word = strtok_r(words + 1, " \t", &wsave); word;
		     word = strtok_r(NULL, " \t", &wsave))
			if (strlen(word) == flen && !memcmp(word, flag, flen))
				return true;
		return false;	/* every CPU lists the same flags: the first line decides */
	}
	return false;
}

static void probe_cpu(struct coco_probe_result *r)
{
	uint32_t regs[4];
	char vendor[13];
	bool cpuid_snp = false, cpuinfo_readable, cpuinfo_snp;
	uint32_t mem_encrypt_eax = 0;

	coco_kvm_cpu_vendor(vendor);
	if (strcmp(vendor, "AuthenticAMD") != 0) {
		coco_probe_add(r, "AMD SEV-SNP CPU", false,
			       "SEV-SNP needs an AMD EPYC processor (7003 Milan or later)",
			       "CPU vendor '%s' is not AuthenticAMD", vendor);
		return;
	}
	coco_kvm_cpuid(CPUID_EXT_MAX_LEAF, 0, regs);
	if (regs[0] >= CPUID_AMD_MEM_ENCRYPT) {
		coco_kvm_cpuid(CPUID_AMD_MEM_ENCRYPT, 0, regs);
		mem_encrypt_eax = regs[0];
		cpuid_snp = (mem_encrypt_eax & CPUID_MEM_ENCRYPT_SEV_SNP) != 0;
	}
	cpuinfo_snp = cpuinfo_has_flag("sev_snp", &cpuinfo_readable);
	if (cpuid_snp || cpuinfo_snp)
		coco_probe_add(r, "AMD SEV-SNP CPU", true, NULL,
			       "AuthenticAMD; CPUID 0x8000001F EAX 0x%08x (SEV-SNP bit 4 %s); "
			       "/proc/cpuinfo flag sev_snp %s", mem_encrypt_eax,
			       cpuid_snp ? "set" : "clear", cpuinfo_snp ? "present" : "absent");
	else
		coco_probe_add(r, "AMD SEV-SNP CPU", false,
			       "use an AMD EPYC 7003 (Milan) or later with SME and SEV-SNP "
			       "enabled in firmware setup; a VM cannot host SNP guests",
			       "AuthenticAMD but CPUID 0x8000001F EAX 0x%08x has no SEV-SNP "
			       "(bit 4) and /proc/cpuinfo %s", mem_encrypt_eax,
			       cpuinfo_readable ? "has no sev_snp flag" : "is unreadable");
}

static void probe_kvm_amd_param(struct coco_probe_result *r)
{
	char value[16];
	int ret = coco_kvm_read_file(SNP_PARAM_PATH, value, sizeof(value));

	if (ret >= 0) {
		bool on = value[0] == 'Y' || value[0] == 'y' || value[0] == '1';
		value[strcspn(value, "\n")] = '\0';
		coco_probe_add(r, "kvm_amd sev_snp", on,
			       "kvm_amd sev_snp=N: enable SEV-SNP in firmware setup and load "
			       "kvm_amd with sev_snp=1",
			       "%s = %s", SNP_PARAM_PATH, value);
		return;
	}
	/* No sev_snp parameter: is kvm_amd missing, or older than SNP host support? */
	if (coco_kvm_read_file(SEV_PARAM_PATH, value, sizeof(value)) >= 0)
		coco_probe_add(r, "kvm_amd sev_snp", false,
			       "boot a kernel with SEV-SNP host support (Linux 6.11 or later) "
			       "and load kvm_amd with sev_snp=1",
			       "kvm_amd is loaded but has no sev_snp parameter (%s: %s)",
			       SNP_PARAM_PATH, strerror(-ret));
	else
		coco_probe_add(r, "kvm_amd sev_snp", false,
			       "load kvm_amd with sev_snp=1 (modprobe kvm_amd sev_snp=1) on an "
			       "AMD host with SEV-SNP enabled in firmware setup",
			       "kvm_amd is not loaded (%s: %s)", SNP_PARAM_PATH, strerror(-ret));
}

static int probe_dev_sev(struct coco_probe_result *r, int *sev_fd)
{
	int ret = snp_sev_open(sev_fd);

	if (ret == 0) {
		coco_probe_add(r, "/dev/sev", true, NULL, "opened %s read-write",
			       SNP_SEV_DEV_PATH);
		return 0;
	}
	*sev_fd = -1;
	coco_probe_add(r, "/dev/sev", false,
		       ret == -EACCES || ret == -EPERM
			       ? "run as root or give the user read-write access to /dev/sev"
			       : "enable SEV-SNP in firmware setup and load the ccp and kvm_amd "
				 "drivers (modprobe ccp; modprobe kvm_amd sev_snp=1)",
		       "cannot open %s: %s", SNP_SEV_DEV_PATH, strerror(-ret));
	return ret;
}

static void probe_firmware(struct coco_probe_result *r, int sev_fd)
{
	struct snp_platform_status st;

	if (sev_fd < 0) {
		coco_probe_add(r, "SNP firmware", false, "fix the /dev/sev check first",
			       "not checked: /dev/sev is not usable");
		return;
	}
	if (snp_sev_platform_status(sev_fd, &st)) {
		coco_probe_add(r, "SNP firmware", false,
			       "update the host kernel (SNP_PLATFORM_STATUS needs Linux 6.9) and "
			       "the SEV firmware",
			       "%s", coco_last_error());
		return;
	}
	coco_probe_add(r, "SNP firmware", st.state == SNP_PLATFORM_INIT,
		       "SNP is not initialised: load kvm_amd with sev_snp=1 (it runs "
		       "SNP_INIT_EX) and look for SEV-SNP errors in the kernel log",
		       "SNP_PLATFORM_STATUS: API %u.%u build %u, state %s (%u), RMP %s, "
		       "%u guests", st.api_major, st.api_minor, st.build_id,
		       st.state == SNP_PLATFORM_INIT ? "INIT" : "UNINIT", st.state,
		       st.is_rmp_initialized ? "initialised" : "not initialised", st.guest_count);
}

int snp_hw_probe(struct coco_probe_result *r)
{
	int kvm_fd, sev_fd;

	coco_kvm_probe_dev(r, "enable SVM and SEV-SNP in firmware setup and load kvm_amd "
			   "(modprobe kvm_amd sev_snp=1)", &kvm_fd);
	coco_kvm_probe_api_version(r, kvm_fd);
	probe_cpu(r);
	probe_kvm_amd_param(r);
	coco_kvm_probe_vm_type(r, kvm_fd, &snp_kvm_vm_type);
	coco_kvm_probe_memory(r, kvm_fd, "guest_memfd",
			      COCO_KVM_PROBE_GUEST_MEMFD | COCO_KVM_PROBE_USER_MEMORY2 |
				      COCO_KVM_PROBE_PRIVATE_ATTR,
			      "boot a kernel with guest_memfd (Linux 6.8 or later, "
			      "CONFIG_KVM_SW_PROTECTED_VM or SEV-SNP host support)");
	probe_dev_sev(r, &sev_fd);
	probe_firmware(r, sev_fd);
	if (kvm_fd >= 0)
		coco_kvm_close(kvm_fd);
	if (sev_fd >= 0)
		coco_kvm_close(sev_fd);
	return 0;
}
