"""Website callbacks: the request a visitor leaves, the dial policy, and the two-leg dial
that the Step Functions workflow carries out."""
