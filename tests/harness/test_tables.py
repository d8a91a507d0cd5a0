"""The harness's tables, validated (make harness-test): every tests/*.conf
has one column header ("# name  suite  ...", columns two spaces or more
apart) and every row its columns, and what one table names exists: a
kernel row's suite a row of tests/suites.conf (or SUITE-backports of a
row whose sources list backports), its arch a row of tests/arches.conf,
its stages stages that read the column (a stage_rows, kernel_rows or
stage_kernel call names them; stage_kernel's, one row each); an
architecture's QEMU package a row of tests/host-packages.conf; a boot
kind's figures positive integers, its ring buffer a size or "-"; a
suite's sources, base, upgrade target, lived failure path, crash-dump
mode and roles known values (each role on one row), and a kernel row of
it; a lintian row's suite a suite, its tags tag names, and the host's
suite (role host) among them; a piuparts run's place one a qa_piuparts
call runs, its suite a suite, Recommends on or off, its packages package
names; the columns table_field reads (scripts/lib.sh: TABLE_COLUMNS) the
file's own. A table added without rules here fails."""

import glob
import os
import re
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
TESTS = os.path.join(TOP, 'tests')
HEADER = re.compile(r'^# ([a-z][\w-]*(?: {2,}[a-z][\w-]*)+)\s*$')


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


def suite_rows():
    """tests/suites.conf's rows, by suite."""
    cols, rows = table('suites.conf')
    return {r[0]: dict(zip(cols, r)) for _, r in rows}


def built_suites():
    """The suites a kernel row may name: each row of tests/suites.conf, and
    SUITE-backports of a row whose sources list backports (suite_root in
    scripts/lib-root.sh accepts those)."""
    rows = suite_rows()
    return set(rows) | {s + '-backports' for s, r in rows.items()
                        if 'backports' in r['sources'].split(',')}


def shell_assoc(path, name):
    """The keys of a bash associative array declared with literal members
    (declare -gA NAME=([key]=value ...)) in the file at path."""
    with open(os.path.join(TOP, path)) as f:
        m = re.search(r'declare -gA %s=\(([^)]*)\)' % name, f.read())
    assert m, '%s: no declare -gA %s=(...)' % (path, name)
    return set(re.findall(r'\[([\w-]+)\]=', m.group(1)))


def piuparts_places():
    """The places (WHERE) a qa_piuparts call runs: make systest's
    "step qa_piuparts ci", make qa's "qa_piuparts qa"."""
    places = set()
    for p in glob.glob(os.path.join(TOP, 'scripts', '**', '*.sh'), recursive=True):
        with open(p) as f:
            places |= set(re.findall(r'\bqa_piuparts ([a-z]+) "', f.read()))
    return places


def table_columns():
    """TABLE_COLUMNS of scripts/lib.sh: table -> its column names, as
    table_field reads them."""
    with open(os.path.join(TOP, 'scripts', 'lib.sh')) as f:
        m = re.search(r'declare -gA TABLE_COLUMNS=\((.*?)\n\)', f.read(), re.S)
    assert m, 'scripts/lib.sh: no TABLE_COLUMNS'
    return {t: c.split() for t, c in re.findall(r'\[(\w+)\]="([^"]*)"', m.group(1))}


def stage_calls():
    """Every literal STAGE of a stage_rows, kernel_rows or stage_kernel call
    (scripts/, bench/), with the function that names it."""
    calls = set()
    for p in glob.glob(os.path.join(TOP, 'scripts', '**', '*.sh'), recursive=True) + \
            glob.glob(os.path.join(TOP, 'bench', '*.sh')):
        with open(p) as f:
            calls |= set(re.findall(r'\b(stage_rows|kernel_rows|stage_kernel) (?:--required )?([a-z][\w-]*)',
                                    f.read()))
    return calls


def stages():
    """The stages that read the table's stages column: the literal STAGE of
    every stage_rows, kernel_rows or stage_kernel call; test.sh's "$stage"
    is test, or test-debug when test-debug.sh runs it."""
    return {s for _, s in stage_calls()} | {'test'}


TABLES = ('kernels.conf', 'boots.conf', 'arches.conf', 'host-packages.conf', 'suites.conf',
          'lintian.conf', 'piuparts.conf')
ROLES = ('host', 'deb', 'sparse')


class Tables(unittest.TestCase):

    def test_every_table_has_rules(self):
        known = set(TABLES)
        found = {os.path.basename(p) for p in glob.glob(os.path.join(TESTS, '*.conf'))}
        self.assertEqual(found - known, set(), 'a table without rules in test_tables.py')

    def test_columns(self):
        for name in TABLES:
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

    def test_one_row_stages(self):
        """A stage part stage_kernel reads (bench-pkg, test-debug-kernel) has
        exactly one row."""
        cols, rows = table('kernels.conf')
        for _, stage in {c for c in stage_calls() if c[0] == 'stage_kernel'}:
            with self.subTest(stage=stage):
                named = [r[0] for _, r in rows if stage in r[cols.index('stages')].split(',')]
                self.assertEqual(len(named), 1, 'kernels.conf: stage %s has rows %s, want one' % (stage, named))

    def test_boots(self):
        cols, rows = table('boots.conf')
        for n, r in rows:
            row = dict(zip(cols, r))
            for c in ('mem', 'cpus', 'timeout'):
                self.assertRegex(row[c], r'^[1-9][0-9]*$', 'boots.conf:%d: %s' % (n, c))
            # log_buf_len=: a power of two, in K or M (the kernel rounds up)
            self.assertRegex(row['logbuf'], r'^(-|(1|2|4|8|16|32|64|128|256|512)[KM])$',
                             'boots.conf:%d: logbuf' % n)

    def test_arches(self):
        cols, rows = table('arches.conf')
        packages = set(column('host-packages.conf', 'package'))
        for n, r in rows:
            row = dict(zip(cols, r))
            if row['package'] != '-':
                self.assertIn(row['package'], packages,
                              'arches.conf:%d: QEMU package not in tests/host-packages.conf' % n)
            self.assertEqual(row['qemu'] == '-', row['package'] == '-', 'arches.conf:%d' % n)

    def test_table_columns(self):
        """table_field's column names (TABLE_COLUMNS) are the file's header."""
        for t, cols in table_columns().items():
            with self.subTest(table=t):
                self.assertEqual(cols, table(t + '.conf')[0],
                                 'scripts/lib.sh: TABLE_COLUMNS[%s] is not tests/%s.conf\'s header' % (t, t))

    def test_suites(self):
        cols, rows = table('suites.conf')
        suites = [r[0] for _, r in rows]
        plants = shell_assoc('scripts/systest/lived.sh', 'LIVED_FILE')
        for n, r in rows:
            row = dict(zip(cols, r))
            with self.subTest(line=n, suite=r[0]):
                self.assertRegex(row['suite'], r'^[a-z]+$', 'suites.conf:%d: a codename' % n)
                if row['sources'] != '-':
                    parts = row['sources'].split(',')
                    self.assertLessEqual(set(parts), {'updates', 'security', 'backports'},
                                         'suites.conf:%d: sources' % n)
                    self.assertEqual(len(parts), len(set(parts)), 'suites.conf:%d: sources' % n)
                self.assertIn(row['base'], ('minimal', 'default'), 'suites.conf:%d: base' % n)
                if row['upgrade'] != '-':
                    self.assertIn(row['upgrade'], suites, 'suites.conf:%d: upgrade to no suite' % n)
                    self.assertNotEqual(row['upgrade'], row['suite'], 'suites.conf:%d' % n)
                if row['lived'] != '-':
                    self.assertIn(row['lived'], plants,
                                  'suites.conf:%d: lived: no such LIVED_FILE in scripts/systest/lived.sh' % n)
                self.assertIn(row['kdump'], ('panic', 'oops', '-'), 'suites.conf:%d: kdump' % n)
                if row['role'] != '-':
                    roles = row['role'].split(',')
                    self.assertLessEqual(set(roles), set(ROLES), 'suites.conf:%d: role' % n)
                    self.assertEqual(len(roles), len(set(roles)), 'suites.conf:%d: role' % n)
        for role in ROLES:
            holders = [r[0] for _, r in rows if role in r[cols.index('role')].split(',')]
            self.assertEqual(len(holders), 1, 'suites.conf: role %s on %s, want one row' % (role, holders))

    def test_lintian(self):
        cols, rows = table('lintian.conf')
        suites = suite_rows()
        host = [s for s, r in suites.items() if 'host' in r['role'].split(',')]
        for n, r in rows:
            row = dict(zip(cols, r))
            with self.subTest(line=n, suite=r[0]):
                self.assertIn(row['suite'], set(suites), 'lintian.conf:%d: no row of tests/suites.conf' % n)
                self.assertRegex(row['suppress'], r'^(-|[a-z0-9][a-z0-9-]*(,[a-z0-9][a-z0-9-]*)*)$',
                                 'lintian.conf:%d: suppress: lintian tags, comma-separated' % n)
        self.assertLessEqual(set(host), {r[0] for _, r in rows},
                             "lintian.conf: no row of the host's suite (make deb's lintian)")

    def test_piuparts(self):
        cols, rows = table('piuparts.conf')
        suites, places = set(suite_rows()), piuparts_places()
        self.assertTrue(places, 'no qa_piuparts WHERE call in scripts/')
        for n, r in rows:
            row = dict(zip(cols, r))
            with self.subTest(line=n, run=r[0]):
                self.assertRegex(row['name'], r'^[a-z0-9][a-z0-9-]*$', 'piuparts.conf:%d: name' % n)
                self.assertIn(row['where'], places, 'piuparts.conf:%d: where: no qa_piuparts call runs it' % n)
                self.assertIn(row['suite'], suites, 'piuparts.conf:%d: no row of tests/suites.conf' % n)
                self.assertIn(row['recommends'], ('on', 'off'), 'piuparts.conf:%d: recommends' % n)
                self.assertRegex(row['packages'], r'^(-|[a-z0-9][a-z0-9.+-]+(,[a-z0-9][a-z0-9.+-]+)*)$',
                                 'piuparts.conf:%d: packages' % n)

    def test_kernel_suites_have_rows(self):
        """Every suite of tests/suites.conf has a row of tests/kernels.conf
        (a suite of no row is dead data)."""
        used = {s.rsplit('-backports', 1)[0] for s in column('kernels.conf', 'suite')}
        self.assertEqual(set(suite_rows()) - used, set(), 'suites.conf: a suite no kernel row names')

    def test_host_packages(self):
        cols, rows = table('host-packages.conf')
        for n, r in rows:
            row = dict(zip(cols, r))
            self.assertRegex(row['groups'], r'^[a-z0-9-]+(,[a-z0-9-]+)*$', 'host-packages.conf:%d' % n)
            self.assertRegex(row['commands'], r'^(-|[\w.+-]+(,[\w.+-]+)*)$', 'host-packages.conf:%d' % n)


if __name__ == '__main__':
    unittest.main()
