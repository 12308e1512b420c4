#!/usr/bin/env bash
# The national-scale benchmark (issue 9) on PostgreSQL: starts a throwaway server of Debian's PostgreSQL on loopback
# (durable: fsync and synchronous commit on, as in production; more memory than Debian's defaults), runs
#   dotnet run -c Release --project tests/Nehr.Benchmarks -- national --postgres <server> [your arguments]
# and stops the server. With NEHR_TEST_POSTGRES set, that server is used instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/postgres.sh
trap nehr_stop_postgres EXIT
NEHR_POSTGRES_SETTINGS="-c shared_buffers=2GB -c effective_cache_size=12GB -c max_wal_size=8GB -c checkpoint_timeout=15min" nehr_start_postgres
dotnet run -c Release --project tests/Nehr.Benchmarks -- national --postgres "$NEHR_TEST_POSTGRES" "$@"
