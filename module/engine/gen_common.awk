# gen_common.awk: what gen_codes.awk and gen_q850.awk share: the outcome
# words a data file may use (the enums of include/sipoutcome.h), the error
# reporting "FILE:LINE: message" and C string quoting.  Load it first:
#
#   awk -f gen_common.awk -f gen_codes.awk data/codes.tsv
#
# A category added to sipoutcome_category_t goes into the list below, into
# category_names[] of sipoutcome_names.c and into the category lists of
# data/codes.tsv, data/profiles/rfc.profile, README.md and the admin guide.

BEGIN {
	failed = 0
	ntags = split("COMPLETED BUSY NO_ANSWER CANCELED FAILED", w, " ")
	for (i = 1; i <= ntags; i++)
		ok_tag[w[i]] = 1
	n = split("answered redirected busy declined no_answer unavailable " \
	    "canceled timeout no_response invalid_number auth forbidden " \
	    "media congestion server_error unwanted blocked billing " \
	    "line_limit loop protocol identity answered_elsewhere unreachable " \
	    "other", w, " ")
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
}

# Report msg for line lineno (of FILENAME, or of data_name, which each
# script sets, when the data comes from standard input), or for the whole file when lineno is 0,
# then stop with status 1; END prints nothing once failed is set.
function fail_at(lineno, msg,    f) {
	f = FILENAME
	if (f == "" || f == "-")
		f = data_name
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

# The current line has exactly nf fields, none empty, with no space at
# either end and no control byte; names[i] is the name of field i.
function check_fields(nf,    i) {
	if (NF != nf)
		fail("expected " nf " TAB-separated fields, found " NF)
	for (i = 1; i <= nf; i++) {
		if ($i == "")
			fail(names[i] ": empty field")
		if ($i ~ /^ / || $i ~ / $/)
			fail(names[i] ": leading or trailing space in \"" $i "\"")
		if ($i ~ ctrl)
			fail(names[i] ": control character in field")
	}
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

