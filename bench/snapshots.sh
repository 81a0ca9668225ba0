#!/usr/bin/env bash
# bench/snapshots.sh: the snapshot benchmark of docs/benchmarks.md (issue 9). syncfn's snapshot repository
# (repo:CONTAINER on a local Azurite) against restic 0.14 (a local repository on the same medium as Azurite's data),
# one run each: initial backup of a mixed 2 GiB tree, the bytes each stores after editing 1 MiB inside a 1 GiB file,
# the dedup ratio of the tree (it holds duplicated files), restore time, and peak RSS. Prints a Markdown table and
# writes it to bench/results/snapshots.md.
#
# Knobs: BENCH_TIMEOUT (seconds per command, 1200), BENCH_KEEP=1, BENCH_WORK, BENCH_AZURITE_DIR, BENCH_SYNCFN_DIR
# (as bench/run.sh), BENCH_SCALE (1: the 2 GiB tree; 0.25 makes every part a quarter, for a quick look).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd_timeout="${BENCH_TIMEOUT:-1200}"
parallel=16
scale="${BENCH_SCALE:-1}"
bench_need_rclone=0 bench_seed=0

if ! command -v restic >/dev/null 2>&1; then
  echo "bench: installing restic (apt)" >&2
  timeout 600 apt-get update -qq >/dev/null 2>&1 || { echo "bench: FAILED: apt-get update" >&2; exit 1; }
  timeout 600 apt-get install -y -qq restic >/dev/null 2>&1 || { echo "bench: FAILED: apt-get install restic" >&2; exit 1; }
fi

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
timed_may_fail=0

mib=$((1024 * 1024))
n() { awk -v x="$1" -v s="$scale" 'BEGIN { v = int(x * s); print (v < 1 ? 1 : v) }'; }
data="$work/tree"
log "seeding the mixed tree (scale $scale)"
timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$data/small" "$(n 2000)" 4096 65536 42 >/dev/null || die "seed small"
timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$data/mid" "$(n 40)" $((16 * mib)) $((16 * mib)) 43 >/dev/null || die "seed mid"
timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$data/large" 1 "$(n $((1024 * mib)))" "$(n $((1024 * mib)))" 44 >/dev/null || die "seed large"
big="$(find "$data/large" -type f | head -n 1)"
# Duplicates: the first 16 (scaled) mid files again, under another folder (stored once by both tools).
mkdir -p "$data/dup"
find "$data/mid" -type f | sort | head -n "$(n 16)" | while read -r f; do cp "$f" "$data/dup/"; done
read -r tree_files tree_bytes < <(dir_stats "$data")
log "tree: $tree_files files, $tree_bytes bytes"

# restic's repository lives where Azurite's data does (tmpfs when there was room), so neither has the faster medium.
restic_repo="${azurite_tmpfs:-$work}/restic-repo"
export RESTIC_PASSWORD=bench RESTIC_REPOSITORY="$restic_repo" RESTIC_CACHE_DIR="$work/restic-cache"
restic init >"$work/logs/restic-init.out" 2>&1 || die "restic init"
container=bench-repo
home="$work/home"
mkdir -p "$home"
syncfn_cmd=(env SYNCFN_HOME="$home" dotnet "$syncfn_dll")
container_bytes() { timeout "$cmd_timeout" dotnet "$sdk_dll" count "$conn" "$container" | cut -d' ' -f2; }
restic_bytes() { du -sb "$restic_repo" | cut -f1; }

declare -A t rss cpus az
log "initial backup: syncfn"
timed syncfn-initial "${syncfn_cmd[@]}" sync "$data" "repo:$container" --json --storage "$conn"
syncfn_summary syncfn-initial
t[syncfn-initial]=$seconds rss[syncfn-initial]=$rss_kb cpus[syncfn-initial]=$cpu az[syncfn-initial]=$azurite_cpu
s_stored_initial="$(container_bytes)"
log "initial backup: restic"
timed restic-initial restic backup --json "$data"
t[restic-initial]=$seconds rss[restic-initial]=$rss_kb cpus[restic-initial]=$cpu az[restic-initial]=$azurite_cpu
r_stored_initial="$(restic_bytes)"

log "editing 1 MiB in the middle of $(basename "$big")"
big_size="$(stat -c %s "$big")"
dd if=/dev/urandom of="$big" bs=$mib count=1 seek=$((big_size / mib / 2)) conv=notrunc status=none
timed syncfn-edit "${syncfn_cmd[@]}" sync "$data" "repo:$container" --json --storage "$conn"
syncfn_summary syncfn-edit
t[syncfn-edit]=$seconds rss[syncfn-edit]=$rss_kb cpus[syncfn-edit]=$cpu az[syncfn-edit]=$azurite_cpu
s_stored_edit="$(container_bytes)"
timed restic-edit restic backup --json "$data"
t[restic-edit]=$seconds rss[restic-edit]=$rss_kb cpus[restic-edit]=$cpu az[restic-edit]=$azurite_cpu
r_stored_edit="$(restic_bytes)"
r_added="$(node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(l => JSON.parse(l));
  console.log(lines.filter(l => l.message_type === "summary")[0].data_added);' "$work/logs/restic-edit.out")"

log "restore: syncfn"
timed syncfn-restore "${syncfn_cmd[@]}" restore "repo:$container" latest "$work/out-syncfn" --json --storage "$conn"
t[syncfn-restore]=$seconds rss[syncfn-restore]=$rss_kb cpus[syncfn-restore]=$cpu az[syncfn-restore]=$azurite_cpu
log "restore: restic"
timed restic-restore restic restore latest --target "$work/out-restic"
t[restic-restore]=$seconds rss[restic-restore]=$rss_kb cpus[restic-restore]=$cpu az[restic-restore]=$azurite_cpu
# restic restores the absolute path below the target.
diff -rq "$data" "$work/out-syncfn" >/dev/null || die "syncfn's restore differs from the tree"
diff -rq "$data" "$work/out-restic$data" >/dev/null || die "restic's restore differs from the tree"

timed syncfn-verify "${syncfn_cmd[@]}" repo verify "repo:$container" --read-data --json --storage "$conn"
s_stats="$("${syncfn_cmd[@]}" repo stats "repo:$container" --json --storage "$conn" 2>/dev/null)"
timed restic-check restic check --read-data

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mibs() { awk -v a="$1" 'BEGIN { printf "%.1f MiB", a / 1048576 }'; }
s_sent=$((s_stored_edit - s_stored_initial))
r_sent=$((r_stored_edit - r_stored_initial))
s_unique="$(node -e 'const j = JSON.parse(process.argv[1]); console.log(j.stats.uniqueLogicalBytes)' "$s_stats")"
mkdir -p "$repo/bench/results"
{
  echo "| snapshots, $tree_files files / $(mibs "$tree_bytes") (scale $scale) | syncfn (repo: on Azurite) | restic 0.14 (local repo) | syncfn / restic |"
  echo "|---|---|---|---|"
  echo "| initial backup, s | ${t[syncfn-initial]} | ${t[restic-initial]} | $(ratio "${t[syncfn-initial]}" "${t[restic-initial]}") |"
  echo "| stored after initial backup | $(mibs "$s_stored_initial") | $(mibs "$r_stored_initial") | $(ratio "$s_stored_initial" "$r_stored_initial") |"
  echo "| dedup ratio (tree bytes / stored) | $(ratio "$tree_bytes" "$s_stored_initial") | $(ratio "$tree_bytes" "$r_stored_initial") | |"
  echo "| backup after a 1 MiB edit in the 1 GiB file, s | ${t[syncfn-edit]} | ${t[restic-edit]} | $(ratio "${t[syncfn-edit]}" "${t[restic-edit]}") |"
  echo "| bytes stored by that backup | $(mibs "$s_sent") | $(mibs "$r_sent") (data_added $(mibs "$r_added")) | $(ratio "$s_sent" "$r_sent") |"
  echo "| restore latest, s | ${t[syncfn-restore]} | ${t[restic-restore]} | $(ratio "${t[syncfn-restore]}" "${t[restic-restore]}") |"
  echo "| CPU s initial / edit / restore (the tool) | ${cpus[syncfn-initial]} / ${cpus[syncfn-edit]} / ${cpus[syncfn-restore]} | ${cpus[restic-initial]} / ${cpus[restic-edit]} / ${cpus[restic-restore]} | |"
  echo "| Azurite's CPU s meanwhile (node, one thread does the work) | ${az[syncfn-initial]} / ${az[syncfn-edit]} / ${az[syncfn-restore]} | — | |"
  echo "| peak RSS initial / edit / restore, MiB | $((rss[syncfn-initial] / 1024)) / $((rss[syncfn-edit] / 1024)) / $((rss[syncfn-restore] / 1024)) | $((rss[restic-initial] / 1024)) / $((rss[restic-edit] / 1024)) / $((rss[restic-restore] / 1024)) | |"
  echo
  echo "Unique file content over both snapshots $(mibs "$s_unique"); load before: $load_before; Azurite data in ${azurite_dir}."
} | tee "$repo/bench/results/snapshots.md"
