#!/usr/bin/env python3
"""make likeness-bench: how well `vigie search --similar` finds the same person again.

PETS09-S2L1 is cut into N stretches of time; each is analysed as a camera of its own
("part1"…) with the ground-truth boxes replayed as detections, so each person gets about
one track per stretch and the descriptor alone is measured (not the detector). For every
track whose person also has a track in another stretch, the tracks of the other stretches
are ranked by likeness to it; the rank of that person's first track there gives hit@1,
hit@5 and the mean reciprocal rank, against what a random order would give.

  bench/likeness.py [--vigie build/vigie] [--video vtest.avi] [--gt gt.txt] [--parts N] [--check]

--check (the test): fails unless hit@5 and the mean reciprocal rank are at least twice a
random order's; exits 77 (skipped) when the video or the ground truth is not there.
"""
import argparse
import collections
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path


def read_mot(path):
    rows = []
    for line in Path(path).read_text().splitlines():
        f = line.split(',')
        if len(f) >= 6:
            rows.append((int(float(f[0])), int(float(f[1])), *map(float, f[2:6])))
    return rows


def iou(a, b):
    x = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    y = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return x * y / (a[2] * a[3] + b[2] * b[3] - x * y)


def person_of_each_track(tracks, gt):
    """The ground-truth person each track follows most (IoU >= 0.5), by frames."""
    by_frame = collections.defaultdict(list)
    for g in gt:
        by_frame[g[0]].append(g)
    votes = collections.defaultdict(collections.Counter)
    for t in tracks:
        for g in by_frame[t[0]]:
            if iou(t[2:], g[2:]) >= 0.5:
                votes[t[1]][g[1]] += 1
    return {track: v.most_common(1)[0][0] for track, v in votes.items()}


def run(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def chance_hit(n, m, k):
    """P(at least one of m right answers among the first k of n in a random order)."""
    if k >= n:
        return 1.0
    return 1.0 - math.comb(n - m, k) / math.comb(n, k)


def chance_rr(n, m):
    """Expected reciprocal rank of the first of m right answers among n, random order."""
    return sum(math.comb(n - r, m - 1) / math.comb(n, m) / r for r in range(1, n - m + 2))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--vigie', default='build/vigie')
    p.add_argument('--video', default='/usr/share/doc/opencv-doc/examples/data/vtest.avi')
    p.add_argument('--gt', default='../shared/data/mot/PETS09-S2L1/gt/gt.txt')
    p.add_argument('--parts', type=int, default=4, help='stretches of time (default 4)')
    p.add_argument('--check', action='store_true', help='fail unless at least twice as good as chance')
    a = p.parse_args()
    for need in (a.video, a.gt):
        if not Path(need).exists():
            print(f'skipped: {need} is not there (../shared/data, Debian opencv-doc)')
            sys.exit(77)
    gt = read_mot(a.gt)
    last = max(g[0] for g in gt)
    part_of = lambda frame: min(a.parts, 1 + (frame - 1) * a.parts // last)
    out = Path(tempfile.mkdtemp(prefix='vigie-likeness-'))
    db = str(out / 'likeness.db')
    cameras = [f'part{i}' for i in range(1, a.parts + 1)]
    people = {}  # (camera, track id) -> ground-truth person
    for i, camera in enumerate(cameras, 1):
        det = out / f'{camera}.det.txt'
        det.write_text(''.join(f'{g[0]},-1,{g[2]},{g[3]},{g[4]},{g[5]},1,0\n' for g in gt if part_of(g[0]) == i))
        (out / f'{camera}.yaml').write_text(f'cameras:\n  {camera}:\n    input: {a.video}\n')
        tracks = out / f'{camera}.tracks.txt'
        run([a.vigie, 'analyze', '--config', str(out / f'{camera}.yaml'), '--detections', str(det), '--quiet',
             '--store', db, '--tracks', str(tracks)])
        for track, who in person_of_each_track(read_mot(tracks), gt).items():
            people[camera, track] = who

    def search(*extra):
        return json.loads(run([a.vigie, 'search', '--store', db, '--reason', 'likeness benchmark', '--json',
                               '--limit', '100000', *extra]))

    everyone = search()
    queries = hits1 = hits5 = 0
    rr = chance1 = chance5 = chance_mrr = 0.0
    for t in everyone:
        who = people.get((t['camera'], t['track_id']))
        others = [c for c in cameras if c != t['camera']]
        m = sum(1 for r in everyone if r['camera'] in others and people.get((r['camera'], r['track_id'])) == who)
        if who is None or m == 0:
            continue
        ranked = search(*[x for c in others for x in ('--camera', c)], '--similar',
                        f"{t['camera']}/{t['run_id']}/{t['track_id']}")
        ranks = [i + 1 for i, r in enumerate(ranked) if people.get((r['camera'], r['track_id'])) == who]
        if not ranks:
            continue
        n = len(ranked)
        queries += 1
        hits1 += ranks[0] == 1
        hits5 += ranks[0] <= 5
        rr += 1 / ranks[0]
        chance1 += chance_hit(n, m, 1)
        chance5 += chance_hit(n, m, 5)
        chance_mrr += chance_rr(n, m)
    if queries == 0:
        sys.exit('no person is in two stretches')
    print(f'PETS09-S2L1 in {a.parts} stretches of time, ground-truth boxes: {len(everyone)} tracks, '
          f'{queries} of them of a person seen in another stretch')
    print('| ranking | hit@1 | hit@5 | mean reciprocal rank |')
    print('|---|---|---|---|')
    print(f'| likeness (`--similar`) | {hits1 / queries:.2f} | {hits5 / queries:.2f} | {rr / queries:.2f} |')
    print(f'| a random order | {chance1 / queries:.2f} | {chance5 / queries:.2f} | {chance_mrr / queries:.2f} |')
    if a.check and (hits5 < 2 * chance5 or rr < 2 * chance_mrr):
        sys.exit('likeness ranks the same person less than twice as well as chance')


if __name__ == '__main__':
    main()
