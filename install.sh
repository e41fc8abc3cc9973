#!/bin/sh
# Installs a released `orchestrator` binary, verified against the release's SHA256SUMS
# before anything is unpacked. No sudo: it installs into a directory you own.
#
#   sh install.sh --version 1.4.0 --to ~/.local/bin
# The README's Quick start checks this script against the release's SHA256SUMS first.
#
# Environment:
#   ORCHESTRATOR_REPO         owner/name of the GitHub repository that publishes releases
#   ORCHESTRATOR_GITHUB_URL   the GitHub server holding that repository (default https://github.com;
#                             tests use 127.0.0.1)
#   ORCHESTRATOR_RELEASE_URL  base URL holding v<version>/<assets> (a mirror; tests use 127.0.0.1)
#   ORCHESTRATOR_API_URL      GitHub API base, asked for the latest release (default api.github.com)
set -eu

repo="${ORCHESTRATOR_REPO:-orchestrator-org/orchestrator}"
github_url="${ORCHESTRATOR_GITHUB_URL:-https://github.com}"
base_url="${ORCHESTRATOR_RELEASE_URL:-$github_url/$repo/releases/download}"
api_url="${ORCHESTRATOR_API_URL:-https://api.github.com}"
version=""
to="${HOME:-}/.local/bin"

fail() {
    echo "install.sh: $*" >&2
    exit 1
}

usage() {
    cat <<USAGE
Usage: install.sh [--version VERSION] [--to DIR]

  --version VERSION  release to install, e.g. 1.4.0 (default: the latest release)
  --to DIR           directory to install into (default: ~/.local/bin)
USAGE
}

while [ $# -gt 0 ]; do
    case "$1" in
        --version) [ $# -ge 2 ] || { usage >&2; exit 2; }; version="$2"; shift 2 ;;
        --version=*) version="${1#--version=}"; shift ;;
        --to) [ $# -ge 2 ] || { usage >&2; exit 2; }; to="$2"; shift 2 ;;
        --to=*) to="${1#--to=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

# Fetches URL $1 into file $2 with whichever of curl or wget is installed.
download() {
    if command -v curl >/dev/null 2>&1; then
        curl --proto '=https,http' --proto-redir '=https' -fsSL -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1"
    else
        fail "neither curl nor wget is installed; install one of them and retry"
    fi
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    else
        fail "neither sha256sum nor shasum is installed: cannot verify the download"
    fi
}

os="$(uname -s)"
arch="$(uname -m)"
case "$os/$arch" in
    Linux/x86_64|Linux/amd64) target="x86_64-unknown-linux-musl" ;;
    Linux/aarch64|Linux/arm64) target="aarch64-unknown-linux-musl" ;;
    Darwin/arm64|Darwin/aarch64) target="aarch64-apple-darwin" ;;
    *) fail "no release binary for $os $arch; build from source: cargo install --locked --git $github_url/$repo" ;;
esac

if [ -z "$version" ]; then
    api="$api_url/repos/$repo/releases/latest"
    latest="$(mktemp)"
    download "$api" "$latest" || { rm -f "$latest"; fail "cannot ask $api for the latest release; pass --version"; }
    version="$(sed -n 's/.*"tag_name"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$latest" | head -n 1)"
    rm -f "$latest"
    [ -n "$version" ] || fail "no tag_name in $api; pass --version"
fi
version="${version#v}"

archive="orchestrator-$version-$target.tar.gz"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

echo "Downloading orchestrator $version for $target"
download "$base_url/v$version/$archive" "$work/$archive" \
    || fail "cannot download $base_url/v$version/$archive (is $version a released version?)"
download "$base_url/v$version/SHA256SUMS" "$work/SHA256SUMS" \
    || fail "cannot download $base_url/v$version/SHA256SUMS: refusing to install an unverified binary"

# SHA256SUMS lines are "<hex>  <file>" (a '*' before the name marks binary mode).
expected="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$work/SHA256SUMS")"
[ -n "$expected" ] || fail "SHA256SUMS of $version has no entry for $archive: refusing to install an unverified binary; nothing was installed"
actual="$(sha256 "$work/$archive")"
if [ "$actual" != "$expected" ]; then
    fail "checksum mismatch for $archive (expected $expected, got $actual): the download is corrupt or tampered with; nothing was installed"
fi
echo "Verified $archive against SHA256SUMS"

mkdir -p "$work/unpacked"
tar -xzf "$work/$archive" -C "$work/unpacked"
binary="$work/unpacked/orchestrator-$version-$target/orchestrator"
[ -f "$binary" ] || binary="$work/unpacked/orchestrator"
[ -f "$binary" ] || fail "$archive holds no orchestrator binary; nothing was installed"

mkdir -p "$to" || fail "cannot create $to; choose a directory you own with --to"
# Copy then rename, so a running or half-written binary is never left at the final path.
cp "$binary" "$to/.orchestrator.$$" || fail "cannot write to $to; choose a directory you own with --to"
chmod 755 "$to/.orchestrator.$$"
mv -f "$to/.orchestrator.$$" "$to/orchestrator"
echo "Installed $to/orchestrator"
case ":${PATH:-}:" in
    *":$to:"*) ;;
    *) echo "Add $to to PATH to run it: export PATH=\"$to:\$PATH\"" ;;
esac
