#!/usr/bin/env bash
# Gets an access token for a connected clinical system from Waymark's OAuth
# 2.0 token endpoint: signs a JWT client assertion (RS512) with the system's
# private key using openssl, posts it, and prints the token endpoint's JSON
# answer ({"access_token": ..., "expires_in": ...}).
#
#   scripts/fhir-token.sh BASE_URL CLIENT_ID PRIVATE_KEY_FILE
#   scripts/fhir-token.sh http://localhost:8080 "$CLIENT_ID" waymark-demo-system-DEMO-ONLY.key
#
# Needs bash, openssl and curl. See docs/fhir.md.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 BASE_URL CLIENT_ID PRIVATE_KEY_FILE" >&2
  exit 2
fi
base="${1%/}" client="$2" key="$3"
aud="$base/oauth2/token"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
jti=$(openssl rand -hex 16)
header=$(printf '{"alg":"RS512","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"%s","sub":"%s","aud":"%s","jti":"%s","iat":%d,"exp":%d}' "$client" "$client" "$aud" "$jti" "$now" $((now + 240)) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha512 -sign "$key" -binary | b64url)
curl -sS -X POST "$aud" \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  --data-urlencode 'grant_type=client_credentials' \
  --data-urlencode 'client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer' \
  --data-urlencode "client_assertion=$header.$payload.$signature"
echo
