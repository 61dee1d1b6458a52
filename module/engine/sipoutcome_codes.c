/*
 * Response-code registry lookups over the table generated from
 * data/codes.tsv (IANA "Response Codes"; RFC 3261 §21, §8.1.3.2).
 */
#include "internal.h"

const sipoutcome_code_t *sipoutcome_code_lookup(int code)
{
	int16_t i;

	if(code < 100 || code > 699)
		return NULL;
	i = sipoutcome_codes_index[code - 100];
	return i < 0 ? NULL : &sipoutcome_codes_table[i];
}

const sipoutcome_code_t *sipoutcome_code_effective(int code)
{
	const sipoutcome_code_t *row = sipoutcome_code_lookup(code);

	if(row != NULL || code < 100 || code > 699)
		return row;
	return sipoutcome_code_lookup(code - code % 100);
}

const sipoutcome_code_t *sipoutcome_code_at(size_t i)
{
	return i < sipoutcome_codes_count ? &sipoutcome_codes_table[i] : NULL;
}

size_t sipoutcome_code_count(void)
{
	return sipoutcome_codes_count;
}
