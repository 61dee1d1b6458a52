# tests/integration/data/mycarrier.profile: a user profile for the
# integration tests (vendor_profiles.sh). It inherits the standard
# meanings from rfc and overrides one carrier quirk: this carrier answers
# "503 Maxpeak reached" when the account's peak-call quota is used up,
# which is a billing limit on our side, not congestion.
profile mycarrier
inherits rfc
description "Integration-test carrier: 503 with 'maxpeak' in the phrase is the account's quota"

match code=503 phrase="maxpeak" set tag=FAILED category=billing retry=later blame=caller hint="mycarrier: the account reached its peak-call quota (maxpeak); wait for Retry-After or raise the quota."
