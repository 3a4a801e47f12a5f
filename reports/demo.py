def seed_meetings(*, stdout) -> None:
    pass
