"""The manifest of every check (scripts/verdict.py's fifth part): the names a
full run of a stage must produce, tests/checks/STAGE.txt, written from a
run's results (make checks) and judged at the stage's close (sums.close).

A manifest line is a check's name as STAGE.txt shows it ("[TAG] FILE:
NAME"); a name recorded within systest steps is followed by a tab and those
steps, "TARGET/FUNCTION" separated by spaces. A name belongs to a kernel
row of tests/kernels.conf when its tag is the row's name or the row's name
and "-" and more ([6.1-cloud-panic]: row 6.1-cloud; the longest such row),
else to its tag (a unit: [packages], [bookworm], [piuparts-trixie], "").

A run is judged on what it ran. A full run (ROULETTE_KERNELS unset, every
row's kernel available) must produce every listed name; a subset run
(ROULETTE_KERNELS, or a row's kernel unavailable) the names of the rows it
ran, of the units it recorded anything for, and of the steps that ran.
Everywhere a name of a step skipped (its "[T] step F" a SKIP) is not
wanted; a SKIP counts as present, and one with no check name ("[TAG]
FILE") stands for every name of its tag. Any name the run recorded that is
not listed fails, in every run. Standard library only."""

import os

from results import UNAVAILABLE, Check, lines_of

MISSING = 'every listed check ran'
UNLISTED = 'no unlisted check'
SHOWN = 40  # names shown in a failure's diagnostics


def kernel_rows(table):
    """The row names of tests/kernels.conf, in table order."""
    return [l.split()[0] for l in lines_of(table) if l.strip() and not l.startswith('#')]


def row_of(tag, rows):
    """The kernel row a tag belongs to, or ''."""
    best = ''
    for r in rows:
        if (tag == r or tag.startswith(r + '-')) and len(r) > len(best):
            best = r
    return best


def step_of(check):
    """"TARGET/FUNCTION" of a step's own check "[TARGET] step FUNCTION", else ''."""
    if check.tag and not check.file and check.name.startswith('step ') and ' ' not in check.name[5:]:
        return '%s/%s' % (check.tag, check.name[5:])
    return ''


def generate(checks):
    """The manifest of a run: {name: steps}, steps the "TARGET/FUNCTION" of
    the steps the name was recorded within (a check belongs to the next
    step's own check; "the life ran to its end", recorded by the stage
    between the lives' results, belongs to none); an empty set for a name
    recorded outside any step at least once, or a step's own check."""
    names, outside, pending = {}, set(), []
    for c in checks:
        if c.tag == 'manifest':
            continue
        step = step_of(c)
        if step or c.name == 'the life ran to its end':
            for p in pending:
                if step:
                    names.setdefault(p, set()).add(step)
                else:
                    outside.add(p)
            pending = []
            outside.add(c.title())
        else:
            pending.append(c.title())
    outside.update(pending)
    return {n: set() if n in outside else names[n] for n in outside | set(names)}


def write_manifest(path, stage, names):
    """PATH: the manifest NAMES ({name: steps}) of STAGE, sorted."""
    head = ['# The checks a full run of make %s produces, one name a line as' % stage,
            '# out/results/%s.txt shows it; after a tab, the systest steps it is' % stage,
            '# recorded within. Written by make checks from a run (docs/harness.md:',
            '# updating the manifest); judged at the stage\'s close (scripts/manifest.py).']
    body = [n + ('\t' + ' '.join(sorted(s)) if s else '') for n, s in sorted(names.items())]
    with open(path + '.tmp', 'w') as f:
        f.write('\n'.join(head + body) + '\n')
    os.replace(path + '.tmp', path)


def read_manifest(path):
    """{name: steps} of a manifest file."""
    out = {}
    for l in lines_of(path):
        if not l.strip() or l.startswith('# '):
            continue
        name, _, steps = l.partition('\t')
        out[name] = set(steps.split())
    return out


def covered(listed, checks, rows):
    """The listed names a run's SKIPs stand for (a SKIP of its own name, of
    a step: its names, with no check name: every name of its tag, of a
    row's kernel unavailable: the row's names), and the SKIPs that stand
    for any, which are therefore listed."""
    out, stand = set(), set()
    for c in checks:
        if c.status != 'SKIP':
            continue
        step, title = step_of(c), c.title()
        row = row_of(c.tag, rows) if c.name == UNAVAILABLE else None
        for n, steps in listed.items():
            if n == title or step in steps or (not c.name and n.startswith('[%s] ' % c.tag)) or (
                    row and row_of(Check.parse('PASS', n).tag, rows) == row):
                out.add(n)
                stand.add(title)
    return out, stand


def wanted(listed, checks, rows, selected):
    """The listed names this run must produce (see the module's text)."""
    unavailable = {c.tag for c in checks if c.status == 'SKIP' and c.name == UNAVAILABLE}
    subset = selected is not None or bool(unavailable)
    units = {row_of(c.tag, rows) or c.tag for c in checks}
    ran = {step_of(c) for c in checks if c.status != 'SKIP'} - {''}
    skipped = {step_of(c) for c in checks if c.status == 'SKIP'} - {''}
    out = set()
    for n, steps in listed.items():
        c = Check.parse('PASS', n)
        tag, row = c.tag, row_of(c.tag, rows)
        if subset and step_of(c) and step_of(c) not in ran:
            continue
        if row and (row in unavailable or (selected is not None and row not in selected)):
            continue
        if subset and not row and tag not in units:
            continue
        if steps and not steps & ran and (steps <= skipped or subset):
            continue
        out.add(n)
    return out


FULL = 'full run'	# the scope judge's note names; make checks wants it


def judge(checks, listed, rows, selected=None, where='the manifest'):
    """The two checks of a stage's manifest: every wanted name ran, and
    nothing ran that is not listed. SELECTED: the rows of ROULETTE_KERNELS
    (None: the stage's own, a full run)."""
    present = {c.title() for c in checks if c.tag != 'manifest'}
    cover, stand = covered(listed, checks, rows)
    want = wanted(listed, checks, rows, selected)
    missing = sorted(want - present - cover)
    unlisted = sorted(present - set(listed) - stand)
    scope = FULL if selected is None else 'rows %s' % ' '.join(sorted(selected))
    note = '%d of %d listed names wanted (%s), %s' % (len(want), len(listed), scope, where)
    return [result(MISSING, missing, 'missing', note), result(UNLISTED, unlisted, 'not listed', note)]


def result(name, names, what, note):
    if not names:
        return Check('PASS', 'manifest', '', name, [note])
    more = ['... and %d more' % (len(names) - SHOWN)] if len(names) > SHOWN else []
    return Check('FAIL', 'manifest', '', name,
                 ['%d %s: %s' % (len(names), what, names[0]), note] + names[:SHOWN] + more)


def selected_rows():
    """The rows of ROULETTE_KERNELS (commas or spaces), or None."""
    sel = os.environ.get('ROULETTE_KERNELS', '')
    return set(sel.replace(',', ' ').split()) if sel.strip() else None
