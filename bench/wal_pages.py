#!/usr/bin/env python3
# bench/wal_pages.py DB WAL — which tables and indexes a SQLite WAL's
# frames are pages of, per commit: the frames of the WAL's current salt
# up to its last commit frame, each page number named by the dbstat
# table of DB (a copy of the store taken with the WAL, COPYWAL= of
# bench/clues_load.sh). A commit writes every page it touched whole.
import collections, sqlite3, struct, sys

db, wal = sys.argv[1], sys.argv[2]
d = open(wal, 'rb').read()
_, _, psz, _, s1, s2, _, _ = struct.unpack('>IIIIIIII', d[:32])
off, frames = 32, []
while off + 24 + psz <= len(d):
    pg, csz, f1, f2 = struct.unpack('>IIII', d[off:off + 16])
    if (f1, f2) != (s1, s2):
        break
    frames.append((pg, csz))
    off += 24 + psz
last = max(i for i, (_, c) in enumerate(frames) if c)
frames = frames[:last + 1]
commits = sum(1 for _, c in frames if c)
names = dict((p, n) for n, p in sqlite3.connect(db).execute('SELECT name, pageno FROM dbstat'))
print(f'page size {psz}: {len(frames)} frames in {commits} commits, {len(frames) / commits:.1f} a commit')
for k, v in collections.Counter(names.get(p, '?') for p, _ in frames).most_common(30):
    print(f'{v / commits:6.2f} a commit  {k}')
