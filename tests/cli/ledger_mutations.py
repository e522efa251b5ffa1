#!/usr/bin/env python3
"""ledger_mutations.py — the tamper-mutation suite (issue #15, "At scale").

Builds a small county store (plumb gen --scale county, trimmed, imported,
with accounts, a purge, checkpoints, a witness co-signature, an office key
and a portal report with an attachment), then applies N random mutations,
each to a fresh copy of the store and its files:

  row     UPDATE / DELETE / INSERT of one row of a table (every table gets
          at least one before any gets a second);
  file    one byte flipped in the database file;
  snapshot one byte flipped in DB.rules-snapshot;
  key     one byte flipped in DB.key (the log's signing key) or
          DB.totp.key (the TOTP sealing key).

Each mutation must be caught by `plumb verify` (exit 1 or 2 with a one-line
message; `verify --deep` as a second pass), have no effect on the store's
content (a flipped byte in free space), or hit something docs/SECURITY.md
("What plumb verify does not promise") names as outside verify's promise:
the hand-written OUTSIDE table below is copied from that section, not
derived from the code. Anything else is MISSED and fails the run, as does a
crash. The count per target is printed as a table (docs/RELIABILITY.md
"Tamper mutations" records a full run).

On PostgreSQL (PLUMB_TEST_BACKEND=pg, --db a fresh database's URL from
helpers/store_lib.sh, PLUMB its tests/api/plumb-pg) the same build and the
same row, snapshot and key mutations run: each copy is CREATE DATABASE ...
TEMPLATE of the base with its state directory; the rows are read and
changed through `plumb sql` (a row without a primary key is named by its
ctid, as SQLite's by its rowid; the row key row_no is left alone, as
rowid); a byte flipped in the database file is SQLite's only (the files of
a PostgreSQL cluster are the server's, not the store's).

usage: ledger_mutations.py --plumb PLUMB [--count N] [--seed S] [--size small|county] [--db URL]
"""
import argparse
import collections
import csv
import hashlib
import os
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

# docs/SECURITY.md, "What plumb verify does not promise" (tables and
# columns whose direct edit verify does not detect, and why). Keep in step.
OUTSIDE = {
    'user_secrets': "accounts' secrets: password hash, sealed TOTP secret, lockout counters",
    'sessions': 'sign-in sessions (operational state)',
    'login_failures': 'failed sign-ins and lockouts of names without an account (operational '
                      'state, like user_secrets; migration 0076)',
    'portal_rate': "the portal's rate-limit counters",
    'portal_secret': "the portal's rate-limit address key",
    'office_key_secrets': "discipline offices' private keys, sealed under a passphrase",
    'escalation_relay_acks': "the relay's record of what each level below acknowledged "
                             '(operational state; migration 0133)',
    'scope_generation': 'a cache counter of the read path (no content)',
    'accounts_generation': 'a cache counter of the session check (no content; migration 0146)',
    'ledger_checkpoints.id': 'row number of a checkpoint (the signed note is checked, not its row id)',
    'ledger_checkpoints.created_at': 'when the row was written; not signed',
    'schema_migrations': 'migration bookkeeping',
    'plumb_meta[other key]': 'a plumb_meta row under a key no code reads (magic, ledger_origin, '
                             'ledger_verifier_key and ledger_subject_key are checked)',
    'file:key': "the log's private key: verify needs only the public key; a damaged key "
                'is refused at the next `plumb checkpoint`',
    'file:totp.key': "accounts' secrets: the TOTP sealing key (sign-in fails)",
}

# The plumb_meta keys the store and the ledger read.
META_KEYS = {'magic', 'ledger_origin', 'ledger_verifier_key', 'ledger_subject_key'}

# Rows of the big generated files kept in a "small" county (every other
# file whole; persons, decisions and meetings that nothing kept refers to
# are dropped, so references still resolve).
SMALL_TRIM = {
    'org/tenures.csv': 700, 'declarations/declarations.csv': 200,
    'declarations/declaration_items.csv': 200, 'finance/payments.csv': 200,
    'meetings/speeches.csv': 200, 'evaluations/evaluations.csv': 200, 'police/kin.csv': 300,
    'police/registry_records.csv': 100, 'realestate/registry_records.csv': 100,
    'securities/registry_records.csv': 50, 'vehicles/registry_records.csv': 50,
    'market/registry_records.csv': 50, 'market/company_roles.csv': 150,
    'contracts/contracts.csv': 150, 'supervision/supervision_activities.csv': 100,
    'supervision/accountability.csv': 60, 'clues/clues.csv': 120,
    'clues/clue_reporters.csv': 40, 'clues/dispositions.csv': 100,
}
# Rows kept only if the record they name in a trimmed file is kept (or empty).
FILTER = [('clues/clue_reporters.csv', 'clue_id', 'clues/clues.csv'),
          ('clues/dispositions.csv', 'clue_id', 'clues/clues.csv'),
          ('finance/payments.csv', 'contract_id', 'contracts/contracts.csv'),
          ('declarations/declaration_items.csv', 'declaration_id',
           'declarations/declarations.csv')]
# Files whose rows are kept only if another kept file (or a kept row of the
# same file: a post reporting to another) names their id, in this order.
PRUNE = ['org/posts.csv', 'meetings/decisions.csv', 'meetings/meetings.csv',
         'market/companies.csv', 'org/persons.csv', 'police/persons.csv', 'market/persons.csv']


PG = os.environ.get('PLUMB_TEST_BACKEND') == 'pg'
PLUMB = None  # set by main: the plumb command (on PostgreSQL, tests/api/plumb-pg)


def pg_admin():
    """The fixture cluster's URL without its password (PGPASSWORD holds it)."""
    with open(os.path.join(os.environ['PLUMB_PG_STATE'], 'url')) as f:
        return re.sub(r'//([^:@/]+):[^@/]*@', r'//\1@', f.read().strip())


def pg_name(db):
    return db.rsplit('/', 1)[1].split('?')[0]


def side(db, s):
    """The side file s ('.key', '.rules-snapshot', ...) of store db."""
    if PG:
        return os.path.join(os.environ['PLUMB_API_SIDE'], pg_name(db), 'plumbline' + s)
    return db + s


def sql_rows(db, q):
    """The rows of q as dicts (plumb sql --json), or None if it failed."""
    r = run([PLUMB, 'sql', '--db', db, '--json', q])
    if r.returncode != 0:
        return None
    return json.loads(r.stdout) if r.stdout.strip() else []


def sql_one(db, q):
    rows = sql_rows(db, q)
    return list(rows[0].values())[0] if rows else None


def pg_copy(base, name):
    """A copy of database base (data and state directory) as name: its URL."""
    to = pg_name(base).rsplit('_', 1)[0] + '_' + name
    must(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', pg_admin(), '-c',
          f'DROP DATABASE IF EXISTS {to} WITH (FORCE)', '-c',
          f'CREATE DATABASE {to} TEMPLATE {pg_name(base)}'], 'copy ' + to)
    sd = os.path.join(os.environ['PLUMB_API_SIDE'], to)
    shutil.rmtree(sd, ignore_errors=True)
    shutil.copytree(os.path.join(os.environ['PLUMB_API_SIDE'], pg_name(base)), sd)
    return base.rsplit('/', 1)[0] + '/' + to


def pg_lit(v):
    """v as a PostgreSQL literal."""
    if v is None:
        return 'NULL'
    if isinstance(v, bytes):
        return f"decode('{v.hex()}', 'hex')"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def pg_value(v, typ):
    """A value as plumb sql --json gives it, in the column's Python type."""
    if v is None:
        return None
    if 'BYTEA' in typ and isinstance(v, str) and v.startswith('\\x'):
        return bytes.fromhex(v[2:])
    if ('DOUBLE' in typ or 'REAL' in typ or 'NUMERIC' in typ) and isinstance(v, str):
        return float(v)
    return v


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def must(cmd, what, **kw):
    r = run(cmd, **kw)
    if r.returncode != 0:
        sys.exit(f'FAIL: setup: {what}: {r.stdout}{r.stderr}')
    return r.stdout


def read_csv(path):
    with open(path, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_csv(path, header, rows):
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        w.writerows(rows)


def trim(gen):
    # The inspection register (inspection/inspection.jsonl) names persons,
    # units and activities that the trim below may drop: leave it out (the
    # inspect tables are mutated by tests/cli/inspect_ledger.sh).
    shutil.rmtree(os.path.join(gen, 'inspection'), ignore_errors=True)
    for rel, n in SMALL_TRIM.items():
        p = os.path.join(gen, rel)
        if os.path.exists(p):
            h, rows = read_csv(p)
            write_csv(p, h, rows[:n])
    for rel, col, parent in FILTER:
        h, rows = read_csv(os.path.join(gen, rel))
        keep = {r[0] for r in read_csv(os.path.join(gen, parent))[1]}
        i = h.index(col)
        write_csv(os.path.join(gen, rel), h, [r for r in rows if not r[i] or r[i] in keep])
    for rel in PRUNE:
        p = os.path.join(gen, rel)
        h, rows = read_csv(p)
        named = set()
        for root, _, files in os.walk(gen):
            for fn in files:
                q = os.path.join(root, fn)
                if fn.endswith('.csv') and q != p:
                    for r in read_csv(q)[1]:
                        named.update(r)
        ids = {r[0]: r for r in rows}
        keep = {i for i in ids if i in named}
        grow = list(keep)
        while grow:  # references inside the file (reports_to)
            for v in ids[grow.pop()][1:]:
                if v in ids and v not in keep:
                    keep.add(v)
                    grow.append(v)
        write_csv(p, h, [r for r in rows if r[0] in keep])


def build(plumb, work, size, seed, url=None):
    env = dict(os.environ, PLUMB_LANG='en', PLUMB_NOW='2026-07-01T08:00:00Z',
               PLUMB_OFFICE_PASSPHRASE='county office passphrase')
    gen = os.path.join(work, 'gen')
    must([plumb, 'gen', '--scale', 'county', '--seed', str(seed), '--out', gen, '--quiet'], 'gen',
         env=env)
    shutil.rmtree(os.path.join(gen, 'bad'), ignore_errors=True)
    os.remove(os.path.join(gen, 'manifest.json'))
    if size == 'small':
        trim(gen)
    db = url or os.path.join(work, 'base.db')
    must([plumb, 'init', '--db', db, '--origin', 'county.example/433127'], 'init', env=env)
    must([plumb, 'import', '--all', gen, '--db', db, '--quiet'], 'import', env=env)
    # A sweep writes the rules snapshot and its key (a small import checks
    # event by event and writes none): both are mutated below.
    must([plumb, 'sweep', '--db', db], 'sweep', env=env)
    pw = 'correct horse battery staple 1'
    for name, role, extra in [('admin1', 'admin', []), ('officer1', 'cadre_officer',
                                                       ['--scope', 'U433127-000001']),
                              ('auditor1', 'auditor', [])]:
        must([plumb, 'user', 'add', name, '--role', role, *extra, '--password-stdin', '--db', db,
              '--actor', 'setup'], f'user add {name}', input=pw + '\n', env=env)
    must([plumb, 'purge', '5', '--reason', 'retention-rule-7', '--db', db], 'purge', env=env)
    must([plumb, 'checkpoint', '--db', db], 'checkpoint', env=env)
    disc = sql_one(db, "SELECT id FROM units WHERE kind='discipline' ORDER BY id LIMIT 1")
    must([plumb, 'office', 'keygen', '--office', disc, '--db', db], 'office keygen', env=env)
    with open(os.path.join(work, 'pass'), 'w') as f:
        f.write('my portal pass\n')
    os.chmod(os.path.join(work, 'pass'), 0o600)
    with open(os.path.join(work, 'evidence.pdf'), 'wb') as f:
        f.write(b'%PDF-1.4\n%%EOF\n')
    unit = sql_one(db, "SELECT id FROM units WHERE kind='department' ORDER BY id LIMIT 1")
    out = must([plumb, 'portal', 'report', '--subject-unit', unit, '--category', 'money',
                '--summary', '举报', '--facts', '收受礼金', '--attach',
                os.path.join(work, 'evidence.pdf'), '--passphrase-file',
                os.path.join(work, 'pass'), '--addr', '198.51.100.7', '--db', db],
               'portal report', env=env)
    receipt = out.split()[1]
    must([plumb, 'portal', 'check', receipt, '--passphrase-file', os.path.join(work, 'pass'),
          '--proof', '--addr', '198.51.100.7', '--db', db], 'portal proof', env=env)
    wkey = os.path.join(work, 'w.key')
    must([plumb, 'keygen', '--name', 'province.example/witness', '--out', wkey], 'keygen', env=env)
    must([plumb, 'cosign', '--key', wkey, '--db', db], 'cosign', env=env)
    # A session row and a portal rate row exist so they can be changed too.
    if not PG:
        con = sqlite3.connect(db)
        con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        con.close()
    # Everything in the main file (no -wal beside it), so a copy is whole.
    out = must([plumb, 'verify', '--deep', '--db', db], 'verify of the base store', env=env)
    return db, out.strip()


def pg_tables_of(db):
    cols = sql_rows(db, "SELECT table_name AS t, column_name AS c, upper(data_type) AS ty "
                        "FROM information_schema.columns WHERE table_schema = current_schema() "
                        "AND table_name IN (SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE') "
                        "ORDER BY table_name, ordinal_position")
    pks = sql_rows(db, "SELECT k.table_name AS t, k.column_name AS c FROM "
                       "information_schema.table_constraints c JOIN "
                       "information_schema.key_column_usage k ON k.constraint_name = "
                       "c.constraint_name AND k.table_schema = c.table_schema WHERE "
                       "c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema() "
                       "ORDER BY k.table_name, k.ordinal_position")
    info = {}
    for r in cols:
        if r['c'] == 'row_no':  # the row key, as SQLite's rowid: not a column here
            continue
        d = info.setdefault(r['t'], {'cols': [], 'types': [], 'pk': [], 'rowid': True})
        d['cols'].append(r['c'])
        d['types'].append(r['ty'])
    for r in pks:
        if r['t'] in info and r['c'] != 'row_no':
            info[r['t']]['pk'].append(r['c'])
    for t in info:
        info[t]['count'] = int(sql_one(db, f'SELECT count(*) FROM "{t}"'))
    return info


def tables_of(db):
    if PG:
        return pg_tables_of(db)
    con = sqlite3.connect(db)
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    info = {}
    for t in names:
        cols = con.execute(f'PRAGMA table_info("{t}")').fetchall()
        wr = con.execute("SELECT sql FROM sqlite_schema WHERE name=?", (t,)).fetchone()[0]
        info[t] = {
            'cols': [c[1] for c in cols],
            'types': [c[2].upper() for c in cols],
            'pk': [c[1] for c in sorted(cols, key=lambda c: c[5]) if c[5] > 0],
            'rowid': 'WITHOUT ROWID' not in wr.upper(),
            'count': con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0],
        }
    con.close()
    return info


def content_digest(db):
    """Digest of every table's rows (ordered), per table, or None if unreadable."""
    try:
        con = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
        out = {}
        for (t,) in con.execute(
                "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name").fetchall():
            n = len(con.execute(f'PRAGMA table_info("{t}")').fetchall())
            order = ','.join(str(i) for i in range(1, n + 1))
            h = hashlib.sha256()
            for row in con.execute(f'SELECT * FROM "{t}" ORDER BY {order}'):
                h.update(repr(row).encode())
            out[t] = h.hexdigest()
        out[' schema'] = hashlib.sha256(
            repr(con.execute('SELECT sql FROM sqlite_schema ORDER BY 1').fetchall()).encode()
        ).hexdigest()
        con.close()
        return out
    except sqlite3.DatabaseError:
        return None


def changed_value(v, typ, rnd):
    if v is None:
        return 1 if 'INT' in typ else 'x'
    if isinstance(v, int):
        return v + rnd.choice([-1, 1, 7, 1000])
    if isinstance(v, float):
        return v + 1.5
    if isinstance(v, bytes):
        b = bytearray(v) or bytearray(b'\0')
        i = rnd.randrange(len(b))
        b[i] ^= 1 << rnd.randrange(8)
        return bytes(b)
    s = str(v)
    if not s:
        return 'x'
    i = rnd.randrange(len(s))
    c = s[i]
    repl = 'Z' if c != 'Z' else 'Y'
    return s[:i] + repl + s[i + 1:]


def key_where(info, con, t, rnd):
    """(where-clause, params) naming one random row of t, or None if empty."""
    n = con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
    if n == 0:
        return None
    keys = info[t]['pk'] if info[t]['pk'] else ['rowid']
    sel = ','.join(f'"{k}"' if k != 'rowid' else 'rowid' for k in keys)
    row = con.execute(f'SELECT {sel} FROM "{t}" LIMIT 1 OFFSET ?', (rnd.randrange(n),)).fetchone()
    where = ' AND '.join((f'"{k}"' if k != 'rowid' else 'rowid') + ' IS ?' for k in keys)
    return where, list(row)


def pg_mutate_row(db, info, t, op, rnd):
    """mutate_row through plumb sql: the row named by its primary key, or its ctid."""
    n = int(sql_one(db, f'SELECT count(*) FROM "{t}"'))
    cols, types = info[t]['cols'], info[t]['types']

    def changes(q):  # the statement's RETURNING rows: 0 when refused or no row
        rows = sql_rows(db, q + ' RETURNING 1')
        return len(rows) if rows else 0

    where = row = None
    if n:
        keys = info[t]['pk'] or ['ctid']
        sel = ', '.join('ctid::text AS ctid' if k == 'ctid' else f'"{k}"' for k in keys)
        kr = sql_rows(db, f'SELECT {sel} FROM "{t}" LIMIT 1 OFFSET {rnd.randrange(n)}')[0]
        params = [kr[k] for k in keys]
        where = ' AND '.join(("ctid = " + pg_lit(v) + '::tid') if k == 'ctid' else
                             f'"{k}" IS NOT DISTINCT FROM {pg_lit(v)}' for k, v in zip(keys, params))
    if op in ('update', 'delete'):
        if not where:
            return None
        if op == 'delete':
            return (t, f'DELETE row {params}') if changes(f'DELETE FROM "{t}" WHERE {where}') else None
        ci = rnd.randrange(len(cols))
        col = cols[ci]
        old = pg_value(sql_rows(db, f'SELECT "{col}" FROM "{t}" WHERE {where}')[0][col], types[ci])
        new = changed_value(old, types[ci], rnd)
        if not changes(f'UPDATE "{t}" SET "{col}" = {pg_lit(new)} WHERE {where}'):
            return None  # constraint: not a mutation, pick another
        target = f'{t}.{col}' if f'{t}.{col}' in OUTSIDE else t
        if t == 'plumb_meta' and col == 'key':
            target = 'plumb_meta[other key]'
            if params[0] in META_KEYS:
                target = t
        return target, f'UPDATE {col} {old!r:.40} -> {new!r:.40} at {params}'
    if where:
        r = sql_rows(db, f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{t}" WHERE {where}')[0]
        row = [pg_value(r[c], ty) for c, ty in zip(cols, types)]
        for k in info[t]['pk']:
            i = cols.index(k)
            row[i] = changed_value(row[i], types[i], rnd)
    else:
        row = [1 if 'INT' in ty else (b'\x01' if 'BYTEA' in ty else 'x') for ty in types]
    names = ','.join(f'"{c}"' for c in cols)
    if not changes(f'INSERT INTO "{t}"({names}) VALUES({",".join(pg_lit(v) for v in row)})'):
        return None
    if t == 'plumb_meta' and row[cols.index('key')] not in META_KEYS:
        return 'plumb_meta[other key]', f'INSERT {str(row)[:60]}'
    return t, f'INSERT {str(row)[:60]}'


def mutate_row(db, info, t, op, rnd):
    """Apply one row mutation; returns (target, description) or None if not possible."""
    if PG:
        return pg_mutate_row(db, info, t, op, rnd)
    con = sqlite3.connect(db)
    con.isolation_level = None
    try:
        if op in ('update', 'delete'):
            kw = key_where(info, con, t, rnd)
            if not kw:
                return None
            where, params = kw
            if op == 'delete':
                con.execute(f'DELETE FROM "{t}" WHERE {where}', params)
                return (t, f'DELETE row {params}') if con.total_changes else None
            ci = rnd.randrange(len(info[t]['cols']))
            col = info[t]['cols'][ci]
            old = con.execute(f'SELECT "{col}" FROM "{t}" WHERE {where}', params).fetchone()[0]
            new = changed_value(old, info[t]['types'][ci], rnd)
            try:
                con.execute(f'UPDATE "{t}" SET "{col}" = ? WHERE {where}', [new] + params)
            except sqlite3.DatabaseError:
                return None  # constraint: not a mutation, pick another
            if not con.total_changes:
                return None
            target = f'{t}.{col}' if f'{t}.{col}' in OUTSIDE else t
            if t == 'plumb_meta' and col == 'key':
                target = 'plumb_meta[other key]'  # the old key is gone: checked below
                if params[0] in META_KEYS:
                    target = t
            return target, f'UPDATE {col} {old!r:.40} -> {new!r:.40} at {params}'
        # insert: a copy of an existing row with a changed key, or a made-up row
        cols = info[t]['cols']
        kw = key_where(info, con, t, rnd)
        if kw:
            where, params = kw
            row = list(con.execute(f'SELECT * FROM "{t}" WHERE {where}', params).fetchone())
            for k in (info[t]['pk'] or []):
                i = cols.index(k)
                row[i] = changed_value(row[i], info[t]['types'][i], rnd)
        else:
            row = [1 if 'INT' in ty else (b'\x01' if 'BLOB' in ty else 'x') for ty in info[t]['types']]
        q = ','.join('?' for _ in cols)
        names = ','.join(f'"{c}"' for c in cols)
        try:
            con.execute(f'INSERT INTO "{t}"({names}) VALUES({q})', row)
        except sqlite3.DatabaseError:
            return None
        if not con.total_changes:
            return None
        if t == 'plumb_meta' and row[cols.index('key')] not in META_KEYS:
            return 'plumb_meta[other key]', f'INSERT {str(row)[:60]}'
        return t, f'INSERT {str(row)[:60]}'
    finally:
        con.close()


def flip(path, rnd):
    size = os.path.getsize(path)
    off = rnd.randrange(size)
    with open(path, 'r+b') as f:
        f.seek(off)
        b = f.read(1)[0]
        bit = 1 << rnd.randrange(8)
        f.seek(off)
        f.write(bytes([b ^ bit]))
    return off


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--plumb', required=True)
    ap.add_argument('--count', type=int, default=120)
    ap.add_argument('--seed', type=int, default=15)
    ap.add_argument('--size', choices=['small', 'county'], default='small')
    ap.add_argument('--keep', action='store_true', help='keep the work directory')
    ap.add_argument('--db', help='on PostgreSQL: the URL of the fresh base database')
    a = ap.parse_args()
    global PLUMB
    PLUMB = a.plumb
    if PG and not a.db:
        sys.exit('FAIL: PLUMB_TEST_BACKEND=pg needs --db URL (helpers/store_lib.sh store_new)')
    work = tempfile.mkdtemp(prefix='plumb-mut-')
    t0 = time.time()
    try:
        db, clean = build(a.plumb, work, a.size, 7, a.db if PG else None)
        print(f'base store ({a.size} county, seed 7): {clean}')
        print(f'  built in {time.time() - t0:.1f} s' +
              ('' if PG else f'; {os.path.getsize(db)} bytes'))
        info = tables_of(db)
        base_digest = None if PG else content_digest(db)
        extras = ['.key', '.totp.key', '.rules.key', '.rules-snapshot']
        for s in extras:
            if not os.path.exists(side(db, s)):
                print(f'FAIL: the base store has no {s} file to mutate')
                return 1
        rnd = random.Random(a.seed)
        tables = sorted(info)
        env = dict(os.environ, PLUMB_LANG='en')
        results = collections.defaultdict(collections.Counter)
        missed, crashed = [], []
        copy = os.path.join(work, 'm.db')
        order = tables[:]
        rnd.shuffle(order)
        i = 0
        t_mut = time.time()
        while i < a.count:
            if PG:
                copy = pg_copy(db, 'm')
            else:
                for f in (copy, copy + '-wal', copy + '-shm'):
                    if os.path.exists(f):
                        os.remove(f)
                shutil.copyfile(db, copy)
                for s in extras:
                    shutil.copyfile(db + s, copy + s)
                    os.chmod(copy + s, 0o600)
            # (the same draw on both engines; a PostgreSQL store has no
            # file of its own: a 'file' turn is a row turn there)
            kind = rnd.choices(['row', 'file', 'snapshot', 'key'], weights=[70, 20, 5, 5])[0]
            if PG and kind == 'file':
                kind = 'row'
            # Tables not yet mutated take every remaining turn when there are
            # as many of them as turns left: each table at least once.
            if order and a.count - i <= len(order):
                kind = 'row'
            desc = None
            hexcase_only = False
            if kind == 'row':
                # Every table once (in a random order) before any twice.
                t = order.pop() if order else rnd.choice(tables)
                ops = ['update', 'delete', 'insert'] if info[t]['count'] else ['insert']
                for _ in range(20):
                    desc = mutate_row(copy, info, t, rnd.choice(ops), rnd)
                    if desc:
                        break
                if not desc:
                    results[t]['not mutable'] += 1
                    i += 1
                    continue
                target, what = desc
            elif kind == 'file':
                off = flip(copy, rnd)
                target, what = 'file:db', f'byte {off} flipped'
            elif kind == 'snapshot':
                if '.rules-snapshot' not in extras:
                    continue
                off = flip(side(copy, '.rules-snapshot'), rnd)
                target, what = 'file:rules-snapshot', f'byte {off} flipped'
            else:
                s = rnd.choice([x for x in extras if x != '.rules-snapshot'])
                with open(side(db, s), 'rb') as f:
                    before = f.read()
                off = flip(side(copy, s), rnd)
                with open(side(copy, s), 'rb') as f:
                    after = f.read()
                # A flip of bit 5 of a hex letter (a <-> A) keeps the key.
                hexcase_only = (before[off:off + 1].lower() == after[off:off + 1].lower()
                                and before[off:off + 1].lower() in b'abcdef')
                target, what = 'file:' + s[1:], f'byte {off} flipped'
            i += 1
            r = run([a.plumb, 'verify', '--db', copy], env=env, timeout=300)
            how = None
            if r.returncode < 0 or r.returncode > 2:
                crashed.append((target, what, r.returncode, r.stderr[-300:]))
                results[target]['CRASH'] += 1
                continue
            if r.returncode != 0:
                msg = (r.stderr or r.stdout).strip()
                if len(msg.splitlines()) != 1:
                    crashed.append((target, what, 'message is not one line', msg[:300]))
                how = 'caught by verify' if r.returncode == 1 else 'caught (exit 2)'
            else:
                r2 = run([a.plumb, 'verify', '--deep', '--db', copy], env=env, timeout=300)
                if r2.returncode < 0 or r2.returncode > 2:
                    crashed.append((target, what, r2.returncode, r2.stderr[-300:]))
                    results[target]['CRASH'] += 1
                    continue
                if r2.returncode != 0:
                    how = 'caught by --deep'
                elif target == 'file:key':
                    # Outside verify; the next signing must refuse it.
                    r3 = run([a.plumb, 'checkpoint', '--db', copy], env=env, timeout=300)
                    how = 'refused at next checkpoint' if r3.returncode != 0 else 'outside (listed)'
                elif target.startswith('file:') and target.endswith('key') and hexcase_only:
                    how = 'no effect on content'  # hex digits are read in either case
                elif target.startswith('file:') and target != 'file:db':
                    how = 'outside (listed)' if target in OUTSIDE else 'MISSED'
                elif target == 'file:db':
                    # A flip verify does not see must change nothing, or
                    # only tables outside its promise.
                    d = content_digest(copy)
                    changed = None if d is None else sorted(
                        t for t in set(d) | set(base_digest) if d.get(t) != base_digest.get(t))
                    if changed == []:
                        how = 'no effect on content'
                    elif changed and all(t in OUTSIDE for t in changed):
                        how = 'outside (listed)'
                        what += ' (in ' + ', '.join(changed) + ')'
                    else:
                        how = 'MISSED'
                        what += ' (in ' + (', '.join(changed) if changed else 'an unreadable file') + ')'
                else:
                    how = 'outside (listed)' if target in OUTSIDE else 'MISSED'
            results[target][how] += 1
            if how == 'MISSED':
                missed.append((target, what))
                if a.keep and not PG:  # the mutated store, for a look with sqlite3
                    kept = os.path.join(work, f'missed-{i}')
                    os.makedirs(kept)
                    for f in [copy] + [copy + x for x in extras]:
                        shutil.copy(f, kept)
                    what += f' (kept in {kept})'
                    missed[-1] = (target, what)
        dt = time.time() - t_mut
        cols = ['caught by verify', 'caught (exit 2)', 'caught by --deep',
                'refused at next checkpoint', 'no effect on content', 'outside (listed)',
                'MISSED', 'CRASH', 'not mutable']
        short = ['verify', 'exit2', '--deep', 'next-cp', 'no-effect', 'outside', 'MISSED', 'CRASH',
                 'n/a']
        print(f'\n{a.count} mutations, seed {a.seed}, {dt:.1f} s ({dt / max(a.count, 1):.2f} s each)')
        w = max(len(t) for t in results) if results else 10
        print(f'| {"target":<{w}} | total | ' + ' | '.join(short) + ' |')
        print(f'|{"-" * (w + 2)}|------:|' + '|'.join('-' * (len(s) + 1) + ':' for s in short) + '|')
        tot = collections.Counter()
        for t in sorted(results):
            c = results[t]
            tot.update(c)
            print(f'| {t:<{w}} | {sum(c.values()):5} | ' +
                  ' | '.join(f'{c[k]:>{len(s)}}' for k, s in zip(cols, short)) + ' |')
        print(f'| {"total":<{w}} | {sum(tot.values()):5} | ' +
              ' | '.join(f'{tot[k]:>{len(s)}}' for k, s in zip(cols, short)) + ' |')
        untouched = [t for t in tables if t not in
                     {k.split('.')[0].split('[')[0] for k in results}]
        bad = 0
        for t, what in missed:
            print(f'MISSED: {t}: {what}')
            bad += 1
        for c in crashed:
            print(f'CRASH or bad message: {c}')
            bad += 1
        if a.count >= 100 and untouched:
            print(f'FAIL: tables never mutated: {untouched}')
            bad += 1
        if bad:
            print(f'FAIL: {bad} problem(s)')
            return 1
        print('PASS: every mutation caught, without effect, or outside the listed promise')
        return 0
    finally:
        if a.keep:
            print(f'work directory kept: {work}')
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
