"""KTAP version 1 (scripts/verdict.py's second part): a stage's checks as a
KTAP document (the stage a test, a suite file of a boot a subtest, a check
a test line, a skip "ok N NAME # SKIP REASON"), and its leaves read back
(verdict.py tap, for prove). Standard library only."""

import re

from results import Check, closing_line, counts

KTAP_LINE = re.compile(r'^( *)(ok|not ok) ([0-9]+) ([^#]*?)( # (.*))?$')


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
