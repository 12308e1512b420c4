#!/usr/bin/env bash
# Adds a migration named $1 for both databases, each in its own folder and namespace.
# `dotnet ef` looks for the model snapshot by file name anywhere in the project, so the other provider's snapshot is
# moved aside while each one is generated.
set -euo pipefail
name="${1:?usage: Nehr.Core/Data/Migrations/add-migration.sh MigrationName}"
cd "$(dirname "$0")/../../.."
migrations=Nehr.Core/Data/Migrations
aside="$(mktemp -d)"
trap 'mv "$aside"/* "$migrations"/ 2>/dev/null || true; rm -rf "$aside"' EXIT

for provider in Sqlite PostgreSql; do
  other=$([ "$provider" = Sqlite ] && echo PostgreSql || echo Sqlite)
  mkdir -p "$aside/$other"
  mv "$migrations/$other/NehrDbContextModelSnapshot.cs" "$aside/$other/"
  dotnet ef migrations add "$name" --project Nehr.Core --output-dir "Data/Migrations/$provider" \
    --namespace "Nehr.Core.Data.Migrations.$provider" -- --provider "$provider"
  mv "$aside/$other/NehrDbContextModelSnapshot.cs" "$migrations/$other/"
done
