# placeholder: rules come with the vendor-profiles work
profile 8x8
inherits rfc
