#!/usr/bin/python3
"""make bench's arithmetic: medians, ranges, paired ratios, the timer's
Theil-Sen trend, the goals' verdicts. Shared by scripts/benchstat.py (the
report) and scripts/benchplot.py (the plots), which import it and not each
other's statistics. Standard library only."""

ORIGINAL_LATE_MS = 120.0   # the Rust original's lateness added per 5 s tick


def g6(x):
    """x rounded to 6 significant digits, as the report prints and reuses it."""
    return float('%.6g' % x)


def median(xs):
    """The median of xs, None when empty."""
    s = sorted(xs)
    n = len(s)
    if not n:
        return None
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def ratio(a, b):
    """a / b to 6 digits, None when either is missing or b is not positive."""
    return None if a is None or b is None or b <= 0 else g6(a / b)


def theil_sen(ys):
    """The median of the slopes between every pair of points (k, ys[k]):
    one outlier cannot fake a trend. 0 for fewer than two points."""
    n = len(ys)
    slopes = [(ys[j] - ys[k]) / (j - k) for k in range(n) for j in range(k + 1, n)]
    return median(slopes) if slopes else 0.0


def summary(fmt, xs):
    """'M [min–max], n=N' of xs in format fmt (or 'no data'), and M."""
    if not xs:
        return 'no data', None
    m = g6(median(xs))
    return ('%s [%s–%s], n=%d' % (fmt % m, fmt % g6(min(xs)), fmt % g6(max(xs)), len(xs))), m


def verdict(value, op, goal):
    """'met' or '**missed**' when value >= (op 'ge') or <= (op 'le') goal."""
    if value is None:
        return 'no data'
    return 'met' if (value >= goal if op == 'ge' else value <= goal) else '**missed**'


def paired(rounds, a, b, scaling=False):
    """Per round (sorted by number) the values of A and B, and their ratio
    where both exist. rounds: {round: {(dev, procs): value}}; with scaling
    a value is the rate of 2 readers over that of 1."""
    def val(r, dev):
        if scaling:
            return ratio(r.get((dev, 2)), r.get((dev, 1)))
        return r.get((dev, 1))
    va, vb, vr = [], [], []
    for k in sorted(rounds, key=float):
        x, y = val(rounds[k], a), val(rounds[k], b)
        if x is not None:
            va.append(x)
        if y is not None:
            vb.append(y)
        z = ratio(x, y)
        if z is not None:
            vr.append(z)
    return va, vb, vr


def timer(t0, ticks, sec):
    """Figure 4 from the init time and the tick times of one period setting:
    lateness of tick k = its time after init minus k*sec (ms), the period
    errors (%), the Theil-Sen trend of lateness over k (ms/tick). Met: mean
    period error within 0.5 % and the trend below 0.05 % of the period per
    tick (a re-arm from "now" adds at least a jiffy, 4 ms, per tick)."""
    n = len(ticks)
    err, late, prev = [], [], t0
    for k, x in enumerate(ticks, 1):
        err.append((x - prev - sec) / sec * 100)
        prev = x
        late.append((x - t0 - k * sec) * 1000)
    worst = max(range(n), key=lambda i: (late[i], -i))
    t = {'n': n, 'sec': sec, 'late': late, 'mean': sum(err) / n, 'median': median(err),
         'lo': min(err), 'hi': max(err), 'drift': late[-1] / (n * sec * 1000) * 100,
         'slope': theil_sen(late), 'mlate': median(late), 'worst': late[worst], 'wk': worst + 1}
    # Judged on the figures as printed.
    t['ok'] = (abs(float('%.4f' % t['mean'])) < 0.5 and
               abs(float('%.3f' % t['slope'])) < sec * 1000 * 0.0005)
    return t
