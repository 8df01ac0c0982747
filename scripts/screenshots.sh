#!/usr/bin/env bash
# Regenerate the report screenshots in docs/screenshots/ (two samples, each as its first
# screen and scrolled to the journey) with headless Chromium, through the browser test that checks
# those reports. Needs Debian's chromium and chromium-driver (/usr/bin/chromium,
# /usr/bin/chromedriver); without them it stops with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/docs/screenshots"
mkdir -p "$out"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "screenshots.sh: /usr/bin/chromium and /usr/bin/chromedriver are needed" >&2
  echo "  (apt-get install chromium chromium-driver)" >&2
  exit 1
fi
MAILTRACE_SCREENSHOTS="$out" cargo test --test browser sample_reports -- --nocapture
ls -l "$out"/*.png
