# helpers/gb_persons.sh — sourced by CLI scripts that need many valid
# persons: gb_persons N AREA NAME prints a persons.csv of N rows whose ids
# are GB 11643 numbers (area code AREA, born 1950-2004: none of them in the
# examples) with their check digit, every person named NAME.
# Layer: tests/cli.
gb_persons() {
    awk -v n="$1" -v area="$2" -v name="$3" 'BEGIN {
    split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", W, " "); C = "10X98765432"
    print "id,name,gender,birth_date,native_place"
    for (y = 1950; y <= 2004 && k < n; y++) for (m = 1; m <= 12 && k < n; m++)
    for (d = 1; d <= 28 && k < n; d++) for (s = 1; s <= 999 && k < n; s++) {
        body = sprintf("%s%04d%02d%02d%03d", area, y, m, d, s); t = 0
        for (i = 1; i <= 17; i++) t += substr(body, i, 1) * W[i]
        printf "%s,%s,%s,%04d-%02d-%02d,433127\n", body substr(C, t % 11 + 1, 1), name, (s % 2 ? "M" : "F"), y, m, d
        k++ } }'
}
