#!/usr/bin/env bash
# Build a directory tree holding what the ipfailover image holds, from
# deploy/container/rootfs-files.txt, using this (Debian bookworm) host's
# installed packages instead of pulling the base image. For tests that run the
# daemon "as in the image": chroot into the tree inside a fresh network
# namespace, with the ConfigMap's scripts at /etc/keepalive.
#
# Usage:
#   make-rootfs.sh --binary PATH [--scripts DIR] [--force] OUTDIR
#       PATH    the release binary (built with the `build` line of the listing)
#       DIR     copied to OUTDIR/etc/keepalive (e.g. deploy/kubernetes/scripts)
#       --force replace an existing OUTDIR
#   make-rootfs.sh --build-command   print the listing's build command
#   make-rootfs.sh --packages        print the Debian packages the host needs
#
# The tree gets device nodes (null, zero, random, urandom) but no mounts: mount
# /proc inside the test's own mount namespace (the Swift runtime reads
# /proc/self for CommandLine.arguments), e.g.
#   ip netns exec ipf-x unshare --mount --pid --fork --mount-proc="$OUTDIR/proc" \
#     chroot "$OUTDIR" /usr/local/bin/ipfailover run
# Everything it creates lies under OUTDIR; remove it with rm -rf.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
listing=$here/rootfs-files.txt

die() { echo "make-rootfs: $*" >&2; exit 1; }

# entries KIND: the remaining fields of every line of that kind.
entries() {
  sed -e 's/#.*//' "$listing" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ +/, ""); print }'
}

binary='' scripts='' force=0 out=''
while (($#)); do
  case $1 in
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --scripts) scripts=${2:?--scripts needs a directory}; shift 2 ;;
    --force) force=1; shift ;;
    --build-command) entries build; exit 0 ;;
    --packages) { entries package; entries from-base; } | sort -u; exit 0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) [[ -z $out ]] || die "one OUTDIR only"; out=$1; shift ;;
  esac
done
[[ -n $out ]] || die "missing OUTDIR (see --help)"
[[ -n $binary ]] || die "missing --binary PATH"
[[ -x $binary ]] || die "$binary is not an executable file"
[[ -z $scripts || -d $scripts ]] || die "$scripts is not a directory"
command -v dpkg-query >/dev/null || die "needs a Debian host (dpkg-query)"
[[ $(id -u) -eq 0 ]] || die "needs root (device nodes, root-owned files)"

if [[ -e $out ]]; then
  ((force)) || die "$out exists (use --force to replace it)"
  rm -rf -- "$out"
fi
mkdir -p -- "$out"
out=$(cd "$out" && pwd)

# The base image's layout: merged /usr, /var/run -> /run, a sticky /tmp.
mkdir -p "$out"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,dev,proc,sys,run,tmp,var/log,var/tmp,root}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$out/$d"; done
ln -s ../run "$out/var/run"
chmod 1777 "$out/tmp" "$out/var/tmp"
chmod 0700 "$out/root"

# copy PATH: the path itself (a symlink stays a symlink) and, for a symlink,
# what it resolves to, under the same names in the tree.
copy() {
  local p=$1
  [[ -e $p || -L $p ]] || return 0
  cp -a --parents -- "$p" "$out" 2>/dev/null || cp -a --parents -- "$p" "$out"
  if [[ -L $p ]]; then
    local r; r=$(readlink -f -- "$p")
    [[ -e $out$r ]] || cp -a --parents -- "$r" "$out"
  fi
}

is_elf() { [[ -f $1 && ! -L $1 ]] && [[ $(head -c 4 -- "$1" | od -An -c | tr -d ' ') == '177ELF' ]]; }

# Shared libraries an ELF file needs, as this host's loader resolves them.
copy_libs() {
  local lib
  while read -r lib; do copy "$lib"; done < <(
    ldd -- "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
  )
}

elves=()
while read -r pkg; do
  [[ -n $pkg ]] || continue
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || die "package $pkg is not installed on this host (apt-get install $pkg)"
  while read -r f; do
    case $f in
      /.|/usr/share/doc/*|/usr/share/man/*|/usr/share/info/*|/usr/share/locale/*|/usr/share/lintian/*) continue ;;
    esac
    [[ -d $f && ! -L $f ]] && { mkdir -p "$out$f"; continue; }
    copy "$f"
    is_elf "$f" && elves+=("$f")
  done < <(dpkg-query -L "$pkg")
done < <({ entries package; entries from-base; } | awk '{ print $1 }' | sort -u)

while read -r path mode source; do
  [[ -n $path ]] || continue
  case $source in
    build:*) src=$binary ;;
    *) die "file $path: unknown source '$source'" ;;
  esac
  install -D -m "$mode" -- "$src" "$out$path"
  elves+=("$src")
done < <(entries file)

while read -r path mode; do
  [[ -n $path ]] || continue
  mkdir -p -- "$out$path"
  chmod "$mode" -- "$out$path"
done < <(entries dir)

while read -r path target; do
  [[ -n $path ]] || continue
  ln -sfn -- "$target" "$out$path"
done < <(entries link)

for e in "${elves[@]}"; do copy_libs "$e"; done

# Links the packages' maintainer scripts make with update-alternatives (not in
# dpkg -L): /usr/bin/awk -> /etc/alternatives/awk -> /usr/bin/mawk, nc -> ncat.
# Taken from this host wherever the alternative's choice is in the tree.
for alt in /etc/alternatives/*; do
  target=$(readlink -- "$alt") || continue
  [[ -e $out$target ]] || continue
  mkdir -p "$out/etc/alternatives"
  cp -a -- "$alt" "$out$alt"
  while read -r link; do
    [[ -e $out$link || -L $out$link ]] || cp -a --parents -- "$link" "$out"
  done < <(find /usr/bin /usr/sbin -maxdepth 1 -lname "$alt" 2>/dev/null)
done

# Files a package's maintainer scripts generate (not in dpkg -L): the CA bundle.
if { entries package; entries from-base; } | awk '{ print $1 }' | grep -qx ca-certificates; then
  [[ -d /etc/ssl/certs ]] && cp -a --parents /etc/ssl/certs "$out"
fi

# What debian:bookworm-slim's base-passwd and netbase leave in /etc, reduced
# to what a daemon and its scripts look up.
cat >"$out/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$out/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$out/etc/hosts"

for dev in null:1:3 zero:1:5 random:1:8 urandom:1:9; do
  IFS=: read -r name major minor <<<"$dev"
  mknod -m 0666 "$out/dev/$name" c "$major" "$minor"
done

if [[ -n $scripts ]]; then
  install -m 0755 -- "$scripts"/* "$out/etc/keepalive/"
fi

echo "make-rootfs: built $out ($(du -sh -- "$out" | cut -f1))"
