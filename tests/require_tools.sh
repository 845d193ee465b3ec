#!/bin/sh
# The suite drives the real redis-cli, redis-benchmark, redis-server,
# redis-check-rdb, redis-sentinel and nutcracker (twemproxy), `script` for
# a pseudo-terminal, openssl for TLS certificates and cc for the bench's load
# generator. Install them when they are missing and we can (root with
# apt-get); otherwise fail loudly instead of letting tests skip.
set -eu
tools="redis-cli redis-benchmark redis-server redis-check-rdb redis-sentinel nutcracker script openssl cc"
missing() {
  out=""
  for tool in $tools; do
    command -v "$tool" >/dev/null 2>&1 || out="$out $tool"
  done
  echo "$out"
}
need=$(missing)
if [ -n "$need" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "tests: installing Debian packages for:$need" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools redis-server redis-sentinel nutcracker bsdutils openssl gcc >&2
  need=$(missing)
fi
if [ -n "$need" ]; then
  echo "tests need:$need" >&2
  echo "install them with: apt-get update && apt-get install -y redis-tools redis-server redis-sentinel nutcracker bsdutils openssl gcc" >&2
  exit 1
fi
