#!/usr/bin/env bash
# Coverage-guided fuzzing of mailtrace's parsers and of the whole analyze path (cargo fuzz,
# libFuzzer). Seeds come from the project's samples; each target runs SECONDS (default 30).
# A crash stops the script with exit 1 and leaves its input under fuzz/artifacts/TARGET/:
# copy it to tests/fixtures/fuzz-regressions/ (tests/fuzz_regressions.rs replays every file
# there through the whole analysis), fix the bug, and run again.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(input_repair received claims reports zone analyze)
fi
if ! command -v cargo-fuzz > /dev/null; then
    echo "scripts/fuzz.sh: cargo-fuzz is not installed (cargo install cargo-fuzz --locked)" >&2
    exit 2
fi
# --sanitizer none: the machine's stable toolchain has no sanitizer runtimes; libFuzzer's
# coverage guidance and Rust's own checks (bounds, overflow in debug assertions) remain
cargo fuzz build -O --sanitizer none
# cargo fuzz builds where cargo would: $CARGO_TARGET_DIR when set, else fuzz/target
bin=${CARGO_TARGET_DIR:-fuzz/target}/x86_64-unknown-linux-gnu/release
work=${TMPDIR:-/tmp}/mailtrace-fuzz
rm -rf "$work"
mkdir -p "$work"

seed() {
    local target=$1 dir="$work/$1"
    mkdir -p "$dir"
    case $target in
        input_repair|reports|analyze)
            cp samples/*.eml samples/*.txt "$dir/" 2>/dev/null || true
            cp tests/fixtures/fuzz-regressions/* "$dir/" 2>/dev/null || true ;;
        received)
            grep -h -A3 '^Received:' samples/*.eml | grep -v '^--$' | sed 's/^Received: //' \
                | split -l 4 - "$dir/r-" ;;
        claims)
            grep -h -A2 -E '^(Authentication-Results|ARC-Authentication-Results|Received-SPF):' samples/*.eml \
                | grep -v '^--$' | sed -E 's/^[A-Za-z-]+: //' | split -l 3 - "$dir/c-" ;;
        zone)
            cp samples/dns.zone tests/fixtures/domain.zone "$dir/" ;;
    esac
}

failed=0
for target in "${targets[@]}"; do
    if [ ! -x "$bin/$target" ]; then
        echo "scripts/fuzz.sh: $bin/$target was not built" >&2
        exit 2
    fi
    seed "$target"
    mkdir -p "fuzz/artifacts/$target"
    echo "== fuzz $target for ${seconds}s"
    if ! "$bin/$target" "$work/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="fuzz/artifacts/$target/" -print_final_stats=1 2> "$work/$target.log"; then
        echo "!! $target found a crash or a hang:" >&2
        grep -E "panicked|ERROR|Test unit written" "$work/$target.log" | head -5 >&2
        failed=1
    else
        grep -E "stat::number_of_executed_units|cov:" "$work/$target.log" | tail -2
    fi
done
exit $failed
