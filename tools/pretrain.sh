#!/usr/bin/env bash
# Trains the pre-trained drum voices (kick, snare, hat) from the real kits in Debian packages: the
# train split of tests/data/real_drums.tsv (the held-out kits are never used), one sub-folder per
# kit so the pictures show kits apart. Writes models/pretrained/<voice>.ts and keeps each run's
# renders and pictures in BUILD/pretrain/<voice>/. Licences of the kits: models/pretrained/README.md.
# Usage: tools/pretrain.sh [--build DIR] [--steps N] [--voices "kick snare hat"] [extra trainer options]
#        tools/pretrain.sh --upgrade [--voices ...] [--prior-width W]
#   --upgrade trains nothing: it rewrites the models/pretrained files with the current model code
#   (latentjam-train --upgrade) and fits their priors to the same train split.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/build"
steps=1500
voices="kick snare hat"
upgrade=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --voices) voices=$2; shift 2 ;;
    --upgrade) upgrade=1; shift ;;
    *) extra+=("$1"); shift ;;
  esac
done
trainer="$build/latentjam-train"
[ -x "$trainer" ] || { echo "pretrain: no $trainer; build it first (cmake --build $build --target latentjam-train)" >&2; exit 1; }
"$here/tools/fetch_drums.sh" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Links rather than copies: the kits stay where Debian put them.
awk -F'\t' 'NR > 2 && $4 == "train" { print $1 "\t" $2 "\t" $3 }' "$here/tests/data/real_drums.tsv" |
  while IFS=$'\t' read -r path kit class; do
    mkdir -p "$work/$class/$kit"
    ln -sf "/usr/share/$path" "$work/$class/$kit/$(basename "$path")"
  done

mkdir -p "$here/models/pretrained"
for voice in $voices; do
  [ -d "$work/$voice" ] || { echo "pretrain: no train sounds for $voice" >&2; exit 1; }
  if [ "$upgrade" = 1 ]; then
    model="$here/models/pretrained/$voice.ts"
    "$trainer" --upgrade "$model" --out "$model.new" "$work/$voice" "${extra[@]}"
    mv "$model.new" "$model"
    continue
  fi
  out="$build/pretrain/$voice"
  rm -rf "$out"
  echo "pretrain: $voice from $(find "$work/$voice" -type l | wc -l) sounds, $steps steps"
  start=$(date +%s)
  "$trainer" "$work/$voice" --out "$out" --steps "$steps" --seed 1 "${extra[@]}"
  echo "pretrain: $voice took $(($(date +%s) - start)) s"
  cp "$out/model.ts" "$here/models/pretrained/$voice.ts"
done
