#!/bin/sh
# Install the named Debian packages that are missing: tests/need.sh PKG...
# Waits up to 10 minutes for another apt/dpkg to finish.
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
lock="-o DPkg::Lock::Timeout=600"
apt-get $lock update -qq >/dev/null &&
	apt-get $lock install -y -qq --no-install-recommends $missing >/dev/null
