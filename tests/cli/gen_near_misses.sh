#!/usr/bin/env bash
# gen_near_misses.sh — the generator's near misses (docs/GENERATOR.md,
# issue #19 item 4), listed in truth.json "near_misses":
#  1. every area carries them: per area the count of each rule's planted
#     near misses in docs/GENERATOR.md's table (three of R20; two of R01,
#     R05, R06, R09, R12, R16, R17, R21, R23; one of R04, R07, R08, R10, R11, R13,
#     R14, R15(b), R18, R19, R22; R03: every top holder born in the county
#     whose 籍贯 is elsewhere, at least one; R15(a): every top leader
#     appointed within the last 12 months and not given a talk by the
#     generator's talk stream — at least one has no talk at all in the
#     window — ; R02: every spouse of a top leader with an open tenure
#     outside the leader's unit and not under the leader's post; at least
#     one; R18: besides the plant, every deputy (reporting to the top post)
#     whose portfolio text is in charge of one of the five areas, at least
#     one; R19: besides the plant, every top leader of a unit with a unit
#     above appointed after 2 Oct of 2024 or 2025, for that year; R09:
#     besides the securities plant's years, every declaration without a
#     finding whose declarant has an adult child holding a home, else whose
#     household (self, spouse, minor children) has a trip abroad of another
#     year, at least one of each), and each key
#     names records of the generated CSV files in the rule's key format
#     (docs/RULES.md "keys");
#  2. an oracle written here from docs/RULES.md's text (R05, R06, R16), over
#     the generated CSV files alone, says each sits just inside its edge —
#     R05: a meeting with exactly one attendee more than half (2a = m + 1), or
#     an appointment with exactly two thirds (3a = 2m); R06: the top leader's
#     last speech is the decision's last, or the top leader does not speak;
#     R16: a top leader's declaration filed on the due date itself, or a
#     cadre with no top post at the due date and no declaration — and that
#     the rule does not fire for it;
#  3. truth.json holds no finding of a near miss's rule and key, and the
#     engine (import and sweep with the clock at the as-of date) records
#     none, in any status, while every such rule still fires for its plants.
# Env: PLUMB. Layer: tests/cli (gen, rules).
set -euo pipefail
P=${PLUMB:?PLUMB must name the plumb binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
AS_OF=2026-06-30
export PLUMB_LANG=en
fail() { echo "FAIL: $*" >&2; exit 1; }

"$P" gen --scale county --seed 1 --out "$T/data" >/dev/null

echo "== near misses listed, and on their edge by docs/RULES.md"
python3 - "$T/data" "$AS_OF" <<'PY' || fail "oracle"
import csv, json, sys, collections
d, D = sys.argv[1], sys.argv[2]
def rows(path):
    return list(csv.DictReader(open(d + "/" + path, encoding="utf-8")))
truth = json.load(open(d + "/truth.json"))
nm = truth.get("near_misses")
assert nm is not None, "truth.json has no near_misses"
areas = len(json.load(open(d + "/manifest.json"))["areas"])
count = collections.Counter(n["rule"] for n in nm)
# per area, from docs/GENERATOR.md's table "near misses planted"
want = {"R01": 2, "R04": 1, "R05": 2, "R06": 2, "R07": 1, "R08": 1, "R09": 2, "R10": 1, "R11": 1, "R12": 2, "R13": 1, "R14": 1,
        "R15": 1, "R16": 2, "R17": 2, "R18": 1, "R19": 1, "R20": 3, "R21": 2, "R22": 1, "R23": 2}
assert count["R03"] >= 1, "no R03 near miss"
assert count["R02"] >= 1, "no R02 near miss"
count["R15"] -= sum(n["why"] == "appointed_within_12_months" for n in nm)
assert any(n["why"] == "deputy_in_charge" for n in nm), "no R18 deputy near miss"
assert any(n["why"] == "appointed_after_oct_2" for n in nm), "no R19 appointed-after-2-Oct near miss"
count["R18"] -= sum(n["why"] == "deputy_in_charge" for n in nm)
for why in ("adult_child_home_not_required", "trip_of_other_year"):
    assert any(n["why"] == why for n in nm), f"no R09 {why} near miss"
    count["R09"] -= sum(n["why"] == why for n in nm)
count["R19"] -= sum(n["why"] == "appointed_after_oct_2" for n in nm)
for r in sorted((set(want) | set(count)) - {"R02", "R03"}):
    assert count[r] == want.get(r, 0) * areas, \
        f"{r}: {count[r]} near misses for {areas} area(s), want {want.get(r, 0) * areas}"
assert len({(n["rule"], n["key"]) for n in nm}) == len(nm), "a near miss is listed twice"
fired = {(f["rule"], f["key"]) for f in truth["findings"]}
for n in nm:
    assert (n["rule"], n["key"]) not in fired, f"near miss {n} is a finding in truth.json"

decisions = {r["id"]: r for r in rows("meetings/decisions.csv")}
payments = {r["id"]: r for r in rows("finance/payments.csv")}
contracts = rows("contracts/contracts.csv")
clues = {r["id"]: r for r in rows("clues/clues.csv")}
unit_rows = {r["id"]: r for r in rows("org/units.csv")}
units = set(unit_rows)
person_rows = {r["id"]: r for r in rows("org/persons.csv")}
persons = set(person_rows)
companies = {r["id"] for r in rows("market/companies.csv")}
roles = rows("market/company_roles.csv")
kin = rows("police/kin.csv")
tasks = {json.loads(l)["id"] for l in open(d + "/inspection/inspection.jsonl", encoding="utf-8")
         if json.loads(l).get("op") == "task"}
meetings = {r["id"]: r for r in rows("meetings/meetings.csv")}
speeches = collections.defaultdict(list)
for s in rows("meetings/speeches.csv"):
    speeches[s["decision_id"]].append((int(s["speech_order"]), s["person_id"]))
posts = {r["id"]: r for r in rows("org/posts.csv")}
tenures = rows("org/tenures.csv")
decl_by_id = {r["id"]: r for r in rows("declarations/declarations.csv")}
items_by_decl = collections.defaultdict(list)
for r in rows("declarations/declaration_items.csv"):
    items_by_decl[r["declaration_id"]].append(r)
records = [r for f in ("realestate", "police", "vehicles", "securities", "market")
           for r in rows(f + "/registry_records.csv")]
person_any = {r["id"]: r for f in ("org", "police", "market") for r in rows(f + "/persons.csv")}
decls = collections.defaultdict(list)
for r in rows("declarations/declarations.csv"):
    decls[(r["person_id"], int(r["year"]))].append(r["filed_at"])

def open_at(t, day):
    return t["start_date"] <= day and (not t["end_date"] or t["end_date"] > day)

def tops_at(unit, day):
    return {t["person_id"] for t in tenures
            if posts[t["post_id"]]["unit_id"] == unit and posts[t["post_id"]]["is_top"] == "1"
            and open_at(t, day)}

def is_top_at(person, day):
    return any(t["person_id"] == person and posts[t["post_id"]]["is_top"] == "1" and open_at(t, day)
               for t in tenures)

untalked = 0
for n in nm:
    rule, key = n["rule"], n["key"]
    if rule == "R05":
        x = decisions[key]
        assert x["meeting_id"], f"{key}: no meeting (R05 fires)"
        m = meetings[x["meeting_id"]]
        a, mt = int(m["attendees"]), int(m["members_total"])
        fires = a * 2 <= mt or (x["category"] == "appointment" and a * 3 < mt * 2)
        edge = (a * 3 == mt * 2) if x["category"] == "appointment" else (a * 2 == mt + 1)
        assert not fires and edge, f"{key}: {a} of {mt} ({x['category']}) is not a near miss"
    elif rule == "R06":
        x = decisions[key]
        sp = speeches[key]
        assert sp, f"{key}: no speeches"
        tops = tops_at(x["unit_id"], x["decided_at"])
        assert tops, f"{key}: no top leader at the date"
        for L in tops:
            mine = [o for o, p in sp if p == L]
            fires = bool(mine) and any(o > max(mine) for o, p in sp if p != L)
            assert not fires, f"{key}: the top leader did not speak last (R06 fires)"
        if n["why"] == "top_speaks_first_and_last":
            L = next(iter(tops))
            orders = sorted(o for o, p in sp if p == L)
            assert len(orders) == 2 and orders[0] == 1 and orders[1] == max(o for o, _ in sp), \
                f"{key}: the top leader does not open and close ({orders})"
        else:
            assert not any(p in tops for _, p in sp), f"{key}: the top leader speaks"
    elif rule == "R16":
        person, year = key.split("|")
        due = f"{int(year) + 1}-01-31"
        filed = decls.get((person, int(year)), [])
        top = is_top_at(person, due)
        fires = top and (not filed or min(filed) > due)
        assert not fires, f"{key}: R16 fires"
        if n["why"] == "filed_on_due_date":
            assert top and filed == [due], f"{key}: not a top leader filing on {due} ({filed})"
        else:
            assert not top and not filed and any(
                t["person_id"] == person and open_at(t, due) for t in tenures), \
                f"{key}: not a cadre without a top post and without a declaration"
    # the other rules: the key names records in the rule's key format
    elif rule == "R01":
        t = next((t for t in tenures if t["id"] == key), None)
        assert t and open_at(t, D), f"{key}: not a tenure open at {D}"
        p = posts[t["post_id"]]
        top = p["is_top"] == "1"
        sensitive = not top and p["category"] not in ("general", "discipline")
        years = 10 if top else 5
        # due soon: start + years - 6 months <= D (docs/RULES.md R01)
        y, m = int(D[:4]) - years, int(D[5:7]) + 6
        y, m = (y + 1, m - 12) if m > 12 else (y, m)
        edge = f"{y:04d}-{m:02d}-{D[8:]}"
        assert (top or sensitive) and t["start_date"] > edge, \
            f"{key}: {p['category']} top={top} from {t['start_date']} is due soon (edge {edge})"
    elif rule == "R09" and n["why"] in ("adult_child_home_not_required", "trip_of_other_year"):
        # docs/RULES.md R09: an adult child's home is not the declaration's
        # (self, spouse, minor children); a trip (exit_abroad) counts in the
        # year it was observed only. The record is not declared in X.
        dec = decl_by_id[key]
        P, Y = dec["person_id"], int(dec["year"])
        yend = f"{Y}-12-31"
        items = {(i["kind"], i["ref"]) for i in items_by_decl[key]}
        def held(r):
            return r["observed_at"] <= yend and (not r["ended_at"] or r["ended_at"] > yend)
        if n["why"] == "adult_child_home_not_required":
            adults = {r["relative_id"] for r in kin if r["person_id"] == P and r["relation"] == "child"
                      and person_any[r["relative_id"]]["birth_date"] <= f"{Y - 18}-12-31"}
            hit = [r for r in records if r["kind"] == "real_estate" and r["holder_id"] in adults
                   and held(r) and (r["kind"], r["ref"]) not in items]
        else:
            spouses = {r["relative_id"] if r["person_id"] == P else r["person_id"] for r in kin
                       if r["relation"] == "spouse" and P in (r["person_id"], r["relative_id"])}
            minors = {r["relative_id"] for r in kin if r["person_id"] == P and r["relation"] == "child"
                      and person_any[r["relative_id"]]["birth_date"] > f"{Y - 18}-12-31"}
            hh = {P} | spouses | minors
            hit = [r for r in records if r["kind"] == "exit_abroad" and r["holder_id"] in hh
                   and int(r["observed_at"][:4]) != Y and (r["kind"], r["ref"]) not in items]
        assert hit, f"{key}: no {n['why']} record left out of the declaration"
    elif rule == "R09":
        # the R09 securities plant's other years: declared within 5 % of the
        # registry's amount (R09 fires below it by more than 10 %)
        dec = next((x for x in rows("declarations/declarations.csv") if x["id"] == key), None)
        assert dec, f"{key}: not a declaration id"
        reg = {r["ref"]: int(r["amount_fen"]) for r in rows("securities/registry_records.csv")
               if r["amount_fen"]}
        sec = [i for i in rows("declarations/declaration_items.csv")
               if i["declaration_id"] == key and i["kind"] == "securities" and i["ref"] in reg]
        assert sec and all(abs(int(i["amount_fen"]) - reg[i["ref"]]) * 100 <= 5 * reg[i["ref"]]
                           for i in sec), f"{key}: securities not declared within 5 %"
    elif rule == "R11":
        # a real-name clue about a top leader, whose reporter holds no post
        cid, rid = key.split("|")
        c = clues[cid]
        assert c["real_name"] == "1" and any(
            r["clue_id"] == cid and r["person_id"] == rid for r in rows("clues/clue_reporters.csv")), \
            f"{key}: not a real-name clue and its reporter"
        assert not any(t["person_id"] == rid for t in tenures), f"{key}: the reporter holds a post"
        assert any(t["person_id"] == c["subject_person_id"] and open_at(t, c["received_at"])
                   and posts[t["post_id"]]["is_top"] == "1" for t in tenures), \
            f"{key}: the subject is not a top leader at receipt"
    elif rule == "R02":
        kt = next((t for t in tenures if t["id"] == key), None)
        assert kt and open_at(kt, D), f"{key}: not a tenure open at {D}"
        kp = posts[kt["post_id"]]
        spouses = {r["person_id"] if r["relative_id"] == kt["person_id"] else r["relative_id"]
                   for r in kin if r["relation"] == "spouse" and kt["person_id"] in (r["person_id"], r["relative_id"])}
        leaders = [t for t in tenures if t["person_id"] in spouses and open_at(t, D)
                   and posts[t["post_id"]]["is_top"] == "1"]
        assert leaders, f"{key}: the holder is not the spouse of a top leader"
        for lt in leaders:
            assert kp["unit_id"] != posts[lt["post_id"]]["unit_id"] and kp["reports_to"] != lt["post_id"], \
                f"{key}: in the leader's unit or under the leader's post (R02 fires)"
    elif rule == "R03":
        t = next((t for t in tenures if t["id"] == key), None)
        assert t and open_at(t, D) and posts[t["post_id"]]["is_top"] == "1", f"{key}: not an open top tenure"
        u = unit_rows[posts[t["post_id"]]["unit_id"]]
        pe = person_rows[t["person_id"]]
        assert pe["id"][:6] == u["division_code"] and pe["native_place"] not in ("", u["division_code"]), \
            f"{key}: not born in the county with 籍贯 elsewhere"
    elif rule == "R04":
        leader, company = key.split("|")
        assert leader in persons and company in companies, f"{key}: not leader|company"
        rel = {r["relative_id"] if r["person_id"] == leader else r["person_id"] for r in kin
               if leader in (r["person_id"], r["relative_id"])} | {leader}
        mine = [ro for ro in roles if ro["company_id"] == company and ro["person_id"] in rel]
        paid = [y["paid_at"] for y in payments.values() if y["payee_company_id"] == company]
        assert n["why"] == "paid_after_role_ended" and mine and paid and all(
            ro["end_date"] and ro["end_date"] < min(paid) for ro in mine), \
            f"{key}: a role of the leader or kin is not over before the payments"
    elif rule == "R07":
        assert key in payments and not payments[key]["decision_id"], f"{key}: not a payment without decision"
    elif rule == "R08":
        unit, company = key.split("|")
        mine = [c for c in contracts if c["unit_id"] == unit and c["supplier_id"] == company]
        assert unit in units and len(mine) >= 2, f"{key}: not unit|supplier with contracts"
    elif rule == "R10":
        assert decisions[key]["category"] == "appointment", f"{key}: not an appointment"
    elif rule in ("R12", "R17"):
        assert key in clues, f"{key}: not a clue id"
    elif rule == "R13":
        assert key in persons and sum(c["subject_person_id"] == key for c in clues.values()) == 3, \
            f"{key}: not a person with three clues"
    elif rule == "R14":
        ev = {r["id"]: r for r in rows("evaluations/evaluations.csv")}
        x = ev[key]
        prev = [r for r in ev.values() if r["person_id"] == x["person_id"]
                and int(r["year"]) == int(x["year"]) - 1]
        assert prev and int(prev[0]["score"]) - int(x["score"]) == 12, f"{key}: not a drop of 12 points"
    elif rule == "R15" and n["why"] == "appointed_within_12_months":
        # R15(a): a top leader at D whose top tenure started after D - 12 months, no talk in
        # (D - 12 months, D]
        y, m = int(D[:4]) - 1, D[5:]
        talk_from = f"{y:04d}-{m}"
        mine = [t for t in tenures if t["person_id"] == key and open_at(t, D)
                and posts[t["post_id"]]["is_top"] == "1"]
        assert mine and all(t["start_date"] > talk_from for t in mine), \
            f"{key}: not a top leader appointed after {talk_from}"
        if not any(r["person_id"] == key and r["kind"] in ("reminder_talk", "heart_talk")
                   and talk_from < r["held_at"] <= D
                   for r in rows("supervision/supervision_activities.csv")):
            untalked += 1  # only the start date keeps R15(a) from firing
    elif rule == "R15":
        assert key in units, f"{key}: not a unit id"
    elif rule == "R18" and n["why"] == "deputy_in_charge":
        # a deputy in charge of personnel, finance, projects, approval or
        # procurement by the text (docs/RULES.md R18: top posts only)
        t = next((t for t in tenures if t["id"] == key), None)
        assert t and open_at(t, D), f"{key}: not a tenure open at {D}"
        p = posts[t["post_id"]]
        top = next(q for q in posts.values() if q["unit_id"] == p["unit_id"] and q["is_top"] == "1")
        assert p["is_top"] == "0" and p["reports_to"] == top["id"], f"{key}: not a deputy"
        assert any(w in p["portfolio"] for w in ("人事", "干部", "财务", "财政", "资金", "预算", "工程", "项目",
                                                 "基建", "审批", "许可", "采购", "物资")), \
            f"{key}: the portfolio {p['portfolio']!r} names none of the five areas"
    elif rule == "R18":
        t = next((t for t in tenures if t["id"] == key), None)
        assert t and posts[t["post_id"]]["is_top"] == "1" and open_at(t, D), \
            f"{key}: not a top tenure open at {D}"
        assert posts[t["post_id"]]["portfolio"] == "主持全面工作，分管党建", \
            f"{key}: the post is not in charge of party building only"
    elif rule == "R19" and n["why"] == "appointed_after_oct_2":
        # docs/RULES.md R19: a leader appointed after Y-12-31 - 90 days owes nothing for Y
        tid, year = key.split("|")
        t = next(t for t in tenures if t["id"] == tid)
        u = unit_rows[posts[t["post_id"]]["unit_id"]]
        assert posts[t["post_id"]]["is_top"] == "1" and u["parent_id"] in unit_rows, \
            f"{key}: not a top tenure of a unit with a unit above"
        assert open_at(t, f"{year}-12-31") and t["start_date"] > f"{year}-10-02", \
            f"{key}: not appointed after 2 Oct {year} and in office on 31 Dec"
    elif rule == "R19":
        tid, year = key.split("|")
        assert any(t["id"] == tid for t in tenures) and year in ("2024", "2025"), \
            f"{key}: not tenure|year"
        who = next(t["person_id"] for t in tenures if t["id"] == tid)
        assert any(r["kind"] == "duty_report" and r["person_id"] == who and r["held_at"] == f"{year}-12-31"
                   for r in rows("supervision/supervision_activities.csv")), \
            f"{key}: no duty report on 31 Dec {year}"
    elif rule == "R20":
        assert key in persons, f"{key}: not a person id"
    elif rule in ("R21", "R22", "R23"):
        assert key in tasks, f"{key}: not a task id"
    else:
        raise AssertionError(f"unexpected rule {rule}")
assert untalked >= 1, "no R15(a) near miss without a talk in the window"
print(f"{len(nm)} near misses on their edge ({untalked} R15(a) without a talk)")
PY

echo "== the engine records none of them"
DB=$T/s.db
# the clock at the as-of date: a not-yet-due near miss evaluated on import
# at today's date would be raised, then resolved by the sweep
export PLUMB_NOW=${AS_OF}T12:00:00Z
"$P" init --db "$DB" >/dev/null
"$P" import --all "$T/data" --db "$DB" --quiet >/dev/null
"$P" sweep --db "$DB" --as-of $AS_OF >/dev/null
python3 - "$T/data/truth.json" "$DB" <<'PY' || fail "engine fired a near miss"
import json, sqlite3, sys
nm = json.load(open(sys.argv[1]))["near_misses"]
db = sqlite3.connect(sys.argv[2])
n = db.execute("SELECT count(*) FROM findings").fetchone()[0]
assert n > 0, "the sweep recorded no findings at all"
for x in nm:
    hit = db.execute("SELECT id, status FROM findings WHERE rule = ? AND key = ?",
                     (x["rule"], x["key"])).fetchall()
    assert not hit, f"{x['rule']} fired for near miss {x['key']} ({x['why']}): {hit}"
for r in sorted({x["rule"] for x in nm}):
    assert db.execute("SELECT count(*) FROM findings WHERE rule = ?", (r,)).fetchone()[0] > 0, \
        f"no {r} finding at all: the plants are gone"
print("engine: none of", len(nm), "near misses fired")
PY
echo "OK"
