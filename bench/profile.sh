#!/usr/bin/env bash
# bench/profile.sh CASE [TOOL]: one run of TOOL (syncfn, rclone or sdk; default syncfn) on a benchmark case
# (a: 2,000 small files, b: 4 x 64 MiB, c: the no-op re-run of a) against an Azurite started with --debug, then
# a summary of the requests Azurite served (bench/azurite-requests.js): count, server time and timing per kind
# of request, and for c every request in order. Not a benchmark: the debug log slows Azurite down, so compare
# request counts, kinds and order, not absolute times. Same set-up and knobs as bench/run.sh.
set -euo pipefail

usage() { echo "usage: bench/profile.sh a|b|c [syncfn|rclone|sdk]" >&2; exit 2; }
bench_case="${1:-}"
tool="${2:-syncfn}"
[[ "$bench_case" =~ ^[abc]$ && "$tool" =~ ^(syncfn|rclone|sdk)$ ]] || usage
[[ "$bench_case$tool" != csdk ]] || { echo "the SDK loop has no no-op run (case c)" >&2; exit 2; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
parallel="${BENCH_PARALLEL:-16}"
cmd_timeout="${BENCH_TIMEOUT:-600}"
small_count=2000 small_min=4096 small_max=65536
large_count=4 large_size=$((64 * 1024 * 1024))
debug_log="$(mktemp /tmp/syncfn-profile-azurite.XXXXXX)"
azurite_extra_args=(--debug "$debug_log")

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

data="$work/data-$([[ $bench_case == b ]] && echo b || echo a)"
container="profile-$tool"
run_tool() { # NAME EXPECT_BYTES (syncfn only: all, or 0 for the no-op)
  case "$tool" in
    syncfn) run_syncfn "$1" "$data" "$container" "$work/home-profile" "$2" ;;
    rclone) run_rclone "$1" "$data" "$container" ;;
    sdk) run_sdk "$1" "$data" "$container" ;;
  esac
}

# Azurite writes its debug log asynchronously: wait until the file stops growing.
settle() {
  local size=-1 now
  for ((i = 0; i < 100; i++)); do
    now="$(stat -c %s "$debug_log")"
    [[ "$now" != "$size" ]] || return 0
    size="$now"
    sleep 1
  done
}

if [[ $bench_case == c ]]; then
  log "first run (not profiled)"
  run_tool first all
fi
settle
offset="$(stat -c %s "$debug_log")"
after_run() { # the profiled requests end here: the runner's checks that follow are not counted
  settle
  tail -c +"$((offset + 1))" "$debug_log" >"$work/profiled.log"
}
log "profiled run: $tool, case $bench_case"
run_tool profiled "$([[ $bench_case == c ]] && echo 0 || echo all)"
echo "$tool, case $bench_case: ${seconds} s wall, ${cpu} s CPU, $((rss_kb / 1024)) MiB max RSS (Azurite in debug mode: slower than in bench/run.sh)"
node "$repo/bench/azurite-requests.js" "$work/profiled.log" $([[ $bench_case == c ]] && echo --timeline)
rm -f "$debug_log"
