#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make check's static check of the host scripts (issue 29).

Every command a host script calls must come from a package of
tests/host-packages.conf (the one list of what the harness installs on the
host, lib.sh: host_install), be a shell builtin, or be a function that a
file the script sources defines; every `host_install GROUP` names a group
of that list, every group is installed somewhere, and apt_install is given
no literal package name outside lib.sh (kernel packages are named at run
time). A small scanner, not a shell parser: it reads the command word of
each simple command (after ; && || | ( $( and the shell's keywords),
the command a wrapper runs (timeout, nice, env, xargs, ...) and the
function given to the project's runners (step, each_row, live).

    hostcheck.py TOP          findings on stdout, exit 1 if any
    hostcheck.py TOP --list   every command called, with its files
"""
import os
import re
import shutil
import subprocess
import sys

BUILTINS = set("""alias bg bind break builtin caller cd command compgen complete
compopt continue declare dirs disown echo enable eval exec exit export false fc
fg getopts hash help history jobs kill let local logout mapfile popd printf
pushd pwd read readarray readonly return set shift shopt source suspend test
times trap true type typeset ulimit umask unalias unset wait . : [""".split())
KEEP_START = {'if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{',
              'time', 'exec', 'command', 'builtin', 'nohup', 'setsid'}
END_WORDS = {'fi', 'done', 'esac', '}', ']]', 'in'}
# wrappers: the command they run follows their options (and, for
# timeout and flock, one more word: the duration, the lock file)
WRAPPERS = {'timeout': 1, 'nice': 0, 'env': 0, 'xargs': 0, 'flock': 1,
            'unshare': 0, 'stdbuf': 0, 'faketime': 1, 'ionice': 0}
OPT_ARG = {'nice': {'-n'}, 'env': {'-C', '-u'}, 'timeout': {'-k', '-s'},
           'xargs': {'-I', '-n', '-P', '-d'}, 'ionice': {'-c', '-n'},
           'unshare': {'--propagation'}, 'flock': {'-w'}, 'stdbuf': set(), 'faketime': {'-f'}}
# the project's runners: the argument (by position) that names a function
# or command they run on the host
RUNNERS = {'step': 0, 'each_row': 0, 'live': 1, 'expect_as': 3,
           'expect_host': 2, 'logged': 1, 'root_mounted': 1}
ASSIGN = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=')
NAME = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.+:-]*$')


class Scan:
    """The calls (name, line), function definitions and sourced paths of
    one shell file."""

    def __init__(self, text):
        self.t, self.i, self.line = text, 0, 1
        self.calls, self.defs, self.sources, self.apt = [], set(), [], []
        self.hosts, self.heredocs = [], []
        self.seq(None)

    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else '\0'

    def seq(self, stop):
        """Commands until STOP (')' or '`', None: the end of the text)."""
        start, cmd, args, pattern = True, None, [], []
        while self.i < len(self.t):
            c, at = self.peek(), self.i
            if at == getattr(self, 'last', -1):
                raise RuntimeError(f'no progress at line {self.line}: {self.t[at:at + 40]!r}')
            self.last = at
            if stop and c == stop and not pattern:
                self.i += 1
                return
            if c == '\\' and self.peek(1) == '\n':
                self.i += 2
                self.line += 1
            elif c == '\n':
                self.i += 1
                self.line += 1
                self.skip_heredocs()
                start, cmd, args = True, None, []
            elif c in ' \t':
                self.i += 1
            elif c == '#' and (self.i == 0 or self.t[self.i - 1] in ' \t\n;|&('):
                while self.i < len(self.t) and self.peek() != '\n':
                    self.i += 1
            elif pattern:		# a case pattern, up to its ')'
                if self.read_word(')')[0] == 'esac':
                    pattern.pop()
                    start = False
                elif self.i == at:
                    self.i += 1
                elif self.peek() == ')':
                    self.i += 1
                    pattern.pop()
                    start = True
                elif self.peek() == '|':
                    self.i += 1
            elif c in ';&|':
                two = self.t[self.i:self.i + 2]
                if two in (';;', ';&'):
                    self.i += 2 + (self.t[self.i + 2:self.i + 3] == '&')
                    pattern.append(1)
                    self.skip_space()
                    if self.t.startswith('esac', self.i):
                        pattern.pop()
                    start = False
                    continue
                if two == '&>':
                    self.i += 2
                    self.skip_space()
                    self.read_word()
                    continue
                self.i += 2 if two in ('&&', '||', '|&') else 1
                start, cmd, args = True, None, []
            elif c == '(':
                if self.peek(1) == '(' and start:	# (( arithmetic ))
                    self.skip_balanced('(', ')')
                else:
                    self.i += 1
                    self.seq(')')
                start = False
            elif c == ')':
                self.i += 1	# the end of a subshell we did not open: tolerate
            elif c in '<>':
                self.redirection()
            else:
                w, literal = self.read_word()
                if (w.isdigit() and self.peek() in '<>'):
                    continue	# 2>&1: the redirection follows
                if start:
                    start, cmd, args = self.command_word(w, literal, pattern)
                elif cmd is not None:
                    args.append((w, literal))
                    cmd, args = self.runner_arg(cmd, args)

    def command_word(self, w, literal, pattern):
        """The first word of a command: (start, cmd, args) after it."""
        if ASSIGN.match(w):
            return True, None, []
        if not literal:
            return False, None, []
        if w in KEEP_START:
            return True, None, []
        if w in END_WORDS:
            return False, None, []
        if w == 'case':
            self.read_word()	# the subject
            self.skip_space()
            self.read_word()	# in
            pattern.append(1)
            return False, None, []
        if w in ('for', 'select'):
            while self.i < len(self.t) and self.peek() not in ';\n':
                if self.peek() == '(':
                    self.skip_balanced('(', ')')
                else:
                    self.i += 1
            return False, None, []
        if w == 'function':
            self.skip_space()
            self.defs.add(self.read_word()[0])
            return False, None, []
        if w == '[[':
            while self.i < len(self.t):
                self.skip_space()
                if self.t.startswith(']]', self.i):
                    self.i += 2
                    break
                if self.peek() in '\n':
                    self.i += 1
                    self.line += 1
                    continue
                if self.peek() in '()<>|&;':
                    self.i += 1
                    continue
                self.read_word()
            return False, None, []
        self.skip_space()
        if self.t.startswith('()', self.i):
            self.i += 2
            self.defs.add(w)
            return True, None, []
        if w in WRAPPERS:
            self.call(w)
            self.wrapped(w)
            return True, None, []
        self.call(w)
        return False, w, []

    def call(self, w):
        if '/' in w and not w.startswith('/'):
            return	# a program of a tree (a kernel's scripts/config)
        self.calls.append((w.rsplit('/', 1)[-1], self.line))

    def wrapped(self, w):
        """Skip a wrapper's options (and the word it takes) up to the
        command it runs."""
        extra, takes = WRAPPERS[w], OPT_ARG.get(w, set())
        while self.i < len(self.t):
            self.skip_space()
            save = self.i
            word, _ = self.read_word()
            if word == '--':
                break
            if word.startswith('-'):
                if word in takes:
                    self.skip_space()
                    self.read_word()
                continue
            if w == 'env' and ASSIGN.match(word):
                continue
            if extra:
                extra -= 1
                continue
            self.i = save
            break

    def runner_arg(self, cmd, args):
        if cmd in ('.', 'source') and len(args) == 1:
            bol = self.t.rfind('\n', 0, self.i) + 1
            indented = self.t[bol:bol + 1] in (' ', '\t')
            self.sources.append((args[0][0], self.line, indented))
        if cmd == 'host_install' and args[-1][1]:
            self.hosts.append((args[-1][0], self.line))
        if cmd == 'apt_install' and args[-1][1]:
            self.apt.append((args[-1][0], self.line))
        k = RUNNERS.get(cmd)
        if k is not None and len(args) == k + 1:
            w, literal = args[k]
            if literal and NAME.match(w):
                self.call(w)
                return w, []	# the words after it are its arguments
        return cmd, args

    def skip_space(self):
        while self.peek() in (' ', '\t') and self.peek():
            self.i += 1

    def skip_heredocs(self):
        for delim, strip in self.heredocs:
            while self.i < len(self.t):
                end = self.t.find('\n', self.i)
                end = len(self.t) if end < 0 else end
                text = self.t[self.i:end]
                self.i = end + 1
                self.line += 1
                if (text.lstrip('\t') if strip else text) == delim:
                    break
        self.heredocs = []

    def redirection(self):
        op = self.peek()
        self.i += 1
        if self.peek() == '(':		# <(...) >(...)
            self.i += 1
            self.seq(')')
            return
        if op == '<' and self.peek() == '<':
            self.i += 1
            if self.peek() == '<':	# <<< word
                self.i += 1
                self.skip_space()
                self.read_word()
                return
            strip = self.peek() == '-'
            self.i += strip
            self.skip_space()
            word, _ = self.read_word()
            self.heredocs.append((word.strip('\'"'), strip))
            return
        while self.peek() in '>&|':
            self.i += 1
        self.skip_space()
        self.read_word()

    def skip_balanced(self, o, c):
        depth = 0
        while self.i < len(self.t):
            ch = self.peek()
            if ch == '\n':
                self.line += 1
            if ch == o:
                depth += 1
            elif ch == c:
                depth -= 1
                if depth == 0:
                    self.i += 1
                    return
            self.i += 1

    def read_word(self, extra=''):
        """One word; nested substitutions are scanned for their calls.
        Returns (text, literal): literal when no quote or expansion."""
        out, literal, begin = [], True, self.i
        while self.i < len(self.t):
            c = self.peek()
            if c in ' \t\n;&|<>()' + extra:
                if c == '(' and out and re.match(r'^[A-Za-z_][A-Za-z0-9_]*\+?=$', ''.join(out)):
                    self.skip_balanced('(', ')')	# NAME=( array )
                    literal = False
                    continue
                break
            if c == '\\':
                out.append(self.t[self.i:self.i + 2])
                if self.peek(1) == '\n':
                    self.line += 1
                self.i += 2
                literal = False
            elif c == "'":
                end = self.t.find("'", self.i + 1)
                end = len(self.t) - 1 if end < 0 else end
                self.line += self.t.count('\n', self.i, end)
                out.append(self.t[self.i + 1:end])
                self.i = end + 1
                literal = False
            elif c == '"':
                self.i += 1
                self.dquote()
                literal = False
                out.append('"')
            elif c == '$':
                self.dollar()
                literal = False
                out.append('$')
            elif c == '`':
                self.i += 1
                self.seq('`')
                literal = False
            else:
                out.append(c)
                self.i += 1
        return (''.join(out) if literal else self.t[begin:self.i]), literal

    def dquote(self):
        while self.i < len(self.t):
            c = self.peek()
            if c == '"':
                self.i += 1
                return
            if c == '\\':
                self.i += 2
                continue
            if c == '\n':
                self.line += 1
            if c == '$':
                self.dollar()
                continue
            if c == '`':
                self.i += 1
                self.seq('`')
                continue
            self.i += 1

    def dollar(self):
        self.i += 1
        c = self.peek()
        if self.t.startswith('((', self.i):
            self.skip_balanced('(', ')')
        elif c == '(':
            self.i += 1
            self.seq(')')
        elif c == '{':
            depth = 0
            while self.i < len(self.t):
                ch = self.peek()
                if ch == '{':
                    depth += 1
                elif ch == '}':
                    depth -= 1
                    if depth == 0:
                        self.i += 1
                        return
                elif ch == '$':
                    self.dollar()
                    continue
                elif ch == '"':
                    self.i += 1
                    self.dquote()
                    continue
                self.i += 1
        elif c == "'":		# $'...'
            self.i += 1
            while self.i < len(self.t) and self.peek() != "'":
                self.i += 2 if self.peek() == '\\' else 1
            self.i += 1


def table(path):
    """tests/host-packages.conf: {package: ([groups], [commands])}."""
    rows = {}
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.split('#', 1)[0].split()
            if not line:
                continue
            if len(line) != 3:
                sys.exit(f'{path}:{n}: want "package group commands", got {line}')
            rows[line[0]] = (line[1].split(','), [] if line[2] == '-' else line[2].split(','))
    return rows


def host_files(top):
    """The tracked host scripts: scripts/, bench/ but its guest suite, .ci/run;
    and which of them are run (executable) rather than sourced."""
    out = subprocess.run(['git', '-C', top, 'ls-files', '-s'], check=True,
                         capture_output=True, text=True).stdout
    files, entries = [], set()
    for line in out.splitlines():
        mode, _, _, path = line.split(None, 3)
        if not (path == '.ci/run' or (path.endswith('.sh') and (
                path.startswith('scripts/') or
                (path.startswith('bench/') and not path.startswith('bench/guest/'))))):
            continue
        files.append(path)
        if mode == '100755':
            entries.add(path)
    return files, entries


def resolve(src, raw):
    """The tracked path a `. RAW` in SRC names, or None (a guest path)."""
    raw = raw.replace('"', '')
    m = re.search(r'ROULETTE_TOP\}?/(.*)$', raw)
    if m:
        return os.path.normpath(m.group(1))
    m = re.search(r'dirname[^)]*\)/(.*)$', raw)
    if m:
        return os.path.normpath(os.path.join(os.path.dirname(src), m.group(1)))
    return None


def closure(entry, scans):
    seen, todo = [], [entry]
    while todo:
        f = todo.pop()
        if f in seen or f not in scans:
            continue
        seen.append(f)
        todo.extend(p for p in scans[f].sourced if p)
    return seen


def main(argv):
    top = argv[1]
    rows = table(os.path.join(top, 'tests/host-packages.conf'))
    provides = {c: p for p, (_, cmds) in rows.items() for c in cmds}
    groups = {g for gs, _ in rows.values() for g in gs}
    files, entries = host_files(top)
    scans = {}
    for f in files:
        with open(os.path.join(top, f), encoding='utf-8') as fh:
            s = Scan(fh.read())
        s.sourced = [resolve(f, raw) for raw, _, _ in s.sources]
        scans[f] = s
    findings, called = [], {}
    for f in files:
        for raw, line, indented in scans[f].sources:
            if indented and resolve(f, raw):
                findings.append(f'{f}:{line}: . {raw}: a library is sourced at the top of a '
                                'file, not by a function: its functions must be known statically')
        for p in scans[f].sourced:
            if p and p not in scans:
                findings.append(f'{f}: sources {p}, which is not a tracked host script')
    for entry in sorted(entries):
        seen = closure(entry, scans)
        defs = set().union(*(scans[f].defs for f in seen))
        for f in seen:
            for name, line in scans[f].calls:
                called.setdefault(name, set()).add(f)
                if name in BUILTINS or name in defs or name in provides:
                    continue
                findings.append(f'{f}:{line}: {name}: no package of tests/host-packages.conf '
                                f'provides it, and no file that {entry} sources defines it')
    used = set()
    for f in files:
        for g, line in scans[f].hosts:
            used.add(g)
            if g not in groups:
                findings.append(f'{f}:{line}: host_install {g}: no such group in tests/host-packages.conf')
        if f != 'scripts/lib.sh':
            for p, line in scans[f].apt:
                findings.append(f'{f}:{line}: apt_install {p}: a host package is named in '
                                'tests/host-packages.conf and installed with host_install GROUP')
    for g in sorted(groups - used - {'base', 'arches'}):
        findings.append(f'tests/host-packages.conf: group {g} is installed by no host_install')
    unused = sorted(c for c in provides if c not in called)
    for c in unused:
        findings.append(f'tests/host-packages.conf: command {c} ({provides[c]}) is called by no host script')
    findings += installed_mismatch(rows)
    if len(argv) > 2 and argv[2] == '--list':
        for name in sorted(called):
            print(name, provides.get(name, '-'), ' '.join(sorted(called[name])))
        return 0
    for line in dict.fromkeys(findings):
        print(line)
    return 1 if findings else 0


def installed_mismatch(rows):
    """Each listed command that is on the host comes from its package
    (dpkg -S of its path, merged /usr or not, or of the file it links to)."""
    out = []
    path = '/usr/sbin:/usr/bin:/sbin:/bin'
    for pkg, (_, cmds) in rows.items():
        for c in cmds:
            where = shutil.which(c, path=path)
            if not where:
                continue
            real = os.path.realpath(where)
            owners = set()
            for p in dict.fromkeys([where, where.removeprefix('/usr'), real, real.removeprefix('/usr')]):
                r = subprocess.run(['dpkg-query', '-S', p], capture_output=True, text=True)
                owners |= {o.strip() for line in r.stdout.splitlines()
                           for o in line.split(':', 1)[0].split(',')}
            if pkg not in owners:
                out.append(f'tests/host-packages.conf: {c} is not {pkg}\'s here '
                           f'({where}: {", ".join(sorted(owners)) or "no package"})')
    return out


if __name__ == '__main__':
    sys.exit(main(sys.argv))
