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
each simple command (scripts/shscan.py).

    hostcheck.py TOP          findings on stdout, exit 1 if any
    hostcheck.py TOP --list   every command called, with its files
"""
import os
import re
import shutil
import subprocess
import sys

from shscan import BUILTINS, Scan


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


# Guest files the host sources too (POSIX sh, one owner of a fact for both).
SHARED = ('tests/lived/leftovers.sh',)


def host_files(top):
    """The tracked host scripts: scripts/, bench/ but its guest suite, .ci/run,
    SHARED;
    and which of them are run (executable) rather than sourced."""
    out = subprocess.run(['git', '-C', top, 'ls-files', '-s'], check=True,
                         capture_output=True, text=True).stdout
    files, entries = [], set()
    for line in out.splitlines():
        mode, _, _, path = line.split(None, 3)
        if not (path in SHARED or path == '.ci/run' or (path.endswith('.sh') and (
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
