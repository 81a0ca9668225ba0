#!/usr/bin/env bash
# bench/graph.sh: the Microsoft 365 drive benchmark of docs/benchmarks.md (issue 3). syncfn syncs drives served by
# the loopback Graph server (`syncfn graph-dev`, a separate process) to blob containers on one local Azurite (which
# also holds the ledger):
#   (1) first full sync of a 10,000-file drive: wall time, files/s, peak RSS (best of BENCH_ATTEMPTS);
#   (2) no-op incremental run on a 100,000-item drive: Graph requests (counted by the server), Table requests
#       (counted by bench/count-proxy.js in front of Azurite's table port), wall time (best of BENCH_ATTEMPTS);
#   (3) one changed file in that drive (uploaded through Graph with curl), then an incremental run: Graph requests,
#       content downloads, Table requests, wall time (best of BENCH_ATTEMPTS, a new change before each attempt);
#   (4) peak RSS of the 100,000-item first sync (its first delta enumeration, planning and transfers), run once.
# Prints a Markdown table and writes it to bench/results/graph-latest.md.
#
# Everything is built, started and seeded before any timing starts; the timed commands run the built syncfn.dll
# directly. Knobs (environment): BENCH_ATTEMPTS (3), BENCH_PARALLEL (16), BENCH_TIMEOUT (seconds per command, 600),
# BENCH_TIMEOUT_LARGE (the 100,000-item first sync, 3600), BENCH_GRAPH_FILES (10000), BENCH_GRAPH_LARGE_FILES
# (100000), and those of bench/run.sh: BENCH_SYNCFN_DIR, BENCH_KEEP, BENCH_WORK, BENCH_AZURITE_DIR.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
attempts="${BENCH_ATTEMPTS:-3}"
parallel="${BENCH_PARALLEL:-16}"
cmd_timeout="${BENCH_TIMEOUT:-600}"
large_timeout="${BENCH_TIMEOUT_LARGE:-3600}"
small_drive="${BENCH_GRAPH_FILES:-10000}"
large_drive="${BENCH_GRAPH_LARGE_FILES:-100000}"
bench_need_rclone=0 bench_seed=0
# Azurite keeps its data in memory: with a file-backed store it re-serialises its whole table database every 5 s,
# which with a 100,000-item ledger (~1 GB of JSON) stalls every request for seconds (docs/benchmarks.md).
# BENCH_AZURITE_PERSIST=1 keeps bench/run.sh's file-backed Azurite.
[[ "${BENCH_AZURITE_PERSIST:-0}" == 1 ]] || azurite_in_memory=1

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
command -v curl >/dev/null 2>&1 || die "curl is needed (one Graph upload per changed-file attempt)"
trap 'log "stopped by SIGTERM"; exit 143' TERM

# ---------------------------------------------------------------------------------------------- servers
# start_graph_dev NAME FILES: runs `syncfn graph-dev --seed-files FILES` in the background (stopped at exit or by
# stop_graph_dev) and waits for its one line; sets graph_url, graph_drive, graph_pid.
start_graph_dev() {
  local name="$1" files="$2" line=""
  timeout "$large_timeout" dotnet "$syncfn_dll" graph-dev --seed-files "$files" \
    </dev/null >"$work/logs/$name.out" 2>"$work/logs/$name.err" &
  graph_pid=$!
  bench_pids+=("$graph_pid")
  for ((i = 0; i < 600; i++)); do
    line="$(head -n 1 "$work/logs/$name.out")"
    [[ -z "$line" ]] || break
    kill -0 "$graph_pid" 2>/dev/null || { cat "$work/logs/$name.err" >&2; die "graph-dev exited"; }
    sleep 0.1
  done
  [[ "$line" =~ ^graph-dev\ listening\ on\ (http://127\.0\.0\.1:[0-9]+/v1\.0)\ drive\ (.+)$ ]] ||
    die "graph-dev did not print its line within 60 s (got '$line')"
  graph_url="${BASH_REMATCH[1]}" graph_drive="${BASH_REMATCH[2]}"
  log "graph-dev pid $graph_pid: $files files at $graph_url, drive $graph_drive"
}

stop_graph_dev() {
  kill "$graph_pid" 2>/dev/null || true
  wait "$graph_pid" 2>/dev/null || true
}

# The dev server's own (non-Graph) endpoints: request counters.
graph_dev() { curl -sSf --max-time 30 "${graph_url%/v1.0}/_dev/$1" "${@:2}"; }

# Table requests are counted by a proxy in front of Azurite's table port: syncfn is its only client, so counting
# from a reset before the process starts to a read after it exits is exact, and Azurite runs without --debug.
node "$repo/bench/count-proxy.js" "$table_port" </dev/null >"$work/logs/count-proxy.out" 2>"$work/logs/count-proxy.err" &
bench_pids+=("$!")
for ((i = 0; i < 100; i++)); do
  [[ ! -s "$work/logs/count-proxy.out" ]] || break
  sleep 0.1
done
proxy_port="$(awk '/^count-proxy listening on/ { print $4 }' "$work/logs/count-proxy.out")"
[[ -n "$proxy_port" ]] || die "count-proxy did not start (see $work/logs/count-proxy.err)"
graph_conn="${conn/TableEndpoint=http:\/\/127.0.0.1:$table_port\//TableEndpoint=http://127.0.0.1:$proxy_port/}"
[[ "$graph_conn" != "$conn" ]] || die "could not point the connection string's TableEndpoint at the proxy"
tables() { curl -sSf --max-time 30 "http://127.0.0.1:$proxy_port/_count$1" "${@:2}"; }

# drive_stats: "FILES BYTES" of the current drive, read through Graph delta (bench/graph-drive.js).
drive_stats() { timeout "$cmd_timeout" node "$repo/bench/graph-drive.js" "$graph_url" "$graph_drive" || die "reading the drive"; }

# ---------------------------------------------------------------------------------------------- runner
# sync_graph NAME CONTAINER HOME: one `syncfn sync graph:DRIVE blob:CONTAINER`, timed, with the Graph and Table
# request counters reset before the process starts and read after it exits (into $work/logs/NAME.{graph,tables}.json).
# The source is the drive's root, or the folder graph_folder when set.
graph_folder=""
sync_graph() {
  local name="$1" container="$2" home="$3"
  mkdir -p "$home"
  graph_dev requests/reset -X POST >/dev/null || die "resetting graph-dev's request counters"
  tables /reset -X POST >/dev/null || die "resetting the table request counter"
  SYNCFN_HOME="$home" SYNCFN_REPO="$repo" timed "$name" \
    dotnet "$syncfn_dll" sync "graph:$graph_drive${graph_folder:+/$graph_folder}" "blob:$container" --graph-url "$graph_url" \
    --storage "$graph_conn" --parallel "$parallel" --json
  graph_dev requests >"$work/logs/$name.graph.json" || die "reading graph-dev's request counters"
  tables "" >"$work/logs/$name.tables.json" || die "reading the table request counter"
}

# check_graph NAME EXPECT_TOTAL EXPECT_BYTES CONTAINER ["FILES BYTES"]: run NAME Succeeded with EXPECT_TOTAL items
# and EXPECT_BYTES bytes transferred (- skips); when given, the container holds exactly FILES blobs of BYTES.
check_graph() {
  local name="$1" want_total="$2" want_bytes="$3" container="$4" want_blobs="${5:-}"
  syncfn_summary "$name"
  [[ "$total" == "$want_total" ]] || die "$name: $total items, expected $want_total (see $work/logs/$name.out)"
  [[ "$want_bytes" == - || "$bytes" == "$want_bytes" ]] || die "$name: bytesTransferred $bytes, expected $want_bytes"
  [[ -z "$want_blobs" ]] || expect_blob_stats "$container" "$want_blobs"
}

# run_graph NAME CONTAINER HOME EXPECT_TOTAL EXPECT_BYTES ["FILES BYTES"]: sync_graph, then check_graph.
run_graph() {
  sync_graph "$1" "$2" "$3"
  check_graph "$1" "$4" "$5" "$2" "${6:-}"
}

# counts NAME: "API CONTENT DOWNLOADS DELTA TABLES" requests of run NAME.
counts() {
  node -e '
    const fs = require("fs"), [g, t] = process.argv.slice(1).map(f => JSON.parse(fs.readFileSync(f, "utf8")));
    console.log([g.api, g.content, g.byRoute["Download GET"] || 0, g.byRoute["Delta GET"] || 0, t.requests].join(" "));' \
    "$work/logs/$1.graph.json" "$work/logs/$1.tables.json"
}

# by_route NAME: the Graph requests of run NAME by route, then its Table requests by kind, one line each.
by_route() {
  node -e '
    const fs = require("fs"), [g, t] = process.argv.slice(1).map(f => JSON.parse(fs.readFileSync(f, "utf8")));
    const list = o => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(", ") || "none";
    console.log(`Graph: ${list(g.byRoute)}; Table: ${list(t.byKind)}`);' \
    "$work/logs/$1.graph.json" "$work/logs/$1.tables.json"
}

# ---------------------------------------------------------------------------------------------- measurements
declare -A times cpus rsss
# record KEY: appends the last command's wall-clock seconds, CPU seconds and peak RSS (KiB) to KEY's attempts.
record() { times[$1]+="$seconds "; cpus[$1]+="$cpu "; rsss[$1]+="$rss_kb "; }

# Three drives are served from the start: the 100,000-item and 10,000-file ones, and one of 20 files for warm-ups.
use_drive() { graph_url="$1" graph_drive="$2" graph_pid="$3"; }
start_graph_dev graph-dev-warmup 20
warmup_url="$graph_url" warmup_drive_id="$graph_drive" warmup_pid="$graph_pid"
start_graph_dev graph-dev-large "$large_drive"
large_url="$graph_url" large_drive_id="$graph_drive" large_pid="$graph_pid"
large_stats="$(drive_stats)"
read -r large_files large_bytes <<<"$large_stats"
[[ "$large_files" == "$large_drive" ]] || die "the drive holds $large_files files, expected $large_drive"
large_items="$(graph_dev info | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).items)')"
start_graph_dev graph-dev-small "$small_drive"
small_url="$graph_url" small_drive_id="$graph_drive" small_pid="$graph_pid"
small_stats="$(drive_stats)"
read -r small_files small_bytes <<<"$small_stats"
[[ "$small_files" == "$small_drive" ]] || die "the drive holds $small_files files, expected $small_drive"

# fresh_ledger N: every case starts on an empty Azurite (Azurite slows down as its tables fill: see
# docs/benchmarks.md), warmed up by a sync of the 20-file drive (Azurite's first requests and the ledger tables'
# creation belong to no case). BENCH_AZURITE_PERSIST=1: one file-backed Azurite for all, warmed up once.
fresh_ledger() {
  if [[ "${azurite_in_memory:-0}" == 1 && "$1" != 0 ]]; then
    restart_azurite
  elif [[ "$1" != 0 ]]; then
    return 0
  fi
  use_drive "$warmup_url" "$warmup_drive_id" "$warmup_pid"
  run_graph "warmup-$1" "warmup-$1" "$work/home-warmup-$1" 20 -
}
log "warm-up (untimed)"
fresh_ledger 0

# ---------------------------------------------------------------------------------------------- (4), (2), (3): 100,000 items
use_drive "$large_url" "$large_drive_id" "$large_pid"
log "(4) first sync of the $large_files-file drive ($large_items items with the folders and the root), once"
saved_timeout="$cmd_timeout"
cmd_timeout="$large_timeout"
timed_may_fail=1
sync_graph first-large large "$work/home-large"
record first-large
large_exit="$exit_code" large_total_s="$seconds" resumes=0 max_resumes="${BENCH_RESUMES:-3}"
# A first sync that ends without finishing (see docs/benchmarks.md) is resumed: the next sync of the pair takes its
# run over. The resumes are reported; the peak RSS and request counts are those of the first process.
while ((exit_code != 0 && resumes < max_resumes)); do
  log "(4) the first sync exited $exit_code after $seconds s (see $work/logs/first-large*.err); resuming the pair"
  resumes=$((resumes + 1))
  sync_graph "first-large-resume-$resumes" large "$work/home-large"
  large_total_s="$(awk -v a="$large_total_s" -v b="$seconds" 'BEGIN { printf "%.3f", a + b }')"
done
timed_may_fail=0
cmd_timeout="$saved_timeout"
large_done=0
if ((exit_code != 0)); then
  log "(4) the first sync of the large drive did not finish after $resumes resumes: (2) and (3) are not measured"
elif ((resumes == 0)); then
  check_graph first-large "$large_files" "$large_bytes" large "$large_stats"
  large_done=1
else
  check_graph "first-large-resume-$resumes" "$large_files" - large "$large_stats"
  large_done=1
fi
log "(4) ${large_total_s} s in all, peak RSS of the first process $((${rsss[first-large]% } / 1024)) MiB"

if ((large_done)); then
  # (2) no-op: every attempt re-runs the same pair with nothing changed at the source.
  for ((n = 1; n <= attempts; n++)); do
    check_blobs=""
    [[ $n != "$attempts" ]] || check_blobs="$large_stats" # counting 100,000 blobs once is enough
    run_graph "noop-$n" large "$work/home-large" 0 0 "$check_blobs"
    record noop
    log "(2) no-op, attempt $n: $seconds s; requests (Graph API, content, downloads, delta, Table): $(counts "noop-$n")"
  done

  # (3) one changed file: before each attempt, new content for one file, uploaded through Graph (a simple upload).
  changed_path="t0000/s0/file000000.bin"
  curl -sSf --max-time 30 -o /dev/null "$graph_url/drives/$graph_drive/root:/$changed_path:" ||
    die "the drive has no $changed_path"
  for ((n = 1; n <= attempts; n++)); do
    printf 'bench/graph.sh: changed content, attempt %d of %d, %s\n' "$n" "$attempts" "$(date -u +%s.%N)" >"$work/change-$n.bin"
    curl -sSf --max-time 30 -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' \
      --data-binary "@$work/change-$n.bin" "$graph_url/drives/$graph_drive/root:/$changed_path:/content" ||
      die "uploading the change of attempt $n"
    stats="$(drive_stats)"
    run_graph "change-$n" large "$work/home-large" 1 "$(stat -c %s "$work/change-$n.bin")" "$stats"
    record change
    log "(3) one changed file, attempt $n: $seconds s; requests (Graph API, content, downloads, delta, Table): $(counts "change-$n")"
  done
fi
stop_graph_dev

# ---------------------------------------------------------------------------------------------- (1) 10,000 files
for ((n = 1; n <= attempts; n++)); do
  fresh_ledger "$n"
  use_drive "$small_url" "$small_drive_id" "$small_pid"
  run_graph "first-small-$n" "first-small-$n" "$work/home-small-$n" "$small_files" "$small_bytes" "$small_stats"
  record first-small
  log "(1) first sync of $small_files files, attempts so far (s): ${times[first-small]}"
done
stop_graph_dev

# ---------------------------------------------------------------------------------------------- report
# best "V1 V2 ...": the smallest; worst: the largest (word splitting of the recorded attempts is intended).
# shellcheck disable=SC2086
best() { printf '%s\n' $1 | sort -g | head -n 1; }
# shellcheck disable=SC2086
worst() { printf '%s\n' $1 | sort -g | tail -n 1; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }'; }
yes_no() { if awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN { exit !(op == "<" ? a < b : op == "<=" ? a <= b : a == b) }'; then echo yes; else echo "**no**"; fi; }
# column K "NAME1 NAME2 ...": field K of counts NAMEi, as "v1 v2 ..." (one per attempt).
column() { local name; for name in $2; do counts "$name" | cut -d' ' -f"$1"; done | tr '\n' ' '; }
names() { local n; for ((n = 1; n <= attempts; n++)); do printf '%s-%d ' "$1" "$n"; done; }

small_best="$(best "${times[first-small]}")"
files_per_s="$(awk -v f="$small_files" -v s="$small_best" 'BEGIN { printf "%.0f", f / s }')"
small_rss="$(mb "$(worst "${rsss[first-small]}")")"
large_s="${times[first-large]% }" large_rss="$(mb "${rsss[first-large]% }")"
if ((large_done)); then
  noop_best="$(best "${times[noop]}")" change_best="$(best "${times[change]}")"
  noops="$(names noop)" changes="$(names change)"
  noop_api="$(worst "$(column 1 "$noops")")" noop_tables="$(worst "$(column 5 "$noops")")"
  change_api="$(worst "$(column 1 "$changes")")" change_tables="$(worst "$(column 5 "$changes")")"
  change_downloads="$(column 3 "$changes")"
  downloads_ok=yes
  for d in $change_downloads; do [[ "$d" == 1 ]] || downloads_ok="**no**"; done
fi
read -r large_api large_content large_downloads large_delta large_tables <<<"$(counts first-large)"
read -r small_api small_content small_downloads small_delta small_tables <<<"$(counts first-small-1)"

mem_total="$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
cpu_model="$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
azurite_version="$(node -p 'require(process.argv[1]).version' "$repo/tools/azurite/node_modules/azurite/package.json")"
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -z "$(git -C "$repo" status --porcelain -- src 2>/dev/null)" ]] || commit="$commit + uncommitted changes in src/"
azurite_where="$([[ -n "$azurite_tmpfs" ]] && echo "on tmpfs (/dev/shm)" || echo "in $azurite_dir")"
[[ "${azurite_in_memory:-0}" != 1 ]] || azurite_where="in memory (--inMemoryPersistence)"

mkdir -p "$repo/bench/results"
out="$repo/bench/results/graph-latest.md"
{
  echo "| case | measured | target | met? |"
  echo "| --- | --- | --- | --- |"
  echo "| (1) first sync of a $small_files-file drive ($small_bytes bytes) | $small_best s, $files_per_s files/s, peak RSS $small_rss MB | — | — |"
  if ((large_done)); then
    echo "| (2) no-op incremental run, $large_files-file drive: Graph requests | $noop_api | ≤ 3 | $(yes_no "$noop_api" "<=" 3) |"
    echo "| (2) no-op incremental run: Table requests | $noop_tables | ≤ 10 | $(yes_no "$noop_tables" "<=" 10) |"
    echo "| (2) no-op incremental run: wall time | $noop_best s | < 1 s | $(yes_no "$noop_best" "<" 1) |"
    echo "| (3) one changed file: Graph API requests | $change_api | a handful (≤ 5) | $(yes_no "$change_api" "<=" 5) |"
    echo "| (3) one changed file: content downloads | $change_downloads| exactly 1 | $downloads_ok |"
    echo "| (3) one changed file: Table requests, wall time | $change_tables, $change_best s | — | — |"
  else
    echo "| (2) no-op incremental run, $large_files-file drive | not measured: the first sync never finished (see (4)) | ≤ 3 Graph, ≤ 10 Table, < 1 s | **no** |"
    echo "| (3) one changed file | not measured: the first sync never finished (see (4)) | a handful, 1 download | **no** |"
  fi
  echo "| (4) first sync of the $large_files-file drive: peak RSS | $large_rss MB | < 300 MB | $(yes_no "$large_rss" "<" 300) |"
  if ((resumes == 0)); then
    echo "| (4) first sync of the $large_files-file drive: wall time, one process | $large_s s | — | — |"
  elif ((large_done)); then
    echo "| (4) first sync of the $large_files-file drive: finishes in one process | **no**: exited $large_exit after $large_s s; $resumes resume(s) finished it, $large_total_s s in all | yes | **no** |"
  else
    echo "| (4) first sync of the $large_files-file drive: finishes | **no**: exited $large_exit after $large_s s; $resumes resume(s) exited too ($large_total_s s in all) | yes | **no** |"
  fi
  echo
  echo "Wall-clock seconds, process start to exit (.NET start-up included), best of $attempts for (1)-(3), one run for (4);"
  echo "request counts are the largest of the attempts; --parallel $parallel. Graph requests are counted by the server"
  echo "(/_dev/requests: API calls, plus downloads on its content host), Table requests by bench/count-proxy.js."
  echo
  echo "- All attempts (s): (1) ${times[first-small]}/ (2) ${times[noop]:-—}/ (3) ${times[change]:-—}"
  echo "- CPU seconds (user + system, lowest attempt): (1) $(best "${cpus[first-small]}"); (2) $(best "${cpus[noop]:-—}"); (3) $(best "${cpus[change]:-—}"); (4) ${cpus[first-large]% } (first process)"
  if ((large_done)); then
    echo "- Requests per attempt (Graph API / Table): (2) $(column 1 "$noops")/ $(column 5 "$noops"); (3) $(column 1 "$changes")/ $(column 5 "$changes")"
    echo "- (2) by kind: $(by_route noop-1)"
    echo "- (3) by kind: $(by_route change-1)"
  fi
  echo "- (1) requests: $small_api Graph API ($small_delta delta pages), $small_downloads downloads, $small_tables Table; peak RSS per attempt (MB): $(for k in ${rsss[first-small]}; do printf '%s ' "$(mb "$k")"; done)"
  echo "- (4) requests of the first process: $large_api Graph API ($large_delta delta pages), $large_downloads downloads, $large_tables Table; $large_items drive items"
  echo
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs ($cpu_model), $mem_total memory; load average before the run: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Versions: syncfn $commit; dotnet $(dotnet --version); Azurite $azurite_version (data $azurite_where); node $(node --version)"
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
log "written to bench/results/graph-latest.md"
