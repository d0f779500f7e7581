# shellcheck shell=bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the store tests.
#
# Source it (it exports a variable):   . .ci/postgres.sh
# Afterwards CASEWEIGHT_TEST_POSTGRES_URL holds a SQLAlchemy URL for a fresh
# database owned by a fresh user, and caseweight_postgres_stop stops the server.
# Installs Debian's postgresql when it is missing (needs root, as in CI).
# Only loopback is listened on; the data folder is a temporary directory.

caseweight_postgres_start() {
    local bindir port datadir pguser=caseweight pgdb=caseweight_test
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
        echo "postgres.sh: installing Debian's postgresql" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 || return 1
        apt-get install -y -qq postgresql >&2 || return 1
        bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    port=${CASEWEIGHT_PG_PORT:-55432}
    datadir=$(mktemp -d /tmp/caseweight-pg.XXXXXX)
    chown postgres:postgres "$datadir"
    chmod 700 "$datadir"
    # initdb and postgres refuse to run as root: run them as the postgres user.
    runuser -u postgres -- "$bindir/initdb" -D "$datadir/data" -A trust -U postgres \
        --no-sync >"$datadir/initdb.log" 2>&1 || { cat "$datadir/initdb.log" >&2; return 1; }
    runuser -u postgres -- "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $datadir -c fsync=off -c max_connections=50" \
        start >&2 || { cat "$datadir/server.log" >&2; return 1; }
    runuser -u postgres -- "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE $pguser LOGIN PASSWORD '$pguser'" \
        -c "CREATE DATABASE $pgdb OWNER $pguser" >&2 || return 1
    export CASEWEIGHT_PG_DATADIR="$datadir" CASEWEIGHT_PG_BINDIR="$bindir"
    export CASEWEIGHT_TEST_POSTGRES_URL="postgresql+psycopg://$pguser:$pguser@127.0.0.1:$port/$pgdb"
    echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port; CASEWEIGHT_TEST_POSTGRES_URL=$CASEWEIGHT_TEST_POSTGRES_URL" >&2
}

caseweight_postgres_stop() {
    [ -n "${CASEWEIGHT_PG_DATADIR:-}" ] || return 0
    runuser -u postgres -- "$CASEWEIGHT_PG_BINDIR/pg_ctl" -D "$CASEWEIGHT_PG_DATADIR/data" \
        -m fast -w stop >&2 || true
    rm -rf "$CASEWEIGHT_PG_DATADIR"
    unset CASEWEIGHT_PG_DATADIR CASEWEIGHT_TEST_POSTGRES_URL
}

caseweight_postgres_start
