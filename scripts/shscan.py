# SPDX-License-Identifier: GPL-2.0
"""The commands a shell script calls, the functions it defines and the files
it sources (scripts/hostcheck.py's reader). A small scanner, not a shell
parser: it reads the command word of each simple command (after ; && || |
( $( and the shell's keywords, case patterns skipped), the command a
wrapper runs (timeout, nice, env, xargs, ...) and the function given to the
project's runners (step, each_row, live, expect_host, ...); heredoc bodies
and quoted text are not commands, $(...) inside them is."""
import re

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
