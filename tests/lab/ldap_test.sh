#!/usr/bin/env bash
# cloison's LDAP client (probes/directory/ldap_client.{h,cpp}) against the lab's Samba AD DCs.
# Usage: ldap_test.sh PATH/TO/ldap_check      (the lab must be up: CTest fixture `lab`)
# Runs ldap_check inside lab-admin with `lab exec`; prints "ok - ..." / "FAIL - ..." lines and
# "N passed, M failed"; exit 1 on any failure, 77 (skipped) when not root.
# Scenario toggled: bk-ldap-plaintext (turned off again, also on interruption, unless it was
# already on). The backup DC is stopped (SIGSTOP) for a few seconds and always continued.
set -uo pipefail

[ "$(id -u)" -eq 0 ] || { echo "ldap_test: must run as root (skipped)" >&2; exit 77; }
[ $# -eq 1 ] || { echo "usage: ldap_test.sh PATH/TO/ldap_check" >&2; exit 2; }
CHECK=$(readlink -f "$1")
[ -x "$CHECK" ] || { echo "ldap_test: $1 is not an executable" >&2; exit 2; }
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
LAB="$HERE/lab"
S="${CLOISON_LAB_STATE:-/run/cloison-lab}"
[ -f "$S/up.done" ] || { echo "ldap_test: the lab is not up (tests/lab/lab up)" >&2; exit 1; }

BK=198.18.5.10
BK_BASE=DC=backup,DC=lab
BIND=cloison-ldap@backup.lab
PW="$S/backup-ldap.password"
CA="$S/ca.pem"

T=$(mktemp -d /tmp/cloison-ldap-test.XXXXXX) && [ -d "$T" ] || { echo "ldap_test: cannot make a work folder" >&2; exit 1; }
TURNED_ON=()
STOPPED=""
SERVER_PID=""
cleanup() {
  local s
  [ -n "$STOPPED" ] && kill -CONT "$STOPPED" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  for s in "${TURNED_ON[@]}"; do
    "$LAB" scenario off "$s" >/dev/null 2>&1 || echo "ldap_test: WARNING: could not turn $s off" >&2
  done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASS=0
FAIL=0
ok() { echo "ok - $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL - $*"; FAIL=$((FAIL + 1)); }
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
lc() { "$LAB" exec admin -- "$CHECK" "$@" >"$T/out" 2>&1; RC=$?; }
field() { sed -n "s/^$1: //p" "$T/out" | head -n 1; }
is() { [ "$(field "$1")" = "$2" ]; }
has() { field "$1" | grep -F -- "$2" >/dev/null; }
count() { grep -c "$1" "$T/out"; }
ldapsearch_count() { # base filter -> entries ldapsearch (paged) returns as cloison-ldap
  ip netns exec lab-admin env LDAPTLS_CACERT="$CA" ldapsearch -x -LLL -o ldif-wrap=no -E pr=200/noprompt \
    -H "ldaps://$BK" -D "$BIND" -y "$PW" -b "$1" "$2" dn | grep -c '^dn:'
}

# 1. LDAPS with the lab CA, simple bind by UPN, rootDSE.
lc "ldaps://$BK" "$BIND" "$PW" "$CA" "" base "(objectClass=*)" defaultNamingContext
check "LDAPS bind verified by the inventory's CA" is transport "ldaps verified=1"
check "rootDSE read over LDAPS" grep -qx "  defaultNamingContext= $BK_BASE" "$T/out"

# 2. StartTLS on ldap:// (389) is verified the same way.
lc "ldap://$BK" "$BIND" "$PW" "$CA" "" base "(objectClass=*)" dnsHostName
check "StartTLS on ldap:// with verification" is transport "starttls verified=1"

# 3. Paging: small pages return every entry, as many as ldapsearch pages out.
expected=$(ldapsearch_count "$BK_BASE" "(objectClass=*)")
lc --page 25 "ldaps://$BK" "$BIND" "$PW" "$CA" "$BK_BASE" sub "(objectClass=*)" objectClass
check "paged search (25 per page) returns the $expected entries ldapsearch returns" \
  is entries "$expected"

# 4. Size cap: more entries than the cap -> a clear failure, not a hang or a partial success.
lc --cap 10 "ldaps://$BK" "$BIND" "$PW" "$CA" "$BK_BASE" sub "(objectClass=*)" dn
check "a search returning more than the cap fails naming the cap" \
  bash -c "[ $RC -eq 1 ] && grep -q 'more than 10 entries (the size cap)' '$T/out'"

# 5. Transitive membership (in-chain rule) works against the DC.
lc "ldaps://$BK" "$BIND" "$PW" "$CA" "$BK_BASE" sub \
  "(memberOf:1.2.840.113556.1.4.1941:=CN=Administrators,CN=Builtin,$BK_BASE)" sAMAccountName
check "in-chain search finds bk-admin (member of Domain Admins, nested in Administrators)" \
  grep -qx "  sAMAccountName= bk-admin" "$T/out"

# 6. Wrong password: the server's refusal, and the password never in the text.
printf 'not-the-password\n' >"$T/wrong.pw" && chmod 600 "$T/wrong.pw"
lc "ldaps://$BK" "$BIND" "$T/wrong.pw" "$CA" "" base "(objectClass=*)" dn
check "a wrong password gives 'Invalid credentials'" \
  bash -c "[ $RC -eq 1 ] && grep -q 'Invalid credentials (49)' '$T/out'"
check "the failure text holds no password" bash -c "! grep -q not-the-password '$T/out'"

# 7. Another CA: the DC's certificate is refused.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other.key" \
  -out "$T/other-ca.pem" -subj /CN=other-ca -days 2 >/dev/null 2>&1
lc "ldaps://$BK" "$BIND" "$PW" "$T/other-ca.pem" "" base "(objectClass=*)" dn
check "a certificate not signed by the inventory's CA is refused" \
  bash -c "[ $RC -eq 1 ] && grep -q -E '^failure: (bind|TLS connection)' '$T/out' && ! grep -q '^transport' '$T/out'"

# 8. Expired and mismatched certificates (a TLS server in lab-admin on loopback, own CA).
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/leaf.key" \
  -out "$T/leaf.csr" -subj /CN=leaf >/dev/null 2>&1
echo "subjectAltName=IP:127.0.0.1" >"$T/ext-ok"
echo "subjectAltName=IP:198.18.99.99" >"$T/ext-other"
openssl x509 -req -in "$T/leaf.csr" -CA "$T/other-ca.pem" -CAkey "$T/other.key" -CAcreateserial \
  -out "$T/expired.pem" -days -1 -extfile "$T/ext-ok" >/dev/null 2>&1
openssl x509 -req -in "$T/leaf.csr" -CA "$T/other-ca.pem" -CAkey "$T/other.key" -CAcreateserial \
  -out "$T/mismatch.pem" -days 2 -extfile "$T/ext-other" >/dev/null 2>&1
tls_server() { # cert -> serves TLS on 127.0.0.1:16360 in lab-admin
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  ip netns exec lab-admin openssl s_server -quiet -accept 127.0.0.1:16360 -cert "$1" \
    -key "$T/leaf.key" </dev/null >/dev/null 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 50); do ip netns exec lab-admin nc -z 127.0.0.1 16360 2>/dev/null && return; sleep 0.1; done
}
tls_server "$T/expired.pem"
lc --timeout 5 "ldaps://127.0.0.1:16360" "$BIND" "$PW" "$T/other-ca.pem" "" base "(objectClass=*)" dn
check "an expired certificate is refused" bash -c "[ $RC -eq 1 ] && grep -q -E '^failure: (bind|TLS connection)' '$T/out'"
tls_server "$T/mismatch.pem"
lc --timeout 5 "ldaps://127.0.0.1:16360" "$BIND" "$PW" "$T/other-ca.pem" "" base "(objectClass=*)" dn
check "a certificate for another address is refused" \
  bash -c "[ $RC -eq 1 ] && grep -q -E '^failure: (bind|TLS connection)' '$T/out'"
kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""

# 9. An unreachable DC: a failure within the deadline.
lc --timeout 2 "ldaps://198.18.5.99" "$BIND" "$PW" "$CA" "" base "(objectClass=*)" dn
check "an unreachable DC fails within the deadline (2 s)" \
  bash -c "[ $RC -eq 1 ] && [ $(field elapsed-ms) -lt 3500 ]"

# 10. A DC that stops answering: the search ends at the deadline with a failure.
DC_PID=$(read -r p _ <"$S/pids/dc-bk.pid" && echo "$p")
STOPPED=$DC_PID
kill -STOP "$DC_PID"
lc --timeout 3 "ldaps://$BK" "$BIND" "$PW" "$CA" "$BK_BASE" sub "(objectClass=*)" dn
kill -CONT "$DC_PID"
STOPPED=""
check "a DC that stops answering gives a failure at the deadline (3 s)" \
  bash -c "[ $RC -eq 1 ] && [ $(field elapsed-ms) -lt 4500 ]"

# 11. The plaintext-bind probe: refused on the compliant DC, accepted with bk-ldap-plaintext.
lc --probe-plaintext --timeout 5 "$BK" 389 backup.lab
check "compliant DC refuses simple binds in clear" is verdict refused
if [ "$("$LAB" scenario list | awk '$1 == "bk-ldap-plaintext" { print $2 }')" = on ]; then
  echo "ok - # SKIP bk-ldap-plaintext was already on"
else
  "$LAB" scenario on bk-ldap-plaintext >/dev/null && TURNED_ON+=(bk-ldap-plaintext)
  lc --probe-plaintext --timeout 5 "$BK" 389 backup.lab
  check "bk-ldap-plaintext: the DC reads simple binds in clear" is verdict accepted
  check "the probe's answer is the server's 'Invalid credentials' to a name that does not exist" \
    has detail "Invalid credentials (49)"
  "$LAB" scenario off bk-ldap-plaintext >/dev/null && TURNED_ON=()
fi
lc --probe-plaintext --timeout 2 198.18.5.99 389 backup.lab
check "no DC at the address: unreachable" is verdict unreachable

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
