/*
 * tm's remap_503_500 (on by default, Kamailio 5.6 modules/tm/t_reply.c
 * relay_reply()): a final 503 from the next hop is not relayed; tm builds
 * its own "500 Service Unavailable" from the request instead (RFC 3261
 * §16.7 step 6: a proxy should not pass a 503 upstream). By the time tm
 * reports the reply as sent (TMCB_RESPONSE_SENT, with FAKED_REPLY), the
 * 503 with its phrase, Reason and Retry-After is out of reach.
 *
 * So the module's response callback (km_response_f, which runs before tm
 * on every reply) notes a final 503's phrase, Q.850 cause and
 * Retry-After, for the message being handled in this process; the reply
 * path takes the note when tm sent a 500 for a branch whose last reply
 * was that 503, classifies the 503, and reports the 500 as sent=.
 * Per process, no locking, no allocation; only 503s pay for it.
 */
#include <string.h>

#include "core/parser/msg_parser.h"

#include "km_mod.h"

static struct {
	unsigned int epoch; /* msg_no of the 503; 0: no note */
	km_call_t hdr;	    /* its Reason cause, location and Retry-After */
	int reason_len;
	char reason[SIPOUTCOME_PHRASE_MAX];
} km_note;

void km_remap_note(sip_msg_t *rpl)
{
	str *ph = &rpl->first_line.u.reply.reason;

	km_note.epoch = 0;
	km_reply_headers(rpl, &km_note.hdr);
	km_note.reason_len = 0;
	if(ph->s != NULL && ph->len > 0) {
		km_note.reason_len =
				ph->len < (int)sizeof(km_note.reason) ? ph->len
													 : (int)sizeof(km_note.reason);
		memcpy(km_note.reason, ph->s, km_note.reason_len);
	}
	km_note.epoch = msg_no + 1;
}

int km_remap_take(struct cell *t, int b, km_call_t *c)
{
	if(c->code != 500 || b < 0 || b >= t->nr_of_outgoings
			|| t->uac[b].last_received != 503 || km_note.epoch != msg_no + 1)
		return 0;
	c->sent = 500;
	c->code = 503;
	c->reason.s = km_note.reason;
	c->reason.len = km_note.reason_len;
	c->q850 = km_note.hdr.q850;
	c->q850_loc = km_note.hdr.q850_loc;
	c->retry_after = km_note.hdr.retry_after;
	return 1;
}
