#!/usr/bin/env bash
# Default revert hook of the rollout policy: `revert.sh MODULE BUILD`.
# tenantgate calls it in step 3 of the rollback playbook with the module and the build id of
# its last-known-good deployment. This default records the request (so an operator or a
# deploy pipeline watching the file can act on it) and succeeds; point the policy's
# `revertHook.command` at your deploy tool's undo to make the revert real.
set -euo pipefail
module="${1:?usage: revert.sh MODULE BUILD}"
build="${2:?usage: revert.sh MODULE BUILD}"
dir="${TENANTGATE_STATE_DIR:-.tenantgate}"
mkdir -p "$dir"
printf '{"time":"%s","module":"%s","build":"%s"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$module" "$build" >> "$dir/revert-requests.ndjson"
echo "revert of $module to build $build requested (recorded in $dir/revert-requests.ndjson)"
