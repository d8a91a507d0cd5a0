"""The harness's tables, validated (make harness-test): every tests/*.conf
has one column header ("# name  suite  ...", columns two spaces or more
apart) and every row its columns, and what one table names exists: a
kernel row's suite is one the harness builds (suite_root's list in
scripts/lib-root.sh, or the host's own, Debian 12), its arch a row of
tests/arches.conf, its stages stages that read the column (a stage_rows
or kernel_rows call names them); an architecture's QEMU package a row of
tests/host-packages.conf; a boot kind's figures positive integers. A
table added without rules here fails."""

import glob
import os
import re
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
TESTS = os.path.join(TOP, 'tests')
HEADER = re.compile(r'^# ([a-z][\w-]*(?: {2,}[a-z][\w-]*)+)\s*$')
HOST_SUITE = 'bookworm'  # scripts/lib.sh: HOST_SUITE, Debian 12's codename


def table(name):
    """(columns, rows) of tests/NAME: the header's names, and each data line
    split on whitespace with its line number."""
    headers, rows = [], []
    with open(os.path.join(TESTS, name)) as f:
        for n, line in enumerate(f, 1):
            m = HEADER.match(line)
            if m:
                headers.append(m.group(1).split())
            elif line.strip() and not line.startswith('#'):
                rows.append((n, line.split()))
    assert len(headers) == 1, '%s: %d column headers, want one' % (name, len(headers))
    return headers[0], rows


def column(name, col):
    cols, rows = table(name)
    return [r[cols.index(col)] for _, r in rows]


def built_suites():
    """The suites suite_root accepts (scripts/lib-root.sh), and the host's."""
    with open(os.path.join(TOP, 'scripts', 'lib-root.sh')) as f:
        src = f.read()
    body = src[src.index('suite_root() {'):]
    m = re.search(r'case \$suite in\s*\n\s*([\w| -]+)\) ;;', body)
    assert m, 'suite_root has no case of its suites'
    return {s.strip() for s in m.group(1).split('|')} | {HOST_SUITE}


def stages():
    """The stages that read the table's stages column: the literal STAGE of
    every stage_rows or kernel_rows call (scripts/, bench/); test.sh's
    "$stage" is test, or test-debug when test-debug.sh runs it."""
    names = set()
    for p in glob.glob(os.path.join(TOP, 'scripts', '**', '*.sh'), recursive=True) + \
            glob.glob(os.path.join(TOP, 'bench', '*.sh')):
        with open(p) as f:
            names |= set(re.findall(r'\b(?:stage|kernel)_rows (?:--required )?([a-z][\w-]*)', f.read()))
    return names | {'test'}


class Tables(unittest.TestCase):

    def test_every_table_has_rules(self):
        known = {'kernels.conf', 'boots.conf', 'arches.conf', 'host-packages.conf'}
        found = {os.path.basename(p) for p in glob.glob(os.path.join(TESTS, '*.conf'))}
        self.assertEqual(found - known, set(), 'a table without rules in test_tables.py')

    def test_columns(self):
        for name in ('kernels.conf', 'boots.conf', 'arches.conf', 'host-packages.conf'):
            cols, rows = table(name)
            self.assertTrue(rows, name)
            for n, r in rows:
                with self.subTest(table=name, line=n):
                    self.assertEqual(len(r), len(cols), '%s:%d: %d columns, want %d (%s)'
                                     % (name, n, len(r), len(cols), ' '.join(cols)))
            first = [r[0] for _, r in rows]
            self.assertEqual(len(first), len(set(first)), '%s: a %s twice' % (name, cols[0]))

    def test_kernels(self):
        cols, rows = table('kernels.conf')
        suites, arches, known = built_suites(), set(column('arches.conf', 'arch')), stages()
        for n, r in rows:
            row = dict(zip(cols, r))
            with self.subTest(line=n, row=r[0]):
                self.assertIn(row['suite'], suites, 'kernels.conf:%d: unknown suite' % n)
                self.assertIn(row['arch'], arches, 'kernels.conf:%d: no row of tests/arches.conf' % n)
                self.assertRegex(row['package'], r'^(source|linux-image-[a-z0-9.+-]+)$')
                if row['stages'] != '-':
                    for s in row['stages'].split(','):
                        self.assertIn(s, known, 'kernels.conf:%d: unknown stage' % n)

    def test_boots(self):
        cols, rows = table('boots.conf')
        for n, r in rows:
            for c, v in zip(cols[1:], r[1:]):
                self.assertRegex(v, r'^[1-9][0-9]*$', 'boots.conf:%d: %s' % (n, c))

    def test_arches(self):
        cols, rows = table('arches.conf')
        packages = set(column('host-packages.conf', 'package'))
        for n, r in rows:
            row = dict(zip(cols, r))
            if row['package'] != '-':
                self.assertIn(row['package'], packages,
                              'arches.conf:%d: QEMU package not in tests/host-packages.conf' % n)
            self.assertEqual(row['qemu'] == '-', row['package'] == '-', 'arches.conf:%d' % n)

    def test_host_packages(self):
        cols, rows = table('host-packages.conf')
        for n, r in rows:
            row = dict(zip(cols, r))
            self.assertRegex(row['groups'], r'^[a-z0-9-]+(,[a-z0-9-]+)*$', 'host-packages.conf:%d' % n)
            self.assertRegex(row['commands'], r'^(-|[\w.+-]+(,[\w.+-]+)*)$', 'host-packages.conf:%d' % n)


if __name__ == '__main__':
    unittest.main()
