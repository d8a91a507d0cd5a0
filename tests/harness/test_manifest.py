"""Tests of the manifest of every check (scripts/manifest.py, tests/checks/)
on a small recorded run, fixtures/manifest.jsonl (a systest of two kernel
rows, fixtures/manifest-kernels.conf: steps, lives, a kdump boot per row,
piuparts), and its manifest as make checks writes it,
fixtures/manifest.checks: a missing name fails, an unlisted name fails, a
subset run (ROULETTE_KERNELS, a skipped step, a kernel unavailable) is
judged on what it ran; and that the committed manifests cover the table's
rows. make harness-test."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(HERE, 'fixtures')
VERDICT = os.path.join(TOP, 'scripts', 'verdict.py')
sys.path.insert(0, os.path.dirname(VERDICT))
import manifest  # noqa: E402
from results import Check, Results  # noqa: E402

RUN = os.path.join(FIX, 'manifest.txt')
LISTED = os.path.join(FIX, 'manifest.checks')
TABLE = os.path.join(FIX, 'manifest-kernels.conf')
ROWS = manifest.kernel_rows(TABLE)


def recorded():
    return Results(RUN).checks()


def judged(checks, selected=None):
    """{check name: (status, diagnostics)} of the manifest's two checks."""
    return {c.name: (c.status, c.diag) for c in
            manifest.judge(checks, manifest.read_manifest(LISTED), ROWS, selected)}


def without(checks, *titles):
    return [c for c in checks if c.title() not in titles]


class Judge(unittest.TestCase):

    def assertPasses(self, checks, selected=None):
        for name, (status, diag) in judged(checks, selected).items():
            self.assertEqual(status, 'PASS', '%s: %s' % (name, diag))

    def assertNames(self, checks, name, titles, selected=None):
        status, diag = judged(checks, selected)[name]
        self.assertEqual(status, 'FAIL', diag)
        for t in titles:
            self.assertIn(t, diag)

    def test_full_run_matches(self):
        self.assertPasses(recorded())

    def test_generated_is_the_fixture(self):
        self.assertEqual(manifest.generate(recorded()), manifest.read_manifest(LISTED))

    def test_missing_name_fails(self):
        gone = '[6.1-cloud] systest/01-system: booted the intended kernel'
        self.assertNames(without(recorded(), gone), manifest.MISSING, [gone])

    def test_vanished_step_fails(self):
        gone = [c.title() for c in recorded() if 'kdump' in c.tag or c.name == 'step crash_dump']
        self.assertNames(without(recorded(), *gone), manifest.MISSING, gone)

    def test_unlisted_name_fails(self):
        new = Check('FAIL', 'bookworm', '', 'a check renamed when it failed', ['why'])
        self.assertNames(recorded() + [new], manifest.UNLISTED, [new.title()])
        self.assertEqual(judged(recorded() + [new])[manifest.MISSING][0], 'PASS')

    def test_subset_judged_on_its_rows(self):
        other = [c.title() for c in recorded() if c.tag.startswith('6.12-cloud')]
        self.assertPasses(without(recorded(), *other), {'6.1-cloud'})
        gone = '[6.1-cloud-kdump-panic] kdump saved a dmesg and a vmcore in /var/crash/STAMP/'
        self.assertNames(without(recorded(), gone, *other), manifest.MISSING, [gone], {'6.1-cloud'})
        # the same run, not a subset: 6.12-cloud's names are missing
        self.assertNames(without(recorded(), *other), manifest.MISSING, other)

    def test_subset_judged_on_its_steps(self):
        """A subset whose story has fewer steps (a suite of one row) is
        judged on the steps that ran; a unit with no check is not judged."""
        gone = [c.title() for c in recorded() if c.tag.startswith('6.12-cloud') or
                c.tag == 'piuparts' or c.tag.startswith('piuparts-') or c.name == 'step crash_dump' or
                'kdump' in c.tag]
        self.assertPasses(without(recorded(), *gone), {'6.1-cloud'})

    def test_skipped_step(self):
        """ROULETTE_SYSTEST_SKIP: the step's SKIP stands for its names."""
        checks = [c for c in recorded() if 'kdump' not in c.tag]
        for c in checks:
            if c.title() == '[bookworm] step crash_dump':
                c.status, c.diag = 'SKIP', ['ROULETTE_SYSTEST_SKIP']
        self.assertPasses(checks)

    def test_skip_counts_as_present(self):
        checks = recorded()
        checks[0].status, checks[0].diag = 'SKIP', ['a reason']
        self.assertPasses(checks)
        # a skipped boot ("[TAG] FILE", no check name) stands for its tag's names
        checks = [c for c in recorded() if c.tag != '6.12-cloud-kdump-oops']
        checks.append(Check('SKIP', '6.12-cloud-kdump-oops', 'systest/kdump', '', ['not run']))
        self.assertPasses(checks)

    def test_kernel_unavailable(self):
        checks = [c for c in recorded() if not c.tag.startswith('6.12-cloud')]
        checks.insert(0, Check('SKIP', '6.12-cloud', '', 'kernel unavailable', ['404']))
        self.assertPasses(checks)


class CommandLine(unittest.TestCase):
    """verdict.py close with a manifest (scripts/lib.sh: results_close) and
    verdict.py checks (make checks)."""

    def close(self, checks, kernels=''):
        with tempfile.TemporaryDirectory() as tmp:
            out = Results(os.path.join(tmp, 'systest.txt'))
            for c in checks:
                out.add(c, echo=False)
            p = subprocess.run(['/usr/bin/python3', '-B', VERDICT, 'close', out.txt, LISTED, TABLE],
                               capture_output=True, text=True,
                               env=dict(os.environ, ROULETTE_KERNELS=kernels))
            with open(os.path.splitext(out.txt)[0] + '.ktap') as f:
                return p.returncode, p.stdout, f.read()

    def test_close(self):
        rc, out, ktap = self.close(recorded())
        self.assertEqual(rc, 0, out)
        self.assertIn('PASS: [manifest] every listed check ran', out)
        self.assertIn('\n%d passed, 0 failed' % (len(recorded()) + 2), out)
        gone = '[packages] make repo'
        rc, out, ktap = self.close(without(recorded(), gone))
        self.assertEqual(rc, 1, out)
        self.assertIn('FAIL: [manifest] every listed check ran: 1 missing: %s' % gone, out)
        self.assertIn('not ok', ktap)

    def test_close_subset(self):
        other = [c.title() for c in recorded() if c.tag.startswith('6.12-cloud')]
        rc, out, _ = self.close(without(recorded(), *other), kernels='6.1-cloud')
        self.assertEqual(rc, 0, out)
        self.assertIn('(rows 6.1-cloud)', out)

    def test_checks_refuses_a_failed_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(RUN.replace('.txt', '.jsonl'), os.path.join(tmp, 'systest.jsonl'))
            with open(os.path.join(tmp, 'systest.jsonl'), 'a') as f:
                f.write(Check('FAIL', 'bookworm', '', 'broken', ['x']).json() + '\n')
            p = subprocess.run(['/usr/bin/python3', '-B', VERDICT, 'checks', tmp, 'systest'],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 1)
            self.assertIn('no failure', p.stderr)

    def test_checks_refuses_a_subset_run(self):
        """make checks after a ROULETTE_KERNELS run (the kernel-row recipe's
        make test of one row) would write that row's names alone."""
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(RUN.replace('.txt', '.jsonl'), os.path.join(tmp, 'systest.jsonl'))
            with open(os.path.join(tmp, 'systest.jsonl'), 'a') as f:
                for c in manifest.judge(recorded(), manifest.read_manifest(LISTED), ROWS, {'6.1-cloud'}):
                    f.write(c.json() + '\n')
            p = subprocess.run(['/usr/bin/python3', '-B', VERDICT, 'checks', tmp, 'systest'],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 1)
            self.assertIn('a subset run: ', p.stderr)


class Committed(unittest.TestCase):
    """tests/checks/STAGE.txt: one name a line, once; steps as TARGET/FUNCTION;
    every row of tests/kernels.conf that runs the stage has names in it (a
    row added without make checks fails here; not inside make check,
    HARNESS_IN_STAGE=1: there the stage's close judges the rows it ran, and
    the row's names could never be written, make checks refusing a run with
    this failure)."""

    def test_manifests(self):
        table = os.path.join(TOP, 'tests', 'kernels.conf')
        rows = [l.split() for l in manifest.lines_of(table) if l.strip() and not l.startswith('#')]
        for stage in ('check', 'test', 'systest'):
            path = os.path.join(TOP, 'tests', 'checks', stage + '.txt')
            with self.subTest(stage=stage):
                self.assertTrue(os.path.exists(path), path)
                names = [l.partition('\t')[0] for l in manifest.lines_of(path) if l and not l.startswith('# ')]
                self.assertEqual(len(names), len(set(names)), 'a name twice in %s' % path)
                for steps in manifest.read_manifest(path).values():
                    for s in steps:
                        self.assertRegex(s, r'^[^/\s]+/[a-z_]+$')
                tags = {manifest.row_of(Check.parse('PASS', n).tag, [r[0] for r in rows]) for n in names}
                for r in rows if not os.environ.get('HARNESS_IN_STAGE') else []:
                    if stage in r[5].split(','):
                        self.assertIn(r[0], tags, '%s runs row %s: make checks' % (path, r[0]))


if __name__ == '__main__':
    unittest.main()
