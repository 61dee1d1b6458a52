# tests/cli: a profile of our own that changes what 603 means, for
# `sipoutcome explain 603 --profile override-603.profile`.
profile cli-test-603
inherits rfc
description "tests/cli fixture: 603 Decline from this carrier is its spam filter"

match code=603 set tag=FAILED category=unwanted retry=no blame=callee hint="The carrier's spam filter refused the call; ask it to whitelist the caller ID."
