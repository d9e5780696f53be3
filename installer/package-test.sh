#!/usr/bin/env bash
# The package test (CTest label "package"): builds both .debs and the .tar.gz with `build.sh package`, checks
# what each holds and depends on, unpacks them into a scratch root and runs the installed programs there.
#   installer/package-test.sh WORKDIR
set -euo pipefail
source_dir="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mkdir -p "$1" && cd "$1" && pwd)"
packages="$work/packages"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

MC_RELEASE_DIR="$work/release" MC_PACKAGE_DIR="$packages" bash "$source_dir/installer/build.sh" package

version="$(sed -n 's/^project(MakoConnect VERSION \([0-9.]*\).*/\1/p' "$source_dir/CMakeLists.txt")"
cli="$packages/mako-connect-cli_${version}_amd64.deb"
desktop="$packages/mako-connect_${version}_amd64.deb"
tarball="$packages/mako-connect-${version}-Linux.tar.gz"
for f in "$cli" "$desktop" "$tarball"; do [ -f "$f" ] || fail "missing $(basename "$f")"; done
[ "$failures" -eq 0 ] || exit 1

# Exactly these files, so nothing of the build tree (objects, tests, CMake files) can slip in.
files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $6}' | sort; }
# (Lists are kept in variables before grep -q: under pipefail an early grep exit would fail the pipe.)
expect_cli="./usr/bin/mako-connect-cli
./usr/share/doc/mako-connect-cli/examples/mako-connect-sync.service
./usr/share/doc/mako-connect-cli/examples/mako-connect-sync.timer
./usr/share/man/man1/mako-connect-cli.1.gz"
expect_desktop="$(printf '%s\n' ./usr/bin/mako-connect ./usr/share/applications/mako-connect.desktop \
    ./usr/share/icons/hicolor/scalable/apps/mako-connect.svg ./usr/share/man/man1/mako-connect.1.gz \
    ./usr/share/metainfo/io.mako.Connect.metainfo.xml
    for s in 16 22 24 32 48 64 128 256 512; do echo "./usr/share/icons/hicolor/${s}x${s}/apps/mako-connect.png"; done)"
[ "$(files "$cli")" = "$(sort <<<"$expect_cli")" ] || fail "mako-connect-cli holds: $(files "$cli" | tr '\n' ' ')"
[ "$(files "$desktop")" = "$(sort <<<"$expect_desktop")" ] ||
    fail "mako-connect holds: $(files "$desktop" | tr '\n' ' ')"

field() { dpkg-deb -f "$1" "$2"; }
cli_depends="$(field "$cli" Depends)"
desktop_depends="$(field "$desktop" Depends)"
echo "mako-connect-cli Depends: $cli_depends"
echo "mako-connect Depends: $desktop_depends"
for p in libqt6core6 libqt6network6 libqt6sql6 libqt6sql6-sqlite libqt6keychain1 libsecret-1-0 libpq5; do
    grep -qE "(^|, )$p( |,|$)" <<<"$cli_depends" || fail "mako-connect-cli does not depend on $p"
done
for p in libqt6gui6 libqt6widgets6 libqt6svg6 libgl1 libxcb1; do
    grep -qE "(^|, )$p( |,|$)" <<<"$cli_depends" && fail "mako-connect-cli depends on $p, a GUI library"
done
grep -qF libqt6sql6-psql <<<"$(field "$cli" Recommends)" || fail "mako-connect-cli does not recommend libqt6sql6-psql"
grep -qF libqt6sql6-psql <<<"$(field "$desktop" Recommends)" || fail "mako-connect does not recommend libqt6sql6-psql"
for p in "mako-connect-cli (= $version)" libqt6widgets6 libqt6gui6 libqt6svg6 libqt6charts6 libqt6sql6-sqlite; do
    grep -qF "$p" <<<"$desktop_depends" || fail "mako-connect does not depend on $p"
done
for deb in "$cli" "$desktop"; do
    for f in Maintainer Homepage Description; do
        [ -n "$(field "$deb" "$f")" ] || fail "$(basename "$deb") has no $f"
    done
done

root="$work/root"
rm -rf "$root" && mkdir -p "$root"
dpkg -x "$cli" "$root"
dpkg -x "$desktop" "$root"
for exe in mako-connect-cli mako-connect; do
    [[ "$(file -b "$root/usr/bin/$exe")" == *", stripped"* ]] || fail "$exe is not stripped"
    # Installed under /usr, next to the system's Qt: no RUNPATH into a build tree or beside the program.
    readelf -d "$root/usr/bin/$exe" | grep -E 'R(UN)?PATH' && fail "$exe has a RUNPATH"
    grep -qF "$source_dir" "$root/usr/bin/$exe" && fail "$exe names the source folder"
done
# The tarball holds the same programs.
tar_listing="$(tar -tzf "$tarball")"
grep -q '/bin/mako-connect-cli$' <<<"$tar_listing" || fail "the .tar.gz lacks mako-connect-cli"
grep -q '/bin/mako-connect$' <<<"$tar_listing" || fail "the .tar.gz lacks mako-connect"

# The installed programs run from the scratch root: an empty catalog, the file secret store, no display.
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
rm -rf "$HOME" && mkdir -p "$HOME"
listing="$("$root/usr/bin/mako-connect-cli" --catalog "$work/catalog.sqlite" --secrets file connectors)" ||
    fail "the installed mako-connect-cli connectors failed"
for c in stripe close github posthog rest graphql files; do
    grep -qw "$c" <<<"$listing" || fail "the installed mako-connect-cli does not list $c"
done
[ "$("$root/usr/bin/mako-connect-cli" --version)" = "mako-connect-cli $version" ] ||
    fail "mako-connect-cli --version"
[ "$(QT_QPA_PLATFORM=offscreen "$root/usr/bin/mako-connect" --version)" = "Mako Connect $version" ] ||
    fail "mako-connect --version printed: $(QT_QPA_PLATFORM=offscreen "$root/usr/bin/mako-connect" --version 2>&1)"
grep -q 'secrets migrate' <<<"$(zcat "$root/usr/share/man/man1/mako-connect-cli.1.gz")" ||
    fail "the CLI's man page lacks its commands"

desktop-file-validate "$root/usr/share/applications/mako-connect.desktop" || fail "desktop-file-validate"
grep -q '^StartupWMClass=mako-connect$' "$root/usr/share/applications/mako-connect.desktop" ||
    fail "StartupWMClass"
grep -q '^TryExec=mako-connect$' "$root/usr/share/applications/mako-connect.desktop" || fail "TryExec"
appstreamcli validate --no-net --pedantic "$root/usr/share/metainfo/io.mako.Connect.metainfo.xml" ||
    fail "appstreamcli validate"

# apt can resolve every dependency on this machine (a dry run: nothing is installed).
if command -v apt-get >/dev/null; then
    apt-get install --simulate -q "$cli" "$desktop" >"$work/apt-simulate.log" 2>&1 ||
        fail "apt-get cannot install the packages: $(tail -3 "$work/apt-simulate.log")"
fi

ls -l "$packages"
[ "$failures" -eq 0 ] && echo "package test: all checks passed"
exit $((failures > 0))
