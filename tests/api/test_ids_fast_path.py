"""``api.ids.why_unclear``'s ASCII fast path gives the answer of the character walk."""

import unicodedata

from api.ids import why_unclear


def test_every_ascii_character_is_judged_as_by_its_unicode_category():
    for code in range(128):
        char = chr(code)
        category = unicodedata.category(char)
        refused = category in {"Cf", "Cc", "Cs", "Zl", "Zp"} or (category == "Zs" and char != " ")
        answer = why_unclear(f"E00{char}1")
        assert (answer is not None) == refused, (code, answer)
        if refused:
            assert f"U+{code:04X}" in answer


def test_text_beyond_ascii_still_walks_the_characters():
    assert why_unclear("Zoë-7") is None
    assert "U+200B" in why_unclear("E\u200b1")
    assert "not NFC" in why_unclear("Zoe\u0308")
