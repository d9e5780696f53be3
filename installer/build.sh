#!/usr/bin/env bash
# One entry point for a fresh Debian 12 / Ubuntu machine:
#   installer/build.sh deps    install the build and test dependencies (apt)
#   installer/build.sh build   deps + configure + build into ./build
#   installer/build.sh test    build + run every test (CTest): the default suites, then label package
#   installer/build.sh run     build + launch the desktop app on its default catalog
#   installer/build.sh bench   build + run the sync benchmark
#   installer/build.sh package Release build in ./build-release, then the .debs and .tar.gz into
#                              ./build/packages (MC_RELEASE_DIR and MC_PACKAGE_DIR move them)
#   installer/build.sh fuzz    build the libFuzzer targets with clang in ./build-fuzz and run each for
#                              MC_FUZZ_SECONDS (60) seconds
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake ninja-build pkg-config
          qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqt6sql6-sqlite libqt6svg6 libsqlite3-dev qtkeychain-qt6-dev
          qt6-charts-dev libqt6opengl6-dev
          libxlsxwriter-dev unzip
          libpq-dev libqt6sql6-psql postgresql
          libgl-dev xvfb xauth
          help2man desktop-file-utils appstream dpkg-dev file
          gnome-keyring dbus libsecret-tools)
FUZZ_PACKAGES=(clang libclang-rt-14-dev)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {
    local missing=()
    for p in "${PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        as_root apt-get update
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

build() {
    deps
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
    cmake --build build -j"$(nproc)"
}

case "${1:-build}" in
deps) deps ;;
build) build ;;
test)
    build
    QT_QPA_PLATFORM=offscreen ctest --test-dir build --output-on-failure -j1 -LE package
    ctest --test-dir build --output-on-failure -L package
    ;;
package)
    deps
    release="${MC_RELEASE_DIR:-build-release}"
    out="${MC_PACKAGE_DIR:-build/packages}"
    cmake -S . -B "$release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMC_BUILD_TESTS=OFF -DMC_BUILD_BENCH=OFF
    cmake --build "$release" -j"$(nproc)"
    rm -rf "$out" && mkdir -p "$out"
    cpack --config "$release/CPackConfig.cmake" -B "$out"
    rm -rf "$out/_CPack_Packages"
    ls -l "$out"
    ;;
run)
    build
    shift || true
    if [ -x build/app/desktop/mako-connect ]; then
        exec build/app/desktop/mako-connect "$@"
    else
        exec build/app/cli/mako-connect-cli connectors "$@"
    fi
    ;;
bench)
    build
    shift || true
    exec build/tests/bench/mako-connect-bench "$@"
    ;;
fuzz)
    deps "${FUZZ_PACKAGES[@]}"
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_BUILD_GUI=OFF \
        -DMC_BUILD_TESTS=OFF -DMC_BUILD_FUZZ=ON -DMC_FUZZ_SECONDS="${MC_FUZZ_SECONDS:-60}"
    cmake --build build-fuzz -j"$(nproc)"
    ctest --test-dir build-fuzz -L fuzz --output-on-failure -j1
    ;;
*)
    echo "usage: installer/build.sh deps|build|test|run|bench|package|fuzz" >&2
    exit 2
    ;;
esac
