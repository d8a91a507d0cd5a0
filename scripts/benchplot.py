#!/usr/bin/python3
"""make bench's plots, drawn from scripts/benchmath.py's statistics with
python3-matplotlib (Debian's archive; bench/run.sh installs it). benchstat.py
calls draw() and links the images from bench/results.md; the statistics
never need this file.

  timer.png    mymod's lateness per tick on each kernel, beside the Rust
               original's +120 ms per 5 s tick; and ours alone, with its
               Theil-Sen trend
  devices.png  roulette's rate over /dev/zero's per loop and kernel: median
               and min-max of the per-run ratios, with the goals 0.95 (open+read+close, scaling) and 0.90 (pread)
"""

import os

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

import benchmath  # noqa: E402

# The loops of devices.png: figure, label, scaling (2 readers over 1).
LOOPS = [('fig1', 'open+read+close', False), ('figb-pread', 'pread', False),
         ('fig2', 'scaling, 2 readers / 1', True), ('figp', 'patched:\nopen+read+close', False),
         ('figp-pread', 'patched: pread', False), ('figp2', 'patched: scaling', True)]
# No date or version in the files: the same raw data draws the same bytes.
SAVE = {'dpi': 100, 'metadata': {'Software': None}}


def timer(raw, path):
    """timer.png; False when no kernel measured the timer."""
    series = [(tag, sec, raw.timer(tag, sec)) for tag in raw.tags for sec in (1, 5)]
    series = [s for s in series if s[2]]
    if not series:
        return False
    n = max(t['n'] for _, _, t in series)
    fig, (both, ours) = plt.subplots(1, 2, figsize=(12, 4.5))
    both.plot([0, n], [0, benchmath.ORIGINAL_LATE_MS * n], 'k--', lw=2,
              label='Rust original: +120 ms per 5 s tick')
    for i, (tag, sec, t) in enumerate(series):
        ks = list(range(1, t['n'] + 1))
        style = {'color': 'C%d' % i, 'marker': 'o' if sec == 1 else 's', 'ms': 3, 'lw': 1}
        label = 'mymod, %s, sec=%d' % (tag, sec)
        both.plot(ks, t['late'], label=label, **style)
        ours.plot(ks, t['late'], label='%s: trend %.3f ms/tick' % (label, t['slope']), **style)
        b = benchmath.median([late - t['slope'] * k for k, late in zip(ks, t['late'])])
        ours.plot([1, t['n']], [b + t['slope'], b + t['slope'] * t['n']], color=style['color'], ls=':')
    both.set(title='Timer lateness per tick: mymod beside the original', xlabel='tick',
             ylabel='lateness after init + tick × sec (ms)', xlim=(0, n + 0.5))
    ours.set(title='mymod alone (dotted: Theil–Sen trend)', xlabel='tick', ylabel='lateness (ms)',
             xlim=(0, n + 0.5))
    for ax in (both, ours):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc='upper left')
    fig.tight_layout()
    fig.savefig(path, **SAVE)
    plt.close(fig)
    return True


def devices(raw, path):
    """devices.png; False when no kernel measured the device loops."""
    groups = []
    for fig_, label, scaling in LOOPS:
        bars = []
        for tag in raw.tags:
            rounds = raw.rounds.get((tag, fig_))
            vr = benchmath.paired(rounds, 'kernel-roulette', 'zero', scaling)[2] if rounds else []
            if vr:
                bars.append((tag, benchmath.g6(benchmath.median(vr)), min(vr), max(vr), len(vr)))
        if bars:
            groups.append((label, bars))
    if not groups:
        return False
    tags = [t for t in raw.tags if any(b[0] == t for _, bars in groups for b in bars)]
    width = 0.8 / len(tags)
    fig, ax = plt.subplots(figsize=(3 + 2 * len(groups), 4.5))
    for j, tag in enumerate(tags):
        at = [(i + (j - (len(tags) - 1) / 2) * width, b) for i, (_, bars) in enumerate(groups)
              for b in bars if b[0] == tag]
        xs, meds = [x for x, _ in at], [b[1] for _, b in at]
        err = [[b[1] - b[2] for _, b in at], [b[3] - b[1] for _, b in at]]
        ax.bar(xs, meds, width * 0.9, color='C%d' % j, yerr=err, capsize=3, label=tag)
        for x, (_, med, _, hi, _) in at:
            ax.annotate('%.3f' % med, (x, hi), xytext=(0, 3), textcoords='offset points',
                        ha='center', fontsize=7)
    ax.axhline(1.0, color='0.6', lw=1, label='/dev/zero (1.0)')
    ax.axhline(0.95, color='k', ls='--', lw=1, label='goal, open+read+close and scaling: ≥ 0.95')
    ax.axhline(0.90, color='k', ls=':', lw=1.5, label='goal, pread: ≥ 0.90')
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([g[0] for g in groups])
    ax.set(ylim=(0, max(1.3, max(b[3] for _, bars in groups for b in bars) + 0.25)), ylabel='roulette rate / /dev/zero rate',
           title='Device cost against /dev/zero (bars: median, whiskers: min–max of the per-run ratios)')
    ax.title.set_fontsize(9)
    ax.legend(fontsize=7, loc='upper center', ncol=3)
    fig.tight_layout()
    fig.savefig(path, **SAVE)
    plt.close(fig)
    return True


def draw(raw, plotdir):
    """Draws what raw holds into plotdir; [(title, file name)] of the images."""
    os.makedirs(plotdir, exist_ok=True)
    drawn = []
    for title, name, plot in (('Timer lateness per tick, beside the original', 'timer.png', timer),
                              ('Device cost against /dev/zero', 'devices.png', devices)):
        if plot(raw, os.path.join(plotdir, name)):
            drawn.append((title, name))
    return drawn
