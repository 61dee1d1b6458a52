# Broken on purpose (vendor_profiles.sh): line 6 matches a code outside 100..699.
profile badcode
inherits rfc
description "a code that no SIP response has"

match code=999 set tag=FAILED
