#!/usr/bin/env bash
# Runs one benchmark on PostgreSQL: starts a throwaway server of Debian's PostgreSQL on loopback (durable: fsync and
# synchronous commit on, as in production; more memory than Debian's defaults), runs
#   dotnet run -c Release --project tests/Nehr.Benchmarks -- <benchmark> --postgres <server> [your arguments]
# and stops the server. With NEHR_TEST_POSTGRES set, that server is used instead.
# Example: tests/Nehr.Benchmarks/on-postgresql.sh appends --callers 64
set -euo pipefail
cd "$(dirname "$0")/../.."
benchmark="$1"; shift
. tests/postgres.sh
trap nehr_stop_postgres EXIT
NEHR_POSTGRES_SETTINGS="-c shared_buffers=2GB -c effective_cache_size=12GB -c max_wal_size=8GB -c checkpoint_timeout=15min" nehr_start_postgres
dotnet run -c Release --project tests/Nehr.Benchmarks -- "$benchmark" --postgres "$NEHR_TEST_POSTGRES" "$@"
