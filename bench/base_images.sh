#!/bin/sh
# Measure the base images knowledge/images.toml records, rebuilt from Debian packages (needs root,
# debootstrap and apt on a Debian 12 host; the Docker registry is not needed).
#     sh bench/base_images.sh [WORKDIR]
set -eu
work=${1:-$(mktemp -d)}
root=$work/bookworm-slim
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
       "$root"/var/log/* "$root"/debootstrap
find "$root"/usr/share/doc -type f ! -name copyright -delete
find "$root"/usr/share/doc -type l -delete
find "$root"/usr/share/doc -type d -empty -delete
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
       "$root"/usr/share/groff/* "$root"/usr/share/lintian/* "$root"/usr/share/linda/*
echo "debian:bookworm-slim $(du -sb "$root" | cut -f1) bytes, Debian $(cat "$root"/etc/debian_version)," \
     "$(chroot "$root" dpkg-query -W -f '${Package}\n' | wc -l) packages"
mkdir -p "$work/debs" "$work/distroless"
(cd "$work/debs" && apt-get download base-files netbase tzdata media-types ca-certificates libc6 libssl3 >/dev/null)
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/distroless"; done
high=$(du -sb "$work/distroless" | cut -f1)
find "$work/distroless"/usr/share/doc -type f ! -name copyright -delete
rm -rf "$work/distroless"/usr/share/man "$work/distroless"/usr/share/info "$work/distroless"/usr/share/lintian \
       "$work/distroless"/usr/share/locale
echo "distroless base-debian12 $(du -sb "$work/distroless" | cut -f1) bytes without docs, $high with them"
