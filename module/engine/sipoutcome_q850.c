/*
 * Q.850 cause lookups over the table generated from data/q850.tsv
 * (ITU-T Q.850 Table 1), the "does the cause say more than the code"
 * test of the classification, and RFC 8606 location tokens.
 */
#include <string.h>

#include "internal.h"

const sipoutcome_q850_t *sipoutcome_q850_lookup(int cause)
{
	if(cause < 1 || cause > 127 || sipoutcome_q850_table[cause].cause == 0)
		return NULL;
	return &sipoutcome_q850_table[cause];
}

int sipoutcome_q850_decides(int code, int cause)
{
	const sipoutcome_q850_t *q = sipoutcome_q850_lookup(cause);
	const sipoutcome_code_t *row = sipoutcome_code_effective(code);
	unsigned int i;

	if(q == NULL || row == NULL || q->tag == SIPOUTCOME_TAG_NONE)
		return 0;
	/* the code's own cause (RFC 3398 §8.2.6.1): the code says it all; an
	 * unregistered code stands for the x00 of its class (RFC 3261
	 * §8.1.3.2) here too */
	if(row->cause == cause)
		return 0;
	for(i = 0; i < q->n_implied && i < SO_ARRAY_SIZE(q->implied_by); i++)
		if(q->implied_by[i] == row->code)
			return 0;
	return 1;
}

/* RFC 8606 §3 location values (the Q.850 §2.2.5 location field). */
sipoutcome_location_t sipoutcome_location_parse(const char *s, size_t len)
{
	static const char *const net[] = {
			"LPN", "LN", "TN", "RLN", "RPN", "INTL", "BI", "INT", "PU", "PN"};
	size_t i;

	if(s == NULL || len == 0)
		return SIPOUTCOME_LOC_NONE;
	if(so_ieq(s, len, "U", 1))
		return SIPOUTCOME_LOC_USER;
	for(i = 0; i < SO_ARRAY_SIZE(net); i++)
		if(so_ieq(s, len, net[i], strlen(net[i])))
			return SIPOUTCOME_LOC_NETWORK;
	return SIPOUTCOME_LOC_NONE;
}
