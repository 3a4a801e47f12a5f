"""How a schedule's answers give its overall rating (pure: no database, no request)."""

from collections.abc import Iterable

from disclosure.models import CriterionResult, Rating

#: The rule in plain words, for error messages and documentation.
RATING_RULE = (
    "'not meeting' if any critical criterion is not met; otherwise 'partially meeting' if any criterion "
    "is partially met or not met; otherwise 'fully meeting'. 'Not applicable' answers do not count."
)


def rating_from_answers(answers: Iterable[tuple[bool, str]]) -> str | None:
    """The rating that ``answers`` give: pairs of (criterion is critical, result).

    ``None`` when no answer says anything (none given, or every one ``not_applicable``):
    such a schedule has not been assessed, and the caller must refuse it.
    """
    results = [(critical, result) for critical, result in answers if result != CriterionResult.NOT_APPLICABLE]
    if not results:
        return None
    if any(critical and result == CriterionResult.NOT_MEETING for critical, result in results):
        return Rating.NOT_MEETING
    if any(result != CriterionResult.FULLY_MEETS for _, result in results):
        return Rating.PARTIALLY_MEETS
    return Rating.FULLY_MEETS
