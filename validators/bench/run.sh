#!/usr/bin/env bash
# Measures stripe-contract (on .ndjson, .ndjson.gz and .ndjson.zst) against
# encoding/json.Valid, ajv (one process and two worker threads) and plain
# jsonschema/v5 on the same generated files (invoice_payment lines and mixed
# lines of many kinds), in one run, on one and two cores, and prints one
# table with each method's peak RSS.
# Installs ajv with npm into this folder only (node_modules is git-ignored).
#
#   validators/bench/run.sh [LINES [MIXED_LINES]]      (default 100000 20000)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lines="${1:-100000}"
mixed_lines="${2:-20000}"

command -v node >/dev/null || { echo "run.sh: node is needed for ajv" >&2; exit 2; }
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

mkdir -p "$here/data"
cd "$root"
go build -o "$here/data/stripe-contract" ./cmd/stripe-contract
# compare starts copies of itself (-child), so it is built, not go run.
go build -o "$here/data/compare" ./validators/bench/compare
# ajv reads the files of the newest embedded API version (schemas/<version>/).
newest="$(ls -d "$root"/schemas/[0-9]*/ | sort | tail -n 1)"
"$here/data/compare" -lines "$lines" -mixed-lines "$mixed_lines" -binary "$here/data/stripe-contract" \
  -data "$here/data" -bench "$here" -schemas "$newest"
if [ -n "${BIG_GB:-}" ]; then
  # Memory on a multi-GB file (streamed): BIG_GB=2 validators/bench/run.sh
  "$here/data/compare" -big "$BIG_GB" -binary "$here/data/stripe-contract" -data "$here/data"
fi
