#!/usr/bin/env bash
# Runs the whole test suite (unit + Azurite-backed integration tests) and ends with the line
#   tests: N passed, N failed, N skipped
# counted from the .trx files this run wrote. Extra arguments go to `dotnet test` (e.g. --filter ...).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$repo"

if [[ ! -d tools/azurite/node_modules/azurite ]]; then
  echo "test.sh: installing Azurite from tools/azurite/package-lock.json..." >&2
  npm ci --no-audit --no-fund --loglevel=error --prefix tools/azurite >&2
fi

results="$repo/TestResults/$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$results"

set +e
dotnet test SyncFunctions.sln -c Release -nologo \
  --logger "trx;LogFilePrefix=r" \
  --results-directory "$results" \
  --blame-hang --blame-hang-timeout 5m --blame-hang-dump-type none \
  "$@"
status=$?
set -e

# Sum the Counters of every .trx this run wrote (one per test project). Node is a prerequisite anyway
# (Azurite), so it parses the XML attributes here; no other tool is assumed.
summary="$(node - "$results" <<'JS'
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const files = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p); else if (e.name.endsWith('.trx')) files.push(p);
  }
})(dir);
let passed = 0, failed = 0, skipped = 0;
for (const f of files) {
  const m = fs.readFileSync(f, 'utf8').match(/<Counters\b[^>]*>/);
  if (!m) continue;
  const n = (name) => { const a = m[0].match(new RegExp('\\b' + name + '="(\\d+)"')); return a ? Number(a[1]) : 0; };
  passed += n('passed');
  failed += n('failed') + n('error') + n('timeout') + n('aborted');
  // xUnit's skipped tests are not counted as notExecuted: they are the ones total - executed.
  skipped += Math.max(n('notExecuted'), n('total') - n('executed')) + n('inconclusive') + n('notRunnable');
}
console.log(`${files.length} ${passed} ${failed} ${skipped}`);
JS
)"
read -r files passed failed skipped <<<"$summary"

if [[ "$files" -eq 0 ]]; then
  echo "test.sh: no test results were written (build failure?); dotnet test exited $status" >&2
  [[ "$status" -eq 0 ]] && status=1
elif [[ "$status" -ne 0 && "$failed" -eq 0 ]]; then
  echo "test.sh: dotnet test exited $status although no test failed (a test host crashed or a project failed to build)" >&2
fi
echo "test.sh: results in $results" >&2

echo "tests: $passed passed, $failed failed, $skipped skipped"
if [[ "$failed" -gt 0 ]]; then
  exit 1
fi
exit "$status"
