/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linked into a test program, this runs it on a fake TDX host: the fake
 * kernel (fake-kvm.h) is installed before main(), so the program's own
 * code -- e.g. the conformance suite, public API only -- finds the "tdx"
 * hardware backend available and drives it over the fake.
 */
#include "tests/common/fake-kvm.h"

static struct fake_kvm host;

__attribute__((constructor)) static void install_fake_tdx_host(void)
{
	fake_kvm_tdx_host(&host.facts);
	fake_kvm_install(&host);
}

__attribute__((destructor)) static void remove_fake_tdx_host(void)
{
	fake_kvm_free_records(&host);
	fake_kvm_install(0);
}
