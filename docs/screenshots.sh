#!/usr/bin/env bash
# Regenerates the README's screenshots (docs/screenshots/*.png) from the running portal: the browser tests'
# ScreenshotTests sign in as the demo accounts and photograph each area (the patient area in its four languages too).
# Needs what ./test.sh installs (Chromium), and installs fonts for Chinese and Tamil.
set -euo pipefail
cd "$(dirname "$0")/.."
# The patient area's Chinese and Tamil need fonts with their glyphs (a phone has them; a bare Debian does not).
if ! fc-list 2>/dev/null | grep -q "WenQuanYi Micro Hei" || ! fc-list 2>/dev/null | grep -q "Lohit Tamil"; then
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq fonts-wqy-microhei fonts-lohit-taml >/dev/null
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Nehr.Portal.sln -c Release -nologo -clp:ErrorsOnly
NEHR_SCREENSHOTS="$(pwd)/docs/screenshots" dotnet test tests/Nehr.Browser.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~Nehr.Browser.Tests.ScreenshotTests" --logger "console;verbosity=minimal"
ls -l docs/screenshots
