# placeholder: rules come with the vendor-profiles work
profile okitoki
inherits rfc
