"""Certificates and revocation lists: facts, checks and files.

Shared ground below signing, verifying and the chain-of-authority rules: nothing here
signs or verifies, so `verify` and `mandate` never load the signing stack for it.
"""
