# Broken on purpose (vendor_profiles.sh): line 5 uses an unknown match key.
profile badkey
inherits rfc
match code=486 set hint="fine so far"
match code=480 colour=red set tag=FAILED
