#!/usr/bin/env bash
# Trims the GPU bundle that ../shared/gpu/stage.sh makes (.gpu/, about 118 MiB with every sample and
# plots test) below the 64 MiB a device call can carry, keeping only the named apps.
#   bash ../shared/gpu/stage.sh && bash tools/gpu-trim.sh [APP ...]
# Default apps: InitCore.Tests InitCore.Tests.NetStandard InitCore.Bench Tour
set -euo pipefail
root=$(git rev-parse --show-toplevel)
bundle=$root/.gpu
[[ -f $bundle/apps.tgz ]] || { echo "no $bundle/apps.tgz: run bash ../shared/gpu/stage.sh first" >&2; exit 1; }
keep=("$@")
(( ${#keep[@]} )) || keep=(InitCore.Tests InitCore.Tests.NetStandard InitCore.Bench Tour)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$bundle/apps.tgz" -C "$work"
for app in "$work"/apps/*/; do
  name=$(basename "$app")
  printf '%s\n' "${keep[@]}" | grep -qxF "$name" || rm -rf "$app"
done
# Coverage collectors are not needed on the GPU machine and are the bulk of a test app.
find "$work/apps" -type d -name 'codecoverage' -prune -exec rm -rf {} + 2>/dev/null || true
tar -czf "$bundle/apps.tgz" -C "$work" apps
echo "kept: $(ls "$work/apps" | tr '\n' ' ')"
du -sh "$bundle" | sed 's/^/size: /'
