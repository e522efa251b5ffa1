#!/usr/bin/env python3
"""r20_oracle.py DATA_DIR AS_OF — docs/RULES.md R20 (unexplained wealth)
with the default profile (period: the 3 complete years before AS_OF,
margin 30 %, floor 500,000 元), written from the rule's text over the CSV
files of a generated data set (plumb gen). One line per declarant with
priced records near it: "found key subject severity evidence floor|pct",
"priced_role key" (a company role counted in a finding), and the near
misses "at_margin key", "adult_child key", "outside key". Used by
tests/cli/rules_r20.sh and tests/cli/pg_rules_r20_gen.sh."""
import csv, glob, sys
d, D = sys.argv[1], sys.argv[2]
def rows(name):
    for f in sorted(glob.glob(d + "/*/" + name + ".csv")):
        if "/bad/" not in f:
            yield from csv.DictReader(open(f, encoding="utf-8-sig"))
y1 = int(D[:4]) - 1
y0 = y1 - 3 + 1
birth = {p["id"]: p["birth_date"] for p in rows("persons")}
decls = list(rows("declarations"))
items = {}
for i in rows("declaration_items"):
    items.setdefault(i["declaration_id"], []).append(i)
recs = [r for r in rows("registry_records")
        if r["kind"] in ("real_estate", "vehicle", "company_role") and r["amount_fen"] != ""]
kin = list(rows("kin"))
declarants = sorted({x["person_id"] for x in decls if y0 <= int(x["year"]) <= y1})
for p in declarants:
    spouses = {k["relative_id"] for k in kin if k["person_id"] == p and k["relation"] == "spouse"} | \
              {k["person_id"] for k in kin if k["relative_id"] == p and k["relation"] == "spouse"}
    children = {k["relative_id"] for k in kin if k["person_id"] == p and k["relation"] == "child"}
    acq, ev, adult, outside, role = 0, set(), 0, 0, 0
    for r in recs:
        h, y = r["holder_id"], int(r["observed_at"][:4])
        mine = h == p or h in spouses
        minor = h in children and birth[h] > "%d-12-31" % (y - 18)
        if h in children and not minor and y0 <= y <= y1:
            adult += 1
        if (mine or minor) and not (y0 <= y <= y1):
            outside += 1
        if (mine or minor) and y0 <= y <= y1:
            acq += int(r["amount_fen"])
            role += r["kind"] == "company_role"
            ev.add("registry_records:" + r["id"])
    res = 0
    for x in decls:
        if x["person_id"] != p:
            continue
        for i in items.get(x["id"], []):
            if i["amount_fen"] == "":
                continue
            if y0 <= int(x["year"]) <= y1 and i["kind"] == "income":
                res += int(i["amount_fen"])
            if int(x["year"]) == y0 - 1 and i["kind"] == "securities":
                res += int(i["amount_fen"])
    margin = max(res * 30 // 100, 500000 * 100)
    evd = sorted(ev | {"declarations:" + x["id"] for x in decls
                       if x["person_id"] == p and y0 - 1 <= int(x["year"]) <= y1})
    if acq > res + margin:
        print("found", p, p, "high", ",".join(evd),
              "pct" if res * 30 // 100 > 500000 * 100 else "floor")
        if role:
            print("priced_role", p)
    elif acq and acq == res + margin:
        print("at_margin", p)
    if adult and not acq:
        print("adult_child", p)
    if outside and not acq:
        print("outside", p)
