"""Demo feedback (placeholder, filled in below)."""


def seed_feedback(*, stdout) -> None:
    return None
