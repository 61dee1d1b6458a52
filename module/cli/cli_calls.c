/*
 * Per-transaction context of one input stream: a hash table keyed by
 * Call-ID and CSeq number (a CANCEL carries the CSeq number of the INVITE
 * it cancels, RFC 3261 §9.1), with chaining; one allocation per entry.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_calls_init(cli_calls_t *t)
{
	t->bucket = NULL;
	t->nbucket = 0;
	t->n = 0;
}

/* FNV-1a over the Call-ID and the CSeq number. */
static size_t hash(const char *s, size_t len, unsigned long cseq)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for(i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	for(i = 0; i < sizeof(cseq); i++) {
		h ^= (cseq >> (8 * i)) & 0xFF;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* Double the bucket array (or create it); 0, or -1 without memory. */
static int grow(cli_calls_t *t)
{
	size_t nb = t->nbucket ? t->nbucket * 2 : 64, i;
	cli_call_t **b, *c, *next;

	if(nb < t->nbucket || nb > SIZE_MAX / sizeof(*b))
		return -1;
	b = calloc(nb, sizeof(*b));
	if(b == NULL)
		return -1;
	for(i = 0; i < t->nbucket; i++) {
		for(c = t->bucket[i]; c; c = next) {
			size_t k = hash(c->callid, c->callid_len, c->cseq) & (nb - 1);
			next = c->next;
			c->next = b[k];
			b[k] = c;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->nbucket = nb;
	return 0;
}

cli_call_t *cli_calls_get(cli_calls_t *t, const char *callid, size_t len,
		unsigned long cseq, int create)
{
	cli_call_t *c;
	size_t k;

	if(t->nbucket > 0) {
		k = hash(callid, len, cseq) & (t->nbucket - 1);
		for(c = t->bucket[k]; c; c = c->next)
			if(c->cseq == cseq && c->callid_len == len
					&& memcmp(c->callid, callid, len) == 0)
				return c;
	}
	if(!create)
		return NULL;
	if(t->nbucket == 0 || t->n >= t->nbucket - t->nbucket / 4) {
		if(grow(t) < 0)
			return NULL;
	}
	if(len > SIZE_MAX - sizeof(*c) - 1)
		return NULL;
	c = malloc(sizeof(*c) + len + 1);
	if(c == NULL)
		return NULL;
	c->cseq = cseq;
	c->flags = 0;
	c->cancel_q850 = -1;
	c->last_code = 0;
	c->last_method = 0;
	c->callid_len = len;
	memcpy(c->callid, callid, len);
	c->callid[len] = '\0';
	k = hash(callid, len, cseq) & (t->nbucket - 1);
	c->next = t->bucket[k];
	t->bucket[k] = c;
	t->n++;
	return c;
}

void cli_calls_free(cli_calls_t *t)
{
	size_t i;
	cli_call_t *c, *next;

	if(t == NULL)
		return;
	for(i = 0; i < t->nbucket; i++) {
		for(c = t->bucket[i]; c; c = next) {
			next = c->next;
			free(c);
		}
	}
	free(t->bucket);
	cli_calls_init(t);
}
