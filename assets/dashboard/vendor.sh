#!/usr/bin/env bash
# Re-vendors ECharts (the dashboard's charts) from the npm registry, pinned,
# and checks it against SHA256SUMS. Run from the repository root:
#   assets/dashboard/vendor.sh
# To move to a new version, change the pin, run it with UPDATE=1, and
# review the diff. The page itself (index.html, dashboard.js,
# dashboard.css) is hand-written: there is no build step.
set -euo pipefail
cd "$(dirname "$0")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack echarts@5.5.1 --silent >/dev/null && tar xzf echarts-*.tgz)
cp "$work/package/dist/echarts.min.js" .
cp "$work/package/LICENSE" LICENSE.echarts
if [ "${UPDATE:-0}" = 1 ]; then
  sha256sum echarts.min.js > SHA256SUMS
fi
sha256sum -c SHA256SUMS
