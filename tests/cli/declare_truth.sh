#!/usr/bin/env bash
# declare_truth.sh — the comparison's classes and scores and R09 against the
# planted truth of the generator (docs/GENERATOR.md "Declaration check
# plants", docs/DECLARE.md "Comparison", docs/RULES.md R09), at county scale
# (seed 7) and at prefecture scale (seed 7, the prefecture's own organs:
# --limit 1, a prefecture-level area):
#  1. truth.json's "declarations" plant every class (一致, 容差内, 漏报, 瞒报,
#     待说明) and the near misses (a home sold before the reporting date,
#     securities within tolerance, a spouse's company role ended last year,
#     a passport declared, a child's residence abroad ended), and its R09
#     finding of each planted declaration cites exactly the records of its
#     漏报 and 瞒报 lines (truth against truth: the generator's two parts);
#  2. R09: engine = SQL reference = truth.json, key by key with evidence
#     (plumb rules check), and no near-miss record is cited by any finding;
#  3. a check round of 2025 over the area's root with the planted declarants
#     as promotion candidates (so drawn): `plumb declare compare` of each
#     planted declaration gives exactly truth.json's lines (kind, holder,
#     ref, class), counts and score — the expected values read from
#     truth.json, not from the code — and the ranked sample carries the same
#     score.
# PLUMB_DB_URL set runs it on PostgreSQL with the databases named by
# PLUMB_DB_URL_county / PLUMB_DB_URL_prefecture (pg_declare_truth.sh);
# SCALES="county" (or "prefecture") runs one scale only.
# About 40 s on 2 cores (two imports). Env: PLUMB. Layer: tests/cli
# (declare/compare.c, rules/eval.c R09, rules/sql*/R09.sql, gen).
set -u
: "${PLUMB:?PLUMB must point at the plumb binary}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export PLUMB_LANG=en LANG=C.UTF-8
AS_OF=2026-06-30
unset PLUMB_KEY

run_scale() { # name scale limit
    local name=$1 scale=$2 limit=$3 dir=$T/$1 db S=()
    echo "== $name ($scale, seed 7${limit:+, first $limit area})"
    if [ -n "${PLUMB_DB_URL:-}" ]; then
        # a fresh database per scale: the caller passes one URL per name
        db=$(eval echo "\${PLUMB_DB_URL_$name:?}")
        S=(--state-dir "$T/state-$name")
    else
        db=$T/$name.db
    fi
    "$PLUMB" gen --scale "$scale" --seed 7 --out "$dir" ${limit:+--limit $limit} --quiet >/dev/null ||
        fail "$name: gen"
    "$PLUMB" init --db "$db" "${S[@]}" >/dev/null 2>&1 || fail "$name: init"
    "$PLUMB" import --all "$dir" --db "$db" "${S[@]}" --quiet --as-of $AS_OF >"$T/imp" 2>&1 ||
        fail "$name: import: $(head -5 "$T/imp")"

    # 1. the truth plants every class and near miss; R09's truth = its 漏报/瞒报
    python3 - "$dir/truth.json" <<'EOF' || fail "$name: truth.json's declaration plants"
import json, sys
t = json.load(open(sys.argv[1]))
decls = t["declarations"]
assert decls, "no planted declaration"
classes = {l["class"] for d in decls for l in d["lines"]}
for c in ("match", "tolerance", "omission", "concealment", "unexplained"):
    assert c in classes, "class %s not planted" % c
why = {n["why"] for d in decls for n in d["near_misses"]}
for w in ("ended_before_reporting_date", "within_tolerance", "company_role_ended", "declared"):
    assert w in why, "near miss %s not planted" % w
kinds = {n["kind"] for d in decls for n in d["near_misses"] if n["why"] == "ended_before_reporting_date"}
assert {"real_estate", "kin_abroad"} <= kinds, kinds
r09 = {f["key"]: f for f in t["findings"] if f["rule"] == "R09"}
cited = {e["id"] for f in r09.values() for e in f["evidence"] if e["table"] == "registry_records"}
for d in decls:
    bad = {l["record_id"] for l in d["lines"] if l["class"] in ("omission", "concealment")}
    ev = {e["id"] for e in r09[d["declaration_id"]]["evidence"] if e["table"] == "registry_records"}
    assert bad == ev, (d["declaration_id"], bad, ev)
    # weights of docs/DECLARE.md, defaults: 1 / 5 / 20 / 2
    w = {"match": 0, "tolerance": 1, "omission": 5, "concealment": 20, "unexplained": 2, "not_compared": 0}
    assert d["score"] == sum(w[l["class"]] for l in d["lines"]), d
    for n in d["near_misses"]:
        assert n["record_id"] not in cited, ("near miss cited by R09", n)
        assert all(l["record_id"] != n["record_id"] or l["class"] in ("match", "tolerance")
                   for l in d["lines"]), ("near miss with a line", n)
print("truth: %d planted declarations, classes %s" % (len(decls), sorted(classes)))
EOF

    # 2. R09: engine = SQL = truth, key by key with evidence
    jq '{findings: [.findings[] | select(.rule == "R09")]}' "$dir/truth.json" >"$T/r09.json"
    "$PLUMB" rules check --db "$db" "${S[@]}" --as-of $AS_OF --rule R09 --truth "$T/r09.json" \
        >"$T/check" 2>&1 || fail "$name: rules check: $(tail -20 "$T/check")"
    grep -q '^engine = sql ' "$T/check" || fail "$name: R09 engine != sql: $(cat "$T/check")"
    grep -q '^engine = truth' "$T/check" || fail "$name: R09 engine != truth: $(cat "$T/check")"
    grep '^R09 ' "$T/check"

    # 3. a round over the root with the planted declarants as candidates
    local root cands=()
    root=$("$PLUMB" sql --db "$db" "${S[@]}" \
        "SELECT id FROM units WHERE parent_id IS NULL OR parent_id = '' ORDER BY id LIMIT 1" 2>/dev/null)
    [ -n "$root" ] || fail "$name: no root unit"
    for p in $(jq -r '.declarations[].person_id' "$dir/truth.json"); do cands+=(--candidate "$p"); done
    "$PLUMB" declare round --db "$db" "${S[@]}" --year 2025 --unit "$root" "${cands[@]}" \
        >"$T/round" 2>"$T/err" || fail "$name: round: $(cat "$T/err")"
    local rid
    rid=$(cat "$T/round")
    "$PLUMB" declare draw "$rid" --db "$db" "${S[@]}" >/dev/null 2>"$T/err" ||
        fail "$name: draw: $(cat "$T/err")"
    "$PLUMB" declare sample "$rid" --db "$db" "${S[@]}" >"$T/sample.json" || fail "$name: sample"
    for d in $(jq -r '.declarations[].declaration_id' "$dir/truth.json"); do
        "$PLUMB" declare compare "$d" --db "$db" "${S[@]}" >"$T/c-$d.json" 2>"$T/err" ||
            fail "$name: compare $d: $(cat "$T/err")"
    done
    python3 - "$dir/truth.json" "$T" <<'EOF' || fail "$name: the comparison differs from truth.json"
import json, sys
t = json.load(open(sys.argv[1]))
sample = {x["declaration_id"]: x for x in json.load(open(sys.argv[2] + "/sample.json"))}
for d in t["declarations"]:
    did = d["declaration_id"]
    c = json.load(open("%s/c-%s.json" % (sys.argv[2], did)))
    want = sorted((l["kind"], l["holder_id"], l["ref"], l["class"]) for l in d["lines"])
    got = sorted((l["kind"], l["holder_id"], l["ref"], l["class"]) for l in c["lines"])
    if got != want:
        print(did, "lines differ\n only in truth:", sorted(set(want) - set(got)),
              "\n only in the comparison:", sorted(set(got) - set(want)), file=sys.stderr)
        sys.exit(1)
    assert c["counts"] == d["counts"], (did, c["counts"], d["counts"])
    assert c["score"] == d["score"], (did, c["score"], d["score"])
    assert did in sample and sample[did]["basis"] in ("random", "candidate"), (did, sample.get(did))
    assert sample[did]["score"] == d["score"], (did, sample[did])
    print("%s: %d lines, score %d = truth" % (did, len(got), c["score"]))
EOF
}

for s in ${SCALES:-county prefecture}; do
    case $s in
        county) run_scale county county "" ;;
        prefecture) run_scale prefecture prefecture 1 ;;
        *) fail "SCALES: county and/or prefecture, not '$s'" ;;
    esac
done
echo "ok: the comparison's classes and scores and R09 = truth.json (${SCALES:-county prefecture})"
