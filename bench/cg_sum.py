#!/usr/bin/env python3
"""bench/cg_sum.py — a callgrind output summed by function groups.

Usage: bench/cg_sum.py [-n REQUESTS] [--top K] [--diff] FILE [FILE ...]

Each function's self cost (the first event, Ir: instructions) is put in
the first group below whose object-file or function-name pattern matches
it (HTTP, JSON, hashing, SQLite, ledger, ...), and the groups are printed
with their share and, with -n, per request (a clue). Several files (one a
thread, from --separate-threads=yes, or the dumps of bench/wpath_prof.sh
OUT=dir) are added up. With --diff and two files (or two comma-separated
lists of files), before and after side by side: instructions per request
of each group and the change. --top K also lists the K dearest functions
of each group. Standard library only (python3); reads the format of
valgrind's docs/callgrind "Callgrind Format Specification": name
compression "(id) name", relative positions, and the inclusive cost line
after each calls= line, which is not self cost and is skipped.
"""
import argparse
import collections
import re
import sys

# (group, object patterns, function patterns): the first match wins, object
# patterns tested against the ELF object's path, function ones against the
# symbol. Keep the specific ones (SQLite's VDBE, hashing) before the broad.
GROUPS = [
    ('hashing (SHA-256, BLAKE2b, Ed25519)', [r'libcrypto', r'libsodium', r'libnettle', r'libhogweed'],
     [r'sha256', r'sha512', r'blake2', r'crypto_', r'ed25519', r'ge25519', r'fe25519', r'sc25519',
      r'^pl_hash', r'leaf_hash', r'merkle', r'SHA\d', r'^randombytes']),
    ('SQLite', [r'libsqlite3'], [r'^sqlite3', r'^vdbe', r'^btree', r'^pager', r'^wal',
                                 r'^yy', r'^pcache', r'^unix(Write|Read|Sync|Lock|Unlock|FileControl)',
                                 r'^memjrnl', r'^mem[0-9]']),
    ('PostgreSQL client (libpq)', [r'libpq'], [r'^PQ', r'^pq']),
    ('JSON (jansson, canonical JSON, row JSON)', [r'libjansson'],
     [r'^json_', r'^jsonp_', r'^hashtable_', r'^utf8_', r'^lex_', r'^parse_(value|object|array)',
      r'^pl_json', r'^encode$', r'^add_string', r'^nfc_string', r'^is_ascii', r'^next_special',
      r'^cmp_kv', r'^rowjson', r'^rj_', r'^do_dump', r'^dump_']),
    ('Unicode (ICU)', [r'libicu'], [r'^u_', r'^unorm', r'^icu_']),
    ('HTTP (libmicrohttpd, server, routes)', [r'libmicrohttpd'],
     [r'^MHD_', r'^MHD', r'^mhd_', r'^http_', r'^reply_', r'^send_reply', r'^dispatch', r'^route',
      r'^auth_', r'^h_[a-z_]+$', r'^pool_', r'^touch_later', r'^req_', r'^body_', r'^on_request',
      r'^access_handler', r'^thread_store', r'^serve_']),
    ('ledger (events, projections, checkpoints)', [],
     [r'^pl_ledger', r'^ledger_', r'^apply_', r'^pl_registry', r'^proj_', r'^pl_event',
      r'^checkpoint', r'^ckpt_', r'^pl_store_append_event']),
    ('clues (cases: intake, routing, dedupe)', [],
     [r'^pl_cases', r'^cs_', r'^route$', r'^body_at', r'^unit_info', r'^person_unit', r'^top_of',
      r'^find_group', r'^intake']),
    ('rules (findings)', [], [r'^pl_rules', r'^rl_', r'^emit_']),
    ('accounts (session, scope)', [], [r'^pl_accounts', r'^sync$', r'^read_row', r'^scope_']),
    ('store layer (plumb store.c, sqlite.c, pg.c)', [],
     [r'^pl_store', r'^pl_stmt', r'^sq_', r'^pg_', r'^stmt_cache', r'^bind_']),
    ('memory (malloc, free, memcpy, string)', [r'vgpreload'],
     [r'malloc', r'free$', r'^calloc', r'^realloc', r'^mem(cpy|move|set|cmp|chr)', r'^str',
      r'^__(mem|str)', r'^_int_', r'^pl_buf', r'^pl_strdup', r'^pl_malloc', r'^pl_calloc']),
    ('time and dates', [], [r'^pl_time', r'^pl_date', r'gmtime', r'strftime', r'mktime', r'^__tz',
                           r'^__offtime', r'scanf']),
    ('libc rest (locks, syscalls, I/O)', [r'libc\.so', r'libm\.so', r'libpthread', r'ld-linux'], []),
]
COMPILED = [(g, [re.compile(p) for p in obs], [re.compile(p) for p in fns]) for g, obs, fns in GROUPS]
OTHER = 'other (plumb code not listed)'


def group_of(obj, fn):
    """The group of a function: the first whose objects include its object
    or whose function patterns match its name (compiler suffixes such as
    .part.0, .isra.0 and callgrind's recursion mark 'N left out)."""
    fn = re.sub(r"'\d+$", '', fn)
    fn = re.sub(r'(\.(part|isra|constprop|cold|lto_priv)\.\d+)+$', '', fn)
    for g, obs, fns in COMPILED:
        if any(p.search(obj) for p in obs) or any(p.search(fn) for p in fns):
            return g
    return OTHER


def parse(path, self_cost):
    """Add each (object, function)'s self Ir of one callgrind file to self_cost."""
    names = {'ob': {}, 'fn': {}, 'fl': {}}
    obj, fn = '', ''
    npos = 1
    skip_next = False
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            if not line or line[0] == '#':
                continue
            c = line[0]
            if c.isdigit() or c in '+-*':
                if skip_next:  # the inclusive cost of the call just named
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) > npos:
                    tok = parts[npos]
                    self_cost[(obj, fn)] += int(tok) if tok.isdigit() else 0
                continue
            key, _, val = line.rstrip('\n').partition('=')
            if key in ('ob', 'fn', 'fl', 'fi', 'fe', 'cob', 'cfn', 'cfi', 'cfl'):
                kind = {'cob': 'ob', 'cfn': 'fn', 'cfi': 'fl', 'cfl': 'fl', 'fi': 'fl',
                        'fe': 'fl'}.get(key, key)
                m = re.match(r'\((\d+)\)\s*(.*)', val)
                if m:
                    if m.group(2):
                        names[kind][m.group(1)] = m.group(2)
                    name = names[kind].get(m.group(1), '?')
                else:
                    name = val
                if key == 'ob':
                    obj = name
                elif key == 'fn':
                    fn = name
            elif key == 'calls':
                skip_next = True
            elif line.startswith('positions:'):
                npos = len(line.split(':', 1)[1].split())
    return self_cost


def summarise(files):
    self_cost = collections.Counter()
    for p in files:
        parse(p, self_cost)
    groups = collections.Counter()
    members = collections.defaultdict(collections.Counter)
    for (obj, fn), n in self_cost.items():
        g = group_of(obj, fn)
        groups[g] += n
        members[g][fn] += n
    return groups, members


def order():
    return [g for g, _, _ in GROUPS] + [OTHER]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('-n', '--requests', type=float, default=0,
                    help='requests (clues) the files cover: also print instructions per request')
    ap.add_argument('--top', type=int, default=0, help='the K dearest functions of each group')
    ap.add_argument('--diff', action='store_true',
                    help='two files or comma lists: before and after side by side')
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    per = a.requests if a.requests > 0 else 1
    unit = 'Ir/request' if a.requests > 0 else 'Ir'
    if a.diff:
        if len(a.files) != 2:
            sys.exit('cg_sum.py --diff: give two files (or two comma-separated lists)')
        (g0, _), (g1, _) = (summarise(x.split(',')) for x in a.files)
        t0, t1 = sum(g0.values()), sum(g1.values())
        print(f'| group | before ({unit}) | after ({unit}) | change |')
        print('|---|---:|---:|---:|')
        for g in order():
            if g0[g] or g1[g]:
                ch = f'{100 * (g1[g] - g0[g]) / g0[g]:+.1f} %' if g0[g] else 'new'
                print(f'| {g} | {g0[g] / per:,.0f} | {g1[g] / per:,.0f} | {ch} |')
        print(f'| **total** | {t0 / per:,.0f} | {t1 / per:,.0f} | '
              f'{100 * (t1 - t0) / t0 if t0 else 0:+.1f} % |')
        return
    groups, members = summarise(a.files)
    total = sum(groups.values()) or 1
    print(f'| group | {unit} | share |')
    print('|---|---:|---:|')
    for g in order():
        if groups[g]:
            print(f'| {g} | {groups[g] / per:,.0f} | {100 * groups[g] / total:.1f} % |')
            for fn, n in members[g].most_common(a.top):
                print(f'|   {fn} | {n / per:,.0f} | {100 * n / total:.1f} % |')
    print(f'| **total** | {total / per:,.0f} | 100 % |')


if __name__ == '__main__':
    main()
