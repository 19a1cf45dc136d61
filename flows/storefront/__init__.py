"""`verify`'s storefront checks: the shared consent observation, the verifier, and each setting's checks."""
