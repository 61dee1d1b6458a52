# Broken on purpose (vendor_profiles.sh): line 3 never closes its quote.
profile unterminated
description "this description never ends
match code=486 set hint="unreached"
