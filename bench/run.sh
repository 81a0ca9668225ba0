#!/usr/bin/env bash
# bench/run.sh: the benchmark of docs/benchmarks.md. syncfn against rclone copy and a plain Azure SDK upload loop
# on one local Azurite, best of 3 per case, plus syncfn's peak RSS. Prints a Markdown table and writes it to
# bench/results/latest.md.
#
# Everything is built and seeded before any timing starts; the timed commands run the built programs directly.
# Knobs (environment): BENCH_ATTEMPTS (3), BENCH_PARALLEL (16), BENCH_TIMEOUT (seconds per command, 600),
# BENCH_SYNCFN_DIR (a folder holding an already built syncfn.dll: skips the ./syncfn build), BENCH_KEEP=1 (keep
# the temporary folder with the data and Azurite's files), BENCH_WORK (where that folder goes, default /tmp),
# BENCH_AZURITE_DIR (Azurite's data folder; default: a folder in /dev/shm when it has 6 GiB free, so the disk's
# write-back does not decide the large-file case, else one in the temporary folder).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
attempts="${BENCH_ATTEMPTS:-3}"
parallel="${BENCH_PARALLEL:-16}"
cmd_timeout="${BENCH_TIMEOUT:-600}"
small_count=2000 small_min=4096 small_max=65536
large_count=4 large_size=$((64 * 1024 * 1024))

log() { echo "bench: $*" >&2; }
die() { echo "bench: FAILED: $*" >&2; exit 1; }

work="$(mktemp -d "${BENCH_WORK:-/tmp}/syncfn-bench.XXXXXX")"
azurite_pid=""
azurite_tmpfs=""
cleanup() {
  local rc=$?
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
command -v rclone >/dev/null 2>&1 || need_apt+=(rclone)
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
if [[ -z "$azurite_dir" ]] && [[ -d /dev/shm ]] && (($(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > 6 * 1024 * 1024)); then
  azurite_dir="$(mktemp -d /dev/shm/syncfn-bench-azurite.XXXXXX)"
  azurite_tmpfs="$azurite_dir"
fi
azurite_dir="${azurite_dir:-$work/azurite}"
mkdir -p "$azurite_dir"
node "$azurite_js" --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
  --tableHost 127.0.0.1 --tablePort "$table_port" --location "$azurite_dir" --skipApiVersionCheck --loose --silent \
  --disableProductStyleUrl --disableTelemetry </dev/null >"$work/azurite.log" 2>&1 &
azurite_pid=$!
for port in "$blob_port" "$queue_port" "$table_port"; do
  for ((i = 0; ; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$azurite_pid" 2>/dev/null || { cat "$work/azurite.log" >&2; die "Azurite exited"; }
    ((i < 300)) || die "Azurite did not open port $port within 30 s"
    sleep 0.1
  done
done
endpoint="http://127.0.0.1:$blob_port/devstoreaccount1"
conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=$endpoint;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"
log "Azurite pid $azurite_pid on ports $blob_port/$queue_port/$table_port"

# ---------------------------------------------------------------------------------------------- data (seeded)
log "seeding data"
timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$work/data-a" "$small_count" "$small_min" "$small_max" 42 || die "seed (a)"
timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$work/data-b" "$large_count" "$large_size" "$large_size" 43 || die "seed (b)"
timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$work/data-w" 20 1024 65536 7 || die "seed (warm-up)"
dir_stats() { find "$1" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%d %d\n", n, b }'; }

# ---------------------------------------------------------------------------------------------- runners
export RCLONE_CONFIG="$work/rclone.conf"
: >"$RCLONE_CONFIG"
seconds=""  # set by timed: wall-clock seconds of the last command
cpu=""      # set by timed: CPU seconds (user + system) of the last command
rss_kb=""   # set by timed: maximum resident set size of the last command (KiB; the largest process of its tree)

# timed NAME CMD...: runs CMD under timeout and /usr/bin/time, stdout/stderr to $work/logs/NAME.{out,err}; fails loudly.
mkdir -p "$work/logs"
timed() {
  local name="$1" t0 t1 rc=0
  shift
  t0="$(date +%s.%N)"
  timeout "$cmd_timeout" /usr/bin/time -v -o "$work/logs/$name.time" "$@" >"$work/logs/$name.out" 2>"$work/logs/$name.err" || rc=$?
  t1="$(date +%s.%N)"
  if ((rc != 0)); then
    tail -n 20 "$work/logs/$name.err" >&2
    die "$name exited with $rc$( ((rc == 124)) && echo " (timeout after ${cmd_timeout}s)")"
  fi
  seconds="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
  cpu="$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$work/logs/$name.time")"
  rss_kb="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/logs/$name.time")"
}

# expect_blobs CONTAINER DATA: the container holds exactly the files of DATA (count and total bytes).
expect_blobs() {
  local got want
  got="$(timeout "$cmd_timeout" dotnet "$sdk_dll" count "$conn" "$1")" || die "counting blobs in $1"
  want="$(dir_stats "$2")"
  [[ "$got" == "$want" ]] || die "container $1 holds '$got' (blobs bytes), expected '$want'"
}

# run_syncfn NAME DATA CONTAINER HOME EXPECT_BYTES: one syncfn sync, timed, checked (outcome Succeeded, blobs, bytes).
# EXPECT_BYTES is "all" (first run) or 0 (no-op re-run).
run_syncfn() {
  local name="$1" data="$2" container="$3" home="$4" expect="$5" summary
  mkdir -p "$home"
  SYNCFN_HOME="$home" SYNCFN_REPO="$repo" timed "$name" \
    dotnet "$syncfn_dll" sync "$data" "blob:$container" --storage "$conn" --parallel "$parallel" --json
  summary="$(node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log([j.outcome, j.total, j.failed, j.skipped, j.bytesTransferred].join(" "));' "$work/logs/$name.out")" ||
    die "$name: stdout is not the JSON summary (see $work/logs/$name.out)"
  read -r outcome total failed skipped bytes <<<"$summary"
  [[ "$outcome" == Succeeded && "$failed" == 0 && "$skipped" == 0 ]] ||
    die "$name: outcome $outcome, failed $failed, skipped $skipped (see $work/logs/$name.out)"
  local want_bytes
  want_bytes="$(dir_stats "$data" | cut -d' ' -f2)"
  [[ "$expect" == all ]] || want_bytes="$expect"
  [[ "$bytes" == "$want_bytes" ]] || die "$name: bytesTransferred $bytes, expected $want_bytes"
  expect_blobs "$container" "$data"
}

run_rclone() { # NAME DATA CONTAINER
  timed "$1" rclone copy --transfers "$parallel" --checkers "$parallel" --stats-log-level NOTICE --stats 1h \
    "$2" ":azureblob,use_emulator=true,endpoint='$endpoint':$3"
  expect_blobs "$3" "$2"
}

run_sdk() { # NAME DATA CONTAINER [BLOCK_BYTES]
  timed "$1" dotnet "$sdk_dll" upload "$2" "$conn" "$3" "$parallel" ${4:+"$4"}
  expect_blobs "$3" "$2"
}

# ---------------------------------------------------------------------------------------------- warm-up (untimed)
# Azurite's first requests (and the ledger tables' creation) are slower; none of that belongs to one tool.
log "warm-up"
run_syncfn warmup-syncfn "$work/data-w" warmup-syncfn "$work/home-warmup" all
run_rclone warmup-rclone "$work/data-w" warmup-rclone
run_sdk warmup-sdk "$work/data-w" warmup-sdk

# ---------------------------------------------------------------------------------------------- cases
declare -A times cpus
# record KEY: appends the last command's wall-clock and CPU seconds to KEY's attempts.
record() { times[$1]+="$seconds "; cpus[$1]+="$cpu "; }
rss_a=0 rss_b=0
block_ref=$((4 * 1024 * 1024))
for case in a b; do
  for ((n = 1; n <= attempts; n++)); do
    # The tools take turns within an attempt, so a slow phase of the machine does not hit one tool only.
    run_syncfn "$case-syncfn-$n" "$work/data-$case" "$case-syncfn-$n" "$work/home-$case-$n" all
    record "$case-syncfn"
    if [[ $case == a ]]; then
      if ((rss_kb > rss_a)); then rss_a=$rss_kb; fi
    elif ((rss_kb > rss_b)); then
      rss_b=$rss_kb
    fi
    run_rclone "$case-rclone-$n" "$work/data-$case" "$case-rclone-$n"
    record "$case-rclone"
    run_sdk "$case-sdk-$n" "$work/data-$case" "$case-sdk-$n"
    record "$case-sdk"
    if [[ $case == b ]]; then
      # Reference only: the SDK loop with 4 MiB staged blocks, the transfer shape of syncfn and rclone.
      run_sdk "b-sdkblocks-$n" "$work/data-b" "b-sdkblocks-$n" "$block_ref"
      record b-sdkblocks
    fi
    log "($case) attempts so far (s): syncfn ${times[$case-syncfn]}| rclone ${times[$case-rclone]}| SDK ${times[$case-sdk]}"
  done
done
# (c) no-op: attempt n re-runs on the container (and SYNCFN_HOME) of (a)'s attempt n, so each is a first re-run.
for ((n = 1; n <= attempts; n++)); do
  run_syncfn "c-syncfn-$n" "$work/data-a" "a-syncfn-$n" "$work/home-a-$n" 0
  record c-syncfn
  run_rclone "c-rclone-$n" "$work/data-a" "a-rclone-$n"
  grep -Eq 'Transferred:[[:space:]]+0 B / 0 B,' "$work/logs/c-rclone-$n.err" ||
    die "c-rclone-$n: rclone transferred files on a no-op re-run (see $work/logs/c-rclone-$n.err)"
  record c-rclone
  log "(c) attempts so far (s): syncfn ${times[c-syncfn]}| rclone ${times[c-rclone]}"
done

# ---------------------------------------------------------------------------------------------- report
# best "V1 V2 ...": the smallest (word splitting of the recorded attempts is intended).
# shellcheck disable=SC2086
best() { printf '%s\n' $1 | sort -g | head -n 1; }
bt() { best "${times[$1]}"; }
bc() { best "${cpus[$1]}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "—"; else printf "%.2f", a / b }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "—" && a + 0 <= b + 0) }'; }
yes_no() { if "$@"; then echo yes; else echo "**no**"; fi; }
both() { "$1" "$2" "$3" && "$1" "$4" "$5"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }'; }

a_s="$(bt a-syncfn)" a_r="$(bt a-rclone)" a_k="$(bt a-sdk)"
b_s="$(bt b-syncfn)" b_r="$(bt b-rclone)" b_k="$(bt b-sdk)"
c_s="$(bt c-syncfn)" c_r="$(bt c-rclone)"
a_sr="$(ratio "$a_s" "$a_r")" a_sk="$(ratio "$a_s" "$a_k")"
b_sr="$(ratio "$b_s" "$b_r")" b_sk="$(ratio "$b_s" "$b_k")"
c_sr="$(ratio "$c_s" "$c_r")"
rss_max=$((rss_a > rss_b ? rss_a : rss_b))

mem_total="$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
cpu_model="$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
azurite_version="$(node -p 'require(process.argv[1]).version' "$repo/tools/azurite/node_modules/azurite/package.json")"
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -z "$(git -C "$repo" status --porcelain -- src 2>/dev/null)" ]] || commit="$commit + uncommitted changes in src/"
azurite_where="$([[ -n "$azurite_tmpfs" ]] && echo "tmpfs (/dev/shm)" || echo "$azurite_dir")"

mkdir -p "$repo/bench/results"
out="$repo/bench/results/latest.md"
{
  echo "| case | syncfn s | rclone s | SDK loop s | syncfn/rclone | syncfn/SDK | target | met? |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"
  echo "| (a) $small_count files of 4–64 KiB | $a_s | $a_r | $a_k | $a_sr | $a_sk | syncfn/rclone ≤ 0.50 and syncfn/SDK ≤ 1.30 | $(yes_no both le "$a_sr" 0.5 "$a_sk" 1.3) |"
  echo "| (b) $large_count files of 64 MiB | $b_s | $b_r | $b_k | $b_sr | $b_sk | syncfn/SDK ≤ 1.10 | $(yes_no le "$b_sk" 1.1) |"
  echo "| (c) no-op re-run of (a) | $c_s | $c_r | — | $c_sr | — | syncfn/rclone ≤ 1.00 | $(yes_no le "$c_sr" 1.0) |"
  echo
  echo "(d) peak RSS of syncfn (maximum resident set size): $(mb "$rss_a") MB during (a), $(mb "$rss_b") MB during (b); target < 200 MB: $(yes_no le "$(mb "$rss_max")" 199)"
  echo
  echo "Best of $attempts wall-clock seconds per cell (process start to exit, .NET start-up included); --parallel, --transfers and --checkers $parallel."
  echo
  echo "- All attempts (s): (a) syncfn ${times[a-syncfn]}/ rclone ${times[a-rclone]}/ SDK ${times[a-sdk]}; (b) syncfn ${times[b-syncfn]}/ rclone ${times[b-rclone]}/ SDK ${times[b-sdk]}; (c) syncfn ${times[c-syncfn]}/ rclone ${times[c-rclone]}"
  echo "- CPU seconds (user + system, lowest attempt): (a) syncfn $(bc a-syncfn), rclone $(bc a-rclone), SDK $(bc a-sdk); (b) syncfn $(bc b-syncfn), rclone $(bc b-rclone), SDK $(bc b-sdk); (c) syncfn $(bc c-syncfn), rclone $(bc c-rclone)"
  echo "- Reference for (b): the SDK loop with 4 MiB staged blocks (4 in flight per file, the transfer shape of syncfn and rclone): best $(bt b-sdkblocks) s (attempts ${times[b-sdkblocks]}); syncfn/that = $(ratio "$b_s" "$(bt b-sdkblocks)")"
  echo
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs ($cpu_model), $mem_total memory; load average before the run: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Versions: syncfn $commit; dotnet $(dotnet --version); $(rclone version 2>/dev/null | head -n 1); Azurite $azurite_version (data on $azurite_where); node $(node --version)"
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
log "written to bench/results/latest.md"
