# tests/cli: a profile with a mistake on line 4.
profile cli-test-bad
inherits rfc
match code=603 set tag=NOT_A_TAG
