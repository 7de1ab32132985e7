#!/usr/bin/env bash
# Fetches the one library the browser surface's page loads: osc-js (MIT, Andreas Dzialocha), the
# OSC encoder/decoder the page speaks over its WebSocket, from the npm registry (like the word
# vectors), into ${LATENTJAM_DATA:-<repo>/data}/web-vendor/osc.min.js with its licence beside it.
# Pinned by version and checked by hash; idempotent (nothing happens when the file is there).
# Usage: tools/fetch_web.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${LATENTJAM_DATA:-$repo/data}/web-vendor
package=osc-js
version=2.4.1
sha256=d995232eb1b1d8150826a5f69647cccac4e745f7c493e601a548d42663d96fe4

have() { [ -f "$out/osc.min.js" ] && echo "$sha256  $out/osc.min.js" | sha256sum -c --status; }
if have; then
  echo "fetch_web: $package $version present"
  exit 0
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch_web: fetching $package@$version from the npm registry"
(cd "$work" && npm pack --silent "$package@$version" >/dev/null && tar xzf "$package-$version.tgz")
cp "$work/package/lib/osc.min.js" "$out/osc.min.js.tmp"
if ! echo "$sha256  $out/osc.min.js.tmp" | sha256sum -c --status; then
  rm -f "$out/osc.min.js.tmp"
  echo "fetch_web: $package@$version does not have the expected content; not installed" >&2
  exit 1
fi
cp "$work/package/LICENSE" "$out/LICENSE.osc-js"
mv "$out/osc.min.js.tmp" "$out/osc.min.js"
echo "fetch_web: $out/osc.min.js"
