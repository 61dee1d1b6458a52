# gen_q850.awk: compile data/q850.tsv into the engine's Q.850 cause table.
#
#   awk -f module/engine/gen_common.awk -f module/engine/gen_q850.awk \
#       data/q850.tsv > q850_table.c
#
# Input format: see the comment block at the top of data/q850.tsv.
# Output: sipoutcome_q850_table[128] (indexed by cause; rows of causes Q.850
# does not define have cause 0), declared in internal.h.  Nothing is printed
# unless the whole file is valid; on the first bad line the script writes
# "q850.tsv:LINE: message" to stderr and exits with status 1.  POSIX awk.

BEGIN {
	FS = "\t"
	data_name = "q850.tsv"
	nrows = 0
	prev = 0
	names[1] = "cause"; names[2] = "class"; names[3] = "tag"
	names[4] = "category"; names[5] = "retry"; names[6] = "blame"
	names[7] = "implied_by"; names[8] = "meaning"
	# Q.850 §2.2.7: the class is the cause value's top three bits.
	n = split("normal resource service not_implemented invalid_message " \
	    "protocol interworking", w, " ")
	for (i = 1; i <= n; i++)
		class_no[w[i]] = i - 1
	class_no["normal"] = 0
}

/^#/ { next }
/^[ \t\r]*$/ { next }

{
	check_fields(8)
	if ($1 !~ /^[0-9]+$/ || length($1) > 3 || $1 + 0 < 1 || $1 + 0 > 127)
		fail("cause: \"" $1 "\" is not a Q.850 cause 1..127")
	cause = $1 + 0
	if (cause <= prev)
		fail("cause: " cause " is duplicate or not in ascending order")
	if (!($2 in class_no))
		fail("class: unknown class \"" $2 "\"")
	# classes 0 and 1 (0..31) are both "normal event"
	want = int(cause / 16)
	if (want == 1)
		want = 0
	else if (want > 1)
		want = want - 1
	if (class_no[$2] != want)
		fail("class: cause " cause " is not in class \"" $2 "\"")
	if ($3 != "-" && !($3 in ok_tag))
		fail("tag: unknown tag \"" $3 "\"")
	if ($4 != "-" && !($4 in ok_cat))
		fail("category: unknown category \"" $4 "\"")
	if ($5 != "-" && !($5 in ok_retry))
		fail("retry: unknown retry advice \"" $5 "\"")
	if ($6 != "-" && !($6 in ok_blame))
		fail("blame: unknown blame \"" $6 "\"")
	dashes = ($3 == "-") + ($4 == "-") + ($5 == "-") + ($6 == "-")
	if (dashes != 0 && dashes != 4)
		fail("tag, category, retry and blame must be all \"-\" or all set")
	imp = ""
	nimp = 0
	if ($7 != "-") {
		nimp = split($7, codes, ",")
		if (nimp > 8)
			fail("implied_by: more than 8 codes")
		for (i = 1; i <= nimp; i++) {
			if (codes[i] !~ /^[1-6][0-9][0-9]$/)
				fail("implied_by: \"" codes[i] "\" is not a status code 100..699")
			imp = imp (i > 1 ? ", " : "") codes[i]
		}
	}
	if (imp == "")
		imp = "0"
	row[cause] = sprintf("\t[%d] = {%d, %d, %s, %s, %s, %s, %s, %s, {%s}},",
	    cause, cause, nimp, cstr($2), cstr($8),
	    enum_name("SIPOUTCOME_TAG_", $3), enum_name("SIPOUTCOME_CAT_", $4),
	    enum_name("SIPOUTCOME_RETRY_", $5),
	    enum_name("SIPOUTCOME_BLAME_", $6), imp)
	nrows++
	prev = cause
}

END {
	if (failed)
		exit 1
	if (nrows == 0)
		fail_at(0, "no cause rows")
	print "/* generated from data/q850.tsv by gen_q850.awk: do not edit */"
	print "#include \"internal.h\""
	print ""
	print "const sipoutcome_q850_t sipoutcome_q850_table[128] = {"
	for (k = 1; k <= 127; k++)
		if (k in row)
			print row[k]
	print "};"
	printf "const size_t sipoutcome_q850_count = %d;\n", nrows
}
