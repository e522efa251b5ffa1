#!/usr/bin/env bash
# help_lang.sh — the commands' --help follow the CLI's language convention,
# as serve and user do (cli.serve_help): zh-CN by default, English with
# --lang en or PLUMB_LANG=en (src/cli/main.c); both texts name --lang zh|en
# and list the same options.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
fail() { echo "FAIL: $*"; exit 1; }
cmds=(init verify checkpoint log findings sweep explain risk clue sql purge rebuild keygen cosign
    export-tiles office portal tasks warnings "finding ack" "profile set" "profile approve"
    "profile reject" "profile proposals" "profile list" "profile show" "profile params"
    "rules check" "rules replay-check" "proof inclusion" "proof consistency")
for cmd in "${cmds[@]}"; do
    read -ra w <<<"$cmd" # one or two words (finding ack, rules check)
    zh=$(env -u PLUMB_LANG LANG=C.UTF-8 "$P" "${w[@]}" --help) || fail "$cmd --help (zh) exit $?"
    printf '%s' "$zh" | head -1 | grep -q "^用法: plumb $cmd" || fail "$cmd --help is not zh by default: $(printf '%s' "$zh" | head -1)"
    printf '%s' "$zh" | grep -q -- "--lang zh|en" || fail "$cmd --help (zh) does not mention --lang"
    en=$(env -u PLUMB_LANG LANG=C.UTF-8 "$P" "${w[@]}" --help --lang en) || fail "$cmd --help --lang en exit $?"
    printf '%s' "$en" | head -1 | grep -q "^usage: plumb $cmd" || fail "$cmd --help --lang en is not English"
    printf '%s' "$en" | grep -q -- "--lang zh|en" || fail "$cmd --help (en) does not mention --lang"
    en2=$(PLUMB_LANG=en "$P" "${w[@]}" --help) || fail "$cmd --help (PLUMB_LANG=en) exit $?"
    [ "$en" = "$en2" ] || fail "$cmd: --lang en and PLUMB_LANG=en differ"
    # Both texts document the same options.
    a=$(printf '%s\n' "$zh" | grep -oE -- '--[a-z-]+' | sort -u)
    b=$(printf '%s\n' "$en" | grep -oE -- '--[a-z-]+' | sort -u)
    [ "$a" = "$b" ] || fail "$cmd: zh and en help list different options: $(diff <(echo "$a") <(echo "$b") | grep '^[<>]' | tr '\n' ' ')"
done
echo "ok: the commands' help in zh-CN by default and English on request"
