#!/usr/bin/env bash
# Build a local stand-in for the Docker Hub image python:3.11.7-slim-bookworm when Docker Hub
# cannot be reached (only the Debian archive and PyPI can), so that the Dockerfile can be built
# and smoke-tested (`make docker-smoke`) on such a machine. Never push images built on it.
#
#   docker/standin-base.sh [WORKDIR] [TAG]
#       WORKDIR  scratch directory for the root filesystem (default /tmp/churn-standin)
#       TAG      image tag to create (default python:3.11.7-slim-bookworm)
#
# Needs: root, a running Docker engine, debootstrap (apt-get install -y debootstrap), and a
# CPython 3.11.7 built on Debian bookworm on this machine (PY311, default the pyenv one at
# /root/.pyenv/versions/3.11.7). Like the official image, the interpreter ends up under /usr/local
# (/usr/local/bin/python3.11 + python3/python/pip/pip3 links, /usr/local/lib/libpython3.11.so.1.0),
# with pip 23.2.1 and setuptools and wheel; only the standard library is copied (no site-packages).
#
# TRUST_HOST_CAS=1: also trust the extra CA certificates this host trusts
# (/usr/local/share/ca-certificates/*.crt) and point pip at the system bundle (/etc/pip.conf).
# Needed only where HTTPS to PyPI goes through a TLS-intercepting proxy (as on the machine this
# was written on: without it pip in the rootfs and in `docker build` fails with
# CERTIFICATE_VERIFY_FAILED "self-signed certificate in certificate chain"). Never needed with
# the real base image on an ordinary network, and those CAs must not go into a published image.
# The result is a stand-in, not the official image: same Debian release and Python version, but
# a different build of Python, different layer history and a somewhat different package set.
set -euo pipefail

WORKDIR=${1:-/tmp/churn-standin}
TAG=${2:-python:3.11.7-slim-bookworm}
PY311=${PY311:-/root/.pyenv/versions/3.11.7}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
TRUST_HOST_CAS=${TRUST_HOST_CAS:-0}
ROOTFS=$WORKDIR/rootfs

[[ $(id -u) == 0 ]] || { echo "run as root" >&2; exit 1; }
[[ -x $PY311/bin/python3.11 ]] || { echo "no python3.11 at $PY311" >&2; exit 1; }
"$PY311/bin/python3.11" -c 'import sys; assert sys.version_info[:3] == (3, 11, 7), sys.version'
command -v debootstrap >/dev/null || apt-get install -y debootstrap
docker info >/dev/null

rm -rf "$ROOTFS"
mkdir -p "$WORKDIR"

# 1. Minimal Debian bookworm.
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR"

# 2. What the official slim image adds: ca-certificates, netbase, tzdata, and the shared
#    libraries the interpreter's extension modules link against (no Tk/X11: slim has no tkinter).
in_root() {  # run in the rootfs with a clean environment (no host pip/proxy settings)
    env -i PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        HOME=/root DEBIAN_FRONTEND=noninteractive chroot "$ROOTFS" /bin/sh -c "$1"
}
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
mount -t proc proc "$ROOTFS/proc"
trap 'umount "$ROOTFS/proc" 2>/dev/null || true' EXIT
in_root 'apt-get update && apt-get install -y --no-install-recommends \
    ca-certificates netbase tzdata libssl3 libsqlite3-0 libffi8 libbz2-1.0 liblzma5 zlib1g \
    libreadline8 libncursesw6 libtinfo6 libuuid1 libgdbm6 libnsl2 libtirpc3 libcrypt1 libexpat1'

if [[ $TRUST_HOST_CAS == 1 ]]; then
    cp /usr/local/share/ca-certificates/*.crt "$ROOTFS/usr/local/share/ca-certificates/"
    in_root 'update-ca-certificates'
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > "$ROOTFS/etc/pip.conf"
fi

# 3. CPython 3.11.7 under /usr/local: interpreter, libpython, headers, standard library
#    (without site-packages contents, the test suite, or bytecode caches).
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib" "$ROOTFS/usr/local/include"
cp -a "$PY311/bin/python3.11" "$ROOTFS/usr/local/bin/"
cp -a "$PY311/lib/libpython3.11.so.1.0" "$PY311/lib/libpython3.11.so" "$PY311/lib/libpython3.so" \
      "$PY311/lib/pkgconfig" "$ROOTFS/usr/local/lib/"
cp -a "$PY311/include/python3.11" "$ROOTFS/usr/local/include/"
tar -C "$PY311/lib" \
    --exclude='python3.11/site-packages/*' --exclude=test --exclude=tests --exclude=idle_test --exclude="libpython*.a" \
    --exclude='__pycache__' -c python3.11 | tar -C "$ROOTFS/usr/local/lib" -x
# The build's paths (sysconfig data, Makefile, pkg-config) name the pyenv prefix: point them at /usr/local.
grep -rlIF "$PY311" "$ROOTFS/usr/local/lib/python3.11" "$ROOTFS/usr/local/lib/pkgconfig" \
    | xargs -r sed -i "s#$PY311#/usr/local#g"
cp -a "$PY311/bin/python3.11-config" "$ROOTFS/usr/local/bin/" && \
    sed -i "s#$PY311#/usr/local#g" "$ROOTFS/usr/local/bin/python3.11-config"
for link in python3:python3.11 python:python3 python3-config:python3.11-config \
            python-config:python3-config; do
    ln -sfn "${link#*:}" "$ROOTFS/usr/local/bin/${link%%:*}"
done

# 4. ldconfig (libpython in /usr/local/lib; the binary's RUNPATH names the pyenv prefix, absent
#    here, so the loader falls back to the cache), then pip from the bundled wheel, as ensurepip
#    does, and the official image's setuptools/wheel versions from PyPI when it can be reached.
in_root 'ldconfig \
    && python3 -m ensurepip --default-pip \
    && (pip install --no-cache-dir --disable-pip-version-check "setuptools==65.5.1" "wheel==0.42.0" \
        || echo "PyPI not reachable from the rootfs: keeping the bundled setuptools 65.5.0, no wheel") \
    && find /usr/local -depth -type d -name __pycache__ -exec rm -rf {} + \
    && python --version && pip --version \
    && python -c "import ssl, sqlite3, ctypes, lzma, bz2, zlib, readline, uuid, decimal, json, hashlib; print(\"stdlib extension modules OK,\", ssl.OPENSSL_VERSION)" \
    && command -v groupadd useradd'

# 5. Clean up and import as an image with the official image's configuration.
in_root 'apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /tmp/*'
umount "$ROOTFS/proc"; trap - EXIT
: > "$ROOTFS/etc/resolv.conf"   # Docker bind-mounts its own at run time
tar --numeric-owner -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PYTHON_VERSION=3.11.7' \
    --change 'ENV PYTHON_PIP_VERSION=23.2.1' \
    --change 'ENV PYTHON_SETUPTOOLS_VERSION=65.5.1' \
    --change 'CMD ["python3"]' \
    --message "stand-in for python:3.11.7-slim-bookworm (debootstrap bookworm + CPython 3.11.7; TRUST_HOST_CAS=$TRUST_HOST_CAS)" \
    - "$TAG"
docker run --rm "$TAG" python -c 'import sys; print("image OK:", sys.version)'
docker images "$TAG"
