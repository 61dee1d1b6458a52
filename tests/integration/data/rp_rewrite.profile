# Fixture of tests/integration/reason_modes.sh: a user profile whose rules
# give reason_mode=rewrite phrases.  Loaded with modparam("sipoutcome",
# "profile", ...) and made the default with default_vendor.
profile rp_rewrite
inherits rfc
description "reason_modes.sh fixture: rewrite phrases for 486 and 404"
match code=486 set rewrite="Line Engaged Right Now"
match code=404 set rewrite="Number Not In Service"
