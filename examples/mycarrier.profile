# A sample carrier profile (the format is at the top of rfc.profile in the
# profiles directory of sipoutcome's data, and in the module's README).
# Copy it, rename the profile and its rules for your trunk, then load it:
#   modparam("sipoutcome", "profile", "@profile_dir@/sipoutcome-mycarrier.profile")
# and pick it per call with sipoutcome_vendor("mycarrier").
profile mycarrier
inherits rfc
description "Our trunk to Example Telecom"
match code=603 phrase="maxpeak" set tag=FAILED category=billing retry=later blame=caller hint="The trunk's spend cap was hit; raise it or wait."
match code=480 ringing=0 set tag=FAILED category=congestion retry=alternate blame=network
