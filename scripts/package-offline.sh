#!/usr/bin/env bash
# Builds the desktop packages without network access (docs/packaging.md).
#
#   ELECTRON_DIST=/path/to/electron  [ELECTRON_BUILDER_CACHE=/path/to/cache]  scripts/package-offline.sh [electron-builder args]
#
# ELECTRON_DIST          an unpacked Electron of the version in node_modules/electron (the directory holding the
#                        `electron` executable and a `version` file), or a directory holding the release zip
#                        electron-v<version>-<platform>-<arch>.zip. Passed to electron-builder as electronDist, so
#                        it never downloads Electron nor its checksums.
# ELECTRON_BUILDER_CACHE electron-builder's toolset cache, filled beforehand (fpm for deb, the AppImage tools,
#                        7-Zip). Without it only `--dir` works offline. ELECTRON_BUILDER_7ZIP_PATH=/usr/bin/7za
#                        (Debian package 7zip) stands in for the 7-Zip toolset.
# SKIP_BUILD=1           package dist/ as it is instead of running `npm run build` first.
#
# Any arguments go to electron-builder (default: the targets of electron-builder.yml for this platform),
# e.g. `--linux deb`, `--dir`.
set -euo pipefail

cd "$(dirname "$0")/.."
fail() { echo "package-offline: $*" >&2; exit 2; }

[ -n "${ELECTRON_DIST:-}" ] || fail "set ELECTRON_DIST to an unpacked Electron (or a directory holding its release zip)"
[ -d "$ELECTRON_DIST" ] || fail "ELECTRON_DIST=$ELECTRON_DIST is not a directory"
ELECTRON_DIST="$(cd "$ELECTRON_DIST" && pwd)"

wanted="$(node -p "require('./node_modules/electron/package.json').version" 2>/dev/null)" \
  || fail "node_modules/electron is missing: run npm ci first"
if [ -f "$ELECTRON_DIST/version" ]; then
  found="$(tr -d '[:space:]v' < "$ELECTRON_DIST/version")"
  [ "$found" = "$wanted" ] || fail "ELECTRON_DIST holds Electron $found, the project pins $wanted"
elif ! compgen -G "$ELECTRON_DIST/electron-v$wanted-*.zip" > /dev/null; then
  fail "ELECTRON_DIST has neither an unpacked Electron (no 'version' file) nor electron-v$wanted-*.zip"
fi

if [ -n "${ELECTRON_BUILDER_CACHE:-}" ]; then
  [ -d "$ELECTRON_BUILDER_CACHE" ] || fail "ELECTRON_BUILDER_CACHE=$ELECTRON_BUILDER_CACHE is not a directory"
  ELECTRON_BUILDER_CACHE="$(cd "$ELECTRON_BUILDER_CACHE" && pwd)"
  export ELECTRON_BUILDER_CACHE
else
  echo "package-offline: no ELECTRON_BUILDER_CACHE: targets that need electron-builder's tools (deb: fpm," \
    "AppImage) will try to download them; use --dir, or fill a cache (docs/packaging.md)" >&2
fi

if [ "${SKIP_BUILD:-}" != 1 ]; then npm run build; fi
exec npx --no-install electron-builder --config electron-builder.yml --publish never -c.electronDist="$ELECTRON_DIST" "$@"
