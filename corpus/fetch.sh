#!/usr/bin/env sh
# Download every .crate file of the pinned corpus (corpus/Cargo.lock) into a private cargo home,
# <repo>/target/corpus-home, without building anything. The archives land in
# target/corpus-home/registry/cache/<registry>/*.crate.
# Usage: corpus/fetch.sh            (from anywhere; network access to crates.io needed)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
export CARGO_HOME="${FERRET_CORPUS_HOME:-$repo/target/corpus-home}"
mkdir -p "$CARGO_HOME"
start=$(date +%s)
# --locked: the committed Cargo.lock is the corpus; never re-resolve it.
cargo fetch --locked --manifest-path "$here/Cargo.toml"
end=$(date +%s)
cache="$CARGO_HOME/registry/cache"
count=$(find "$cache" -name '*.crate' | wc -l | tr -d ' ')
bytes=$(find "$cache" -name '*.crate' -exec cat {} + | wc -c | tr -d ' ')
echo "corpus: $count .crate files, $((bytes / 1048576)) MiB compressed, in $cache ($((end - start)) s)"
