# Broken on purpose (vendor_profiles.sh): line 4 sets an unknown tag.
profile badtag

match code=486 set tag=MAYBE
