#!/usr/bin/env bash
# Runs every test of the NEHR Portal: unit, integration (on SQLite, then again on PostgreSQL), component (bUnit) and
# browser (Playwright). Installs what the tests need first: Debian's Chromium for the browser tests, Debian's
# PostgreSQL (started on loopback for the run, unless NEHR_TEST_POSTGRES names a server), and the pinned dotnet tools.
set -euo pipefail
cd "$(dirname "$0")"
. tests/postgres.sh
trap nehr_stop_postgres EXIT

# Its headless build (chromium-headless-shell, the kind Playwright runs headless tests in) runs the browser tests a
# third faster; the tests use it when it is there and the full browser when it is not.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromium-headless-shell ]; then
  echo "Installing Debian's Chromium for the browser tests..."
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium-headless-shell >/dev/null \
    || echo "Debian's chromium-headless-shell could not be installed: the browser tests run in the full Chromium." >&2
fi

# The tests check behaviour, not durability: the throwaway server does not wait for the disk (the benchmark's does).
postgres_status=0
NEHR_POSTGRES_SETTINGS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" nehr_start_postgres || postgres_status=$?

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
dotnet build Nehr.Portal.sln -c Release -nologo -clp:ErrorsOnly

results="$(pwd)/TestResults"
rm -rf "$results"
status=0
# -m:1: one test project at a time. In parallel, the integration tests' load starves the browser tests' portal of
# CPU on a 2-core machine and page loads time out.
dotnet test Nehr.Portal.sln -c Release --no-build -nologo -m:1 \
  --logger "trx;LogFilePrefix=nehr" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# The integration tests again, each portal on a new database of the PostgreSQL server, plus the tests of several
# instances on one database. Left out of this pass: tests of SQLite's own mechanics (file, WAL, bulk loader), and
# tests of what happens before the database plays any part (rate limits, proxy headers, hostile bodies refused by
# the reader, cookie flags, the cost of a password check), marked Database=ProviderIndependent.
if [ "$postgres_status" -eq 0 ]; then
  echo "Integration tests on PostgreSQL:"
  NEHR_TEST_PROVIDER=PostgreSql dotnet test tests/Nehr.Integration.Tests -c Release --no-build -nologo \
    --filter "Database!=SqliteOnly&Database!=ProviderIndependent" \
    --logger "trx;LogFilePrefix=nehr-postgresql" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
else
  echo "SKIPPED: the integration tests on PostgreSQL, because no PostgreSQL server could be installed or started (see above)." >&2
  echo "         Set NEHR_TEST_POSTGRES to an Npgsql connection string of a server where the user may create databases." >&2
fi

# One closing line over all test projects, read from their TRX reports.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  t=$(echo "$counters" | sed -n 's/.* total="\([0-9]*\)".*/\1/p')
  e=$(echo "$counters" | sed -n 's/.* executed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
# The authorisation matrix test reports how many cells it checked.
grep -ho 'Authorization matrix: [^&<]*' "$results"/*.trx 2>/dev/null | head -1 || true
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ]; then
  echo "No test ran." >&2
  exit 1
fi
exit "$status"
