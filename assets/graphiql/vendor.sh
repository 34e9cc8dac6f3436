#!/usr/bin/env bash
# Re-vendors GraphiQL's browser assets from the npm registry, pinned, and
# checks them against SHA256SUMS. Run from the repository root:
#   assets/graphiql/vendor.sh
# To move to new versions, change the pins, run it with UPDATE=1, and
# review the diff (the page in index.html uses GraphiQL 3's UMD API).
set -euo pipefail
cd "$(dirname "$0")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for pkg in graphiql@3.8.2 react@18.3.1 react-dom@18.3.1; do
  (cd "$work" && npm pack "$pkg" --silent >/dev/null && mkdir -p "${pkg%@*}" && tar xzf "${pkg%@*}"-*.tgz -C "${pkg%@*}")
done
cp "$work/graphiql/package/graphiql.min.js" "$work/graphiql/package/graphiql.min.css" .
cp "$work/react/package/umd/react.production.min.js" .
cp "$work/react-dom/package/umd/react-dom.production.min.js" .
cp "$work/graphiql/package/LICENSE" LICENSE.graphiql
cp "$work/react/package/LICENSE" LICENSE.react
if [ "${UPDATE:-0}" = 1 ]; then
  sha256sum ./*.js ./*.css | sed 's# \./# #' > SHA256SUMS
fi
sha256sum -c SHA256SUMS
