# shellcheck shell=bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the store tests.
#
# Source it from .ci/run (it exports variables):
#     . .ci/postgres.sh
#     trap caseweight_postgres_stop EXIT
# Afterwards CASEWEIGHT_TEST_POSTGRES_URL holds a SQLAlchemy URL of an empty
# database owned by its own user. Installs Debian's postgresql when missing
# (needs root, as CI has). Listens on loopback only, on the first free port
# from 55432; the cluster lives in a temporary directory. Safe under set -eu,
# and sourcing it twice starts one server.

caseweight_postgres_start() {
    local bindir port datadir pguser=caseweight pgdb=caseweight_test
    if [ -n "${CASEWEIGHT_PG_DATADIR:-}" ] && [ -n "${CASEWEIGHT_TEST_POSTGRES_URL:-}" ]; then
        return 0
    fi
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
        echo "postgres.sh: installing Debian's postgresql" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 || return 1
        bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    port=55432
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        port=$((port + 1))
    done
    datadir=$(mktemp -d /tmp/caseweight-pg.XXXXXX)
    chown postgres:postgres "$datadir"
    chmod 700 "$datadir"
    # initdb and postgres refuse to run as root: run them as the postgres user.
    runuser -u postgres -- "$bindir/initdb" -D "$datadir/data" -A trust -U postgres \
        --no-sync >"$datadir/initdb.log" 2>&1 || { cat "$datadir/initdb.log" >&2; return 1; }
    runuser -u postgres -- "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $datadir -c fsync=off -c max_connections=50" \
        start >/dev/null || { cat "$datadir/server.log" >&2; return 1; }
    export CASEWEIGHT_PG_DATADIR="$datadir" CASEWEIGHT_PG_BINDIR="$bindir"
    runuser -u postgres -- "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -q \
        -v ON_ERROR_STOP=1 -c "CREATE ROLE $pguser LOGIN PASSWORD '$pguser'" \
        -c "CREATE DATABASE $pgdb OWNER $pguser" >&2 || return 1
    export CASEWEIGHT_TEST_POSTGRES_URL="postgresql+psycopg://$pguser:$pguser@127.0.0.1:$port/$pgdb"
    echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}')" \
        "on 127.0.0.1:$port; CASEWEIGHT_TEST_POSTGRES_URL=$CASEWEIGHT_TEST_POSTGRES_URL" >&2
}

caseweight_postgres_stop() {
    if [ -z "${CASEWEIGHT_PG_DATADIR:-}" ]; then
        return 0
    fi
    runuser -u postgres -- "$CASEWEIGHT_PG_BINDIR/pg_ctl" -D "$CASEWEIGHT_PG_DATADIR/data" \
        -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$CASEWEIGHT_PG_DATADIR"
    unset CASEWEIGHT_PG_DATADIR CASEWEIGHT_PG_BINDIR CASEWEIGHT_TEST_POSTGRES_URL
}

caseweight_postgres_start
