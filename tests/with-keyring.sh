#!/bin/sh
# Runs a command in a D-Bus session of its own with gnome-keyring's Secret Service, unlocked, in a scratch
# home: a real keychain that nothing else shares and that goes away afterwards.
#   tests/with-keyring.sh COMMAND [ARG...]
set -eu
for tool in dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { echo "with-keyring: $tool is missing (apt-get install dbus gnome-keyring)" >&2; exit 1; }
done
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/run"
HOME="$scratch" XDG_RUNTIME_DIR="$scratch/run" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
    dbus-run-session -- sh -c '
        printf "test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
        "$@"' with-keyring "$@"
