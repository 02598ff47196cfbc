#!/usr/bin/env bash
# Exports the realm `tierline` from the local Keycloak database into a file to compare with the realm files
# (default .data/keycloak/tierline-realm.export.json; a path as the first argument writes there instead).
# The local realm is the production realm merged with the demo overlay (infra/lib/realm.mjs), so the export
# holds the demo people and the dev client secrets: carry a change into infra/keycloak/tierline-realm.json
# (production: no people, client secrets as ${TIERLINE_<CLIENT>_CLIENT_SECRET}) or tierline-realm.demo.json
# by hand, never by copying the export over them.
#
# What it runs (Keycloak's own export command, a server launch that exits after writing the file):
#   kc.sh export --realm tierline --users same_file --file infra/keycloak/tierline-realm.json \
#     --db=postgres --db-url=jdbc:postgresql://127.0.0.1:$PG_PORT/keycloak --db-username=tierline --db-password=tierline
# (`--users realm_file` is rejected by Keycloak 26.5 for a single-file export: "same_file" puts the users into it.)
# Keycloak should not serve while exporting, so a running `keycloak` (from infra/stack.mjs) is stopped first and
# started again afterwards; PostgreSQL must be up (node infra/stack.mjs up postgres).
# The exported file is much longer than the hand-written one (ids, all defaults, hashed demo passwords); review the diff.
# Note: the export runs in Keycloak's prod profile, so the next `start-dev` re-augments once (~15 s extra).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
infra="$(dirname "$here")"
out="${1:-$(dirname "$infra")/.data/keycloak/tierline-realm.export.json}"
eval "$(node --input-type=module -e "
  import { toolPaths } from '$infra/lib/tools.mjs';
  const p = toolPaths();
  console.log('KC_HOME=' + JSON.stringify(p.keycloakHome) + '; JH=' + JSON.stringify(p.javaHome || ''));
")"
[ -x "$KC_HOME/bin/kc.sh" ] || { echo "Keycloak not installed; run: node infra/install.mjs" >&2; exit 1; }
[ -n "$JH" ] || { echo "no Java >= 21 found; set JAVA_HOME" >&2; exit 1; }
node "$infra/stack.mjs" up postgres

was_running=no
if node "$infra/stack.mjs" status | grep -q '^keycloak .*running (pid'; then
  was_running=yes
  node "$infra/stack.mjs" down keycloak
fi

tmp="$(mktemp -d)"
finish() {
  rm -rf "$tmp"
  if [ "$was_running" = yes ]; then node "$infra/stack.mjs" up keycloak; fi
}
trap finish EXIT
JAVA_HOME="$JH" JAVA_OPTS_APPEND="-XX:TieredStopAtLevel=1 --add-opens=java.base/java.lang=ALL-UNNAMED" \
  "$KC_HOME/bin/kc.sh" export --realm tierline --users same_file --file "$tmp/tierline-realm.json" \
  --db=postgres --db-url="jdbc:postgresql://127.0.0.1:${PG_PORT:-55432}/keycloak" --db-username=tierline --db-password=tierline
node -e 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))' "$tmp/tierline-realm.json"
mkdir -p "$(dirname "$out")"
cp "$tmp/tierline-realm.json" "$out"
echo "exported realm tierline to $out"
