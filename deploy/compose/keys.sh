#!/usr/bin/env bash
# Creates deploy/compose/secrets/ (a development RSA key pair for JWTs, and chat-api's key pair for
# subscription tokens) and deploy/compose/.env (a random database password).
# In production, put your identity provider's public key in secrets/jwt-public-key.pem instead.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$dir"
if [ ! -f "$dir/jwt-private-key.pem" ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/jwt-private-key.pem"
  openssl pkey -in "$dir/jwt-private-key.pem" -pubout -out "$dir/jwt-public-key.pem"
fi
if [ ! -f "$dir/subscription-private-key.pem" ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/subscription-private-key.pem"
  openssl pkey -in "$dir/subscription-private-key.pem" -pubout -out "$dir/subscription-public-key.pem"
fi
# private keys for the owner only, public ones for anyone; the services run as this user (PARLEY_UID
# below), because Compose bind-mounts file secrets with the host's owner and mode
chmod 600 "$dir"/*-private-key.pem
chmod 644 "$dir"/*-public-key.pem
env="$(dirname "$dir")/.env"
[ -f "$env" ] || echo "PARLEY_DB_PASSWORD=$(openssl rand -hex 24)" > "$env"
grep -q '^PARLEY_UID=' "$env" || echo "PARLEY_UID=$(id -u)" >> "$env"
echo "keys in $dir, database password in $env"
