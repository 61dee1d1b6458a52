/*
 * The caller's CANCEL: what its own Reason header (RFC 3326 §2, §3.1)
 * says, kept in the call's state word for the classification of the
 * final (sipoutcome_classify() step 1). FreeSWITCH and Asterisk put
 * `Reason: Q.850;cause=N` into every CANCEL they send (19 when their ring
 * timer gave up, 16 for a hang-up), and a forking UA or proxy sends
 * `SIP;cause=200;text="Call completed elsewhere"` to the branches that
 * lost.
 *
 * tm facts relied on (Kamailio 5.6 modules/tm t_fwd.c e2e_cancel()):
 * TMCB_E2ECANCEL_IN runs on the INVITE's transaction with ps->req the
 * CANCEL, before tm sets T_CANCELED, once per CANCEL that reaches
 * e2e_cancel(); the CANCEL is a pkg message of this process.
 */
#include "core/dprint.h"
#include "core/parser/msg_parser.h"

#include "km_mod.h"

/* The Reason header fields of the CANCEL, merged as one header. */
static void cancel_reason(sip_msg_t *cancel, sipoutcome_reason_hdr_t *r)
{
	struct hdr_field *hf;

	sipoutcome_reason_hdr_init(r);
	if(parse_headers(cancel, HDR_EOH_F, 0) < 0) {
		LM_DBG("CANCEL headers do not parse; its Reason is not read\n");
		return;
	}
	for(hf = cancel->headers; hf != NULL; hf = hf->next)
		if(hf->type == HDR_REASON_T && hf->body.len > 0)
			(void)sipoutcome_reason_hdr_parse(
					hf->body.s, (size_t)hf->body.len, r);
}

void km_cancel_in(struct cell *t, km_tword_t *st, struct tmcb_params *ps)
{
	sipoutcome_reason_hdr_t r;
	uintptr_t bits = 0;

	if(ps->req == NULL || ps->req == FAKED_REPLY
			|| (km_tw_get(st) & (KM_W_CANCEL_SEEN | KM_W_DONE)))
		return; /* the first CANCEL counts; a final was already judged */
	cancel_reason(ps->req, &r);
	if(r.sip_cause == 200)
		bits |= KM_W_CANCEL_ELSEWHERE;
	if(r.q850 >= 0 && r.q850 <= 127)
		bits |= (uintptr_t)(r.q850 + 1) << KM_W_CANCEL_Q850_SHIFT;
	km_tw_set(st, bits | KM_W_CANCEL_SEEN);
}

int km_cancel_q850(uintptr_t w)
{
	return (int)((w & KM_W_CANCEL_Q850_MASK) >> KM_W_CANCEL_Q850_SHIFT) - 1;
}
