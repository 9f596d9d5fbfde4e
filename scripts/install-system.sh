#!/usr/bin/env bash
# Installs the Debian packages the platform needs, only those that are missing.
set -euo pipefail
packages=(python3-venv postgresql-15 postgresql-15-postgis-3 gdal-bin libgdal32 libgeos-c1v5 libproj25
          fonts-noto-cjk chromium poppler-utils haproxy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "安装系统软件包: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# HAProxy is the load balancer of the two-node test (tests/test_two_nodes.py); its Debian
# package starts no balancer of its own until configured.
# The Debian package starts its own cluster on 5432; we run a private one instead.
if command -v pg_ctlcluster >/dev/null && pg_lsclusters 2>/dev/null | grep -q '^15 *main'; then
  $SUDO pg_ctlcluster 15 main stop 2>/dev/null || true
fi
