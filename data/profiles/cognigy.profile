# placeholder: rules come with the vendor-profiles work
profile cognigy
inherits rfc
