#!/usr/bin/env bash
# Benchmarks of sipoutcome: figures anyone can reproduce, printed by the
# project's own commands (tests/bench/README.md explains each method).
#
#   scripts/bench.sh                  Kamailio instructions per call, four
#                                     configurations (callgrind), then the
#                                     engine micro-benchmark
#   scripts/bench.sh --throughput     highest call rate with zero failed
#                                     calls and memory growth, with and
#                                     without the module (takes longer)
#   scripts/bench.sh --all            both
#
# Options:
#   --cg-calls N     calls of each type in the callgrind mode (default 200)
#   --calls N        calls of the memory check (default 50000; CI: 5000)
#   --mem-rate CPS   call rate of the memory check (default 400)
#   --burst S        seconds of each rate step (default 5)
#   --rates "LIST"   rate steps, calls/s (default "100 200 400 ... 6400")
#   --micro-only     only the engine micro-benchmark
#   --callgrind-only only the callgrind table
#   --no-setup       do not run scripts/setup.sh first (packages and build
#                    already in place)
# KEEP_WORK=1 keeps each mode's work directory (logs, callgrind files,
# sipp screens). Everything runs on 127.0.0.1; only processes started here
# are stopped, by PID.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cg=1 micro=1 tp=0 setup=1
cg_calls=200
tp_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--throughput) cg=0 micro=0 tp=1 ;;
	--all) cg=1 micro=1 tp=1 ;;
	--micro-only) cg=0 micro=1 tp=0 ;;
	--callgrind-only) cg=1 micro=0 tp=0 ;;
	--no-setup) setup=0 ;;
	--cg-calls) cg_calls=$2; shift ;;
	--calls | --mem-rate | --burst | --rates | --configs) tp_args+=("$1" "$2"); shift ;;
	-h | --help) sed -n '2,25p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

if [ "$setup" = 1 ]; then
	bash "$top/scripts/setup.sh" || exit 1
fi
export top_srcdir=$top top_builddir=$top

rc=0
t_all=$(date +%s)
echo "sipoutcome benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
	"Kamailio $(kamailio -v 2>/dev/null | sed -n 's/^version: kamailio \([^ ]*\).*/\1/p')," \
	"$(valgrind --version 2>/dev/null), sipp $(sipp -v 2>/dev/null | sed -n 's/.*SIPp v\([0-9.]*\).*/\1/p' | head -n 1)"
module=${SIPOUTCOME_MODULE:-$top/module/kamailio/.libs/sipoutcome.so}
echo "module: $module, sha256 $(sha256sum "$module" 2>/dev/null | cut -c1-16)," \
	"source $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')$(
		[ -n "$(git -C "$top" status --porcelain -- module include data 2>/dev/null)" ] && echo '+changes')"
if [ "$cg" = 1 ]; then
	echo
	echo "#### callgrind mode"
	bash "$top/tests/bench/callgrind.sh" "$cg_calls" || rc=1
fi
if [ "$micro" = 1 ]; then
	echo
	echo "#### engine micro-benchmark"
	bash "$top/tests/bench/micro.sh" || rc=1
fi
if [ "$tp" = 1 ]; then
	echo
	echo "#### throughput and memory mode"
	bash "$top/tests/bench/throughput.sh" "${tp_args[@]}" || rc=1
fi
echo
echo "bench.sh took $(($(date +%s) - t_all)) s"
exit "$rc"
