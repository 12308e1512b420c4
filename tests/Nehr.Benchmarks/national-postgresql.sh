#!/usr/bin/env bash
# The national-scale benchmark (issue 9) on PostgreSQL (see on-postgresql.sh):
#   dotnet run -c Release --project tests/Nehr.Benchmarks -- national --postgres <server> [your arguments]
exec "$(dirname "$0")/on-postgresql.sh" national "$@"
