#!/usr/bin/env bash
# tests/bench/micro.sh: engine micro-benchmark (bench_classify.c). Builds it
# with gcc -O2 straight from the engine sources (the same files as
# module/engine/Makefile.am's libsipoutcome.la), then prints, per case,
# instructions per call (callgrind, inclusive cost of the engine function,
# deterministic) and nanoseconds per call (best of 7 rounds of ~20 ms;
# indicative only on a shared machine).
#
#   tests/bench/micro.sh
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
eng=$top/module/engine
work=$(mktemp -d "${TMPDIR:-/tmp}/sipoutcome-micro.XXXXXX") || exit 99
trap 'rm -rf -- "$work"' EXIT
start=$(date +%s)

for t in gcc awk valgrind callgrind_annotate; do
	command -v "$t" >/dev/null || { echo "micro: $t not found" >&2; exit 77; }
done

# The generated engine sources: the build tree's, else made here with the
# same rules as module/engine/Makefile.am.
gen=()
for g in codes_table.c q850_table.c profiles_builtin.c; do
	if [ -f "$eng/$g" ]; then
		gen+=("$eng/$g")
	fi
done
if [ "${#gen[@]}" -ne 3 ]; then
	awk -f "$eng/gen_common.awk" -f "$eng/gen_codes.awk" "$top/data/codes.tsv" \
		>"$work/codes_table.c" || exit 99
	awk -f "$eng/gen_common.awk" -f "$eng/gen_q850.awk" "$top/data/q850.tsv" \
		>"$work/q850_table.c" || exit 99
	awk -f "$eng/gen_embed.awk" "$top/data/profiles/rfc.profile" \
		"$top/data/profiles/8x8.profile" "$top/data/profiles/okitoki.profile" \
		"$top/data/profiles/cognigy.profile" >"$work/profiles_builtin.c" || exit 99
	gen=("$work/codes_table.c" "$work/q850_table.c" "$work/profiles_builtin.c")
fi
srcs=("$eng"/sipoutcome_*.c "${gen[@]}")
bin=$work/bench_classify
gcc -O2 -g -I"$top/include" -I"$eng" -o "$bin" "$here/bench_classify.c" "${srcs[@]}" ||
	{ echo "micro: build failed" >&2; exit 99; }
echo "built: gcc -O2 -g -Iinclude -Imodule/engine tests/bench/bench_classify.c module/engine/{sipoutcome_*,codes_table,q850_table,profiles_builtin}.c"

declare -A NS
while IFS=$'\t' read -r name ns; do
	NS[$name]=$ns
done < <("$bin")

echo
echo "== Engine micro-benchmark (per call; ns: best of 7 rounds, shared machine)"
printf '%-46s %12s %10s\n' case "instr/call" "ns/call"
rounds=2000
# inclusive instructions of FUNC in a run of ROUNDS rounds of CASE
cg_ir() {
	local out=$work/cg.$1.$3
	valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" -n "$3" "$1" \
		>/dev/null 2>&1 || { echo "micro: callgrind run of $1 failed" >&2; exit 99; }
	callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
		awk -v f="$2" '
		$1 ~ /^[0-9,]+$/ && index($0, ":" f " [") { v = $1; gsub(/,/, "", v); print v; exit }
		END { if (v == "") print 0 }'
}
while IFS=$'\t' read -r name per func what; do
	# minus a 0-round run: set-up (profile loading) calls some of these too
	ir=$(cg_ir "$name" "$func" "$rounds")
	ir0=$(cg_ir "$name" "$func" 0)
	ipc=$(awk -v i="$ir" -v z="$ir0" -v r="$rounds" -v p="$per" 'BEGIN { printf "%.0f", (i - z) / (r * p) }')
	printf '%-46s %12s %10s\n' "$what" "$ipc" "${NS[$name]:-?}"
done < <("$bin" -l)
echo "(classify cases: one call per registered code, $("$bin" -l | awk -F'\t' 'NR == 1 { print $2 }') codes, averaged)"
echo "micro mode took $(($(date +%s) - start)) s"
