#!/usr/bin/env bash
# bench/delta.sh: the block-level delta benchmark of docs/benchmarks.md (issue 9). One 1 GiB local file mirrored into a
# Blob container on a local Azurite by syncfn and by rclone copy; then 1 MiB in its middle is rewritten and both run
# again. Reports time and bytes sent for both runs (syncfn: bytesTransferred of its --json summary; rclone: the bytes
# of its final stats), and checks both containers hold the edited file. Prints a Markdown table and writes it to
# bench/results/delta.md.
#
# Knobs: BENCH_TIMEOUT (seconds per command, 1200), BENCH_KEEP=1, BENCH_WORK, BENCH_AZURITE_DIR, BENCH_SYNCFN_DIR
# (as bench/run.sh), BENCH_SCALE (1: 1 GiB; 0.25: 256 MiB).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd_timeout="${BENCH_TIMEOUT:-1200}"
parallel=16
scale="${BENCH_SCALE:-1}"
bench_seed=0

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

mib=$((1024 * 1024))
size="$(awk -v s="$scale" -v m="$mib" 'BEGIN { printf "%d", int(1024 * s) * m }')"
data="$work/data"
log "seeding one file of $size bytes"
timeout "$cmd_timeout" dotnet "$sdk_dll" seed "$data" 1 "$size" "$size" 44 >/dev/null || die "seed"
big="$(find "$data" -type f | head -n 1)"
home="$work/home"
mkdir -p "$home"
syncfn_cmd=(env SYNCFN_HOME="$home" dotnet "$syncfn_dll")
rclone_target=":azureblob,use_emulator=true,endpoint='$endpoint':delta-rclone"

# rclone_bytes NAME: the bytes rclone's last stats line (JSON log) says it transferred.
rclone_bytes() {
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(l => l.includes("\"stats\""));
    if (!lines.length) process.exit(1);
    console.log(JSON.parse(lines[lines.length - 1]).stats.bytes);' "$work/logs/$1.err" || die "$1: no stats line (see $work/logs/$1.err)"
}
unchanged_bytes() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).unchangedBytes ?? 0)' "$work/logs/$1.out"; }
run_rclone_json() { # NAME
  timed "$1" rclone copy --transfers "$parallel" --checkers "$parallel" --use-json-log --stats-log-level NOTICE --stats 1h \
    "$data" "$rclone_target"
}

declare -A t b u
log "initial mirror: syncfn"
timed syncfn-initial "${syncfn_cmd[@]}" sync "$data" blob:delta-syncfn --storage "$conn" --parallel "$parallel" --json
syncfn_summary syncfn-initial
t[syncfn-initial]=$seconds b[syncfn-initial]=$bytes
log "initial mirror: rclone"
run_rclone_json rclone-initial
t[rclone-initial]=$seconds b[rclone-initial]="$(rclone_bytes rclone-initial)"

# Not on a 16 MiB segment boundary (where a cut is forced anyway): 5 MiB and 333 KiB past the middle.
edit_kib=$((size / 1024 / 2 + 5 * 1024 + 333))
log "rewriting 1 MiB at KiB $edit_kib (the middle of the file and a bit)"
dd if=/dev/urandom of="$big" bs=1024 count=1024 seek="$edit_kib" conv=notrunc status=none
log "mirror after the edit: syncfn"
timed syncfn-edit "${syncfn_cmd[@]}" sync "$data" blob:delta-syncfn --storage "$conn" --parallel "$parallel" --json
syncfn_summary syncfn-edit
t[syncfn-edit]=$seconds b[syncfn-edit]=$bytes u[syncfn-edit]="$(unchanged_bytes syncfn-edit)"
log "mirror after the edit: rclone"
run_rclone_json rclone-edit
t[rclone-edit]=$seconds b[rclone-edit]="$(rclone_bytes rclone-edit)"
expect_blobs delta-syncfn "$data"
expect_blobs delta-rclone "$data"

# Both containers must hold the edited bytes, not only the right length.
want="$(sha256sum "$big" | cut -d' ' -f1)"
for c in delta-syncfn delta-rclone; do
  got="$(timeout "$cmd_timeout" rclone cat ":azureblob,use_emulator=true,endpoint='$endpoint':$c/${big#"$data"/}" | sha256sum | cut -d' ' -f1)"
  [[ "$got" == "$want" ]] || die "$c holds other bytes than the edited file"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b == 0 ? 0 : a / b) }'; }
mibs() { awk -v a="$1" 'BEGIN { printf "%.1f MiB", a / 1048576 }'; }
mkdir -p "$repo/bench/results"
{
  echo "| block-level delta, one $(mibs "$size") file to a Blob mirror | syncfn | rclone copy | syncfn / rclone |"
  echo "|---|---|---|---|"
  echo "| initial mirror, s | ${t[syncfn-initial]} | ${t[rclone-initial]} | $(ratio "${t[syncfn-initial]}" "${t[rclone-initial]}") |"
  echo "| bytes sent by the initial mirror | $(mibs "${b[syncfn-initial]}") | $(mibs "${b[rclone-initial]}") | $(ratio "${b[syncfn-initial]}" "${b[rclone-initial]}") |"
  echo "| mirror after 1 MiB rewritten at KiB $edit_kib, s | ${t[syncfn-edit]} | ${t[rclone-edit]} | $(ratio "${t[syncfn-edit]}" "${t[rclone-edit]}") |"
  echo "| bytes sent after the edit | $(mibs "${b[syncfn-edit]}") | $(mibs "${b[rclone-edit]}") | $(ratio "${b[syncfn-edit]}" "${b[rclone-edit]}") |"
  echo
  echo "syncfn left $(mibs "${u[syncfn-edit]}") of the edited file unsent (committed by id); load before: $load_before; Azurite data in ${azurite_dir}."
} | tee "$repo/bench/results/delta.md"
