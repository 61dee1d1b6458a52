# gen_codes.awk: compile data/codes.tsv into the engine's C code table.
#
#   awk -f module/engine/gen_common.awk -f module/engine/gen_codes.awk \
#       data/codes.tsv > codes_table.c
#
# Input format: see the comment block at the top of data/codes.tsv.
# Output: sipoutcome_codes_table[], sipoutcome_codes_count and
# sipoutcome_codes_index[600] (index[code - 100] = row, or -1), declared in
# internal.h.  Nothing is printed unless the whole file is valid; on the
# first bad line the script writes "codes.tsv:LINE: message" to stderr and
# exits with status 1.
#
# Only POSIX awk is used (tested with mawk and gawk).  Phrases must be
# printable ASCII, so length() counts bytes in any locale.

BEGIN {
	FS = "\t"
	data_name = "codes.tsv"
	nrows = 0
	prev = 0

	names[1] = "code"; names[2] = "phrase"; names[3] = "rfc"
	names[4] = "tag"; names[5] = "category"; names[6] = "retry"
	names[7] = "blame"; names[8] = "cause"; names[9] = "meaning"
}

# Comments and blank lines.
/^#/ { next }
/^[ \t\r]*$/ { next }

{
	check_fields(9)

	if ($1 !~ /^[0-9][0-9][0-9]$/)
		fail("code: \"" $1 "\" is not 3 digits")
	code = $1 + 0
	if (code < 100 || code > 699)
		fail("code: " code " is outside 100..699")
	if (code == prev)
		fail("code: duplicate code " code)
	if (code < prev)
		fail("code: " code " is not in ascending order (after " prev ")")

	phrase = $2
	if (phrase !~ /^[ -~]+$/)
		fail("phrase: must be printable ASCII")
	if (length(phrase) > 127)
		fail("phrase: longer than 127 bytes (" length(phrase) ")")

	if ($4 != "-" && !($4 in ok_tag))
		fail("tag: unknown tag \"" $4 "\"")
	if ($5 != "-" && !($5 in ok_cat))
		fail("category: unknown category \"" $5 "\"")
	if ($6 != "-" && !($6 in ok_retry))
		fail("retry: unknown retry advice \"" $6 "\"")
	if ($7 != "-" && !($7 in ok_blame))
		fail("blame: unknown blame \"" $7 "\"")
	if (code < 200) {
		if ($4 != "-" || $5 != "-" || $6 != "-" || $7 != "-")
			fail("a 1xx row must have \"-\" for tag, category, retry and blame")
	} else if ($4 == "-" || $5 == "-" || $6 == "-" || $7 == "-") {
		fail("a final response row needs a tag, category, retry and blame (not \"-\")")
	}

	if ($8 !~ /^[0-9]+$/ || length($8) > 3 || $8 + 0 > 127)
		fail("cause: \"" $8 "\" is not a Q.850 cause 0..127")

	nrows++
	row_code[nrows] = code
	row_text[nrows] = sprintf("\t{%d, %d, %d, %s, %s, %s, %s, %s, %s, %s},",
	    code, length(phrase), $8 + 0, cstr(phrase), cstr($3), cstr($9),
	    enum_name("SIPOUTCOME_TAG_", $4), enum_name("SIPOUTCOME_CAT_", $5),
	    enum_name("SIPOUTCOME_RETRY_", $6),
	    enum_name("SIPOUTCOME_BLAME_", $7))
	index_of[code] = nrows - 1
	prev = code
}

END {
	if (failed)
		exit 1
	if (nrows == 0)
		fail_at(0, "no code rows")
	# The class fallback (RFC 3261 8.1.3.2) needs the x00 of every class.
	for (k = 100; k <= 600; k += 100) {
		if (!(k in index_of))
			fail_at(0, "no row for " k " (needed as the fallback of its class)")
	}

	print "/* generated from data/codes.tsv by gen_codes.awk: do not edit */"
	print "#include \"internal.h\""
	print ""
	print "const sipoutcome_code_t sipoutcome_codes_table[] = {"
	for (i = 1; i <= nrows; i++)
		print row_text[i]
	print "};"
	print ""
	printf "const size_t sipoutcome_codes_count = %d;\n", nrows
	print ""
	print "/* index[code - 100] = row in sipoutcome_codes_table, -1 if unregistered */"
	print "const int16_t sipoutcome_codes_index[600] = {"
	for (k = 100; k < 700; k += 10) {
		line = "\t/* " k " */"
		for (j = k; j < k + 10; j++)
			line = line " " ((j in index_of) ? index_of[j] : -1) ","
		print line
	}
	print "};"
}
