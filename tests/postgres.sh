# Sourced by test.sh. Gives the tests a PostgreSQL server: the one named by NEHR_TEST_POSTGRES (an Npgsql connection
# string to a database whose user may create databases), or else a throwaway server of Debian's PostgreSQL, installed
# when missing, in a temporary folder, on a free loopback port, stopped when the tests end.
# NEHR_POSTGRES_SETTINGS adds server settings ("-c name=value ..."); without it the server has Debian's defaults.
# On success NEHR_TEST_POSTGRES is exported; when no server can be had it stays empty and the reason is printed.

nehr_postgres_dir=""

nehr_stop_postgres() {
  if [ -n "$nehr_postgres_dir" ] && [ -d "$nehr_postgres_dir" ]; then
    nehr_as_postgres "$nehr_pg_bin/pg_ctl" -D "$nehr_postgres_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$nehr_postgres_dir"
  fi
}

nehr_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

nehr_start_postgres() {
  if [ -n "${NEHR_TEST_POSTGRES:-}" ]; then
    echo "PostgreSQL for the tests: the server named by NEHR_TEST_POSTGRES."
    return 0
  fi

  nehr_pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$nehr_pg_bin" ]; then
    echo "Installing Debian's PostgreSQL for the integration tests on PostgreSQL..."
    local sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null; }; then
      echo "PostgreSQL could not be installed (apt-get failed): the PostgreSQL tests will not run." >&2
      return 1
    fi
    nehr_pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi

  nehr_postgres_dir="$(mktemp -d /tmp/nehr-postgres.XXXXXX)"
  chmod 755 "$nehr_postgres_dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$nehr_postgres_dir"; fi
  local port
  # A port nothing answers on (a connection to it is refused).
  port=$((20000 + RANDOM % 40000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((20000 + RANDOM % 40000)); done
  if ! nehr_as_postgres "$nehr_pg_bin/initdb" -D "$nehr_postgres_dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$nehr_postgres_dir/initdb.log" 2>&1 \
    || ! nehr_as_postgres "$nehr_pg_bin/pg_ctl" -D "$nehr_postgres_dir/data" -l "$nehr_postgres_dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$nehr_postgres_dir -c max_connections=300 ${NEHR_POSTGRES_SETTINGS:-}" start >/dev/null; then
    echo "PostgreSQL could not be started: the PostgreSQL tests will not run. Its log:" >&2
    cat "$nehr_postgres_dir"/*.log >&2 || true
    return 1
  fi

  export NEHR_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL for the tests: Debian's $("$nehr_pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway)."
}
