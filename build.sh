#!/usr/bin/env bash
# The one build script: prerequisites, cJSON's source, the C core for WebAssembly and native,
# and the static site in public/. Incremental: with nothing changed it compiles nothing.
#
#   ./build.sh            build everything (wasm release + debug, native library, tools, C tests)
#   ./build.sh --clean    delete build output first (the downloaded cJSON source is kept)
#   ./build.sh --no-install   never run apt-get / npm ci; fail with the command to run instead
#   ./build.sh --native-only  only the native library and tools (no wasm, no site)
#   EXTRA_CFLAGS=...      extra C flags for project code (the bench gate test uses this)
#   FC_BUILD_DIR=DIR      build into DIR instead of build/ (same sources, other flags)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
ROOT=$PWD

CLEAN=0
INSTALL=1
NATIVE_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --clean) CLEAN=1 ;;
    --no-install) INSTALL=0 ;;
    --native-only) NATIVE_ONLY=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

BUILD_DIR=${FC_BUILD_DIR:-$ROOT/build}
CACHE_DIR=$ROOT/.cache
say() { printf '[build] %s\n' "$*"; }
die() { printf '[build] error: %s\n' "$*" >&2; exit 1; }

# ---- Debian packages -------------------------------------------------------------------------
# emscripten: the wasm compiler; gcc/make: native build; patch/xz-utils: unpack cJSON's source;
# chromium: browser tests; valgrind: instruction-count budgets and memcheck; clang-14 and
# libclang-rt-14-dev: the libFuzzer harnesses (tests/fuzz).
DEB_PACKAGES=(emscripten gcc make patch xz-utils ca-certificates chromium valgrind clang-14 libclang-rt-14-dev)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo -n true 2>/dev/null && SUDO="sudo -n"
  if [ $INSTALL -eq 1 ] && { [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; }; then
    say "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "missing Debian packages: ${missing[*]}. Run: sudo sh -c '$cmd'"
  fi
fi

# ---- npm packages ----------------------------------------------------------------------------
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  if [ $INSTALL -eq 1 ]; then
    say "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules
  else
    die "node_modules is missing or older than package-lock.json. Run: npm ci"
  fi
fi

# ---- cJSON source from Debian's source package ----------------------------------------------
# Pinned to the version libcjson-dev has on Debian 12, so native and wasm builds agree.
CJSON_VERSION=1.7.15
CJSON_DEBIAN=1.7.15-1+deb12u4
CJSON_ORIG_SHA256=5308fd4bd90cef7aa060558514de6a1a4a0819974a26e6ed13973c5f624c24b2
CJSON_DEBIAN_SHA256=afd19a970966cf534ff1e9ec077d710a5e7e78eb4ec9b499c8bdc32e55da12cb
CJSON_DIR=$CACHE_DIR/cjson-$CJSON_DEBIAN

fetch_cjson() {
  local tmp dl
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/src" "$tmp/lists/partial" "$tmp/dl"
  # A deb-src list derived from this machine's own deb entries: no mirror is named here.
  [ -r /etc/apt/sources.list.d/debian.sources ] ||
    die "cannot read /etc/apt/sources.list.d/debian.sources to derive a deb-src entry"
  awk 'BEGIN { RS = ""; FS = "\n" }
       { out = ""
         for (i = 1; i <= NF; i++) {
           if ($i ~ /^Types:/) out = out "Types: deb-src\n"
           else if ($i ~ /^(URIs|Suites|Components|Signed-By):/) out = out $i "\n"
         }
         print out }' /etc/apt/sources.list.d/debian.sources > "$tmp/src/deb-src.sources"
  local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$tmp/src"
              -o "Dir::State::Lists=$tmp/lists" -o Debug::NoLocking=1)
  say "fetching cJSON $CJSON_DEBIAN source (Debian source package)"
  apt-get "${opts[@]}" update -qq >/dev/null 2>&1 || die "apt-get update for deb-src failed"
  (cd "$tmp/dl" && apt-get "${opts[@]}" source --download-only -qq "cjson=$CJSON_DEBIAN" >/dev/null 2>&1) ||
    die "apt-get source cjson=$CJSON_DEBIAN failed"
  dl=$tmp/dl
  echo "$CJSON_ORIG_SHA256  $dl/cjson_$CJSON_VERSION.orig.tar.gz" | sha256sum -c --quiet ||
    die "sha256 mismatch for cjson_$CJSON_VERSION.orig.tar.gz"
  echo "$CJSON_DEBIAN_SHA256  $dl/cjson_$CJSON_DEBIAN.debian.tar.xz" | sha256sum -c --quiet ||
    die "sha256 mismatch for cjson_$CJSON_DEBIAN.debian.tar.xz"
  mkdir -p "$tmp/x"
  tar -xzf "$dl/cjson_$CJSON_VERSION.orig.tar.gz" -C "$tmp/x"
  tar -xJf "$dl/cjson_$CJSON_DEBIAN.debian.tar.xz" -C "$tmp/x/cJSON-$CJSON_VERSION"
  # Debian's security patches, in series order, as dpkg-source would apply them.
  (cd "$tmp/x/cJSON-$CJSON_VERSION" &&
    while read -r p; do
      case "$p" in ''|'#'*) continue ;; esac
      patch -p1 -s < "debian/patches/$p"
    done < debian/patches/series)
  rm -rf "$CJSON_DIR"
  mkdir -p "$CJSON_DIR"
  cp "$tmp/x/cJSON-$CJSON_VERSION/cJSON.c" "$tmp/x/cJSON-$CJSON_VERSION/cJSON.h" \
     "$tmp/x/cJSON-$CJSON_VERSION/LICENSE" "$CJSON_DIR/"
  echo "$CJSON_DEBIAN" > "$CJSON_DIR/VERSION"
}
[ -f "$CJSON_DIR/VERSION" ] || fetch_cjson

# ---- compile --------------------------------------------------------------------------------
if [ $CLEAN -eq 1 ]; then
  say "clean"
  rm -rf "$BUILD_DIR" public/flowcast.wasm public/flowcast-debug.wasm public/js public/vendor public/app public/index.html public/sw.js
fi
mkdir -p "$BUILD_DIR"
# Debian's emcc needs Debian's acorn for its JS optimizer; this Node is not Debian's.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
JOBS=$(nproc 2>/dev/null || echo 2)
make_out=$(make --no-print-directory -C c -j"$JOBS" B="$BUILD_DIR" CJSON_DIR="$CJSON_DIR" \
  EXTRA_CFLAGS="${EXTRA_CFLAGS:-}" "$([ $NATIVE_ONLY -eq 1 ] && echo native || echo all)" 2>&1) || { printf '%s\n' "$make_out" >&2; die "compile failed"; }
if grep -qvE "^make.*(Nothing to be done|is up to date)" <<<"$make_out" && [ -n "$make_out" ]; then
  printf '%s\n' "$make_out" | grep -vE "Nothing to be done|is up to date" || true
fi

if [ $NATIVE_ONLY -eq 1 ]; then
  say "ok: native library and tools in ${BUILD_DIR#$ROOT/}/native"
  exit 0
fi

# ---- the wasm's exports against the JavaScript that calls them ---------------------------------
# What the built modules really export, what web/ calls and c/wasm/exports.txt must agree: a
# missing export fails here rather than in a page, and a dead one does not linger.
node c/wasm/check-exports.js public/flowcast.wasm public/flowcast-debug.wasm ||
  die "the wasm exports and the JavaScript disagree (see above; the list is c/wasm/exports.txt)"

# ---- static site ------------------------------------------------------------------------------
# public/ is the site root; the browser modules in web/ (all but the Node server) are copied,
# folders and all, into public/js/ beside the wasm so that static hosting of public/ alone works,
# and the front-end libraries from npm into public/vendor/. Copies only what changed.
copy_if_changed() { # SRC DEST
  cmp -s "$1" "$2" 2>/dev/null || { mkdir -p "$(dirname "$2")"; cp "$1" "$2"; }
}
declare -A site_js=()
while IFS= read -r f; do
  site_js["public/js/${f#web/}"]=1
  copy_if_changed "$f" "public/js/${f#web/}"
done < <(find web -path web/server -prune -o -type f \( -name '*.js' -o -name '*.css' \) -print)
# A file in public/js/ with no source in web/ is the copy of a module that moved or went away:
# left there, it would still answer an import the source tree no longer satisfies and hide the
# broken import from every browser test. public/js/ is build output only.
while IFS= read -r f; do
  [ -n "${site_js[$f]:-}" ] || { say "removing stale $f"; rm -f "$f"; }
done < <(find public/js -type f)
find public/js -mindepth 1 -type d -empty -delete
for f in node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
         node_modules/leaflet/dist/images/*.png node_modules/uplot/dist/uPlot.esm.js \
         node_modules/uplot/dist/uPlot.min.css; do
  [ -e "$f" ] || continue
  case "$f" in
    node_modules/leaflet/dist/*) copy_if_changed "$f" "public/vendor/leaflet/${f#node_modules/leaflet/dist/}" ;;
    node_modules/uplot/dist/*) copy_if_changed "$f" "public/vendor/uplot/${f#node_modules/uplot/dist/}" ;;
  esac
done
# The page as it is served (tools/build-site.js): bundles and files with content-addressed names
# in public/app/, public/index.html from web/page/index.html, the service worker public/sw.js.
node tools/build-site.js || die "the site's bundles failed (see above)"
say "ok: public/flowcast.wasm ($(stat -c %s public/flowcast.wasm) bytes), native tools in ${BUILD_DIR#$ROOT/}/native"
