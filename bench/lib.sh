# bench/lib.sh: set-up and runners shared by bench/run.sh and bench/profile.sh (sourced, not run).
# Expects: repo, cmd_timeout, parallel, small_*, large_* set; optional azurite_extra_args (array) for Azurite.
# Optional (bench/graph.sh): bench_need_rclone=0 (no rclone needed), bench_seed=0 (no $work/data-*; small_* and
# large_* then need not be set), azurite_in_memory=1 (Azurite with --inMemoryPersistence instead of a data folder).
# Provides: work (temporary folder, removed at exit), conn, endpoint, table_port, syncfn_dll, sdk_dll, the seeded
# $work/data-{a,b,w}, the runners timed / run_syncfn / run_rclone / run_sdk, the checks expect_blobs /
# expect_blob_stats / syncfn_summary, and bench_pids (processes the script started; stopped at exit).

log() { echo "bench: $*" >&2; }
die() { echo "bench: FAILED: $*" >&2; exit 1; }

work="$(mktemp -d "${BENCH_WORK:-/tmp}/syncfn-bench.XXXXXX")"
azurite_pid=""
azurite_tmpfs=""
bench_pids=()
cleanup() {
  local rc=$? pid
  for pid in ${bench_pids[@]+"${bench_pids[@]}"}; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$azurite_pid" ]] && kill -0 "$azurite_pid" 2>/dev/null; then
    kill "$azurite_pid" 2>/dev/null || true
    wait "$azurite_pid" 2>/dev/null || true
  fi
  [[ -z "$azurite_tmpfs" ]] || rm -rf "$azurite_tmpfs"
  if [[ "${BENCH_KEEP:-0}" == 1 || $rc -ne 0 ]]; then
    log "kept $work (logs of every command are there)"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------- tools
need_apt=()
[[ "${bench_need_rclone:-1}" != 1 ]] || command -v rclone >/dev/null 2>&1 || need_apt+=(rclone)
[[ -x /usr/bin/time ]] || need_apt+=(time)
if ((${#need_apt[@]})); then
  log "installing ${need_apt[*]} (apt)"
  timeout 600 apt-get update -qq >"$work/apt.log" 2>&1 || die "apt-get update (see $work/apt.log)"
  timeout 600 apt-get install -y -qq "${need_apt[@]}" >>"$work/apt.log" 2>&1 || die "apt-get install ${need_apt[*]} (see $work/apt.log)"
fi
command -v node >/dev/null 2>&1 || die "node is needed (Azurite)"
command -v dotnet >/dev/null 2>&1 || die "dotnet is needed"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------- build (untimed)
if [[ -n "${BENCH_SYNCFN_DIR:-}" ]]; then
  syncfn_src="$BENCH_SYNCFN_DIR"
else
  log "building syncfn (./syncfn --help: Release build into .build/syncfn, installs Azurite when missing)"
  timeout 900 "$repo/syncfn" --help >"$work/syncfn-build.log" 2>&1 || { tail -n 30 "$work/syncfn-build.log" >&2; die "./syncfn --help"; }
  syncfn_src="$repo/.build/syncfn"
fi
[[ -f "$syncfn_src/syncfn.dll" ]] || die "no syncfn.dll in $syncfn_src"
# A private copy: a rebuild of .build/syncfn by someone else during the benchmark cannot swap the program.
cp -r "$syncfn_src" "$work/syncfn-bin"
syncfn_dll="$work/syncfn-bin/syncfn.dll"

log "building bench/SdkUpload (Release)"
if [[ -n "${SYNCFN_ARTIFACTS:-}" ]]; then
  timeout 900 dotnet build "$repo/bench/SdkUpload" -c Release -nologo -v q >"$work/sdk-build.log" 2>&1 || { tail -n 30 "$work/sdk-build.log" >&2; die "SdkUpload build"; }
  cp -r "$SYNCFN_ARTIFACTS/bin/SdkUpload/release" "$work/sdk-bin"
else
  timeout 900 dotnet build "$repo/bench/SdkUpload" -c Release -nologo -v q -o "$work/sdk-bin" >"$work/sdk-build.log" 2>&1 || { tail -n 30 "$work/sdk-build.log" >&2; die "SdkUpload build"; }
fi
sdk_dll="$work/sdk-bin/SdkUpload.dll"
[[ -f "$sdk_dll" ]] || die "no SdkUpload.dll"

azurite_js="$repo/tools/azurite/node_modules/azurite/dist/src/azurite.js"
if [[ ! -f "$azurite_js" ]]; then
  log "installing Azurite from tools/azurite/package-lock.json"
  timeout 600 npm ci --no-audit --no-fund --loglevel=error --prefix "$repo/tools/azurite" >&2 || die "npm ci"
fi

# ---------------------------------------------------------------------------------------------- Azurite
read -r blob_port queue_port table_port < <(node -e '
  const net = require("net"); const servers = [0, 1, 2].map(() => net.createServer()); const ports = [];
  servers.forEach(s => s.listen(0, "127.0.0.1", () => { ports.push(s.address().port);
    if (ports.length === 3) { console.log(ports.join(" ")); servers.forEach(x => x.close()); } }));')
azurite_dir="${BENCH_AZURITE_DIR:-}"
if [[ "${azurite_in_memory:-0}" == 1 ]]; then
  azurite_dir="(in memory)"
  azurite_storage_args=(--inMemoryPersistence)
elif [[ -z "$azurite_dir" ]] && [[ -d /dev/shm ]] && (($(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > 6 * 1024 * 1024)); then
  azurite_dir="$(mktemp -d /dev/shm/syncfn-bench-azurite.XXXXXX)"
  azurite_tmpfs="$azurite_dir"
fi
if [[ "${azurite_in_memory:-0}" != 1 ]]; then
  azurite_dir="${azurite_dir:-$work/azurite}"
  mkdir -p "$azurite_dir"
  azurite_storage_args=(--location "$azurite_dir")
fi
# start_azurite: starts Azurite on the ports above and waits until it listens (called once here).
start_azurite() {
  node "$azurite_js" --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
    --tableHost 127.0.0.1 --tablePort "$table_port" "${azurite_storage_args[@]}" --skipApiVersionCheck --loose --silent \
    --disableProductStyleUrl --disableTelemetry ${azurite_extra_args[@]+"${azurite_extra_args[@]}"} </dev/null >>"$work/azurite.log" 2>&1 &
  azurite_pid=$!
  local port i
  for port in "$blob_port" "$queue_port" "$table_port"; do
    for ((i = 0; ; i++)); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      kill -0 "$azurite_pid" 2>/dev/null || { cat "$work/azurite.log" >&2; die "Azurite exited"; }
      ((i < 300)) || die "Azurite did not open port $port within 30 s"
      sleep 0.1
    done
  done
}

# restart_azurite: an empty Azurite on the same ports (with azurite_in_memory=1 only: a data folder is kept as is).
restart_azurite() {
  [[ "${azurite_in_memory:-0}" == 1 ]] || die "restart_azurite needs azurite_in_memory=1"
  kill "$azurite_pid" 2>/dev/null || true
  wait "$azurite_pid" 2>/dev/null || true
  start_azurite
  log "Azurite restarted (pid $azurite_pid), empty"
}

start_azurite
endpoint="http://127.0.0.1:$blob_port/devstoreaccount1"
conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=$endpoint;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"
log "Azurite pid $azurite_pid on ports $blob_port/$queue_port/$table_port"

# ---------------------------------------------------------------------------------------------- data (seeded)
if [[ "${bench_seed:-1}" == 1 ]]; then
  log "seeding data"
  timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$work/data-a" "$small_count" "$small_min" "$small_max" 42 || die "seed (a)"
  timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$work/data-b" "$large_count" "$large_size" "$large_size" 43 || die "seed (b)"
  timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$work/data-w" 20 1024 65536 7 || die "seed (warm-up)"
fi
dir_stats() { find "$1" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%d %d\n", n, b }'; }

# ---------------------------------------------------------------------------------------------- runners
export RCLONE_CONFIG="$work/rclone.conf"
: >"$RCLONE_CONFIG"
seconds=""  # set by timed: wall-clock seconds of the last command
cpu=""      # set by timed: CPU seconds (user + system) of the last command
rss_kb=""   # set by timed: maximum resident set size of the last command (KiB; the largest process of its tree)
exit_code=0 # set by timed: the exit code of the last command (non-zero only when timed_may_fail=1)
timed_may_fail=0

# after_run: called by the runners right after the timed command, before their checks (bench/profile.sh
# marks the end of the profiled requests there).
after_run() { :; }

# timed NAME CMD...: runs CMD under timeout and /usr/bin/time, stdout/stderr to $work/logs/NAME.{out,err}; fails loudly
# on a non-zero exit unless timed_may_fail=1 (then the caller checks exit_code).
mkdir -p "$work/logs"
timed() {
  local name="$1" t0 t1 rc=0 az0 az1
  shift
  az0="$(azurite_ticks)"
  t0="$(date +%s.%N)"
  # time wraps timeout (not the other way round) so that a timeout ends the command itself, not just time.
  /usr/bin/time -v -o "$work/logs/$name.time" timeout "$cmd_timeout" "$@" >"$work/logs/$name.out" 2>"$work/logs/$name.err" || rc=$?
  t1="$(date +%s.%N)"
  az1="$(azurite_ticks)"
  exit_code=$rc
  if ((rc != 0 && timed_may_fail != 1)); then
    tail -n 20 "$work/logs/$name.err" >&2
    die "$name exited with $rc$( ((rc == 124)) && echo " (timeout after ${cmd_timeout}s)")"
  fi
  seconds="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
  cpu="$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$work/logs/$name.time")"
  rss_kb="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/logs/$name.time")"
  azurite_cpu="$(awk -v a="$az0" -v b="$az1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')"
}

# azurite_ticks: the CPU time (user + system, in clock ticks) Azurite's node process has used so far; 0 without one.
azurite_ticks() {
  if [[ -n "$azurite_pid" && -r "/proc/$azurite_pid/stat" ]]; then
    awk '{ print $14 + $15 }' "/proc/$azurite_pid/stat"
  else
    echo 0
  fi
}

# expect_blob_stats CONTAINER "FILES BYTES": the container holds exactly that many blobs of that total size.
expect_blob_stats() {
  local got
  got="$(timeout "$cmd_timeout" dotnet "$sdk_dll" count "$conn" "$1")" || die "counting blobs in $1"
  [[ "$got" == "$2" ]] || die "container $1 holds '$got' (blobs bytes), expected '$2'"
}

# expect_blobs CONTAINER DATA: the container holds exactly the files of DATA (count and total bytes).
expect_blobs() { expect_blob_stats "$1" "$(dir_stats "$2")"; }

# syncfn_summary NAME: reads syncfn's --json summary of run NAME into outcome, total, failed, skipped and bytes, and
# fails unless the run Succeeded with no failed or skipped item.
syncfn_summary() {
  local name="$1" summary
  summary="$(node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log([j.outcome, j.total, j.failed, j.skipped, j.bytesTransferred].join(" "));' "$work/logs/$name.out")" ||
    die "$name: stdout is not the JSON summary (see $work/logs/$name.out)"
  read -r outcome total failed skipped bytes <<<"$summary"
  [[ "$outcome" == Succeeded && "$failed" == 0 && "$skipped" == 0 ]] ||
    die "$name: outcome $outcome, failed $failed, skipped $skipped (see $work/logs/$name.out)"
}

# run_syncfn NAME DATA CONTAINER HOME EXPECT_BYTES: one syncfn sync, timed, checked (outcome Succeeded, blobs, bytes).
# EXPECT_BYTES is "all" (first run) or 0 (no-op re-run).
run_syncfn() {
  local name="$1" data="$2" container="$3" home="$4" expect="$5"
  mkdir -p "$home"
  SYNCFN_HOME="$home" SYNCFN_REPO="$repo" timed "$name" \
    dotnet "$syncfn_dll" sync "$data" "blob:$container" --storage "$conn" --parallel "$parallel" --json
  after_run
  syncfn_summary "$name"
  local want_bytes
  want_bytes="$(dir_stats "$data" | cut -d' ' -f2)"
  [[ "$expect" == all ]] || want_bytes="$expect"
  [[ "$bytes" == "$want_bytes" ]] || die "$name: bytesTransferred $bytes, expected $want_bytes"
  expect_blobs "$container" "$data"
}

run_rclone() { # NAME DATA CONTAINER
  timed "$1" rclone copy --transfers "$parallel" --checkers "$parallel" --stats-log-level NOTICE --stats 1h \
    "$2" ":azureblob,use_emulator=true,endpoint='$endpoint':$3"
  after_run
  expect_blobs "$3" "$2"
}

run_sdk() { # NAME DATA CONTAINER [BLOCK_BYTES]
  timed "$1" dotnet "$sdk_dll" upload "$2" "$conn" "$3" "$parallel" ${4:+"$4"}
  after_run
  expect_blobs "$3" "$2"
}

