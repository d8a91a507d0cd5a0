"""A check's name never changes when it fails (issue 32): every host
assertion helper (scripts/lib.sh: check, check_file and record;
scripts/lib-qa.sh: qa_expect_log; scripts/systest/common.sh: expect_as,
expect_host) and every guest one (tests/lib.sh) records a passing and a
failing check, and the two names must be the same; no host script records
a FAIL or SKIP with its detail folded into the name. No QEMU:
make harness-test."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'scripts'))
import bootjudge  # noqa: E402
import results  # noqa: E402

# Each helper, passing then failing; names and details hold ': ' as real
# ones do (the verdict once split a FAIL's name there).
HOST = r'''
set -uo pipefail
. "$TOP/scripts/lib.sh"
. "$TOP/scripts/lib-qa.sh"
. "$TOP/scripts/systest/common.sh"
TARGET=story ROOT_LOG=/dev/null
results_open "$OUT/host.txt"
st() { echo "$1 $2" >>"$OUT/status"; }
: >"$OUT/empty"; echo 'roulette.ko: built' >"$OUT/log"
{ echo 'finding: one'; seq 5000; } >"$OUT/findings"	# more than check_file shows
for ok in true false; do
	check "[t] check: a name" --detail "why: it failed" --note "release 1.2.3" -- "$ok"; st check $?
	check "[t] check: no detail given" -- "$ok"; st check-no-detail $?
	f=$OUT/empty; [ "$ok" = true ] || f=$OUT/findings
	check_file "[t] check_file: no finding" "$f" "release 1.2.3"; st check_file $?
	ere='roulette\.ko'; [ "$ok" = true ] || ere='absent: x'
	qa_expect_log "[t] qa_expect_log: a line" "$OUT/log" "$ere"; st qa_expect_log $?
	expect_as t "expect_as: a name" "detail: x" "$ok"; st expect_as $?
	expect_host "expect_host: a name" "detail: x" "$ok"; st expect_host $?
	s=PASS; [ "$ok" = true ] || s=FAIL
	record "$s" "[t] record: a name" "detail: x"; st record $?
done
'''

GUEST = r'''
. "$TOP/tests/lib.sh"
emit "PLAN: 1"
emit "BEGIN: $TEST"
for v in 1 2; do
	[ "$v" = 1 ] && ok=true || ok=false
	pass_or_fail() { if "$ok"; then pass "$1"; else fail "$1" "$2"; fi; }
	pass_or_fail "pass, fail: a name" "why: it failed"
	check "check: a name" "$ok"
	expect_eq "expect_eq: a name" 1 "$v"
	expect_match "expect_match: a name" '1' "$v"
	expect_range "expect_range: a name" 0 1 "$v"
done
emit "END: $TEST"
emit DONE
'''


def pairs(checks):
    """The checks in two halves (the passing run, then the failing one)."""
    n = len(checks) // 2
    return list(zip(checks[:n], checks[n:]))


class Names(unittest.TestCase):
    def test_host_helpers(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run(['bash', '-c', HOST], capture_output=True, text=True,
                               env=dict(os.environ, TOP=TOP, OUT=tmp, ROULETTE_OUT=tmp))
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            checks = results.Results(os.path.join(tmp, 'host.txt')).checks()
            with open(os.path.join(tmp, 'status')) as f:
                status = [l.split() for l in f.read().splitlines()]
        self.assertEqual(len(checks), 14, [c.title() for c in checks])
        for (good, bad), ((helper, rc0), (_, rc1)) in zip(pairs(checks), pairs(status)):
            with self.subTest(helper=helper):
                self.assertEqual((good.status, bad.status), ('PASS', 'FAIL'))
                self.assertEqual(good.title(), bad.title())
                self.assertEqual(good.tag, 't' if helper != 'expect_host' else 'story')
                self.assertTrue(bad.diag, 'a failure has its detail')
                self.assertNotIn(bad.diag[0], bad.title())
                self.assertEqual(rc0, '0')
                # check and expect_as fail; check_file and qa_expect_log
                # record and go on (check_file too when it shows only the
                # first of many findings: under pipefail, as the stages run)
                want = '1' if helper in ('check', 'check-no-detail', 'expect_as', 'expect_host') else '0'
                self.assertEqual(rc1, want)
        by = {c.name: c for c in checks if c.status == 'FAIL'}
        self.assertEqual(by['check: a name'].diag, ['why: it failed', 'release 1.2.3'])
        self.assertEqual(by['check: no detail given'].diag, ['exit status 1: false'])
        self.assertEqual(by['check_file: no finding'].diag, ['finding: one', 'release 1.2.3'])

    def test_guest_helpers(self):
        sh = shutil.which('busybox')
        cmd = [sh, 'sh'] if sh else ['/bin/sh']
        with tempfile.TemporaryDirectory() as tmp:
            res = os.path.join(tmp, 'results')
            p = subprocess.run(cmd + ['-c', GUEST], capture_output=True, text=True,
                               env=dict(os.environ, TOP=TOP, RESULTS=res, TEST='guest/names',
                                        TESTS=os.path.join(TOP, 'tests')))
            self.assertEqual(p.stderr, '')
            checks = bootjudge.judge('t', results.lines_of(res), ['[    1.000000] a kernel'],
                                     '0', '1', pats={})
        self.assertEqual(checks[-2].status, 'PASS', checks[-2].diag)
        mine = [c for c in checks if c.file == 'guest/names']
        self.assertEqual(len(mine), 10, [c.line() for c in mine])
        for good, bad in pairs(mine):
            with self.subTest(name=good.name):
                self.assertEqual((good.status, bad.status), ('PASS', 'FAIL'))
                self.assertEqual(good.title(), bad.title())
                self.assertTrue(bad.diag)

    def test_no_folded_detail(self):
        """No host script records a FAIL or SKIP in one argument (a name
        that a failure's detail would be appended to)."""
        files = subprocess.run(['git', '-C', TOP, 'ls-files', 'scripts', 'bench', 'tests', '.ci'],
                               capture_output=True, text=True, check=True).stdout.split()
        found = []
        for path in files:
            if path.endswith('.sh') or path == '.ci/run':
                with open(os.path.join(TOP, path), encoding='utf-8') as f:
                    found += ['%s:%d: %s' % (path, n, l.strip())
                              for n, l in enumerate(f, 1) if one_argument_record(l)]
        self.assertEqual(found, [])

    def test_folded_detail_found(self):
        self.assertTrue(one_argument_record(
            """\t\trecord FAIL "[$t] canary build: $(head -n 3 "$d/build.log" | tr '\\n' ' ')"\n"""))
        self.assertTrue(one_argument_record('x || { record SKIP "[$t] a: b"; return 1; }'))
        self.assertFalse(one_argument_record('record FAIL "[$t] build" "$(tail -n 3 "$f")" # x'))
        self.assertFalse(one_argument_record('record FAIL "[$t] build" \\\n'))
        self.assertFalse(one_argument_record('record PASS "[$t] build"'))
        self.assertTrue(one_argument_record('record FAIL "[$t] $((n + 1)) runs: $(f "$(g)")" && x'))
        self.assertFalse(one_argument_record("record FAIL '[t] a\\' \"$(f ')')\""))


RECORD = re.compile(r'\brecord\s+(FAIL|SKIP)\s+')


def word_end(s, i, close=''):
    """The end of the shell word at S[I] (quotes and $( ) nested), or of
    the text up to CLOSE inside a command substitution."""
    quote = ''
    while i < len(s):
        c = s[i]
        if quote == "'":
            quote = '' if c == "'" else quote
        elif c == '\\':
            i += 1
        elif s.startswith('$(', i) or (c == '(' and close and not quote):
            i = word_end(s, i + 1 + (c == '$'), ')')
        elif c == '"':
            quote = '' if quote else '"'
        elif c == "'" and not quote:
            quote = "'"
        elif not quote and close and c == close:
            return i
        elif not quote and not close and (c.isspace() or c in ';&|)}'):
            return i
        i += 1
    return i


def one_argument_record(line):
    """LINE calls record FAIL or SKIP with a name and nothing after it."""
    for m in RECORD.finditer(line):
        rest = line[word_end(line, m.end()):].lstrip(' \t')
        if not rest or rest[0] in ';&|)}#\n':
            return True
    return False


if __name__ == '__main__':
    unittest.main()
