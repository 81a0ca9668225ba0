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

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

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

# The run steps' own overhead: 20,000 empty files (200 work items of 100) through the in-process driver over the
# in-memory ledger and stores of the unit tests; no storage request is timed.
log "steps overhead (bench/StepsOverhead, in memory)"
timeout 900 dotnet build "$repo/bench/StepsOverhead" -c Release -nologo -v q -o "$work/steps-bin" >"$work/steps-build.log" 2>&1 || { tail -n 30 "$work/steps-build.log" >&2; die "StepsOverhead build"; }
steps_out="$(timeout 600 dotnet "$work/steps-bin/StepsOverhead.dll" 20000 16)" || die "StepsOverhead"
steps_best="$(sed -n 's/.*: \([0-9]*\) work items\/s.*/\1/p' <<<"$steps_out" | sort -n | tail -n 1)"

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
  echo "- Steps overhead (in memory, no storage): best $steps_best work items of 100 empty files per second through the in-process dispatcher ($(tr '\n' ';' <<<"$steps_out"))"
  echo "- Reference for (b): the SDK loop with 4 MiB staged blocks (4 in flight per file, the transfer shape of syncfn and rclone): best $(bt b-sdkblocks) s (attempts ${times[b-sdkblocks]}); syncfn/that = $(ratio "$b_s" "$(bt b-sdkblocks)")"
  echo
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs ($cpu_model), $mem_total memory; load average before the run: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Versions: syncfn $commit; dotnet $(dotnet --version); $(rclone version 2>/dev/null | head -n 1); Azurite $azurite_version (data on $azurite_where); node $(node --version)"
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
log "written to bench/results/latest.md"
