#!/usr/bin/env bash
# bench/serve.sh: the service benchmark of docs/benchmarks.md ("syncfn serve"). On one local Azurite, best of N:
#   (1) 2,000 small files through one `syncfn serve` (a run started over HTTP, timed from the POST to the end event)
#       against `syncfn sync` of the same data (process start to exit);
#   (2) the same through three `syncfn serve` processes on one task hub;
#   (3) activities per second of the orchestration (activities the run scheduled / its wall time);
#   (4) webhook-to-destination latency: one file edited in a loopback Graph drive (syncfn graph-dev) that a
#       subscribed pair mirrors to a local folder, from the upload's start to the new content in the folder;
#   (5) orchestration history rows of the run's instance once it ended, for the 2,000-file run and a 10,000-file run.
# Knobs: BENCH_ATTEMPTS (3), BENCH_WORKERS (16: serve --workers and sync --parallel), BENCH_TIMEOUT (600 s),
# BENCH_SYNCFN_DIR, BENCH_KEEP=1, BENCH_WORK (see bench/run.sh).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
attempts="${BENCH_ATTEMPTS:-3}"
parallel="${BENCH_WORKERS:-16}"
cmd_timeout="${BENCH_TIMEOUT:-600}"
small_count=2000 small_min=4096 small_max=65536
large_count=1 large_size=4096
bench_need_rclone=0

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

key="bench-key-$RANDOM$RANDOM"
# start_serve NAME HUB: starts `syncfn serve` on a free port, waits for its listening line, sets serve_url.
start_serve() {
  local name="$1" hub="$2" i
  mkdir -p "$work/home-serve"
  : >"$work/logs/$name.out"
  SYNCFN_HOME="$work/home-serve" SYNCFN_REPO="$repo" SYNCFN_API_KEY="$key" \
    dotnet "$syncfn_dll" serve --port 0 --storage "$conn" --workers "$parallel" --task-hub "$hub" \
    >"$work/logs/$name.out" 2>"$work/logs/$name.err" </dev/null &
  bench_pids+=($!)
  for ((i = 0; i < 600; i++)); do
    serve_url="$(sed -n 's/^serve listening on //p' "$work/logs/$name.out")"
    [[ -z "$serve_url" ]] || return 0
    kill -0 "${bench_pids[-1]}" 2>/dev/null || { cat "$work/logs/$name.err" >&2; die "$name exited"; }
    sleep 0.1
  done
  die "$name did not listen within 60 s"
}

api() { curl -sS --fail-with-body -H "x-functions-key: $key" "$@"; }

# serve_run NAME URL DATA CONTAINER: adds pair NAME (DATA -> CONTAINER), then times POST .../runs to the end event;
# sets seconds, run_id, run_status (the final status JSON); checks Succeeded and the blobs.
serve_run() {
  local name="$1" url="$2" data="$3" container="$4" t0 t1
  api -H 'content-type: application/json' -d "{\"name\":\"$name\",\"source\":\"$data\",\"destination\":\"blob:$container\"}" "$url/api/pairs" >/dev/null ||
    die "$name: adding the pair"
  t0="$(date +%s.%N)"
  run_id="$(api -X POST "$url/api/pairs/$name/runs" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')"
  timeout "$cmd_timeout" curl -sSN -H "x-functions-key: $key" "$url/api/runs/$run_id/events" | grep -q -m1 '^event: end' ||
    die "$name: no end event for run $run_id"
  t1="$(date +%s.%N)"
  seconds="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
  run_status="$(api "$url/api/runs/$run_id")"
  echo "$run_status" >"$work/logs/$name.status.json"
  node -e '
    const s = JSON.parse(process.argv[1]);
    if (s.runtimeStatus !== "Completed" || s.customStatus.status !== "Succeeded" || s.customStatus.failed !== 0) {
      console.error(JSON.stringify(s)); process.exit(1); }' "$run_status" || die "$name: run $run_id did not succeed"
  expect_blobs "$container" "$data"
}

status_field() { node -e 'const s = JSON.parse(process.argv[1]); const v = process.argv[2].split(".").reduce((o, k) => o?.[k], s); console.log(v ?? "");' "$run_status" "$1"; }

hub1="benchone$RANDOM" hub3="benchthree$RANDOM"
log "starting serve (1 process, hub $hub1) and serve x3 (hub $hub3)"
start_serve serve-one "$hub1"; url1="$serve_url"
start_serve serve-three-a "$hub3"; url3="$serve_url"
start_serve serve-three-b "$hub3"
start_serve serve-three-c "$hub3"

log "warm-up"
run_syncfn warmup-sync "$work/data-w" warmup-sync "$work/home-warmup" all
serve_run warmup-one "$url1" "$work/data-w" warmup-one
serve_run warmup-three "$url3" "$work/data-w" warmup-three

declare -A times
record() { times[$1]+="$seconds "; }
activities_per_s=() history_rows=()
for ((n = 1; n <= attempts; n++)); do
  run_syncfn "sync-$n" "$work/data-a" "sync-$n" "$work/home-sync-$n" all
  record sync
  serve_run "one-$n" "$url1" "$work/data-a" "one-$n"
  record one
  acts="$(status_field customStatus.activities)"
  [[ -z "$acts" ]] || activities_per_s+=("$(awk -v a="$acts" -v s="$seconds" 'BEGIN { printf "%.1f", a / s }')")
  history_rows+=("$(dotnet "$sdk_dll" rows "$conn" "${hub1}History" "$run_id")")
  serve_run "three-$n" "$url3" "$work/data-a" "three-$n"
  record three
  log "attempt $n (s): sync ${times[sync]}| serve ${times[one]}| serve x3 ${times[three]}"
done

log "seeding 10,000 files of 1-4 KiB for the history-size case"
timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$work/data-x" 10000 1024 4096 44 || die "seed (x)"
serve_run big "$url1" "$work/data-x" big
rows_10k="$(dotnet "$sdk_dll" rows "$conn" "${hub1}History" "$run_id")"
acts_10k="$(status_field customStatus.activities)"
secs_10k="$seconds"

# ---------------------------------------------------------------------------------------------- (4) webhook latency
log "(4) webhook latency: graph-dev, a serve on it, a subscribed drive pair"
: >"$work/logs/graph-dev.out"
dotnet "$syncfn_dll" graph-dev --port 0 --seed-files 20 </dev/null >"$work/logs/graph-dev.out" 2>"$work/logs/graph-dev.err" &
bench_pids+=($!)
for ((i = 0; i < 600; i++)); do
  line="$(head -n 1 "$work/logs/graph-dev.out")"
  [[ -z "$line" ]] || break
  sleep 0.1
done
[[ "$line" =~ ^graph-dev\ listening\ on\ (http://127\.0\.0\.1:[0-9]+/v1\.0)\ drive\ (.+)$ ]] || die "graph-dev did not start (got '$line')"
graph_url="${BASH_REMATCH[1]}" graph_drive="${BASH_REMATCH[2]}"
SYNCFN_GRAPH_URL="$graph_url" start_serve serve-hook "benchhook$RANDOM"; url_hook="$serve_url"
mkdir -p "$work/hook-dst"
api -H 'content-type: application/json' -d "{\"name\":\"hook\",\"source\":\"graph:$graph_drive\",\"destination\":\"$work/hook-dst\",\"subscribe\":true}" \
  "$url_hook/api/pairs" >/dev/null || die "adding the subscribed pair"
run_id="$(api -X POST "$url_hook/api/pairs/hook/runs" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')"
timeout "$cmd_timeout" curl -sSN -H "x-functions-key: $key" "$url_hook/api/runs/$run_id/events" | grep -q -m1 '^event: end' || die "first run of the drive pair"
latencies=()
for ((n = 1; n <= 5; n++)); do
  printf 'edited by bench/serve.sh, edit %d, %s\n' "$n" "$(date -u +%s.%N)" >"$work/edit-$n.txt"
  t0="$(date +%s.%N)"
  curl -sSf --max-time 30 -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' \
    --data-binary "@$work/edit-$n.txt" "$graph_url/drives/$graph_drive/root:/hook/edit.txt:/content" || die "uploading edit $n"
  for ((i = 0; ; i++)); do
    cmp -s "$work/edit-$n.txt" "$work/hook-dst/hook/edit.txt" && break
    ((i < 1200)) || die "edit $n did not reach the destination within 60 s"
    sleep 0.05
  done
  t1="$(date +%s.%N)"
  latencies+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
  log "(4) edit $n reached the destination after ${latencies[-1]} s"
  # Let the pair's runs settle (a notification can mark the pair for one more run) before the next edit.
  for ((i = 0; i < 600; i++)); do
    api "$url_hook/api/pairs/hook" | grep -q '"activeRunId"' || break
    sleep 0.1
  done
done
latency_median="$(printf '%s\n' "${latencies[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"

best() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | head -n1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
s_sync="$(best "${times[sync]}")" s_one="$(best "${times[one]}")" s_three="$(best "${times[three]}")"
mkdir -p "$repo/bench/results"
{
  echo "| case | seconds (best of $attempts) | vs sync | target | met? |"
  echo "| --- | ---: | ---: | --- | --- |"
  echo "| (1) 2000 files, \`syncfn sync --parallel $parallel\` | $s_sync | 1.00 | | |"
  r1="$(ratio "$s_one" "$s_sync")"
  echo "| (1) same, one \`serve --workers $parallel\` (POST to end event) | $s_one | $r1 | ≤ 1.15 | $(awk -v r="$r1" 'BEGIN { print (r <= 1.15) ? "yes" : "**no**" }') |"
  echo "| (2) same, three \`serve\` on one task hub | $s_three | $(ratio "$s_three" "$s_sync") | | |"
  echo
  echo "- all attempts (s): sync ${times[sync]}/ serve ${times[one]}/ serve x3 ${times[three]}"
  echo "- (3) activities per second of the 2,000-file runs: ${activities_per_s[*]:-(not reported)}; 10,000-file run: ${acts_10k:-?} activities in ${secs_10k} s"
  echo "- (4) webhook to destination, one edited file, 5 edits (s): ${latencies[*]}; median $latency_median (target < 3 s: $(awk -v m="$latency_median" 'BEGIN { print (m < 3) ? "met" : "**missed**" }'))"
  echo "- (5) history rows of the run's instance at its end: 2,000 files ${history_rows[*]}; 10,000 files $rows_10k"
  echo "- load average before: $load_before; commit $(git -C "$repo" rev-parse --short HEAD)"
} | tee "$repo/bench/results/serve-latest.md"
