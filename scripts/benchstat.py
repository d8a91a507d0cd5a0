#!/usr/bin/python3
"""make bench's statistics and its report (bench/results.md), made from the
raw data alone: out/bench/raw.txt, one measurement a line, "TAG WHAT
key=value..." (bench/run.sh writes it), and the machine lines. Standard
library only; the plots (scripts/benchplot.py, python3-matplotlib) are
optional: without them the report says so. Its tests: make harness-test.

  benchstat.py RAW [HOSTINFO] [--plots DIR] > results.md

DIR (bench/plots) sits beside the report: the images are linked as
plots/NAME.png. Every statistic of the benchmark is here: medians and
ranges, ratios paired per run, the timer's Theil-Sen trend, the goals
(the arithmetic itself: scripts/benchmath.py, which the plots share).
"""

import os
import sys
import time

from benchmath import paired, ratio, summary, timer, verdict

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTES = os.path.join(TOP, 'bench', 'notes.md')
SEED = 16384        # the seed hello's /proc/modules size, bytes
RUST = 106496       # the Rust original's
ORIGINAL_TIMER = 'Rust original: 5.12 s per 5 s tick, +2.4 % accumulating (+120 ms/tick)'


# --- raw data -------------------------------------------------------------------

class Raw:
    """The raw data of one make bench: its lines, and what they measured."""

    def __init__(self, lines):
        self.lines = lines
        self.tags = []            # kernels (rows), in order of appearance
        self.rounds = {}          # (tag, fig): {round: {(dev, procs): value}}
        self.sizes = {}           # (tag, module): size string
        self.ticks = {}           # (tag, sec): [t0, [tick times]]
        self.pkg_kernel = {}      # fig: kernel release of the package figures
        self.versions = ''
        self.hosts, self.starts = [], []
        self.boots = 0
        self.crashes, self.incomplete = {}, {}
        self.patched = False
        for line in lines:
            self.parse(line)

    def parse(self, line):
        f = line.split()
        if not f:
            return
        kv = dict(x.split('=', 1) for x in f[2:] if x.find('=') > 0)
        what = f[1] if len(f) > 1 else ''
        if f[0] == 'pkg':
            if what == 'versions':
                self.versions = line[max(line.find('roulette-dkms='), 0):]
            elif 'kernel' in kv:
                self.pkg_kernel.setdefault(what, kv['kernel'])
            elif 'secs' in kv:
                self.put('pkg', what, kv['run'], kv['pkg'], 1, kv['secs'])
            return
        if what == 'host':
            self.hosts.append('- %s: %s' % (f[0], line[line.index('host ') + 5:]))
            return
        if f[0].startswith('pkg-'):
            return
        t = f[0]
        if t not in self.tags:
            self.tags.append(t)
        if what == 'start':
            self.starts.append('- %s: %s' % (t, line[line.index('start ') + 6:]))
            self.boots = max(self.boots, int(kv.get('boot', 0)))
        elif what == 'bootcrash':
            self.crashes[t] = self.crashes.get(t, 0) + 1
        elif what == 'guest' and kv.get('complete') == 'no':
            self.incomplete.setdefault(t, []).append(kv.get('boot', ''))
        elif what == 'fig3':
            self.sizes[t, kv['module']] = kv['size']
        elif what == 'fig4' and kv.get('event') == 'init':
            self.ticks[t, int(kv['sec'])] = [float(kv['t']), []]
        elif what == 'fig4' and kv.get('event') == 'timer':
            self.ticks.setdefault((t, int(kv['sec'])), [None, []])[1].append(float(kv['t']))
        elif what[:4] in ('fig1', 'fig2', 'figb', 'figp') and 'round' in kv:
            self.put(t, what, kv['round'], kv['dev'], kv['procs'], kv['rate'])
            self.patched |= what.startswith('figp')

    def put(self, tag, fig, rnd, dev, procs, value):
        self.rounds.setdefault((tag, fig), {}).setdefault(rnd, {})[dev, int(procs)] = float(value)

    def timer(self, tag, sec):
        """timer() of TAG's period setting SEC, None when not measured."""
        t0, ticks = self.ticks.get((tag, sec), (None, []))
        return timer(t0, ticks, sec) if t0 is not None and ticks else None


# --- the report ---------------------------------------------------------------------

# Issue 21's goals: the device within 5 % of /dev/zero per open+read+close,
# within 10 % per pread (the read path alone).
GOAL_DEV = ('≥ 0.95×', 'ge', 0.95)
GOAL_PREAD = ('≥ 0.9×', 'ge', 0.9)
GOAL_SCALING = ('≥ 0.95×', 'ge', 0.95)
NO_GOAL = ('–', None, None)
NAMES = {'kernel-roulette': 'roulette', 'zero': '/dev/zero'}


def row(*cells):
    return '|  ' + '| '.join(cells) + ' |'


class Report:
    """The report's tables, from Raw."""

    def __init__(self, raw):
        self.raw = raw
        self.out = []

    def row(self, *cells):
        self.out.append(row(*cells))

    def ab_row(self, tag, fig, title, a, b, scaling, fmt, unit, goal):
        """A against B, paired per round; the goal is judged on the median ratio."""
        rounds = self.raw.rounds.get((tag, fig))
        if not rounds:
            return
        va, vb, vr = paired(rounds, a, b, scaling)
        if tag == 'pkg' and not (va and vb):
            return
        s, med = summary('%.3f', vr)
        met = '–' if goal[1] is None else verdict(med, goal[1], goal[2])
        kernel = self.raw.pkg_kernel.get(fig, '') if tag == 'pkg' else tag
        self.row(title, kernel, '%s %s%s' % (NAMES.get(a, a), summary(fmt, va)[0], unit),
                 '%s %s%s' % (NAMES.get(b, b), summary(fmt, vb)[0], unit), s + '×', goal[0], met)

    def dev_row(self, tag, fig, title, goal, scaling=False):
        """roulette against /dev/zero: one reader's rate, or the scaling."""
        self.ab_row(tag, fig, title, 'kernel-roulette', 'zero', scaling,
                    '%.2f' if scaling else '%.0f', '×' if scaling else '/s', goal)

    def footprint_rows(self, tag):
        title = '3 footprint (/proc/modules)'
        for m in ('hello', 'mymod', 'roulette'):
            s = self.raw.sizes.get((tag, m))
            if s is None:
                continue
            seed = ratio(float(s), SEED)
            if m == 'roulette':
                self.row(title, tag, '%s.ko %s B' % (m, s), 'Rust original 106,496 B; seed hello 16,384 B',
                         '%.3f× Rust, %.3f× seed' % (ratio(float(s), RUST), seed), '≤ 16,384 B',
                         verdict(float(s), 'le', SEED))
            else:
                self.row(title, tag, '%s.ko %s B' % (m, s), 'seed hello 16,384 B', '%.3f× seed' % seed, '–', '–')

    def timer_rows(self, tag):
        for sec in (1, 5):
            t = self.raw.timer(tag, sec)
            if t is None:
                continue
            n = t['n']
            ours = ('mean period error %.4f %% (per period: median %.4f %%, %.4f…%.4f %%); '
                    'tick 1 %.2f ms and tick %d %.2f ms late (%.4f %% of %d·%d s); '
                    'lateness median %.2f ms, trend %.3f ms/tick, worst %.2f ms (tick %d)') % (
                t['mean'], t['median'], t['lo'], t['hi'], t['late'][0], n, t['late'][-1],
                t['drift'], n, sec, t['mlate'], t['slope'], t['worst'], t['wk'])
            self.row('4 timer accuracy, sec=%d, %d ticks' % (sec, n), tag, ours, ORIGINAL_TIMER,
                     '%.4f× nominal period' % (1 + float('%.4f' % t['mean']) / 100),
                     '< 0.5 %, no accumulation', 'met' if t['ok'] else '**missed**')

    def results(self):
        """The two tables of the Results section."""
        tags = self.raw.tags
        self.row('Figure', 'Kernel', 'Ours', 'Reference', 'Ratio', 'Goal', 'Met')
        self.out.append('| ---|---|---|---|---|---|--- |')
        for t in tags:
            self.dev_row(t, 'fig1', '1 device cost, open+read+close', GOAL_DEV)
        for t in tags:
            self.dev_row(t, 'fig2', '2 scaling, 2 readers / 1', GOAL_SCALING, True)
        for t in tags:
            self.footprint_rows(t)
        for t in tags:
            self.timer_rows(t)
        self.ab_row('pkg', 'fig5', '5 rebuild cost, dkms build', 'roulette', 'hello', False,
                    '%.2f', ' s', ('≤ 1.5×', 'le', 1.5))
        self.ab_row('pkg', 'fig6', '6 install cost, apt install', 'roulette-dkms', 'v4l2loopback-dkms',
                    False, '%.2f', ' s', ('≤ 1.0×', 'le', 1.0))
        self.out += ['', "### Diagnostics: where figure 1's time goes", '',
                     'Same boots, same interleaving. "open+close" leaves the read out, "pread"',
                     'repeats pread(fd, buf, 64, 0) on one descriptor (the read path alone).']
        if self.raw.patched:
            self.out += ['"patched" is roulette.ko built from src/ with bench/*.patch applied',
                         '(a proposed change, measured against the same floor in the same boot).']
        self.out.append('')
        self.row('Loop', 'Kernel', 'Ours', 'Reference', 'Ratio', 'Goal', 'Met')
        self.out.append('| ---|---|---|---|---|---|--- |')
        for t in tags:
            self.dev_row(t, 'figb-oc', 'open+close', NO_GOAL)
            self.dev_row(t, 'figb-pread', 'pread', GOAL_PREAD)
            self.dev_row(t, 'figp', 'patched: open+read+close', GOAL_DEV)
            self.dev_row(t, 'figp-pread', 'patched: pread', GOAL_PREAD)
            self.dev_row(t, 'figp2', 'patched: scaling, 2 readers / 1', GOAL_SCALING, True)
        return self.out


def read_lines(path):
    try:
        with open(path, encoding='utf-8') as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def plots(raw, plotdir):
    """The Plots section: image links, or why there are none."""
    out = ['', '### Plots', '']
    if not plotdir:
        return out + ['Not drawn (benchstat.py ran without --plots).']
    try:
        import benchplot
        drawn = benchplot.draw(raw, plotdir)
    except Exception as e:  # the statistics never depend on the plots
        return out + ['Missing: the plots could not be drawn (%s: %s); bench/run.sh installs'
                      % (type(e).__name__, e), 'python3-matplotlib, which draws them.']
    for title, name in drawn:
        out += ['![%s](%s)' % (title, os.path.join(os.path.basename(os.path.normpath(plotdir)), name)), '']
    return out[:-1]


def report(raw, hostinfo=None, plotdir=None, notes=NOTES, date=None):
    """The whole of results.md, as a list of lines."""
    date = date or time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())
    out = ['# Benchmarks', '',
           'Written by `make bench` (bench/run.sh; statistics: scripts/benchstat.py) on %s.' % date,
           'Not a test: a missed goal is reported here, nothing fails.', '', '## Machine', '']
    out += read_lines(hostinfo) if hostinfo else []
    out += ['', 'Host load during each QEMU boot (CPU time of everything but our QEMU, in cores;',
            'niced = the share at nice > 0, which yields to QEMU):', '']
    out += raw.hosts + ['', 'Guest kernels:', ''] + raw.starts
    for t in raw.tags:
        if t in raw.crashes:
            out.append('- %s: %d boot(s) crashed early under MTTCG and were retried' % (t, raw.crashes[t]))
        if t in raw.incomplete:
            out.append('- %s: boot(s) %s did not complete (out/results/bench.txt)'
                       % (t, ' '.join(raw.incomplete[t])))
    if raw.versions:
        out.append('- figures 5-6: chroot of the system test base rootfs, %s, kernel headers %s'
                   % (raw.versions, raw.pkg_kernel.get('fig5', '')))
    out += ['', '## Results', '',
            'Each cell: median [min–max] over n runs; figures 1 and 2 pool the rounds of',
            '%s boots of each kernel. Figures 1, 2: within every run the' % (raw.boots or ''),
            'configurations alternate in 100 ms slices (A B A B …; figure 2: A1 B1 A2 B2),',
            'so a burst of host load hits both; the ratio is computed per run, then',
            'summarised. Figures 5, 6: runs alternate A B A B, ratio per pair.', '']
    out += Report(raw).results()
    out += plots(raw, plotdir)
    text = read_lines(notes)
    out += [''] + text + ([''] if text else [])
    return out + ['## Raw data', '', '```'] + raw.lines + ['```']


def main(argv):
    args, plotdir = list(argv), None
    if '--plots' in args:
        i = args.index('--plots')
        plotdir = args[i + 1] if i + 1 < len(args) else None
        del args[i:i + 2]
    lines = read_lines(args[0]) if args else []
    if not lines or len(args) > 2 or not plotdir and '--plots' in argv:
        sys.stderr.write('usage: benchstat.py RAW [HOSTINFO] [--plots DIR] (no raw data in %r)\n'
                         % (args[0] if args else ''))
        return 1
    sys.stdout.write('\n'.join(report(Raw(lines), args[1] if len(args) > 1 else None, plotdir)) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
