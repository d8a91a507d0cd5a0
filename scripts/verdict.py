#!/usr/bin/python3
"""The harness's verdict: judging a boot, writing the results, summing the
stages. The shell launches QEMU and calls this program (scripts/lib.sh:
VERDICT); standard library only, Debian 12's python3. Its tests: make
harness-test. Its parts, by role: results.py (one check, a stage's
results files), ktap.py (KTAP written and read back), bootjudge.py (a
boot's checks, the console's kernel reports, the plan), sums.py (a stage's
closing line, merged parts, make test-all's count), manifest.py (the names
a full run must produce, tests/checks/STAGE.txt); this file is the
command line.

Results of a stage go to out/results/STAGE.txt (one line a check, for
people: PASS: NAME, FAIL: NAME: DETAIL, SKIP: NAME: REASON, diagnostics as
"# TEXT" lines under it), STAGE.jsonl (the same, one JSON object a check,
for this program) and, when the stage closes, STAGE.ktap (KTAP version 1:
the stage is a test, a suite file a subtest, a check a test line).

  verdict.py record TXT STATUS NAME [DETAIL...]   one check
  verdict.py plan SUITES               the files suites=SUITES runs, from the tree
  verdict.py boot TXT TAG RESULTS CONSOLE QEMU-STATUS SECONDS [PLAN]
  verdict.py close TXT [MANIFEST KERNELS-CONF]   STAGE.ktap, the closing line;
                                       the run judged by its manifest first
  verdict.py checks DIR STAGE...       tests/checks/STAGE.txt from DIR/STAGE.jsonl
  verdict.py merge TXT PART...         PART.txt's checks appended to TXT
  verdict.py sum DIR STAGE:STATUS:SECONDS...   make test-all's count
  verdict.py tap KTAP                  the leaves as flat TAP (for prove)
  verdict.py names FILE...             sorted check names of .jsonl files
  verdict.py data RESULTS [KEY]        DATA: payloads, or KEY's sum
  verdict.py reports CLASS             the patterns of tests/kernel-reports.txt
"""

import os
import sys

from bootjudge import judge, plan, report_patterns
from ktap import ktap_leaves, ktap_result
from results import TOP, UNAVAILABLE, Check, Results, lines_of
import manifest
import sums


def cmd_plan(args):
    print(plan(args[0] if args else ''))
    return 0


def cmd_boot(args):
    txt, tag, res, con, rc, secs = args[:6]
    want = args[6] if len(args) > 6 and args[6] else None
    console = lines_of(con)
    checks = judge(tag, lines_of(res), console, rc, secs, want,
                   start=os.environ.get('ROULETTE_CONSOLE_FROM', ''))
    out = Results(txt)
    for c in checks:
        out.add(c)
    if all(c.status != 'FAIL' for c in checks[-2:]):
        return 0
    print('    console tail (%s):' % con)
    for l in console[-40:]:
        print('    | ' + l)
    return 1


def cmd_close(args):
    return sums.close(*args[:3])


def cmd_checks(args):
    """checks DIR STAGE...: tests/checks/STAGE.txt written from a run's
    DIR/STAGE.jsonl (make checks); none written unless every STAGE's run
    was a full one (its close's note says so) with no failure."""
    runs = []
    for stage in args[1:]:
        checks = Results(os.path.join(args[0], stage + '.txt')).checks()
        bad = [c.title() for c in checks if c.tag != 'manifest' and (
            c.status == 'FAIL' or c.name == UNAVAILABLE)]
        bad += ['a subset run: ' + d for c in checks if c.tag == 'manifest' for d in c.diag
                if ' listed names wanted (' in d and '(%s)' % manifest.FULL not in d][:1]
        if not checks or bad:
            print('verdict.py checks: %s/%s.jsonl: %s: a manifest comes from a full run with no'
                  ' failure' % (args[0], stage, bad[0] if bad else 'no results'), file=sys.stderr)
            return 1
        runs.append((stage, checks))
    for stage, checks in runs:
        path = os.path.join(TOP, 'tests', 'checks', stage + '.txt')
        names = manifest.generate(checks)
        manifest.write_manifest(path, stage, names)
        print('%s: %d names' % (os.path.relpath(path), len(names)))
    return 0


def cmd_merge(args):
    """merge TXT PART...: each PART's checks appended to TXT."""
    return sums.merge(args[0], args[1:])


def cmd_sum(args):
    """sum DIR STAGE:STATUS:SECONDS...: make test-all's count."""
    return sums.test_all(args[0], args[1:], os.environ.get('CI', ''))


def cmd_tap(args):
    """The leaves of a KTAP file as plain TAP, one test line a check."""
    leaves = ktap_leaves(lines_of(args[0]))
    print('TAP version 13')
    print('1..%d' % len(leaves))
    for n, (ok, skip, path) in enumerate(leaves, 1):
        print(ktap_result(ok, n, path, '', skip))
    return 0


def cmd_names(args):
    names = set()
    for path in args:
        stage = os.path.splitext(os.path.basename(path))[0]
        for c in Results(path).checks():
            names.add('%s: %s' % (stage, c.title()))
    for n in sorted(names):
        print(n)
    return 0


def cmd_data(args):
    """DATA: payloads of a result channel, or with KEY the sum of KEY=N."""
    data = [l[6:] for l in lines_of(args[0]) if l.startswith('DATA: ')]
    if len(args) < 2:
        for d in data:
            print(d)
        return 0
    total = 0
    for d in data:
        for w in d.split():
            k, _, v = w.partition('=')
            if k == args[1] and v.isdigit():
                total += int(v)
    print(total)
    return 0


def cmd_reports(args):
    for r in report_patterns().get(args[0], []):
        print(r.pattern)
    return 0


def cmd_record(args):
    txt, status, text = args[:3]
    if status not in ('PASS', 'FAIL', 'SKIP'):
        print('verdict.py record: no status %s' % status, file=sys.stderr)
        return 2
    Results(txt).add(Check.parse(status, text, args[3:]))
    return 0


COMMANDS = {'record': cmd_record, 'plan': cmd_plan, 'boot': cmd_boot, 'close': cmd_close,
            'merge': cmd_merge, 'checks': cmd_checks, 'sum': cmd_sum, 'tap': cmd_tap, 'names': cmd_names, 'data': cmd_data, 'reports': cmd_reports}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return COMMANDS[argv[1]](argv[2:])


if __name__ == '__main__':
    sys.exit(main(sys.argv))
