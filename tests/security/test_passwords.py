"""Which passwords are accepted: long enough, not common, not a word dressed up with digits."""
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from stftracker.accounts.passwords import DecoratedWordValidator


def _problems(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize("password", ["fdfdfdfd", "Cheltenham1", "Summer2016!", "P@ssw0rd123", "Password1234"])
def test_the_probe_s_passwords_are_refused(password):
    assert _problems(password)


def test_eleven_characters_are_too_few_and_twelve_enough(settings):
    assert settings.PASSWORD_MIN_LENGTH == 12
    eleven, twelve = "plum river ", "plum river o"
    assert "This password is too short. It must contain at least 12 characters." in _problems(eleven)
    assert _problems(twelve) == []


def test_a_common_password_of_twelve_characters_is_refused():
    # Django's list (maintained with Django) holds it; the length and the pattern rules do not catch it.
    assert DecoratedWordValidator().validate("qazwsxedcrfvtgb") is None
    assert "This password is too common." in _problems("qazwsxedcrfvtgb")


@pytest.mark.parametrize("password", [
    "Cheltenhamshire1",  # a word and a digit
    "2016Cheltenhamshire",  # a year in front
    "Winterwonderland2016!",  # a season phrase, a year and a symbol
    "ch3lt3nh@mshire99",  # look-alike digits and symbols inside the word still make one word
    "!!Manchesterunited!!",
])
def test_a_single_word_with_digits_or_symbols_round_it_is_refused(password):
    with pytest.raises(ValidationError) as caught:
        DecoratedWordValidator().validate(password)
    assert caught.value.error_list[0].code == "password_decorated_word"
    assert "a single word with digits or symbols added" in caught.value.messages[0]


@pytest.mark.parametrize("password", ["fdfdfdfdfdfd", "abcabcabcabc", "aaaaaaaaaaaaaaa", "12341234123412"])
def test_a_short_pattern_repeated_is_refused(password):
    with pytest.raises(ValidationError) as caught:
        DecoratedWordValidator().validate(password)
    assert caught.value.error_list[0].code == "password_repeated"


@pytest.mark.parametrize("password", [
    "correct-horse-battery-staple", "Plum-orchard-42-river", "admin-demo-2016", "tea at 4 in Leeds",
    "Vq8#nL2!xRz0",
])
def test_passphrases_and_random_strings_are_accepted(password):
    assert _problems(password) == []


@pytest.mark.django_db
def test_the_password_change_page_refuses_a_decorated_word(client, director, password):
    client.force_login(director)
    response = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "Cheltenham2016", "new_password2": "Cheltenham2016"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "a single word with digits or symbols added" in html
    director.refresh_from_db()
    assert director.check_password(password)  # unchanged
