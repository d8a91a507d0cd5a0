#!/usr/bin/python3
"""The harness's verdict: judging a boot, writing the results, summing the
stages. The shell launches QEMU and calls this program (scripts/lib.sh);
standard library only, Debian 12's python3. Its tests: make harness-test.

Results of a stage go to out/results/STAGE.txt (one line a check, for
people: PASS: NAME, FAIL: NAME: DETAIL, SKIP: NAME: REASON, diagnostics as
"# TEXT" lines under it), STAGE.jsonl (the same, one JSON object a check,
for this program) and, when the stage closes, STAGE.ktap (KTAP version 1:
the stage is a test, a suite file a subtest, a check a test line).

  verdict.py record TXT STATUS NAME [DETAIL...]   one check
  verdict.py plan SUITES               the files suites=SUITES runs, from the tree
  verdict.py boot TXT TAG RESULTS CONSOLE QEMU-STATUS SECONDS [PLAN]
  verdict.py close TXT                 STAGE.ktap, the closing line
  verdict.py merge TXT PART...         PART.txt's checks appended to TXT
  verdict.py sum DIR STAGE:STATUS:SECONDS...   make test-all's count
  verdict.py tap KTAP                  the leaves as flat TAP (for prove)
  verdict.py names FILE...             sorted check names of .jsonl files
  verdict.py data RESULTS [KEY]        DATA: payloads, or KEY's sum
  verdict.py reports CLASS             the patterns of tests/kernel-reports.txt
"""

import json
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORTS = os.path.join(TOP, 'tests', 'kernel-reports.txt')
BEGIN_MARK = 'roulette-test: expected-oops-begin'
END_MARK = 'roulette-test: expected-oops-end'
RESULT = re.compile(r'^(PASS|FAIL|SKIP): (.*)$')
# A console line that echoes the protocol (tests/lib.sh: emit), not the kernel.
ECHO = re.compile(r'^((PLAN|BEGIN|END|PASS|FAIL|SKIP|PANIC|DATA): |DONE$|# )')
KERNEL_LINE = re.compile(r'^\[ *[0-9]+\.[0-9]+\] ')
KERNEL_STAMP = re.compile(r'\[ *[0-9]+\.[0-9]{6}\]')
FILE_NAME = re.compile(r'^([A-Za-z0-9_.+-]+/[A-Za-z0-9_.+/-]+|kernel-log)$')
TAG = re.compile(r'^\[([^]]+)\] (.*)$', re.S)
UNAVAILABLE = 'kernel unavailable'


def lines_of(path):
    """A file's lines, carriage returns dropped; [] when it is missing."""
    try:
        with open(path, 'rb') as f:
            text = f.read().decode('utf-8', 'replace')
    except FileNotFoundError:
        return []
    return text.replace('\r', '').splitlines()


# --- one check ----------------------------------------------------------------

class Check:
    """One check: status, the boot or row it ran on (tag), its suite file,
    its stable name and its diagnostics (a failure's detail first)."""

    def __init__(self, status, tag='', file='', name='', diag=None):
        self.status, self.tag, self.file = status, tag, file
        self.name = name.replace('\n', '\\n')
        self.diag = [l for d in diag or [] for l in d.splitlines()]

    def title(self):
        """The name as STAGE.txt shows it: [TAG] FILE: NAME."""
        parts = [p for p in (self.file, self.name) if p]
        return ('[%s] ' % self.tag if self.tag else '') + ': '.join(parts)

    def line(self):
        text = '%s: %s' % (self.status, self.title())
        if self.status != 'PASS' and self.diag:
            text += ': ' + self.diag[0]
        return text

    def txt(self):
        rest = self.diag if self.status == 'PASS' else self.diag[1:]
        return '\n'.join([self.line()] + ['# ' + d for d in rest]) + '\n'

    def json(self):
        return json.dumps({'status': self.status, 'tag': self.tag, 'file': self.file,
                           'name': self.name, 'diag': self.diag})

    @staticmethod
    def parse(status, text, detail=None):
        """A check from "[TAG] FILE: NAME" (detail given apart) or, with no
        detail given, "[TAG] FILE: NAME: DETAIL" split at its first ': '
        after the file (the form older callers of record use)."""
        tag = ''
        m = TAG.match(text)
        if m:
            tag, text = m.group(1), m.group(2)
        file = ''
        head, sep, rest = text.partition(': ')
        if sep and FILE_NAME.match(head):
            file, text = head, rest
        elif FILE_NAME.match(text) and '/' in text:
            file, text = text, ''
        diag = list(detail or [])
        if detail is None and status != 'PASS' and ': ' in text:
            text, d = text.split(': ', 1)
            diag = [d]
        return Check(status, tag, file, text, [d for d in diag if d])


class Results:
    """A stage's results: STAGE.txt for people, STAGE.jsonl for this program."""

    def __init__(self, txt):
        self.txt = txt
        self.jsonl = os.path.splitext(txt)[0] + '.jsonl'

    def add(self, check, echo=True):
        with open(self.txt, 'a') as f:
            f.write(check.txt())
        with open(self.jsonl, 'a') as f:
            f.write(check.json() + '\n')
        if echo:
            sys.stdout.write(check.txt())

    def checks(self):
        return [Check(**json.loads(l)) for l in lines_of(self.jsonl) if l.strip()]


def counts(checks):
    c = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}
    for k in checks:
        c[k.status] += 1
    return c['PASS'], c['FAIL'], c['SKIP']


def closing_line(p, f, s):
    return '%d passed, %d failed' % (p, f) + (', %d skipped' % s if s else '')


# --- kernel reports -------------------------------------------------------------

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


# --- judging a boot -----------------------------------------------------------

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


# --- KTAP ---------------------------------------------------------------------------

def ktap_name(text):
    return text.replace('#', '%23') or '-'


def ktap_result(ok, n, name, indent, skip_reason=None):
    line = '%s%s %d %s' % (indent, 'ok' if ok else 'not ok', n, ktap_name(name))
    if skip_reason is not None:
        line += ' # SKIP ' + skip_reason.replace('#', '%23')
    return line


def ktap_leaf(c, n, indent):
    out = [indent + '# ' + d for d in c.diag if c.status != 'SKIP']
    name = c.name if c.file or not c.tag else '[%s] %s' % (c.tag, c.name)
    if not c.name:
        name = '[%s] %s' % (c.tag, c.file) if c.tag else c.file
    reason = '; '.join(c.diag) if c.status == 'SKIP' else None
    out.append(ktap_result(c.status != 'FAIL', n, name, indent, reason))
    return out


def ktap_stage(name, checks, indent='    '):
    """The lines of one stage as a subtest: suite files (a tag's file) as
    subtests of it, other checks as its test lines."""
    groups, order = {}, []
    for c in checks:
        key = ('[%s] %s' % (c.tag, c.file) if c.tag else c.file) if c.file and c.name else None
        if key is None:
            order.append(c)
        else:
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(c)
    inner = indent + '    '
    out = [indent + 'KTAP version 1', indent + '# Subtest: ' + name, '%s1..%d' % (indent, len(order))]
    for n, item in enumerate(order, 1):
        if isinstance(item, Check):
            out += ktap_leaf(item, n, indent)
            continue
        members = groups[item]
        out += [inner + 'KTAP version 1', inner + '# Subtest: ' + item, '%s1..%d' % (inner, len(members))]
        for m, c in enumerate(members, 1):
            out += ktap_leaf(c, m, inner)
        out.append(ktap_result(all(c.status != 'FAIL' for c in members), n, item, indent))
    return out


def ktap_document(stages):
    """A KTAP document: STAGES is [(name, checks)], each stage a test."""
    out = ['KTAP version 1', '1..%d' % len(stages)]
    p = f = s = 0
    for n, (name, checks) in enumerate(stages, 1):
        out += ktap_stage(name, checks)
        out.append(ktap_result(all(c.status != 'FAIL' for c in checks), n, name, ''))
        cp, cf, cs = counts(checks)
        p, f, s = p + cp, f + cf, s + cs
    out.append('# ' + closing_line(p, f, s))
    return '\n'.join(out) + '\n'


def write(path, text):
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.replace(path + '.tmp', path)


def cmd_close(args):
    txt = args[0]
    stage = os.path.splitext(os.path.basename(txt))[0]
    checks = Results(txt).checks()
    write(os.path.splitext(txt)[0] + '.ktap', ktap_document([(stage, checks)]))
    p, f, s = counts(checks)
    print(closing_line(p, f, s))
    return 0 if f == 0 and p > 0 else 1


def cmd_merge(args):
    """merge TXT PART...: the checks of each PART (a results file of the
    same format, written by a part of the stage run side by side, e.g. a
    systest life) appended to TXT, parts in the order given."""
    out = Results(args[0])
    for part in args[1:]:
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


def cmd_sum(args):
    """sum DIR STAGE:STATUS:SECONDS...: each stage's line and the total;
    writes DIR/test-all.ktap. Under CI (set, not empty) a skip fails the
    run, except a kernel row whose archive no longer serves its kernel."""
    out_dir, ci = args[0], os.environ.get('CI', '')
    stages, lines, tp, tf, ts = [], [], 0, 0, 0
    for spec in args[1:]:
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


# --- reading KTAP back ----------------------------------------------------------

KTAP_LINE = re.compile(r'^( *)(ok|not ok) ([0-9]+) ([^#]*?)( # (.*))?$')


def ktap_leaves(lines):
    """The leaves of a KTAP document as (ok, skip reason, path): a result
    line at depth D closes the subtest whose header is at depth D + 4, if
    one is open; any other result line is a leaf."""
    out, open_ = [], []
    for l in lines:
        m = re.match(r'^( *)# Subtest: (.*)$', l)
        if m:
            open_.append((len(m.group(1)), m.group(2)))
            continue
        m = KTAP_LINE.match(l)
        if not m:
            continue
        depth = len(m.group(1))
        if open_ and open_[-1][0] == depth + 4:
            open_.pop()
            continue
        d = m.group(6) or ''
        path = ' / '.join([n for _, n in open_] + [m.group(4).strip()])
        out.append((m.group(2) == 'ok', d[5:] if d.startswith('SKIP') else None, path))
    return out


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


# --- the guest's figures and the report patterns ----------------------------------

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
    Results(txt).add(Check.parse(status, text, args[3:] if len(args) > 3 else None))
    return 0


COMMANDS = {'record': cmd_record, 'plan': cmd_plan, 'boot': cmd_boot, 'close': cmd_close,
            'merge': cmd_merge, 'sum': cmd_sum, 'tap': cmd_tap, 'names': cmd_names, 'data': cmd_data, 'reports': cmd_reports}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return COMMANDS[argv[1]](argv[2:])


if __name__ == '__main__':
    sys.exit(main(sys.argv))
