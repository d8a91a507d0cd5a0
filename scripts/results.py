"""The harness's results (scripts/verdict.py's first part): one check, a
stage's results files and their count. A stage's results go to
out/results/STAGE.txt (one line a check, for people: PASS: NAME,
FAIL: NAME: DETAIL, SKIP: NAME: REASON, diagnostics as "# TEXT" lines under
it) and STAGE.jsonl (the same, one JSON object a check, for the verdict).
Standard library only."""

import json
import os
import re
import sys

FILE_NAME = re.compile(r'^([A-Za-z0-9_.+-]+/[A-Za-z0-9_.+/-]+|kernel-log)$')
TAG = re.compile(r'^\[([^]]+)\] (.*)$', re.S)
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the tree's top
UNAVAILABLE = 'kernel unavailable'  # a row whose archive no longer serves its kernel


def lines_of(path):
    """A file's lines, carriage returns dropped; [] when it is missing."""
    try:
        with open(path, 'rb') as f:
            text = f.read().decode('utf-8', 'replace')
    except FileNotFoundError:
        return []
    return text.replace('\r', '').splitlines()


def write(path, text):
    """PATH holds TEXT, whole or not at all."""
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.replace(path + '.tmp', path)


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
        """A check from "[TAG] FILE: NAME" (TAG and FILE optional) and its
        diagnostics DETAIL, always given apart: NAME is the rest of TEXT,
        whatever the status, so that a check's name never changes when it
        fails."""
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
        return Check(status, tag, file, text, [d for d in detail or [] if d])


class Results:
    """A stage's results: STAGE.txt for people, STAGE.jsonl for the verdict."""

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
