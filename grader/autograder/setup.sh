#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: it installs the
# exact Node version the grader was built for ({{nodeVersion}}) and the project's packages.
# Every step either works or stops the build with a message saying what failed: an image
# that would grade every submission as an error must never be built quietly.
set -euo pipefail

node_version='{{nodeVersion}}'
source_folder="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Node goes where Ubuntu's PATH already looks (/usr/local/bin), so run_autograder finds it.
install_prefix="${DISTLAB_NODE_PREFIX:-/usr/local}"

fail() {
  echo "distlab setup: $*" >&2
  exit 1
}

installed_version="$(node --version 2>/dev/null || true)"
if [ "$installed_version" = "v$node_version" ]; then
  echo "distlab setup: Node v$node_version is already installed ($(command -v node))"
else
  case "$(uname -m)" in
    x86_64 | amd64) architecture=x64 ;;
    aarch64 | arm64) architecture=arm64 ;;
    *) fail "no Node build for this machine ($(uname -m)); install Node v$node_version yourself" ;;
  esac
  if ! command -v curl >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends curl ca-certificates || fail "curl is missing and could not be installed with apt-get"
  fi
  archive="node-v$node_version-linux-$architecture.tar.gz"
  address="https://nodejs.org/dist/v$node_version"
  download_folder="$(mktemp -d)"
  echo "distlab setup: installing Node v$node_version from $address/$archive into $install_prefix"
  curl --fail --silent --show-error --location --retry 3 --output "$download_folder/$archive" "$address/$archive" ||
    fail "could not download $address/$archive"
  curl --fail --silent --show-error --location --retry 3 --output "$download_folder/SHASUMS256.txt" "$address/SHASUMS256.txt" ||
    fail "could not download $address/SHASUMS256.txt"
  # The archive must be the one nodejs.org lists: a truncated or altered download stops here.
  (cd "$download_folder" && grep " $archive\$" SHASUMS256.txt | sha256sum --check --strict --quiet) ||
    fail "$archive does not match its checksum in SHASUMS256.txt"
  mkdir -p "$install_prefix"
  tar --extract --gzip --file "$download_folder/$archive" --directory "$install_prefix" --strip-components=1 --no-same-owner ||
    fail "could not unpack $archive into $install_prefix"
  rm -rf "$download_folder"
  export PATH="$install_prefix/bin:$PATH"
  hash -r
  installed_version="$(node --version 2>/dev/null || true)"
  [ "$installed_version" = "v$node_version" ] ||
    fail "after installing, node --version says '${installed_version:-nothing}', not v$node_version (is another node earlier on PATH?)"
  echo "distlab setup: Node $installed_version installed"
fi

cd "$source_folder"
# --include=dev: the grader type-checks submissions with TypeScript and runs on tsx, both dev
# dependencies, whatever NODE_ENV the image sets.
npm ci --include=dev --prefer-offline --no-audit --no-fund ||
  fail "npm ci failed in $source_folder (see npm's messages above)"
# The grader's parts that come from npm (tsx, esbuild, TypeScript) must load here, now, not
# at the first submission.
node --import tsx --input-type=module --eval '
  const { findLab } = await import("./grader/labs.ts");
  findLab("{{lab}}");
  const esbuild = await import("esbuild");
  esbuild.transformSync("const checked: number = 1;", { loader: "ts" });
  await import("typescript");
' || fail "the grader does not load in $source_folder (see the error above)"
echo "distlab setup: ready to grade {{labId}}"
