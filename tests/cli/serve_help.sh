#!/usr/bin/env bash
# serve_help.sh — `plumb serve --help` and `plumb user --help` follow the
# CLI's language convention: zh-CN by default, English with --lang en or
# PLUMB_LANG=en (src/cli/main.c), like every other command.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
fail() { echo "FAIL: $*"; exit 1; }
for cmd in serve user; do
    zh=$(env -u PLUMB_LANG LANG=C.UTF-8 "$P" "$cmd" --help) || fail "$cmd --help (zh) exit $?"
    printf '%s' "$zh" | head -1 | grep -q "^用法: plumb $cmd" || fail "$cmd --help is not zh by default: $(printf '%s' "$zh" | head -1)"
    printf '%s' "$zh" | grep -q -- "--lang zh|en" || fail "$cmd --help (zh) does not mention --lang"
    en=$(env -u PLUMB_LANG LANG=C.UTF-8 "$P" "$cmd" --help --lang en) || fail "$cmd --help --lang en exit $?"
    printf '%s' "$en" | head -1 | grep -q "^usage: plumb $cmd" || fail "$cmd --help --lang en is not English"
    en2=$(PLUMB_LANG=en "$P" "$cmd" --help) || fail "$cmd --help (PLUMB_LANG=en) exit $?"
    [ "$en" = "$en2" ] || fail "$cmd: --lang en and PLUMB_LANG=en differ"
    # Both texts document the same options.
    a=$(printf '%s\n' "$zh" | grep -oE -- '--[a-z-]+' | sort -u)
    b=$(printf '%s\n' "$en" | grep -oE -- '--[a-z-]+' | sort -u)
    [ "$a" = "$b" ] || fail "$cmd: zh and en help list different options"
done
msg=$(env -u PLUMB_LANG LANG=C.UTF-8 "$P" user 2>&1)
printf '%s' "$msg" | grep -q "缺少子命令" || fail "user usage error is not zh: $msg"
# The server's own start-up errors (English details from src/http) get a
# Chinese lead by default, as other commands' errors do, one line, exit 1.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$P" init --db "$T/s.db" --origin plumbline.test/serve >/dev/null 2>&1 || fail "init"
env -u PLUMB_LANG LANG=C.UTF-8 "$P" serve --db "$T/s.db" --bind garbage --port 0 >/dev/null 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "serve --bind garbage: exit $rc, want 1"
[ "$(wc -l <"$T/err")" = 1 ] || fail "serve --bind garbage: not one line: $(cat "$T/err")"
grep -q "^plumb: 服务启动或运行失败: --bind: " "$T/err" || fail "serve start error without its zh lead: $(cat "$T/err")"
PLUMB_LANG=en "$P" serve --db "$T/s.db" --bind garbage --port 0 >/dev/null 2>"$T/err"
grep -q "^plumb: serve failed: --bind: " "$T/err" || fail "serve start error (en): $(cat "$T/err")"
echo "ok: serve and user help in zh-CN and English; serve's start errors led in either"
