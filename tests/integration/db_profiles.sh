#!/usr/bin/env bash
# Profiles from a database table (modparam db_url, db_table; module/kamailio/
# km_db.c; schema data/sql/sipoutcome.sql), through Kamailio's own DB
# drivers, for each of:
#   dbtext    db_text, a directory in $WORK (data/sql/dbtext/sipoutcome's
#             header line)
#   sqlite    db_sqlite, a database file made with sqlite3 from the schema
#   postgres  db_postgres against a private PostgreSQL server: initdb in
#             $WORK, listening on 127.0.0.1 on a free port, stopped by its
#             own pid file (pg_ctl -D) at the end
# Each backend, with Kamailio forking four SIP workers and the ctl process
# (so a reload in the RPC process must reach the workers through shared
# memory):
#   1. start-up with two profiles from the table, the child's row before
#      its parent's: explain and a call use the table's rules;
#   2. a bad row (tag BUSYY) added: sipoutcome.reload is refused naming the
#      table and the row's id, the old profiles stay (explain, a call);
#   3. the row fixed: the reload applies in the RPC process and in the
#      worker (a call);
#   4. Kamailio started on the table with the bad row stops at start-up with
#      the table and id.
# A backend whose driver or server is missing is skipped with a note (the
# test skips, 77, when none ran). Rules: tag, category and blame values
# are the profile file keys (data/profiles/rfc.profile).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
pg_data=

# Rows: id|profile|inherits|description|code|class|q850|ringing|phrase|tag|category|retry|blame|hint|rewrite
cols=(id profile inherits description code class q850 ringing phrase tag category retry blame hint rewrite)
intcols=" id code q850 ringing "
rows_v1=(
	"1|tchild|tcarrier||480|||0||FAILED|unavailable|||The callee's phone is off: try later.|"
	"2|tcarrier||DB test carrier: 603 is the trunk's spend cap|603|||||FAILED|billing|later|caller|The trunk's spend cap was hit; raise it or wait.|"
)
bad_row="3|tcarrier|||486|||||BUSYY|||||"
good_row="3|tcarrier|||486|||||FAILED|congestion|alternate|network|The trunk's channels are all in use.|"

# sql_rows ROW... : INSERT statements (standard SQL, '' escapes)
sql_rows() {
	local r i v vals
	for r in "$@"; do
		IFS='|' read -r -a f <<<"$r|"
		vals=()
		for i in "${!cols[@]}"; do
			v=${f[$i]:-}
			if [ -z "$v" ]; then
				vals+=(NULL)
			elif [[ $intcols == *" ${cols[$i]} "* ]]; then
				vals+=("$v")
			else
				vals+=("'${v//\'/\'\'}'")
			fi
		done
		(IFS=,; printf 'INSERT INTO sipoutcome (%s) VALUES (%s);\n' "${cols[*]}" "${vals[*]}")
	done
}

# dbtext_rows ROW... : db_text lines (':' separated, '\:' inside a value)
dbtext_rows() {
	local r
	for r in "$@"; do
		r=${r//:/\\:}
		printf '%s\n' "${r//|/:}"
	done
}

# load BACKEND ROW... : the table holds exactly ROWs
load() {
	local b=$1
	shift
	case $b in
	dbtext)
		{ cat "$top_srcdir/data/sql/dbtext/sipoutcome"; dbtext_rows "$@"; } >"$WORK/dbtext/sipoutcome"
		# db_text (db_mode 1) re-reads a file whose mtime grew, in whole
		# seconds: each version gets a later one
		dbt_gen=$((dbt_gen + 1))
		touch -d "@$((dbt_base + dbt_gen))" "$WORK/dbtext/sipoutcome" ;;
	sqlite)
		{ echo "DELETE FROM sipoutcome;"; sql_rows "$@"; } | sqlite3 "$WORK/so.sqlite" ;;
	postgres)
		{ echo "DELETE FROM sipoutcome;"; sql_rows "$@"; } |
			"$PGBIN/psql" -q -h 127.0.0.1 -p "$pg_port" -U kamailio -d so -v ON_ERROR_STOP=1 >/dev/null ;;
	esac
}

# prepare BACKEND : create the empty table; sets URL, DBMOD and DBPARAMS
# (the driver's modparams), or returns 1
prepare() {
	DBPARAMS=
	case $1 in
	dbtext)
		[ -f "$KAMAILIO_MODDIR/db_text.so" ] || return 1
		mkdir -p "$WORK/dbtext"
		dbt_base=$(date +%s) dbt_gen=0
		# db_mode 1: no cache, so that sipoutcome.reload sees the new file
		DBPARAMS='modparam("db_text", "db_mode", 1)'
		DBMOD=db_text URL="text://$WORK/dbtext" ;;
	sqlite)
		[ -f "$KAMAILIO_MODDIR/db_sqlite.so" ] && command -v sqlite3 >/dev/null || return 1
		sqlite3 "$WORK/so.sqlite" <"$top_srcdir/data/sql/sipoutcome.sql" || return 1
		# db_id takes what follows "sqlite:///" as the path: one more slash
		# makes it absolute whatever the working directory
		DBMOD=db_sqlite URL="sqlite:///$WORK/so.sqlite" ;;
	postgres)
		[ -f "$KAMAILIO_MODDIR/db_postgres.so" ] && [ -x "$PGBIN/initdb" ] || return 1
		id postgres >/dev/null 2>&1 || return 1
		pg_data=$WORK/pg/data
		mkdir -p "$WORK/pg" && chown postgres "$WORK/pg" && chmod 755 "$WORK"
		runuser -u postgres -- "$PGBIN/initdb" -D "$pg_data" -A trust -U kamailio \
			>"$WORK/pg/initdb.log" 2>&1 || { it_note "initdb failed"; return 1; }
		pg_port=$(it_free_port) || return 1
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$pg_data" -l "$WORK/pg/server.log" -w -t 30 \
			-o "-c listen_addresses=127.0.0.1 -p $pg_port -k $WORK/pg" start \
			>"$WORK/pg/pg_ctl.log" 2>&1 || { it_note "PostgreSQL did not start"; return 1; }
		"$PGBIN/createdb" -h 127.0.0.1 -p "$pg_port" -U kamailio so || return 1
		"$PGBIN/psql" -q -h 127.0.0.1 -p "$pg_port" -U kamailio -d so -v ON_ERROR_STOP=1 \
			-f "$top_srcdir/data/sql/sipoutcome.sql" >/dev/null || return 1
		DBMOD=db_postgres URL="postgres://kamailio@127.0.0.1:$pg_port/so" ;;
	esac
}

stop_pg() {
	[ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ] &&
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1
	pg_data=
}
# it__cleanup reads the test's exit status from $?: keep it across stop_pg
trap 'rc=$?; stop_pg; (exit $rc); it__cleanup' EXIT

# field NAME : the value of "NAME: value" in kamcmd's struct output on stdin.
field() {
	awk -v k="$1" '{ sub(/^[ \t]+/, "") } index($0, k ": ") == 1 { print substr($0, length(k) + 3); exit }'
}

ran=0
n=0
for b in dbtext sqlite postgres; do
	if ! prepare "$b"; then
		it_note "$b: driver, tool or server missing: skipped"
		continue
	fi
	ran=$((ran + 1))
	it_note "---- $b ($URL)"
	load "$b" "${rows_v1[@]}" || it_die "$b: cannot fill the table"
	kport=$(it_free_port) && uport=$(it_free_port) || it_die "no free port"
	lm="loadmodule \"$DBMOD.so\"
$DBPARAMS
loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"db_url\", \"$URL\")
modparam(\"sipoutcome\", \"default_vendor\", \"tcarrier\")"
	it_kamailio_cfg "$WORK/$b.cfg" PORT="$kport" UAS_PORT="$uport" LOADMODULE="$lm" ||
		it_die "cannot render $b.cfg"
	# Four SIP workers (-D twice: forked processes in the foreground) and the
	# ctl process: a reload there must reach every worker.
	sed -i 's/^children=1$/children=4/' "$WORK/$b.cfg"
	it_assert_eq "$b: config with children=4" 1 "$(grep -c '^children=4$' "$WORK/$b.cfg")"
	it_kamailio_start "$WORK/$b.cfg" -D || it_die "$b: Kamailio did not start"
	it_assert_eq "$b: no ERROR at start" 0 "$(it_log_count ' ERROR: ')"
	it_assert_log "$b: the table's rules counted at start" \
		-F "2 rules in 2 profiles from db table 'sipoutcome'" 1
	for _ in $(seq 50); do it_kamcmd core.version >/dev/null 2>&1 && break; sleep 0.1; done

	# 1. the table's profiles
	out=$(it_kamcmd sipoutcome.explain 603 tcarrier 2>&1)
	it_assert_eq "$b: explain 603 tcarrier: category from row 2" billing "$(field category <<<"$out")"
	out=$(it_kamcmd sipoutcome.explain 480 tchild 2>&1)
	it_assert_eq "$b: explain 480 tchild (row 1, its parent in row 2)" unavailable \
		"$(field category <<<"$out")"
	it_assert_eq "$b: tchild inherits 603 from tcarrier" billing \
		"$(it_kamcmd sipoutcome.explain 603 tchild 2>&1 | field category)"
	it_call "$b: 603 with the table's profile" 603 -set reason Decline
	it_assert_log "$b: call $n classified by row 2" \
		-F "tag=FAILED code=603 class=6xx category=billing retry=later blame=caller" 1 5
	before=$(it_kamcmd sipoutcome.explain 486 tcarrier 2>&1 | field category)

	# 2. a bad row: refused with table and id, old profiles stay
	load "$b" "${rows_v1[@]}" "$bad_row" || it_die "$b: cannot add the bad row"
	out=$(it_kamcmd sipoutcome.reload 2>&1)
	it_assert_match "$b: reload with a bad row is refused with table and id" \
		"db table 'sipoutcome', id 3 \(profile 'tcarrier'\): .*tag" "$out"
	it_assert_eq "$b: old profiles kept (explain 486 tcarrier unchanged)" "$before" \
		"$(it_kamcmd sipoutcome.explain 486 tcarrier 2>&1 | field category)"
	it_call "$b: 486 after the refused reload" 486 -set reason "Busy Here"
	it_assert_log "$b: call $n: the worker still uses the old profiles" \
		-F "tag=BUSY code=486 class=4xx category=busy" 1 5

	# 3. fixed: applies in the RPC process and in the worker
	load "$b" "${rows_v1[@]}" "$good_row" || it_die "$b: cannot fix the row"
	out=$(it_kamcmd sipoutcome.reload 2>&1)
	it_assert_match "$b: reload of the fixed table succeeds" '^ok' "$out"
	it_assert_eq "$b: explain 486 tcarrier: row 3 applies" congestion \
		"$(it_kamcmd sipoutcome.explain 486 tcarrier 2>&1 | field category)"
	it_call "$b: 486 after the reload" 486 -set reason "Busy Here"
	it_assert_log "$b: call $n: the worker uses row 3" \
		-F "tag=FAILED code=486 class=4xx category=congestion retry=alternate blame=network" 1 5
	it_kamailio_stop

	# 4. a bad row at start-up stops Kamailio with table and id
	load "$b" "${rows_v1[@]}" "$bad_row" || it_die "$b: cannot add the bad row"
	"$KAMAILIO" -f "$WORK/$b.cfg" -E -D -m 64 -M 8 >"$WORK/$b-bad.log" 2>&1 &
	bpid=$!
	it_track "$bpid"
	for _ in $(seq 100); do it__alive "$bpid" || break; sleep 0.1; done
	it__alive "$bpid" && it_stop "$bpid"
	it_assert_eq "$b: Kamailio stops at start-up on the bad row" 1 \
		"$(grep -c "db table 'sipoutcome', id 3 (profile 'tcarrier'): .*tag" "$WORK/$b-bad.log")"
	[ "$b" = postgres ] && stop_pg
done
[ "$ran" -gt 0 ] || it_skip "no database driver available"
it_finish
