#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes the seed programs for fuzz-psp-model (see its encoding there): a full
# launch and tear-down, and a few short sequences that stop at each state.
import struct, sys, os

CMDS = ['INIT_EX', 'SHUTDOWN_EX', 'PLATFORM_STATUS', 'DF_FLUSH', 'GCTX_CREATE', 'DECOMMISSION',
        'ACTIVATE', 'GUEST_STATUS', 'LAUNCH_START', 'LAUNCH_UPDATE', 'LAUNCH_FINISH',
        'GUEST_REQUEST', 'PAGE_RECLAIM', 'PAGE_UNSMASH']
RMPUPDATE, PSMASH, WBINVD = 14, 15, 16

def page(p):           # an address the harness steers to page p of its memory
    return struct.pack('<Q', (p << 3) | 2)

def cmd(name, body):
    return bytes([CMDS.index(name)]) + body

def rmpupdate(p, gpa_page, asid=0, assigned=True, immutable=True):
    flags = (1 if assigned else 0) | (2 if immutable else 0) | (asid << 3)
    return bytes([RMPUPDATE, flags, p, gpa_page])

bring_up = (cmd('INIT_EX', struct.pack('<I', 1) + bytes(0x3c)) + bytes([WBINVD]) +
            cmd('DF_FLUSH', b''))
gctx = rmpupdate(1, 0) + cmd('GCTX_CREATE', page(1))
start = (cmd('LAUNCH_START', page(1) + struct.pack('<Q', 0x30000) + bytes(8) + bytes(8) + bytes(16)) +
         cmd('ACTIVATE', page(1) + struct.pack('<I', 1)))
update = (rmpupdate(2, 2, asid=1) +
          cmd('LAUNCH_UPDATE', page(1) + struct.pack('<II', 1 << 1, 0) + page(2) + bytes(8)) +
          rmpupdate(3, 3, asid=1) +
          cmd('LAUNCH_UPDATE', page(1) + struct.pack('<II', 5 << 1, 0) + page(3) + bytes(8)))
finish = cmd('LAUNCH_FINISH', page(1) + bytes(24) + bytes(32))
after = (rmpupdate(4, 0) + cmd('GUEST_REQUEST', page(1) + page(5) + page(4)) +
         cmd('GUEST_STATUS', page(1) + page(4)) + cmd('DECOMMISSION', page(1)) +
         cmd('PAGE_RECLAIM', page(1)) + cmd('SHUTDOWN_EX', struct.pack('<II', 8, 0)) +
         bytes([WBINVD]) + cmd('DF_FLUSH', b'') + cmd('SHUTDOWN_EX', struct.pack('<II', 8, 0)))

seeds = {
    'full-launch': bring_up + gctx + start + update + finish + after,
    'bring-up': bring_up + cmd('PLATFORM_STATUS', page(6)),
    'launch-started': bring_up + gctx + start,
    'updated': bring_up + gctx + start + update,
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'psp-model')
for name, data in seeds.items():
    with open(os.path.join(out, name + '.bin'), 'wb') as f:
        f.write(data)
