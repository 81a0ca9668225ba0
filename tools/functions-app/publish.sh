#!/usr/bin/env bash
# Publishes the Functions app (src/SyncFunctions.App) to a folder, checks that the folder is deployable, and zips it
# for zip deploy:
#   tools/functions-app/publish.sh [OUT_DIR]        (default: .build/functions-app; the zip is OUT_DIR.zip)
# Never pass -p:TreatWarningsAsErrors=true here: it flows into the SDK's inner WorkerExtensions build and fails it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$repo/.build/functions-app}"
out="$(mkdir -p "$out" && cd "$out" && pwd)"

dotnet publish "$repo/src/SyncFunctions.App" -c Release -o "$out" -nologo

missing=0
for file in functions.metadata host.json worker.config.json extensions.json SyncFunctions.App.dll .azurefunctions/Microsoft.Azure.WebJobs.Extensions.DurableTask.dll; do
  if [[ ! -f "$out/$file" ]]; then
    echo "publish.sh: $file is missing from $out" >&2
    missing=1
  fi
done
if ! cmp -s "$repo/host.json" "$out/host.json"; then
  echo "publish.sh: $out/host.json differs from the repository's host.json" >&2
  missing=1
fi
[[ "$missing" -eq 0 ]] || exit 1

rm -f "$out.zip"
if command -v zip >/dev/null; then
  (cd "$out" && zip -qr "$out.zip" .)
else
  python3 -c 'import shutil, sys; shutil.make_archive(sys.argv[1], "zip", sys.argv[2])' "$out" "$out"
fi
echo "publish.sh: $(grep -c '"entryPoint"' "$out/functions.metadata") functions in $out; zip: $out.zip"
