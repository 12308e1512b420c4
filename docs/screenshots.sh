#!/usr/bin/env bash
# Regenerates the README's screenshots (docs/screenshots/*.png) from the running portal: the browser tests'
# ScreenshotTests sign in as the demo accounts and photograph each area. Needs what ./test.sh installs (Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Nehr.Portal.sln -c Release -nologo -clp:ErrorsOnly
NEHR_SCREENSHOTS="$(pwd)/docs/screenshots" dotnet test tests/Nehr.Browser.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~Nehr.Browser.Tests.ScreenshotTests" --logger "console;verbosity=minimal"
ls -l docs/screenshots
