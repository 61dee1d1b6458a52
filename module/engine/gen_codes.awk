# gen_codes.awk: compile data/codes.tsv into the engine's C code table.
#
#   awk -f module/engine/gen_codes.awk data/codes.tsv > codes_table.c
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
	nrows = 0
	prev = 0
	failed = 0

	ntags = split("COMPLETED BUSY NO_ANSWER CANCELED FAILED", w, " ")
	for (i = 1; i <= ntags; i++)
		ok_tag[w[i]] = 1
	n = split("answered redirected busy declined no_answer unavailable " \
	    "canceled timeout no_response invalid_number auth forbidden " \
	    "media congestion server_error unwanted blocked billing " \
	    "line_limit loop protocol identity other", w, " ")
	for (i = 1; i <= n; i++)
		ok_cat[w[i]] = 1
	n = split("no alternate later", w, " ")
	for (i = 1; i <= n; i++)
		ok_retry[w[i]] = 1
	n = split("caller callee network proxy unknown", w, " ")
	for (i = 1; i <= n; i++)
		ok_blame[w[i]] = 1

	# Bracket expression of the control bytes 0x01-0x1f and 0x7f (a NUL
	# cannot be held in an awk string portably, so it is not listed).
	ctrl = "["
	for (i = 1; i < 32; i++)
		ctrl = ctrl sprintf("%c", i)
	ctrl = ctrl sprintf("%c", 127) "]"

	names[1] = "code"; names[2] = "phrase"; names[3] = "rfc"
	names[4] = "tag"; names[5] = "category"; names[6] = "retry"
	names[7] = "blame"; names[8] = "cause"; names[9] = "meaning"
}

# Report msg for line lineno, or for the whole file when lineno is 0,
# then stop with status 1; END prints nothing once failed is set.
function fail_at(lineno, msg,    f) {
	f = FILENAME
	if (f == "" || f == "-")
		f = "codes.tsv"
	if (lineno > 0)
		printf "%s:%d: %s\n", f, lineno, msg > "/dev/stderr"
	else
		printf "%s: %s\n", f, msg > "/dev/stderr"
	failed = 1
	exit 1
}

function fail(msg) {
	fail_at(FNR, msg)
}

# C string literal for s: backslash, double quote and '?' (trigraphs) escaped.
function cstr(s,    out, ci, c, slen) {
	out = ""
	slen = length(s)
	for (ci = 1; ci <= slen; ci++) {
		c = substr(s, ci, 1)
		if (c == "\\")
			out = out "\\\\"
		else if (c == "\"")
			out = out "\\\""
		else if (c == "?")
			out = out "\\?"
		else
			out = out c
	}
	return "\"" out "\""
}

# A word ("-" or a known name) as an enum constant.
function enum_name(prefix, word) {
	if (word == "-")
		return prefix "NONE"
	return prefix toupper(word)
}

# Comments and blank lines.
/^#/ { next }
/^[ \t\r]*$/ { next }

{
	if (NF != 9)
		fail("expected 9 TAB-separated fields, found " NF)
	for (i = 1; i <= 9; i++) {
		if ($i == "")
			fail(names[i] ": empty field")
		if ($i ~ /^ / || $i ~ / $/)
			fail(names[i] ": leading or trailing space in \"" $i "\"")
		if ($i ~ ctrl)
			fail(names[i] ": control character in field")
	}

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
