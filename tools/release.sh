#!/bin/sh
# Helpers of release.mk (make release, release-check, release-unit).
#   tools/release.sh need build|check|unit   install what that step needs
#   tools/release.sh report DIR ARCH=BAR...  sizes, sha256, the bars
#   tools/release.sh unit ARCH...            cmocka tests under qemu-user
#   tools/release.sh check DIR ARCH...       the smoke test of DIR/cgi2scgi-ARCH,
#                                            then unit; one count of both
set -u

# Debian names: dpkg architecture, glibc cross compiler, multiarch triple,
# qemu-user binary, ELF e_machine
arch_info() {
	case $1 in
	x86_64) echo "amd64 x86_64-linux-gnu- x86_64-linux-gnu - 62" ;;
	i386) echo "i386 i686-linux-gnu- i386-linux-gnu qemu-i386-static 3" ;;
	aarch64) echo "arm64 aarch64-linux-gnu- aarch64-linux-gnu qemu-aarch64-static 183" ;;
	armhf) echo "armhf arm-linux-gnueabihf- arm-linux-gnueabihf qemu-arm-static 40" ;;
	*) echo "release.sh: unknown architecture $1" >&2; exit 2 ;;
	esac
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# like tests/need.sh, with foreign architectures, and going on when
# apt-get update fails for some lists (a mirror in sync, say)
need() {
	pkgs="python3 gcc qemu-user-static musl-dev:amd64
	    gcc-i686-linux-gnu gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf
	    musl-dev:i386 musl-dev:arm64 musl-dev:armhf"
	[ "$1" = unit ] && pkgs="$pkgs libcmocka-dev:amd64
	    libc6-dev-i386-cross libc6-dev-arm64-cross libc6-dev-armhf-cross
	    libcmocka-dev:i386 libcmocka-dev:arm64 libcmocka-dev:armhf"
	missing=
	for p in $pkgs; do
		installed "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing:$missing"
	for a in i386 arm64 armhf; do
		dpkg --print-foreign-architectures | grep -qx "$a" ||
			dpkg --add-architecture "$a" || return 1
	done
	export DEBIAN_FRONTEND=noninteractive
	lock="-o DPkg::Lock::Timeout=600"
	apt-get $lock update -qq >/dev/null 2>&1 ||
		echo "release.sh: apt-get update failed for some lists; going on"
	apt-get $lock install -y -qq --no-install-recommends $missing >/dev/null
}

# the two bytes at offset $2 of file $1, little-endian
u16() {
	od -An -tu1 -j "$2" -N2 "$1" | awk '{ print $1 + 256 * $2 }'
}

report() {
	dir=$1
	shift
	bad=0
	: >"$dir/SHA256SUMS"
	for ab in "$@"; do
		a=${ab%%=*} bar=${ab#*=} f=$dir/cgi2scgi-$a
		set -- $(arch_info "$a")
		n=$(wc -c <"$f")
		sum=$(sha256sum "$f" | cut -d' ' -f1)
		(cd "$dir" && sha256sum "cgi2scgi-$a") >>"$dir/SHA256SUMS"
		printf '%-24s %6d bytes (bar %5d)  sha256 %s\n' "$f" "$n" "$bar" "$sum"
		if [ "$(u16 "$f" 18)" != "$5" ] || [ "$(u16 "$f" 16)" != 2 ]; then
			echo "$f: ELF machine $(u16 "$f" 18) type $(u16 "$f" 16)," \
			    "want $5 and 2 (static, not PIE)"
			bad=1
		fi
		if [ "$n" -gt "$bar" ]; then
			echo "$f: over its bar by $((n - bar)) bytes"
			bad=1
		fi
	done
	return $bad
}

# cmocka's closing lines of one runner's output: "PASSED FAILED"
cmocka_counts() {
	awk '/^\[  PASSED  \]/ { p += $4 } /^\[  FAILED  \] [0-9]+ test/ { f += $4 }
	    END { print p + 0, f + 0 }' "$1"
}

# tests/unit built as unit.mk does, by each glibc cross compiler, run
# under qemu-user (natively for x86_64); $REL_DIR/unit-ARCH holds it all
unit() {
	need unit || exit 1
	passed=0 failed=0
	for a in "$@"; do
		set -- $(arch_info "$a")
		cc=${2}gcc triple=$3 qemu=$4 d=${REL_DIR:-release}/unit-$a
		[ "$qemu" = - ] && qemu=
		rm -rf "$d" && mkdir -p "$d/inc" "$d/lib"
		ln -s /usr/include/cmocka.h "$d/inc/cmocka.h"
		ln -s "/usr/lib/$triple/libcmocka.so.0" "$d/lib/libcmocka.so"
		cf="-std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g -O1"  # -O1: arm's r7 (sys.c) is free only without a frame pointer
		ok=1 objs=
		# the product's files as tests/unit/unit.mk names them
		for src in $(make -s -f tests/unit/unit.mk unit-prod) \
		    tests/unit/*.c; do
			o=$d/$(basename "$src" .c).o
			$cc $cf -DHOSTED -I. -isystem "$d/inc" -c -o "$o" "$src" ||
				ok=0
			objs="$objs $o"
		done
		[ $ok = 1 ] && $cc $cf -o "$d/run_tests" $objs -L"$d/lib" \
		    -lcmocka || ok=0
		if [ $ok = 0 ]; then
			echo "FAIL $a unit: does not build"
			failed=$((failed + 1))
			continue
		fi
		# the unit tests use the repository's files by relative path
		timeout 300 $qemu "$d/run_tests" >"$d/out" 2>&1
		rc=$?
		cat "$d/out"
		set -- $(cmocka_counts "$d/out")
		if [ $rc -ne 0 ] && [ "$2" = 0 ]; then
			echo "FAIL $a unit: the runner exited $rc"
			set -- "$1" 1
		fi
		echo "$a unit: $1 passed, $2 failed"
		passed=$((passed + $1)) failed=$((failed + $2))
	done
	echo "$passed passed, $failed failed"
	[ $failed = 0 ]
}

# "P F" from a closing line "P passed, F failed", else nothing
counts() {
	tail -n 1 "$1" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p'
}

# the smoke test (tools/release-smoke.py), then the unit tests
check() {
	dir=$1
	shift
	need unit || exit 1
	bins=
	for a in "$@"; do
		bins="$bins $a=$dir/cgi2scgi-$a"
	done
	python3 tools/release-smoke.py $bins | tee "$dir/smoke.out"
	(unit "$@") | tee "$dir/unit.out"
	sp=$(counts "$dir/smoke.out") up=$(counts "$dir/unit.out")
	if [ -z "$sp" ] || [ -z "$up" ]; then
		echo "release.sh: a test run ended early"
		echo "0 passed, 1 failed"
		return 1
	fi
	set -- $sp $up
	echo "smoke: $1 passed, $2 failed; unit: $3 passed, $4 failed"
	echo "$(($1 + $3)) passed, $(($2 + $4)) failed"
	[ "$2" = 0 ] && [ "$4" = 0 ]
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
need) need "${1:-build}" ;;
report) report "$@" ;;
unit) unit "$@" ;;
check) check "$@" ;;
*) echo "usage: tools/release.sh need build|check|unit | report DIR ARCH=BAR..." \
	    "| unit ARCH... | check DIR ARCH..." >&2
	exit 2 ;;
esac
