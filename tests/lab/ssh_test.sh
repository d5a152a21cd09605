#!/usr/bin/env bash
# cloison's SSH runner (probes/transport/ssh_runner.{h,cpp}) against the lab's sshd on lab-backup.
# Usage: ssh_test.sh PATH/TO/ssh_check      (the lab must be up: CTest fixture `lab`)
# Runs ssh_check inside lab hosts with `lab exec`; prints "ok - ..." / "FAIL - ..." lines and
# "N passed, M failed"; exit 1 on any failure, 77 (skipped) when not root.
# Scenarios toggled: ssh-password-login and backup-host-down only, each turned off again (also on
# an interruption); a scenario that was already on when the script started is left alone and its
# checks are skipped.
set -uo pipefail

[ "$(id -u)" -eq 0 ] || { echo "ssh_test: must run as root (skipped)" >&2; exit 77; }
[ $# -eq 1 ] || { echo "usage: ssh_test.sh PATH/TO/ssh_check" >&2; exit 2; }
CHECK=$(readlink -f "$1")
[ -x "$CHECK" ] || { echo "ssh_test: $1 is not an executable" >&2; exit 2; }
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
LAB="$HERE/lab"
S="${CLOISON_LAB_STATE:-/run/cloison-lab}"
[ -f "$S/up.done" ] || { echo "ssh_test: the lab is not up (tests/lab/lab up)" >&2; exit 1; }

BK=198.18.2.10
U=cloison-audit
KEY="$S/audit_ed25519"
KH="$S/known_hosts"
SSHD_LOG="$S/log/sshd-backup.log"

T=$(mktemp -d /tmp/cloison-ssh-test.XXXXXX) && [ -d "$T" ] || { echo "ssh_test: cannot make a work folder" >&2; exit 1; }
TURNED_ON=()
cleanup() {
  local s
  for s in "${TURNED_ON[@]}"; do
    "$LAB" scenario off "$s" >/dev/null 2>&1 || echo "ssh_test: WARNING: could not turn $s off" >&2
  done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASS=0
FAIL=0
ok() { echo "ok - $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL - $*"; FAIL=$((FAIL + 1)); }
skip() { echo "ok - # SKIP $*"; }
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds; on failure, show ssh_check's report.
check() {
  local what=$1
  shift
  if "$@"; then
    ok "$what"
  else
    bad "$what"
    sed 's/^/#   /' "$T/out" | head -20
  fi
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# sc HOST ARGS...: runs ssh_check in a lab host; report in $T/out, wall time in $WALL_MS.
sc() {
  local host=$1 t0
  shift
  t0=$(now_ms)
  "$LAB" exec "$host" -- "$CHECK" "$@" >"$T/out" 2>"$T/err"
  RC=$?
  WALL_MS=$(($(now_ms) - t0))
}
field() { sed -n "s/^$1: //p" "$T/out" | head -n 1; }
stdout_text() { sed -n '/^--- stdout ---$/,/^--- stderr ---$/p' "$T/out" | sed '1d;$d'; }
stderr_text() { sed -n '/^--- stderr ---$/,/^--- end ---$/p' "$T/out" | sed '1d;$d'; }
is() { [ "$(field "$1")" = "$2" ]; }
has() { field "$1" | grep -F -- "$2" >/dev/null; }
accepted() { grep -c "Accepted publickey for $U" "$SSHD_LOG" 2>/dev/null || true; }

# The fingerprint of the real host key (what the runner must report when it refuses it).
REAL_FP=$(ssh-keygen -lf "$KH" | awk 'NR == 1 { print $2 }')
[ -n "$REAL_FP" ] || { echo "ssh_test: cannot read $KH" >&2; exit 1; }

# Files for the refusal cases: another host key, an empty known_hosts, another client key.
ssh-keygen -q -t ed25519 -N '' -C other-host -f "$T/other_host" </dev/null >/dev/null
echo "$BK $(cut -d' ' -f1,2 "$T/other_host.pub")" >"$T/kh_changed"
: >"$T/kh_empty"
ssh-keygen -q -t ed25519 -N '' -C wrong-client -f "$T/wrong_key" </dev/null >/dev/null
chmod 0755 "$T"

# ---------------------------------------------------------------- connect, pin, authenticate, exec
sc admin "$BK" "$U" "$KEY" "$KH" -- id -un
check "id -un over SSH returns $U (${WALL_MS} ms)" \
  eval 'is outcome ok && is exit 0 && [ "$(stdout_text)" = "$U" ]'

sc admin "$BK" "$U" "$KEY" "$KH" sudo -- sshd -T
check "sudo -n sshd -T: exit 0 and passwordauthentication no" \
  eval 'is outcome ok && is exit 0 && stdout_text | grep -x "passwordauthentication no" >/dev/null'

sc admin "$BK" "$U" "$KEY" "$KH" sudo -- cat /etc/shadow
check "sudo -n for a command outside the sudo rule fails at once, no prompt (${WALL_MS} ms)" \
  eval 'is outcome ok && ! is exit 0 && stderr_text | grep "password is required" >/dev/null && [ "$WALL_MS" -lt 5000 ]'

sc admin "$BK" "$U" "$KEY" "$KH" -- sh -c 'echo out; echo err >&2; exit 3'
check "exit status, stdout and stderr are kept apart" \
  eval 'is outcome ok && is exit 3 && [ "$(stdout_text)" = out ] && [ "$(stderr_text)" = err ]'

sc admin "$BK" "$U" "$KEY" "$KH" -- printf '[%s]' 'two words' '' "it's" '$HOME' '`id`' '*'
check "arguments arrive intact through the remote shell (quoting)" \
  eval 'is outcome ok && [ "$(stdout_text)" = "[two words][][it'"'"'s][\$HOME][\`id\`][*]" ]'

before=$(accepted)
sc admin --repeat 6 "$BK" "$U" "$KEY" "$KH" sudo -- sshd -T
after=$(accepted)
check "6 concurrent commands on one runner: all ok over one connection ($before -> $after logins)" \
  eval '[ "$(grep -c "^run .*: outcome ok exit 0" "$T/out")" = 6 ] && [ $((after - before)) -eq 1 ]'

# ---------------------------------------------------------------- host key pinning
sc admin "$BK" "$U" "$KEY" "$T/kh_changed" -- id -un
check "changed host key: refused, names the fingerprint seen ($REAL_FP)" \
  eval 'is outcome error && has failure "$REAL_FP" && has failure CHANGED && has failure refused &&
        [ "$(field stdout-bytes)" = 0 ]'

sc admin "$BK" "$U" "$KEY" "$T/kh_empty" -- id -un
check "empty known_hosts: unknown host key refused, names the fingerprint seen" \
  eval 'is outcome error && has failure "not in known_hosts" && has failure "$REAL_FP" &&
        has failure refused'

sc admin --tofu "$BK" "$U" "$KEY" "$T/kh_empty" -- id -un
check "trust_on_first_use: unknown key accepted and exposed as learned" \
  eval 'is outcome ok && [ "$(stdout_text)" = "$U" ] && is learned "ssh-ed25519 $REAL_FP"'

sc admin --tofu "$BK" "$U" "$KEY" "$T/kh_changed" -- id -un
check "trust_on_first_use never accepts a changed key" \
  eval 'is outcome error && has failure CHANGED && is learned ""'

sc admin --tofu --learned-store "$T/learned" "$BK" "$U" "$KEY" "$T/kh_empty" -- id -un
check "trust_on_first_use with a store: the key learned is added to the store" \
  eval 'is outcome ok && is learned "ssh-ed25519 $REAL_FP" && [ "$(grep -c ssh-ed25519 "$T/learned")" = 1 ]'

sc admin --tofu --learned-store "$T/learned" "$BK" "$U" "$KEY" "$T/kh_empty" -- id -un
check "trust_on_first_use with a store: the key kept there is accepted in a later run, not added twice" \
  eval 'is outcome ok && is learned "ssh-ed25519 $REAL_FP" && [ "$(grep -c ssh-ed25519 "$T/learned")" = 1 ]'

cp "$T/kh_changed" "$T/learned_changed"
sc admin --tofu --learned-store "$T/learned_changed" "$BK" "$U" "$KEY" "$T/kh_empty" -- id -un
check "trust_on_first_use with a store: a key other than the one kept there is refused" \
  eval 'is outcome error && has failure "CHANGED: ssh-ed25519 $REAL_FP" && has failure "learned on first use" &&
        is learned ""'

# ---------------------------------------------------------------- authentication
sc admin "$BK" "$U" "$T/wrong_key" "$KH" -- id -un
check "wrong private key: authentication refused for $U@$BK" \
  eval 'is outcome error && is failure "authentication refused for $U@$BK"'

sc admin "$BK" "$U" "$T/no-such-key" "$KH" -- id -un
check "missing private key: error names the file" \
  eval 'is outcome error && has failure "$T/no-such-key"'

# ---------------------------------------------------------------- deadline and bounded output
sc prod --timeout 3 "$BK" "$U" "$KEY" "$KH" -- id -un
check "from lab-prod (dropped by the router): $(field outcome) after ${WALL_MS} ms, 3 s deadline" \
  eval '{ is outcome timeout || is outcome error; } && [ "$WALL_MS" -lt 5000 ] &&
        [ "$(field elapsed-ms)" -ge 2900 ]'

sc admin --timeout 2 "$BK" "$U" "$KEY" "$KH" -- sleep 30
check "command past its deadline: timeout, channel closed after ${WALL_MS} ms (2 s deadline)" \
  eval 'is outcome timeout && [ "$WALL_MS" -lt 4000 ]'

sc admin --timeout 10 --cap 1000 "$BK" "$U" "$KEY" "$KH" -- head -c 100000 /dev/zero
check "100 kB of output with cap 1000: truncated, 1000 bytes kept, exit 0 (${WALL_MS} ms)" \
  eval 'is outcome ok && is exit 0 && is truncated true && is stdout-bytes 1000'

sc admin --timeout 10 --cap 1000 "$BK" "$U" "$KEY" "$KH" -- sh -c 'head -c 100000 /dev/zero >&2; echo done'
check "stderr capped too, stdout still complete" \
  eval 'is outcome ok && is truncated true && is stderr-bytes 1000 && [ "$(stdout_text)" = done ]'

# ---------------------------------------------------------------- scenarios
scenario_on() { # NAME: turns it on unless it was on already (then returns 1: checks skipped)
  if [ -e "$S/scenarios/$1" ]; then
    return 1
  fi
  TURNED_ON+=("$1")
  "$LAB" scenario on "$1" >/dev/null
}
scenario_off() {
  "$LAB" scenario off "$1" >/dev/null
  local keep=() s
  for s in "${TURNED_ON[@]}"; do [ "$s" = "$1" ] || keep+=("$s"); done
  TURNED_ON=("${keep[@]}")
}

if scenario_on ssh-password-login; then
  sc admin "$BK" "$U" "$KEY" "$KH" sudo -- sshd -T
  check "ssh-password-login on: sshd -T shows passwordauthentication yes" \
    eval 'is outcome ok && stdout_text | grep -x "passwordauthentication yes" >/dev/null'
  scenario_off ssh-password-login
  sc admin "$BK" "$U" "$KEY" "$KH" sudo -- sshd -T
  check "ssh-password-login off: passwordauthentication no again" \
    eval 'is outcome ok && stdout_text | grep -x "passwordauthentication no" >/dev/null'
else
  skip "ssh-password-login was already on"
fi

if scenario_on backup-host-down; then
  sc admin --timeout 5 "$BK" "$U" "$KEY" "$KH" -- id -un
  check "backup-host-down on: connection refused error (${WALL_MS} ms)" \
    eval 'is outcome error && has failure refused && [ "$WALL_MS" -lt 3000 ]'
  scenario_off backup-host-down
  sc admin "$BK" "$U" "$KEY" "$KH" -- id -un
  check "backup-host-down off: id -un works again" \
    eval 'is outcome ok && [ "$(stdout_text)" = "$U" ]'
else
  skip "backup-host-down was already on"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
