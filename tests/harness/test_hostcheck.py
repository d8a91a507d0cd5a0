"""Tests of scripts/hostcheck.py (make check's host-tools check) on small
trees made here, no QEMU: make harness-test. Each mutation of a clean tree
(a library no longer sourced, a command of no listed package, an unknown
host_install group, a package named to apt_install, a library sourced by a
function) must be found, and the clean tree must pass."""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'scripts'))
import hostcheck  # noqa: E402

CONF = """# package groups commands
coreutils  base  cat,dirname,mkdir
mmdebstrap roots mmdebstrap
"""
LIB = """#!/bin/bash
. "$ROULETTE_TOP/scripts/lib-root.sh"
host_install() { :; }
apt_install() { :; }
"""
ROOT = """#!/bin/bash
root_mmdebstrap() {
	host_install roots
	mmdebstrap "$@"
}
"""
QA = """#!/bin/bash
. "$(dirname "$0")/lib.sh"
case $1 in
a | b) mkdir -p "$2" ;;
*) cat "$2" ;;
esac
root_mmdebstrap trixie out.tar
"""


class HostCheck(unittest.TestCase):
    def tree(self, **change):
        """A git tree of three scripts and the list, CHANGE replacing files."""
        d = tempfile.mkdtemp()
        files = {'tests/host-packages.conf': CONF, 'scripts/lib.sh': LIB,
                 'scripts/lib-root.sh': ROOT, 'scripts/qa.sh': QA}
        files.update({k.replace('__', '/').replace('_sh', '.sh'): v for k, v in change.items()})
        for path, text in files.items():
            os.makedirs(os.path.join(d, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(d, path), 'w', encoding='utf-8') as f:
                f.write(text)
        subprocess.run(['git', 'init', '-q', d], check=True)
        subprocess.run(['git', '-C', d, 'add', '.'], check=True)
        subprocess.run(['git', '-C', d, 'update-index', '--chmod=+x', 'scripts/qa.sh'], check=True)
        return d

    def findings(self, **change):
        d = self.tree(**change)
        r = subprocess.run([sys.executable, os.path.join(TOP, 'scripts/hostcheck.py'), d],
                           capture_output=True, text=True)
        return r.returncode, r.stdout

    def test_clean(self):
        self.assertEqual(self.findings(), (0, ''))

    def test_library_not_sourced(self):
        rc, out = self.findings(scripts__lib_sh=LIB.replace('. "$ROULETTE_TOP/scripts/lib-root.sh"\n', ''))
        self.assertEqual(rc, 1)
        self.assertIn('scripts/qa.sh:7: root_mmdebstrap: no package', out)

    def test_command_of_no_listed_package(self):
        rc, out = self.findings(**{'tests__host-packages.conf': CONF.replace('mmdebstrap roots mmdebstrap\n', 'mmdebstrap roots -\n')})
        self.assertEqual(rc, 1)
        self.assertIn('scripts/lib-root.sh:4: mmdebstrap: no package', out)

    def test_unknown_group(self):
        rc, out = self.findings(**{'scripts__lib-root_sh': ROOT.replace('host_install roots', 'host_install rootz')})
        self.assertEqual(rc, 1)
        self.assertIn('host_install rootz: no such group', out)
        self.assertIn('group roots is installed by no host_install', out)

    def test_package_named_to_apt_install(self):
        rc, out = self.findings(scripts__qa_sh=QA + 'apt_install arch-test\n')
        self.assertEqual(rc, 1)
        self.assertIn('scripts/qa.sh:8: apt_install arch-test', out)

    def test_library_sourced_by_a_function(self):
        lazy = LIB.replace('. "$ROULETTE_TOP', 'lazy() {\n\t. "$ROULETTE_TOP') + '}\n'
        rc, out = self.findings(scripts__lib_sh=lazy)
        self.assertEqual(rc, 1)
        self.assertIn('a library is sourced at the top of a file', out)

    def test_scanner(self):
        s = hostcheck.Scan('x=$(grep -c a "$(sed q f)") || timeout 5 nice -n 3 foo <<EOF\n'
                           'notacommand here\nEOF\nstep bar 1\n[[ -n $y ]] && baz\n')
        self.assertEqual([c for c, _ in s.calls], ['grep', 'sed', 'timeout', 'nice', 'foo',
                                                    'step', 'bar', 'baz'])


if __name__ == '__main__':
    unittest.main()
