# shellcheck shell=bash
# scripts/mirror.sh: sourced by scripts/sanitize.sh and scripts/test-upstream.sh,
# which build the tree again in a directory of their own (the clone itself is
# configured in place by setup.sh, so automake refuses a VPATH build of it).
#
# so_mirror TOP BDIR : copies the files git would commit (tracked or untracked, not ignored)
# into BDIR/src when their content changed, with a fresh time stamp so that
# make sees the change; delete the ones gone since the last run. Build
# directories and compiled programs left in the tree are not sources:
# VPATH would let make take them for up-to-date targets.
so_mirror() {
	local top=$1 bdir=$2
	local dst=$bdir/src list=$bdir/src.list f
	local new=$list.new
	mkdir -p "$dst" || return 1
	(cd "$top" && git ls-files -z -co --exclude-standard) |
		while IFS= read -r -d '' f; do
			case "$top/$f" in "$bdir"/* | "$top"/build-*/*) continue ;; esac
			[ -f "$top/$f" ] || continue
			[ "$(head -c 4 "$top/$f" | od -An -c | tr -d ' ')" = '177ELF' ] && continue
			printf '%s\n' "$f"
		done | LC_ALL=C sort >"$new" || return 1
	[ -s "$new" ] || return 1
	if [ -f "$list" ]; then
		LC_ALL=C comm -23 "$list" "$new" | while IFS= read -r f; do
			rm -f "$dst/$f"
		done
	fi
	while IFS= read -r f; do
		if ! cmp -s "$top/$f" "$dst/$f"; then
			mkdir -p "$(dirname "$dst/$f")" && cp "$top/$f" "$dst/$f" || return 1
		fi
	done <"$new"
	mv "$new" "$list"
}
