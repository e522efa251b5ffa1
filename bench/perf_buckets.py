#!/usr/bin/env python3
# bench/perf_buckets.py PERF_DATA [US_PER_CLUE] — the server's on-CPU
# samples of a clue-intake load (bench/clues_load.sh … record -g) split
# into the parts of an intake: each sample goes to the innermost of the
# functions below found on its stack, then the functions are summed into
# parts. Sign-in samples (h_login: argon2id) are left out. With
# US_PER_CLUE (the run's server CPU per clue) the parts are also in µs.
import collections, subprocess, sys

PARTS = [
    ('COMMIT: WAL frames, checksums, pwrite, fdatasync', ['sqlite3WalFrames', 'group_commit']),
    ('checkpoint thread (ckpt_main)', ['ckpt_main']),
    ('intake: checks, dedupe, routing, 3 events and their projections', [
        'cs_intake', 'apply_received', 'apply_recorded', 'apply_routed', 'pl_ledger_append_normal',
        'pl_registry_record', 'pl_cases_intake_check', 'find_group', 'route', 'pl_cases_params_for',
        'cs_append', 'pl_cases_intake']),
    ("R12's finding (rules, finding.raised, its projection)",
     ['pl_rules_on_event', 'emit_raise', 'apply_finding_raise']),
    ('writer lock, savepoint, waiting for the group', ['writer_lock_group', 'writer_unlock_group', 'sp_end']),
    ('session check (auth_session)', ['auth_session']),
    ('HTTP: libmicrohttpd, pool hand-off, handler, reply',
     ['MHD-worker', 'h_intake', 'reply_json', 'send_reply', 'dispatch', 'pool_main', 'body_fields', 'plumb']),
]
FN = [f for _, fs in PARTS for f in fs if f not in ('MHD-worker', 'plumb')]
out = subprocess.run(['perf', 'script', '-i', sys.argv[1], '-F', 'comm,tid,ip,sym'],
                     capture_output=True, text=True).stdout
count, total, cur = collections.Counter(), 0, None
for line in out.splitlines() + ['']:
    if not line.strip():
        if cur and 'h_login' not in cur[1:]:
            total += 1
            count[next((f for f in cur[1:] if f in FN), cur[0])] += 1
        cur = None
    elif not line.startswith('\t'):
        cur = [line.split()[0]]
    elif cur is not None and len(line.split(None, 1)) > 1:
        cur.append(line.split(None, 1)[1].strip().replace(' (inlined)', ''))
us = float(sys.argv[2]) if len(sys.argv) > 2 else 0
for name, fs in PARTS:
    share = 100 * sum(count[f] for f in fs) / total
    print(f'| {name} | {share:.1f} %' + (f' | {share * us / 100:.0f} µs |' if us else ' |'))
print(f'{total} samples')
