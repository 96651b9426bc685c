"""Every message the code shows, the kiosk's and its staff desk's, has a Latvian and a Ukrainian translation, with the
right plural forms."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.i18n import LANGUAGES, catalogue_path, translate, translate_plural, translations

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages in the code now, extracted as translators get them (`make translations`)."""
    pot = tmp_path_factory.mktemp("pot") / "kiosk.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg",
                    "-k", "_", "-k", "N_", "-k", "ngettext:1,2", "-o", str(pot), "."], cwd=ROOT, check=True)
    with open(pot, "rb") as handle:
        return [message for message in read_po(handle) if message.id]


def test_extraction_finds_the_kv_and_python_messages(extracted):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted}
    assert "I'm still here" in ids        # from a .kv file
    assert "I'm finished — clear this computer" in ids  # from Python, marked with N_
    assert "Wrong PIN." in ids
    assert len(ids) > 40


def test_extraction_finds_the_staff_desks_messages(extracted):
    """The console's templates, its Python and the words its scripts are handed share the kiosk's catalogues."""
    found = {(m.context, m.id) for m in extracted if any(path.startswith("staffdesk/") for path, _line in m.locations)}
    assert (None, "KAC staff desk") in found                     # from a template
    assert (None, "People ahead of you: {ahead}") in found       # from Python
    assert (None, "Call next") in found                          # handed to the console's script
    # Where the desk says what the kiosk says otherwise, its own context keeps both.
    assert ("staff desk", "By institution") in found
    assert (None, "By institution") in {(m.context, m.id) for m in extracted}
    assert len(found) > 100


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_message_is_translated(extracted, language):
    with open(catalogue_path(language), "rb") as handle:
        catalogue = read_po(handle, locale=language)
    missing = []
    for message in extracted:
        found = catalogue.get(message.id, context=message.context)
        strings = () if found is None else (found.string if isinstance(found.string, tuple) else (found.string,))
        if found is None or found.fuzzy or not strings or not all(strings):
            missing.append(message.id)
    assert missing == []


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_placeholders_survive_translation(extracted, language):
    import re
    for message in extracted:
        source = message.id if isinstance(message.id, str) else message.id[1]
        wanted = sorted(re.findall(r"\{\w+\}", source))
        if message.context:
            translated = translations(language).pgettext(message.context, source)
        else:
            translated = translate(language, source) if isinstance(message.id, str) else \
                translate_plural(language, message.id[0], message.id[1], 5)
        assert sorted(re.findall(r"\{\w+\}", translated)) == wanted, (language, source)


def test_plural_forms_follow_each_language():
    forms = ("This computer will close everything in {n} second.",
             "This computer will close everything in {n} seconds.")
    assert [translate_plural("lv", *forms, n).format(n=n) for n in (1, 2, 21, 0)] == [
        "Pēc 1 sekundes šis dators visu aizvērs.", "Pēc 2 sekundēm šis dators visu aizvērs.",
        "Pēc 21 sekundes šis dators visu aizvērs.", "Pēc 0 sekundēm šis dators visu aizvērs."]
    assert [translate_plural("uk", *forms, n).format(n=n) for n in (1, 3, 5, 11, 22)] == [
        "Через 1 секунду цей комп’ютер усе закриє.", "Через 3 секунди цей комп’ютер усе закриє.",
        "Через 5 секунд цей комп’ютер усе закриє.", "Через 11 секунд цей комп’ютер усе закриє.",
        "Через 22 секунди цей комп’ютер усе закриє."]
    assert translate_plural("en", *forms, 1) == forms[0]


def test_every_character_of_every_message_is_in_the_kiosks_font(extracted):
    """Roboto (Kivy's font) draws nothing for a character it lacks: a ● or ← in a message would just be missing.
    The staff desk's own messages are drawn by browsers, with their fonts."""
    import kivy
    from fontTools.ttLib import TTFont
    font = Path(kivy.__file__).parent / "data" / "fonts" / "Roboto-Regular.ttf"
    drawable = set(TTFont(str(font)).getBestCmap())
    missing = set()
    on_kiosk = [message for message in extracted
                if any(not path.startswith("staffdesk/") for path, _line in message.locations)]
    for language in ("en", "lv", "uk"):
        for message in on_kiosk:
            ids = (message.id,) if isinstance(message.id, str) else message.id
            texts = [translate(language, ids[0])] if len(ids) == 1 else \
                [translate_plural(language, ids[0], ids[1], n) for n in (1, 2, 5)]
            missing |= {(language, ch) for text in texts for ch in text if not ch.isspace() and ord(ch) not in drawable}
    assert missing == set()


def test_no_translation_uses_a_word_the_glossary_replaced(extracted):
    """kiosk/locale/glossary.yaml: the one word for each thing; a word it replaced stays out of every language."""
    import re
    import yaml
    terms = yaml.safe_load((ROOT / "kiosk" / "locale" / "glossary.yaml").read_text(encoding="utf-8"))["terms"]
    found = []
    for language in LANGUAGES:
        # (message, its text) pairs, not a dict by message: one message may be there in two contexts.
        if language == "en":
            texts = [(m.id if isinstance(m.id, str) else m.id[0], " ".join(m.id if isinstance(m.id, tuple) else [m.id]))
                     for m in extracted]
        else:
            with open(catalogue_path(language), "rb") as handle:
                texts = [((m.id if isinstance(m.id, str) else m.id[0]),
                          " ".join(m.string if isinstance(m.string, tuple) else [m.string]))
                         for m in read_po(handle) if m.id]
        for term in terms:
            for word in term.get("avoid", {}).get(language, []):
                stem = word.endswith("-")
                pattern = re.compile(rf"(?<!\w){re.escape(word.rstrip('-'))}" + ("" if stem else r"(?!\w)"),
                                     re.IGNORECASE)
                found += [f"{language}: {message[:50]!r} says '{word}' ({term['en']}: {term[language]})"
                          for message, text in texts if pattern.search(text)]
    assert found == [], "\n".join(found)
