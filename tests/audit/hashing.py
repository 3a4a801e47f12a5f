"""The keyed hash that stands in for free text in audit entries, recomputed from its definition.

HMAC-SHA256 under a key derived from the secret as Django's ``salted_hmac`` derives it
(SHA-256 of salt + secret), not taken from the code under test.
"""

import hashlib
import hmac

TEST_SECRET_KEY = "test-only-not-a-secret-" + "y" * 40  # backend/settings/test.py


def expected_hash(value: str, secret: str = TEST_SECRET_KEY) -> str:
    key = hashlib.sha256(b"backend.audit.keyed_hash" + secret.encode()).digest()
    return "hmac-sha256:" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
