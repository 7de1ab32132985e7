#!/usr/bin/env bash
# Installs the Debian packages of real drum one-shots that the realism measure uses
# (sonic-pi-samples, 22 MB; hydrogen-drumkits, 140 MB) and checks the committed index
# tests/data/real_drums.tsv against what is installed. Idempotent: with the packages present it
# only checks. Licences: docs/realism.md.
# Usage: tools/fetch_drums.sh            install if missing, then check the index
#        tools/fetch_drums.sh --reindex  install if missing, then rewrite the index
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
index="$here/tests/data/real_drums.tsv"
packages=(sonic-pi-samples hydrogen-drumkits)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "fetch_drums: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists only when apt does not know the packages yet.
  if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
    $sudo_cmd apt-get update -qq
  fi
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--reindex" ]; then
  python3 "$here/tools/realism/index_drums.py" >"$index"
  echo "fetch_drums: wrote $(($(wc -l <"$index") - 2)) hits to $index"
else
  fresh=$(mktemp)
  trap 'rm -f "$fresh"' EXIT
  python3 "$here/tools/realism/index_drums.py" >"$fresh"
  if ! cmp -s "$fresh" "$index"; then
    echo "fetch_drums: the installed packages differ from $index:" >&2
    diff "$index" "$fresh" | head -n 20 >&2
    echo "fetch_drums: run tools/fetch_drums.sh --reindex to accept them" >&2
    exit 1
  fi
  echo "fetch_drums: $(($(wc -l <"$index") - 2)) hits in $index are installed"
fi
