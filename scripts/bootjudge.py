"""Judging a boot (scripts/verdict.py's third part): the guest's checks
from its result channel, the boot's completion, and the console's kernel
lines scanned with tests/kernel-reports.txt as the guest scans its kernel
log (tests/lib-kernel.sh: kernel_reports); the plan a boot must meet,
counted from the tree. Standard library only."""

import os
import re

from results import TOP, Check, lines_of

REPORTS = os.path.join(TOP, 'tests', 'kernel-reports.txt')
BEGIN_MARK = 'roulette-test: expected-oops-begin'
END_MARK = 'roulette-test: expected-oops-end'
RESULT = re.compile(r'^(PASS|FAIL|SKIP): (.*)$')
# A console line that echoes the protocol (tests/lib.sh: emit), not the kernel.
ECHO = re.compile(r'^((PLAN|BEGIN|END|PASS|FAIL|SKIP|PANIC|DATA): |DONE$|# )')
KERNEL_LINE = re.compile(r'^\[ *[0-9]+\.[0-9]+\] ')
KERNEL_STAMP = re.compile(r'\[ *[0-9]+\.[0-9]{6}\]')


def report_patterns(path=REPORTS):
    """{class: [regex]} from tests/kernel-reports.txt (CLASS ERE a line)."""
    pats = {}
    for l in lines_of(path):
        if l.startswith('#') or not l.strip():
            continue
        cls, _, ere = l.partition(' ')
        pats.setdefault(cls, []).append(re.compile(ere.strip()))
    return pats


def scan(lines, pats, excuse_oops=False):
    """The reports in kernel log LINES, as tests/lib.sh: kernel_reports:
    class oops is excused between the expected-oops marks (or everywhere,
    EXCUSE_OOPS: a boot that announced its panic), class detector never,
    and a window left open is a report itself."""
    found, window = [], False
    for l in lines:
        if BEGIN_MARK in l:
            window = True
            continue
        if END_MARK in l:
            window = False
            continue
        for cls, res in sorted(pats.items()):
            if cls == 'oops' and (window or excuse_oops):
                continue
            if any(r.search(l) for r in res):
                found.append('%s: %s' % (cls, l.strip()))
    if window:
        found.append('oops: expected-oops-begin without an end')
    return found


def console_kernel_lines(console, start=''):
    """The kernel's own lines on the console (timestamped), from the line
    holding START on when START is given."""
    out, on = [], not start
    for l in console:
        on = on or start in l
        if on and KERNEL_LINE.match(l):
            out.append(l)
    return out


def console_shows(console, text):
    """TEXT is in the console's kernel output, not only in its echo of a
    protocol line (PANIC: TEXT)."""
    for l in console:
        if ECHO.match(l):
            continue
        if text in l.replace('PANIC: ' + text, ''):
            return True
    return False


def judge(tag, results, console, rc, secs, want=None, pats=None, start=''):
    """The checks of one boot, from the result channel's and the console's
    lines: the guest's own, then the boot's completion (every file that
    began ended, or was cut short by the panic it announced and the console
    shows; the plan is the tree's and is met; DONE; nothing but protocol on
    the channel), then the console's kernel reports."""
    checks, problems = [], []
    plan, began, panics, ended, done, planned = None, '', [], 0, False, False
    last = None
    for n, l in enumerate(results, 1):
        if not planned and not l.startswith('PLAN: '):
            continue    # firmware's messages before the runner starts (OVMF)
        if not l.strip():
            continue
        if KERNEL_STAMP.search(l):
            problems.append('line %d of the result channel holds kernel output: %r' % (n, l[:160]))
            last = None
            continue
        m = RESULT.match(l)
        if m:
            file, _, name = m.group(2).partition(': ')
            if file != began:
                problems.append("line %d: a result of '%s' outside its file (began: '%s')" % (n, file, began))
            last = Check(m.group(1), tag, file, name)
            checks.append(last)
        elif l.startswith('# '):
            if last is not None:
                last.diag.append(l[2:])
        elif l.startswith('PLAN: '):
            if planned:
                problems.append('line %d: a second PLAN' % n)
            planned, plan = True, l[6:].strip()
        elif l.startswith('BEGIN: '):
            if began:
                problems.append("line %d: '%s' began before '%s' ended" % (n, l[7:], began))
            began, panics, last = l[7:], [], None
        elif l.startswith('END: '):
            if l[5:] != began:
                problems.append("line %d: END of '%s', which had not begun" % (n, l[5:]))
            else:
                if panics:
                    problems.append("'%s' announced a panic and ran to its end" % began)
                ended, began, panics, last = ended + 1, '', [], None
        elif l.startswith('PANIC: '):
            if not began:
                problems.append('line %d: PANIC outside a file' % n)
            panics.append(l[7:])
        elif l.startswith('DATA: '):
            pass
        elif l == 'DONE':
            done = True
        else:
            problems.append('line %d of the result channel is not a protocol line: %r' % (n, l[:160]))
    if want is not None and str(plan) != str(want):
        problems.append("plan '%s', the tree's is %s" % (plan or '', want))
    where = 'qemu status %s, %s s' % (rc, secs)
    if began and panics:
        absent = [p for p in panics if not console_shows(console, p)]
        if str(rc) == '124':
            problems.append('the boot timed out')
        if absent:
            problems.append('the console lacks ' + ', '.join("'%s'" % p for p in absent))
        checks.append(Check('FAIL' if problems else 'PASS', tag, began,
                            'the kernel panicked as announced',
                            problems + ['%d console texts, %s' % (len(panics), where)]))
    else:
        if began:
            problems.insert(0, "'%s' stopped before its end" % began)
        elif not done:
            problems.append('no DONE')
        if not began and plan is not None and str(ended) != str(plan):
            problems.append('%s files ended of %s planned' % (ended, plan))
        if plan is None:
            problems.append('no PLAN')
        checks.append(Check('FAIL' if problems else 'PASS', tag, '', 'all files ran to their end',
                            problems + ['%s files, %s' % (ended, where)]))
    if pats is None:
        pats = report_patterns()
    found = scan(console_kernel_lines(console, start), pats, excuse_oops=bool(began and panics))
    if start and not any(start in l for l in console):
        found.insert(0, "no '%s' line" % start)
    if not console:
        found.insert(0, 'no console output')
    checks.append(Check('FAIL' if found else 'PASS', tag, '',
                        'console: no kernel report outside an expected-oops window', found[:3]))
    return checks


def plan(suites, top=TOP):
    """How many files the guest must run for suites=SUITES (comma-separated,
    as tests/lib.sh: run_suites counts them, kernel-log included), counted
    from the tree, so that a guest that lost a file cannot plan fewer: a
    directory (tests/NAME, bench/guest for bench) runs its [0-9]*.sh files,
    anything else is one file."""
    n = 1
    for s in filter(None, suites.split(',')):
        d = os.path.join(top, 'tests', s)
        if s.split('/')[0] == 'bench':
            d = os.path.join(top, 'bench', 'guest') + s[len('bench'):]
        if os.path.isdir(d):
            n += len([f for f in os.listdir(d) if re.match(r'[0-9].*\.sh$', f)
                      and os.path.isfile(os.path.join(d, f))])
        else:
            n += 1
    return n
