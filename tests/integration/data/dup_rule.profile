# Broken on purpose (vendor_profiles.sh): line 6 repeats the match keys of line 3.
profile duprule
match code=480 ringing=0 set tag=FAILED
match code=486 set hint="other keys: fine"
match code=480 ringing=1 set hint="other keys: fine"
match ringing=0 code=480 set retry=later
