#!/usr/bin/env bash
# Runs a command beside a PostgreSQL server of its own: initdb into a scratch folder (as the postgres user
# when run as root), a free port on 127.0.0.1, no fsync; it goes away afterwards. The command finds the
# server's URL, without a database (each test creates its own), in MAKO_TEST_POSTGRES, and runs in a scratch
# home so a PostgreSQL catalog's local secrets file lands there.
#   tests/with-postgres.sh COMMAND [ARG...]
set -euo pipefail
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$bin/initdb" ] || { echo "with-postgres: PostgreSQL is missing (apt-get install postgresql)" >&2; exit 1; }
scratch="$(mktemp -d)"
as_server() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$scratch"
stop() {
    as_server "$bin/pg_ctl" -D "$scratch/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$scratch"
}
trap stop EXIT
as_server "$bin/initdb" -D "$scratch/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
started=""
for port in $(shuf -i 20000-60000 -n 20); do
    if as_server "$bin/pg_ctl" -D "$scratch/data" -l "$scratch/server.log" -w -t 60 \
        -o "-p $port -k $scratch -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
        start >/dev/null 2>&1; then
        started="$port"
        break
    fi
done
[ -n "$started" ] || { echo "with-postgres: the server did not start:" >&2; cat "$scratch/server.log" >&2; exit 1; }
mkdir -p "$scratch/home"
export MAKO_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$started"
HOME="$scratch/home" XDG_DATA_HOME="$scratch/home/data" XDG_CONFIG_HOME="$scratch/home/config" "$@"
