"""The sums (scripts/verdict.py's fourth part): a stage's closing line and
KTAP file, the parts of a stage run side by side merged into it, and make
test-all's count of the stages (test-all.ktap, the CI skip rule).
Standard library only."""

import os
import sys

from ktap import ktap_document
import manifest
from results import TOP, UNAVAILABLE, Check, Results, closing_line, counts, write


def close(txt, listed=None, table=None):
    """STAGE.ktap beside TXT and the closing line; 0 when nothing failed
    and something passed. With LISTED (the stage's manifest, tests/checks/
    STAGE.txt) and TABLE (tests/kernels.conf), first the manifest's two
    checks (scripts/manifest.py: judge), judged on the rows
    ROULETTE_KERNELS selects."""
    stage = os.path.splitext(os.path.basename(txt))[0]
    out = Results(txt)
    if listed:
        for c in manifest.judge(out.checks(), manifest.read_manifest(listed),
                                manifest.kernel_rows(table), manifest.selected_rows(),
                                os.path.relpath(listed, TOP)):
            out.add(c)
    checks = out.checks()
    write(os.path.splitext(txt)[0] + '.ktap', ktap_document([(stage, checks)]))
    p, f, s = counts(checks)
    print(closing_line(p, f, s))
    return 0 if f == 0 and p > 0 else 1


def merge(txt, parts):
    """The checks of each of PARTS (a results file of the same format,
    written by a part of the stage run side by side, e.g. a systest life)
    appended to TXT, parts in the order given."""
    out = Results(txt)
    for part in parts:
        for c in Results(part).checks():
            out.add(c, echo=False)
    return 0


def stage_sum(name, checks, rc, ci):
    """The checks a stage counts with in make test-all: its own, one failure
    when it failed without recording one, one when CI met a skip."""
    checks = list(checks)
    if str(rc) != '0' and counts(checks)[1] == 0:
        checks.append(Check('FAIL', '', '', 'the stage script succeeded', ['exit status %s' % rc]))
    skipped = [c for c in checks if c.status == 'SKIP' and c.name != UNAVAILABLE]
    if ci and skipped:
        checks.append(Check('FAIL', '', '', 'CI allows no skipped check',
                            ['%d skipped, first: %s' % (len(skipped), skipped[0].title())]))
    return checks


def test_all(out_dir, specs, ci):
    """Each stage's line (SPECS: STAGE:STATUS:SECONDS) and the total;
    writes OUT_DIR/test-all.ktap. Under CI (set, not empty) a skip fails
    the run, except a kernel row whose archive no longer serves its kernel."""
    stages, lines, tp, tf, ts = [], [], 0, 0, 0
    for spec in specs:
        name, rc, secs = spec.split(':')
        checks = stage_sum(name, Results(os.path.join(out_dir, name + '.txt')).checks(), rc, ci)
        if ci and any(c.name == 'CI allows no skipped check' for c in checks):
            print('==> stage %s skipped checks, which CI does not allow' % name, file=sys.stderr)
        p, f, s = counts(checks)
        tp, tf, ts = tp + p, tf + f, ts + s
        stages.append((name, checks))
        lines.append('%-8s %s, %4d s' % (name, closing_line(p, f, s), int(secs)))
    write(os.path.join(out_dir, 'test-all.ktap'), ktap_document(stages))
    print()
    print('\n'.join(lines))
    print(closing_line(tp, tf, ts))
    return 0 if tf == 0 and tp > 0 else 1
