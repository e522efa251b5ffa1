#!/usr/bin/env python3
"""xlsx_sheets.py FILE — print an .xlsx workbook as JSON {sheet: [[cell, ...], ...]}
for the report tests: a reader independent of the writer (libxlsxwriter),
from the zip and its XML alone (ECMA-376 Part 1: workbook.xml and its rels,
sharedStrings.xml, worksheets/sheetN.xml). Numbers come back as numbers
(int when whole), strings as strings; also {"_frozen": {sheet: "A2"},
"_bold_header": {sheet: true}} to check the header rows."""
import json, re, sys, zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships"}

def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1

z = zipfile.ZipFile(sys.argv[1])
wb = ET.fromstring(z.read("xl/workbook.xml"))
rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
target = {r.get("Id"): r.get("Target") for r in rels.findall("pr:Relationship", NS)}
shared = []
if "xl/sharedStrings.xml" in z.namelist():
    for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
        shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
styles = ET.fromstring(z.read("xl/styles.xml"))
fonts = styles.find("m:fonts", NS).findall("m:font", NS)
xfs = styles.find("m:cellXfs", NS).findall("m:xf", NS)
def bold(s):
    f = fonts[int(xfs[int(s)].get("fontId", 0))]
    return f.find("m:b", NS) is not None
out, frozen, boldhead = {}, {}, {}
for sh in wb.find("m:sheets", NS).findall("m:sheet", NS):
    name = sh.get("name")
    path = "xl/" + target[sh.get("{%s}id" % NS["r"])].lstrip("/").replace("xl/", "", 1)
    x = ET.fromstring(z.read(path))
    pane = x.find(".//m:pane", NS)
    frozen[name] = pane.get("topLeftCell") if pane is not None and pane.get("state") == "frozen" else None
    rows = []
    hb = True
    for r in x.find("m:sheetData", NS).findall("m:row", NS):
        cells = []
        for c in r.findall("m:c", NS):
            i = col_index(c.get("r"))
            while len(cells) < i:
                cells.append(None)
            v = c.find("m:v", NS)
            t = c.get("t")
            if t == "s":
                val = shared[int(v.text)]
            elif t == "inlineStr":
                val = "".join(e.text or "" for e in c.iter("{%s}t" % NS["m"]))
            elif v is None:
                val = None
            else:
                f = float(v.text)
                val = int(f) if f.is_integer() else f
            if r.get("r") == "1":
                hb = hb and c.get("s") is not None and bold(c.get("s"))
            cells.append(val)
        rows.append(cells)
    out[name] = rows
    boldhead[name] = hb
out["_frozen"] = frozen
out["_bold_header"] = boldhead
json.dump(out, sys.stdout, ensure_ascii=False)
