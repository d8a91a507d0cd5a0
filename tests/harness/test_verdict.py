"""Tests of scripts/verdict.py on recorded outputs (tests/harness/fixtures/),
no QEMU: make harness-test. The cases are data: fixtures/boots (one boot
each, fed to verdict.py boot) and fixtures/kernel-logs (kernel logs, fed to
the verdict's scan and to the guest's own, tests/lib.sh: kernel_reports).
Each boot's verdict output is kept in $HARNESS_OUT (default out/harness).
KUNIT_DIR (tools/testing/kunit of linux-source) enables the kunit.py
parse agreement tests; scripts/harness-test.sh sets it."""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(HERE, 'fixtures')
VERDICT = os.path.join(TOP, 'scripts', 'verdict.py')
PY = '/usr/bin/python3'
OUT = os.environ.get('HARNESS_OUT', os.path.join(TOP, 'out', 'harness'))
sys.path.insert(0, os.path.dirname(VERDICT))
import bootjudge  # noqa: E402
import results  # noqa: E402


def table(name, columns):
    """The rows of a whitespace table in fixtures/NAME: the last of its
    COLUMNS takes the rest of the line as it is."""
    rows = []
    with open(os.path.join(FIX, name)) as f:
        for l in f:
            if l.strip() and not l.startswith('#'):
                rows.append(l.rstrip('\n').split(None, columns - 1))
    return rows


def run(*args, env=None):
    p = subprocess.run([PY, VERDICT] + list(args), capture_output=True, text=True,
                       env=dict(os.environ, **(env or {})))
    return p.returncode, p.stdout + p.stderr


class Boots(unittest.TestCase):
    """Every case of fixtures/boots: verdict.py boot passes or fails it as
    the table says, and says the expected text."""

    def test_boots(self):
        os.makedirs(OUT, exist_ok=True)
        cases = table('boots', 7)
        self.assertGreaterEqual(len(cases), 8)
        for case, res, con, rc, plan, want, says in cases:
            with self.subTest(case=case), tempfile.TemporaryDirectory() as tmp:
                res, con = os.path.join(FIX, res), os.path.join(FIX, con)
                self.assertTrue(os.path.exists(res), res)
                txt = os.path.join(tmp, 'stage.txt')
                status, out = run('boot', txt, case, res, con, rc, '90', '' if plan == '-' else plan)
                with open(os.path.join(OUT, case + '.out'), 'w') as f:
                    f.write(out)
                self.assertEqual(status == 0, want == 'pass', out[-3000:])
                self.assertIn(says, out, out[-3000:])
                # the boot's own checks (completion, console) fail it
                checks = results.Results(txt).checks()
                fails = [c for c in checks[-2:] if c.status == 'FAIL']
                self.assertEqual(fails == [], want == 'pass', out[-3000:])


class ConsoleFrom(unittest.TestCase):
    """ROULETTE_CONSOLE_FROM (test-debug's detectors boot): the canaries'
    own reports before the mark are not judged, one after it is."""

    def judge(self, console, start):
        res = results.lines_of(os.path.join(FIX, 'detectors.results'))
        checks = bootjudge.judge('debug-detectors', res, console, '0', '60', '2', start=start)
        return checks[-1]

    def test_from(self):
        con = results.lines_of(os.path.join(FIX, 'detectors.console'))
        mark = 'roulette-test: canaries done'
        self.assertEqual(self.judge(con, mark).status, 'PASS')
        self.assertEqual(self.judge(con, '').status, 'FAIL')
        late = con[:-1] + ['[   54.000000] BUG: KASAN: use-after-free in roulette_read+0x1/0x2'] + con[-1:]
        self.assertEqual(self.judge(late, mark).status, 'FAIL')
        self.assertIn("no 'roulette-test: canaries done' line",
                      self.judge([l for l in con if mark not in l], mark).diag[0])


class KernelLogs(unittest.TestCase):
    """fixtures/kernel-logs: the host's scan (bootjudge.scan) and the guest's
    (tests/lib.sh: kernel_reports, under a POSIX shell with dmesg from the
    fixture) find the same number of reports of each class."""

    def guest_reports(self, log, cls):
        sh = shutil.which('busybox')
        cmd = [sh, 'sh'] if sh else ['/bin/sh']
        script = ('. "$TOP/tests/lib.sh"; TESTS=$TOP/tests KLOG=/nonexistent; '
                  'dmesg() { cat "$LOG"; }; kernel_reports "$CLS"')
        p = subprocess.run(cmd + ['-c', script], capture_output=True, text=True,
                           env=dict(os.environ, TOP=TOP, LOG=log, CLS=cls, RESULTS='/dev/null',
                                    TESTS=os.path.join(TOP, 'tests')))
        self.assertEqual(p.stderr, '')
        return [l for l in p.stdout.splitlines() if l]

    def test_kernel_logs(self):
        pats = bootjudge.report_patterns()
        for case, oops, detector in table('kernel-logs', 3):
            log = os.path.join(FIX, case + '.klog')
            with self.subTest(case=case):
                found = bootjudge.scan(results.lines_of(log), pats)
                host = {c: len([f for f in found if f.startswith(c + ':')]) for c in ('oops', 'detector')}
                self.assertEqual(host, {'oops': int(oops), 'detector': int(detector)}, found)
                for c in ('oops', 'detector'):
                    self.assertEqual(len(self.guest_reports(log, c)), host[c], c)


class Records(unittest.TestCase):
    def test_parse(self):
        c = results.Check.parse('FAIL', '[6.12-cloud-sig] guest/sig-enforce: load', ['expected x, got y'])
        self.assertEqual((c.tag, c.file, c.name, c.diag),
                         ('6.12-cloud-sig', 'guest/sig-enforce', 'load', ['expected x, got y']))
        # no detail given: the whole text is the name, as it would be passing
        c = results.Check.parse('FAIL', '[systest] lintian --pedantic clean: roulette_N_amd64.changes')
        self.assertEqual((c.tag, c.name, c.diag), ('systest', 'lintian --pedantic clean: roulette_N_amd64.changes', []))
        c = results.Check.parse('SKIP', '[t-panic] guest/panic', ['ROULETTE_NO_PANIC=1'])
        self.assertEqual((c.file, c.name), ('guest/panic', ''))
        c = results.Check.parse('PASS', '[t] console: no report')
        self.assertEqual((c.file, c.name), ('', 'console: no report'))
        c = results.Check.parse('FAIL', 'checkpatch --strict src/hello.c', ['WARNING: x'])
        self.assertEqual((c.tag, c.name, c.diag), ('', 'checkpatch --strict src/hello.c', ['WARNING: x']))

    def test_plan(self):
        guest = len(glob.glob(os.path.join(TOP, 'tests', 'guest', '[0-9]*.sh')))
        self.assertGreater(guest, 10)
        self.assertEqual(bootjudge.plan('guest'), guest + 1)
        self.assertEqual(bootjudge.plan('guest/panic.sh'), 2)
        self.assertEqual(bootjudge.plan('guest/sig-enforce.sh,guest/modules-disabled.sh'), 3)
        self.assertEqual(bootjudge.plan('bench'),
                         len(glob.glob(os.path.join(TOP, 'bench', 'guest', '[0-9]*.sh'))) + 1)
        # the recorded boot planned what the tree held then
        self.assertEqual(results.lines_of(os.path.join(FIX, 'good.results'))[0], 'PLAN: 18')

    def test_data(self):
        status, out = run('data', os.path.join(FIX, 'stress.results'), 'load_cycles')
        self.assertEqual((status, out.strip()), (0, '1234'))
        status, out = run('data', os.path.join(FIX, 'stress.results'))
        self.assertIn('readers opens=5 load_cycles=1000', out)


def stage_dir(tmp, name, fixture):
    """A results directory holding fixtures/FIXTURE.jsonl as stage NAME."""
    shutil.copy(os.path.join(FIX, fixture + '.jsonl'), os.path.join(tmp, name + '.jsonl'))
    open(os.path.join(tmp, name + '.txt'), 'a').close()


class Sum(unittest.TestCase):
    """make test-all's count and the CI skip rule (CI set: a skip fails the
    run, except "kernel unavailable")."""

    def sum(self, fixture, ci, rc='0'):
        with tempfile.TemporaryDirectory() as tmp:
            stage_dir(tmp, 'test', fixture)
            env = {'CI': ci}
            status, out = run('sum', tmp, 'test:%s:12' % rc, env=env)
            with open(os.path.join(tmp, 'test-all.ktap')) as f:
                ktap = f.read()
        with open(os.path.join(OUT, 'sum-%s-ci%s-rc%s.out' % (fixture, ci or 'unset', rc)), 'w') as f:
            f.write(out)
        return status, out, ktap

    def test_skip_without_ci(self):
        status, out, _ = self.sum('stage-skip', '')
        self.assertEqual(status, 0, out)
        self.assertIn('\n3 passed, 0 failed, 1 skipped', out)

    def test_skip_under_ci(self):
        status, out, ktap = self.sum('stage-skip', 'true')
        self.assertEqual(status, 1, out)
        self.assertIn('CI does not allow', out)
        self.assertIn('\n3 passed, 1 failed, 1 skipped', out)
        self.assertIn('not ok 5 CI allows no skipped check', ktap)

    def test_unavailable_under_ci(self):
        status, out, _ = self.sum('stage-unavailable', 'true')
        self.assertEqual(status, 0, out)

    def test_silent_failure(self):
        status, out, _ = self.sum('stage-unavailable', '', rc='2')
        self.assertEqual(status, 1, out)
        self.assertIn('test     3 passed, 1 failed, 1 skipped', out)


class Merge(unittest.TestCase):
    """Parts of a stage run side by side (systest's lives), each with its
    own results file, merged into the stage's: every check once, in the
    order of the parts, the closing count theirs together."""

    def test_merge(self):
        with tempfile.TemporaryDirectory() as tmp:
            txt = os.path.join(tmp, 'systest.txt')
            parts = []
            for n, fixture in enumerate(('stage-skip', 'stage-mixed')):
                stage_dir(tmp, 'part%d' % n, fixture)
                parts.append(os.path.join(tmp, 'part%d.txt' % n))
            status, out = run('record', txt, 'PASS', '[packages] built')
            self.assertEqual(status, 0, out)
            status, out = run('merge', txt, *parts)
            self.assertEqual((status, out), (0, ''))
            want = ['[packages] built'] + [c.title() for p in parts for c in results.Results(p).checks()]
            got = results.Results(txt).checks()
            self.assertEqual([c.title() for c in got], want)
            with open(txt) as f:
                self.assertEqual(f.read(), ''.join(c.txt() for c in got))
            status, out = run('close', txt)
            self.assertIn(results.closing_line(*results.counts(got)), out)


def kunit_counts(path):
    """kunit.py parse's closing counts of a KTAP file."""
    kunit = os.path.join(os.environ['KUNIT_DIR'], 'kunit.py')
    p = subprocess.run([PY, kunit, 'parse', path], capture_output=True, text=True)
    m = re.search(r'Ran (\d+) tests?: (.*)', p.stdout)
    assert m, p.stdout + p.stderr
    c = dict(re.findall(r'(\w+): (\d+)', m.group(2)))
    assert 'errors' not in c and 'crashed' not in c, p.stdout
    return int(c.get('passed', 0)), int(c.get('failed', 0)), int(c.get('skipped', 0))


def prove_counts(path):
    """prove reads the file as TAP (its top level: one test a stage) and,
    through verdict.py tap, one test a check: the counts of the latter, as
    TAP::Parser (prove's parser) gives them, and prove's verdicts."""
    whole = subprocess.run(['prove', '-e', 'cat', path], capture_output=True, text=True)
    flat = subprocess.run(['prove', '-e', '%s %s tap' % (PY, VERDICT), path],
                          capture_output=True, text=True)
    perl = ('use TAP::Parser; my $p = TAP::Parser->new({ exec => [@ARGV] }); $p->run;'
            'my @s = $p->skipped; print scalar($p->passed) - @s, " ", scalar($p->failed), " ", scalar(@s), "\\n";')
    c = subprocess.run(['perl', '-e', perl, PY, VERDICT, 'tap', path], capture_output=True, text=True)
    p, f, s = (int(x) for x in c.stdout.split())
    return (p, f, s), whole.returncode, flat.returncode


def own_counts(path):
    with open(path) as f:
        m = re.search(r'^# (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$', f.read(), re.M)
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


@unittest.skipUnless(os.environ.get('KUNIT_DIR'), 'KUNIT_DIR (linux-source tools/testing/kunit) not set')
class Agreement(unittest.TestCase):
    """kunit.py parse and prove count the KTAP results as the closing line
    does: fixture stages, and whatever out/results holds now."""

    def agree(self, path):
        own = own_counts(path)
        self.assertEqual(kunit_counts(path), own, path)
        flat, whole_rc, flat_rc = prove_counts(path)
        self.assertEqual(flat, own, path)
        self.assertEqual(whole_rc == 0, own[1] == 0, path)
        self.assertEqual(flat_rc == 0, own[1] == 0, path)

    def test_fixture_stages(self):
        with tempfile.TemporaryDirectory() as tmp:
            for fixture in ('stage-skip', 'stage-unavailable', 'stage-mixed'):
                stage_dir(tmp, fixture, fixture)
                run('close', os.path.join(tmp, fixture + '.txt'))
                self.agree(os.path.join(tmp, fixture + '.ktap'))
            run('sum', tmp, 'stage-skip:0:1', 'stage-mixed:0:1', 'stage-unavailable:1:1',
                env={'CI': 'true'})
            self.agree(os.path.join(tmp, 'test-all.ktap'))

    def test_out_results(self):
        for path in sorted(glob.glob(os.path.join(os.environ.get('ROULETTE_OUT', os.path.join(TOP, 'out')), 'results', '*.ktap'))):
            with self.subTest(path=path):
                self.agree(path)


if __name__ == '__main__':
    unittest.main()
