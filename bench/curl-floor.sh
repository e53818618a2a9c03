#!/bin/sh
# The floor of bench/run.sh: one curl for the managed-identity token, one curl fetching every
# secret over one connection (curl reuses it for the URLs of one command). No parsing beyond the
# token. Usage: curl-floor.sh IDENTITY_ENDPOINT IDENTITY_HEADER VAULT_URL CA_PEM NAME...
set -eu
endpoint=$1 header=$2 vault=$3 ca=$4
shift 4
token=$(curl -sf --cacert "$ca" -H "X-IDENTITY-HEADER: $header" \
  "$endpoint?api-version=2019-08-01&resource=https://vault.azure.net" |
  sed 's/.*"access_token":"\([^"]*\)".*/\1/')
hostport=${vault#https://}
for name; do set -- "$@" "$vault/secrets/$name?api-version=7.6"; shift; done
curl -sf --cacert "$ca" --resolve "$hostport:127.0.0.1" -H "Authorization: Bearer $token" "$@" >/dev/null
