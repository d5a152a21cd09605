# Sourced by packaging/install-deps and packaging/preflight: reads packaging/commands.
# listed_rows GROUP...  prints "NAME PACKAGE" for every row of those groups ("all": every group).
# resolve NAME          prints where a listed command (or file) is on this machine, from the
#                       system folders only (not /usr/local, not a user's PATH); fails when absent.

COMMANDS_TABLE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/commands"
COMMAND_GROUPS=(build test lab browser bench fuzz package)
SYSTEM_PATH=/usr/sbin:/usr/bin:/sbin:/bin

listed_rows() {
  local want=" $* " name package group rest
  for group in "$@"; do
    [[ " all ${COMMAND_GROUPS[*]} " == *" $group "* ]] ||
      { echo "unknown group '$group' (all ${COMMAND_GROUPS[*]})" >&2; return 2; }
  done
  while read -r name package group rest; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    if [[ -z "$group" || -n "$rest" ]]; then
      echo "$COMMANDS_TABLE: malformed row '$name $package $group $rest' (NAME PACKAGE GROUP)" >&2
      return 2
    fi
    if [[ "$want" == *" all "* || "$want" == *" $group "* ]]; then echo "$name $package"; fi
  done <"$COMMANDS_TABLE"
}

resolve() {
  if [[ "$1" == /* ]]; then
    [ -e "$1" ] && echo "$1"
  else
    PATH=$SYSTEM_PATH command -v -- "$1"
  fi
}
