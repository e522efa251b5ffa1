# helpers/pg_lib.sh — sourced by the PostgreSQL CLI tests (tests/cli/pg_*.sh) right
# after their environment check. It gives them one `fail` that never prints
# a connection URL's password (the throwaway cluster's password is random,
# but CI logs are read by people: docs/SECURITY.md "Secrets never in logs"),
# and `pg_db NAME`, which creates database NAME (dropped first) in the ctest
# fixture's cluster (scripts/pg-tmp) and prints its URL:
#     U=$(pg_db pg_something) || exit 1
# Layer: tests/cli.
: "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"

# postgres://user:secret@host → postgres://user:***@host; also password=…
pg_redact() {
    sed -E -e 's#(postgres(ql)?://[^:/@[:space:]]*:)[^@[:space:]]*@#\1***@#g' \
        -e 's#(password=)[^&[:space:]]*#\1***#g'
}

fail() {
    printf 'FAIL: %s\n' "$*" | pg_redact
    exit 1
}

pg_db() {
    "$PLUMB_SRC/scripts/pg-tmp" createdb "$PLUMB_PG_STATE" "$1" || {
        echo "FAIL: createdb $1" >&2
        return 1
    }
}
