"""Accounts: tenants and agencies and who may act for them, their sites, the numbers
they rent from the carrier, and opening an account (provisioning)."""
