#!/usr/bin/env bash
# Installs what Beacon needs to build, test and run, and nothing that is
# already there. Idempotent: a second run installs nothing.
set -euo pipefail

# Debian packages: toolchain, libraries (headers), test and fuzz tools.
PACKAGES=(
  cmake g++ make pkg-config git ccache
  libboost-dev libsqlite3-dev nlohmann-json3-dev libsodium-dev libfmt-dev libcli11-dev
  libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  libosmium2-dev libprotozero-dev zlib1g-dev libbz2-dev libexpat1-dev libpugixml-dev libxml2-utils
  libphonenumber-dev libpsl-dev
  clang-14 libclang-rt-14-dev clang-format time python3
  chromium
  python3-jsonschema python3-yaml
  libicu-dev
)
# Node.js and npm for web/ (Debian 12: nodejs 18). A node/npm that is already
# on the PATH (e.g. from NodeSource, which bundles npm) is used as it is.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#PACKAGES[@]} Debian packages present"
fi

# Front-end packages, once the web/ command room exists (npm ci from the lockfile).
if [ -f web/package-lock.json ]; then
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules ]; then
    (cd web && npm ci --no-audit --no-fund)
  fi
fi
