#!/usr/bin/env bash
# tests/bench/profiles.sh: profile loading benchmark (bench_profiles.c).
# Builds it with gcc -O2 from the engine sources of the build tree (run
# scripts/setup.sh first), then prints, per case, the rules loaded, the
# best of 3 load times (ms, wall clock: indicative only; one load when it takes over a second) and the heap the
# loaded set holds (bytes, mallinfo2: exact).
#
#   tests/bench/profiles.sh [RULES]    RULES: size of the one-file case (27000)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
eng=$top/module/engine
work=$(mktemp -d "${TMPDIR:-/tmp}/sipoutcome-profiles.XXXXXX") || exit 99
trap 'rm -rf -- "$work"' EXIT

for g in codes_table.c q850_table.c profiles_builtin.c; do
	[ -f "$eng/$g" ] || { echo "profiles: $eng/$g missing: run scripts/setup.sh" >&2; exit 77; }
done
gcc -O2 -I"$top/include" -I"$eng" -o "$work/bench_profiles" "$here/bench_profiles.c" \
	"$eng"/sipoutcome_*.c "$eng/codes_table.c" "$eng/q850_table.c" "$eng/profiles_builtin.c" ||
	{ echo "profiles: build failed" >&2; exit 99; }

echo "== Profile loading (best of 3 loads; heap = bytes in use after the load)"
printf '%-10s %7s %10s %14s  %s\n' case rules ms heap result
"$work/bench_profiles" -r "${1:-27000}" | while IFS=$'\t' read -r c r ms heap res; do
	printf '%-10s %7s %10s %14s  %s\n' "$c" "$r" "$ms" "$heap" "$res"
done
