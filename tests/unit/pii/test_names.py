"""Known names found in text: full names anywhere, single names only where given."""

from __future__ import annotations

from mimoto_gov.pii.names import NameFinder, name_key


def values(found):
    return [value for _, _, value in found]


def test_full_names_are_found_however_spaced_and_cased():
    finder = NameFinder(["Olivia Ross", "Mary Ann de Vere", "Seán O'Connor-Smith"])
    text = "Ask OLIVIA  ROSS or mary ann\nde vere, or Seán O'Connor-Smith."
    found = finder.find(text)
    assert values(found) == ["OLIVIA  ROSS", "mary ann\nde vere", "Seán O'Connor-Smith"]
    assert all(text[s:e] == v for s, e, v in found)


def test_words_must_be_joined_by_white_space_only():
    finder = NameFinder(["Olivia Ross"])
    assert finder.find("olivia.ross@example.com, Olivia, Ross") == []


def test_the_longest_name_wins_and_ignored_names_are_kept():
    finder = NameFinder(["Ann Lee", "Ann Lee Smith", "Pat Subject"], ignore=["Pat Subject"])
    assert values(finder.find("Ann Lee Smith and Pat Subject")) == ["Ann Lee Smith"]


def test_single_words_only_when_given_and_capitalised():
    finder = NameFinder([])
    text = "Hi Will, we will call. WILL? Olivia"
    assert values(finder.find(text)) == []
    assert values(finder.find(text, {"Will", "Olivia"})) == ["Will", "WILL", "Olivia"]


def test_a_name_key_is_its_words():
    assert name_key("  Mary-Jane  O'Neil ") == "mary-jane o'neil"
    assert name_key(None) == ""
