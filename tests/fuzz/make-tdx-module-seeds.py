#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Seed programs for fuzz-tdx-module.c (its input format: see that file)."""
import os
import sys

def page(i):            # steer selector 1: a page of the test memory
    return bytes([1, i])

def gpa(idx, level):    # steer selector 4: (idx << 12 | level)
    return bytes([4, idx, level])

def small(v):           # steer selector 5
    return bytes([5, v])

def keyid(i):           # steer selector 6: first KeyID + i
    return bytes([6, i])

def params(i):          # steer selector 7: a prepared TD_PARAMS page
    return bytes([7, i])

def sc(leaf, lp=0, rcx=small(0), rdx=small(0), r8=small(0), r9=small(0), version=0):
    return bytes([0, 0x80 if version else 0, leaf, lp]) + rcx + rdx + r8 + r9

def tc(leaf, tdvpr, rcx=small(0), rdx=small(0), r8=small(0)):
    return bytes([7]) + tdvpr + bytes([leaf]) + rcx + rdx + r8

TDR = page(10)
build = sc(9, rcx=TDR, rdx=keyid(1)) + sc(8, 0, TDR) + sc(8, 2, TDR)
build += b"".join(sc(1, rcx=page(11 + i), rdx=TDR) for i in range(6))
build += sc(21, rcx=TDR, rdx=params(0))
build += sc(10, rcx=page(20), rdx=TDR) + b"".join(sc(4, rcx=page(21 + i), rdx=page(20)) for i in range(5))
build += sc(22, rcx=page(20), version=1)
build += sc(3, rcx=gpa(0, 3), rdx=TDR, r8=page(30)) + sc(3, rcx=gpa(0, 2), rdx=TDR, r8=page(31))
build += sc(3, rcx=gpa(0, 1), rdx=TDR, r8=page(32))
build += sc(2, rcx=gpa(1, 0), rdx=TDR, r8=page(40), r9=page(41)) + sc(16, rcx=gpa(1, 0), rdx=TDR)
build += sc(17, rcx=TDR) + sc(6, rcx=gpa(2, 0), rdx=TDR, r8=page(42))
build += tc(6, page(20), rcx=gpa(2, 0))
teardown = sc(7, rcx=gpa(1, 0), rdx=TDR) + sc(38, rcx=TDR) + sc(29, rcx=gpa(1, 0), rdx=TDR)
teardown += sc(18, 0, page(20)) + sc(19, rcx=TDR)
teardown += sc(40, 0, small(0)) + sc(40, 0, small(1)) + sc(40, 2, small(0)) + sc(40, 2, small(1))
teardown += sc(20, rcx=TDR) + sc(28, rcx=page(42)) + sc(28, rcx=page(20)) + sc(28, rcx=TDR)

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus/tdx-module")
seeds = {
    "bring-up-only.bin": bytes([1]),
    "raw-init-order.bin": bytes([0]) + sc(34, 0, rdx=small(0)) + sc(33) + sc(35, 1) + sc(35, 1),
    "build-td.bin": bytes([1]) + build,
    "build-and-teardown.bin": bytes([1]) + build + teardown,
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
