# want1 NAME WORDS CMD...: CMD exits 1 with one line on stderr holding
# WORDS, and the password $PW printed nowhere (the store's bad-input rule:
# one clear line, exit 1, no secret). Needs $T (a scratch directory), $PW
# and fail(); sourced by pg_badinput.sh and pg_standby.sh.
want1() {
    local name=$1 words=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    [ $rc = 1 ] || fail "$name: exit $rc, want 1: $(cat "$T/err")"
    [ "$(wc -l <"$T/err")" = 1 ] || fail "$name: not one line: $(cat "$T/err")"
    grep -qF -- "$words" "$T/err" || fail "$name: no '$words' in: $(cat "$T/err")"
    grep -qF -- "$PW" "$T/err" "$T/out" && fail "$name: the password was printed"
    echo "ok: $name: $(cut -c1-200 "$T/err")"
}
