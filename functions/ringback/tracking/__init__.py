"""Call tracking: visits and the swap script's sessions, number pools and their leases,
the rules that pick a number for a visit, attribution of a call to a visit, pool sizing."""
