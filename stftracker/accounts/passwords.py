"""Password rules of our own, beside Django's length, common-password and numeric validators
(``AUTH_PASSWORD_VALIDATORS`` in settings).

Guessing tools try a dictionary word with digits, a year, a season or a symbol added before
anything else ("Cheltenham1", "Summer2016!", "P@ssw0rd123"), and short patterns repeated
("fdfdfdfdfdfd"). :class:`DecoratedWordValidator` refuses both, offline: it needs no word list,
so any single word dressed that way is refused, not only the ones a list happens to hold.
"""
from django.core.exceptions import ValidationError

# Characters written in place of letters ("p@ssw0rd", "ch3lt3nh4m"): inside a word they do not
# make it two words.
LOOK_ALIKES = frozenset("0134578@$!|")


def _is_letter(char):
    return char.isalpha()


def single_word_core(password):
    """The word a password is made of, if it is one word with only digits or symbols before and
    after it (look-alikes allowed inside the word); ``None`` when it is not."""
    letters = [i for i, char in enumerate(password) if _is_letter(char)]
    if not letters:
        return None
    core = password[letters[0]: letters[-1] + 1]
    if not all(_is_letter(char) or char in LOOK_ALIKES for char in core):
        return None
    return core


def repeat_period(password):
    """The length of the shortest unit that ``password`` repeats (the last repeat may be cut short)."""
    for period in range(1, len(password)):
        if all(password[i] == password[i - period] for i in range(period, len(password))):
            return period
    return len(password)


class DecoratedWordValidator:
    """Refuse a single word with digits or symbols added, and a short pattern repeated.

    ``min_repeats``: a password that is one unit written at least this many times is refused.
    """

    def __init__(self, min_repeats=3):
        self.min_repeats = min_repeats

    def validate(self, password, user=None):
        if len(password) >= self.min_repeats and repeat_period(password) * self.min_repeats <= len(password):
            raise ValidationError(
                "This password repeats a short pattern (like 'fdfdfdfd'), which is quickly guessed.",
                code="password_repeated",
            )
        core = single_word_core(password)
        if core is not None and (core != password or any(char in LOOK_ALIKES for char in core)):
            raise ValidationError(
                "This password is a single word with digits or symbols added (like 'Cheltenham1' or "
                "'Summer2016!'), which password-guessing tools try first. Use three or four unrelated words.",
                code="password_decorated_word",
            )

    def get_help_text(self):
        return (
            "Your password can't be a single word with digits or symbols added, or a short pattern repeated."
        )
