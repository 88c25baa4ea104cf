"""Who said it: the speaker of a sentence and the words they are quoted as saying.

A small set of reporting patterns covers most news prose:

- active speech verbs with the speaker on the left: "Lund noted that …", "Oslo, in its turn, claims …",
  "Eva Lund recently announced …", "it was Lund who said …";
- a statement noun: "Lund made a remarkable statement that …";
- a possessive before a quotation: "Lund’s statements …: “…”";
- passives with "by": "Similar messages were repeated by Carrow";
- "according to X", and the author of data or a report ("figures from X show", "a study by X").

The speaker is the name as written, without a leading job title ("Deputy Secretary of State Maria
O’Neill" → "Maria O’Neill"; the title is kept in ``role``), and a name set off after its title is the
speaker ("the library's director, Omar Shah, said"). Organisation names keep every word ("the Ministry
of Foreign Affairs", "the governor's office"); figures and data are their publisher's ("according to
figures released by the club" → "the club"). Pronouns are not speakers: "he said" names nobody a reviewer
can check, so they are returned only on request (``pronouns=True``) for ``attribution`` to resolve.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

from factledger.ingest.names import (
    CAPITALISED_FUNCTION_WORDS,
    HONORIFICS,
    LOWERCASE_SPEAKER_NOUNS,
    NAME_CONNECTORS,
    ROLE_WORDS,
    is_capitalised,
    is_org_word,
    strip_possessive,
    word_set,
)


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """Quoted words without their quotation marks; ``sentence[start:end] == text``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Attribution:
    speaker: str
    quote: str | None
    cue: str
    role: str | None = None


# Curly, straight and guillemet quotations. An opening mark without its closing one (a quotation that runs
# past the sentence) quotes to the end of the sentence.
_QUOTE_PAIRS = (("“", "”"), ('"', '"'), ("«", "»"))
# Single quotation marks (British house style) double as apostrophes ("don’t", "drivers' union"), so
# an apostrophe followed by a letter stays inside, a quotation opens only after a space or a bracket,
# and a straight one must be closed within the sentence.
_SINGLE_QUOTES = (
    r"‘((?:[^’]|’(?=\w))*)(?:’|$)",
    r"(?:^|(?<=[\s(\[]))'(?=\S)((?:[^']|'(?=\w))*)'(?!\w)",
)
_QUOTE_ALTERNATIVES = (
    *(f"{re.escape(o)}([^{re.escape(c)}]*)(?:{re.escape(c)}|$)" for o, c in _QUOTE_PAIRS),
    *_SINGLE_QUOTES,
)
_QUOTE = re.compile("|".join(_QUOTE_ALTERNATIVES))

_SPEECH_VERBS = (
    "said|says|say|stated|states|noted|notes|announced|announces|declared|declares|emphasized|emphasised"
    "|emphasizes|emphasises|stressed|stresses|told|tells|added|adds|claimed|claims|argued|argues|insisted"
    "|insists|warned|warns|wrote|writes|explained|explains|confirmed|confirms|denied|denies|refuted|refutes"
    "|reiterated|reiterates|remarked|remarks|expressed|expresses|underlined|underscored|mentioned|asserted"
    "|asserts|tweeted|posted|reported|reports|acknowledged|admitted|promised|pledged|vowed|revealed"
    "|pointed\\s+out|stating|saying|noting|adding|announcing|declaring|emphasizing|claiming|insisting"
)
_ACTIVE = re.compile(rf"\b(?:{_SPEECH_VERBS})\b")
# The first word of each speech verb: a match of _ACTIVE or _PASSIVE holds one as a whole run of word
# characters, so a sentence holding none of them needs neither scan (most sentences report nobody).
_SPEECH_VERB_WORDS = frozenset(verb.split("\\s+")[0] for verb in _SPEECH_VERBS.split("|"))
_RUN = re.compile(r"\w+")
_STATEMENT_NOUN = re.compile(
    r"\bmade\s+(?:a|an)\s+(?:[a-z]+\s+){0,2}(?:statement|remark|announcement|comment|claim|declaration)\b"
)
_PASSIVE = re.compile(rf"\b(?:{_SPEECH_VERBS})\s+by\s+")
# A quotation closed just before the verb: the one place English puts the speaker after "said".
_INVERTED_AFTER = re.compile(r"[”\"»’'],?\s*$|,[”\"»’']\s*$")
_ACCORDING_TO = re.compile(r"\b[Aa]ccording\s+to\s+")
# "Figures from the state environment office show …": the publisher of the data is the source.
# So is the author of a report: "A study by the Fisheries Institute found …".
_SOURCE_NOUNS = (
    r"(?:figures|data|statistics|numbers|estimates|reports?|study|studies|survey|analysis|poll|statements?"
    r"|accounts|records|filings?|documents|papers|research|findings|results)"
)
_PUBLISHED_BY = r"(?:(?:released|published|compiled|provided|issued|conducted|carried\s+out)\s+)?"
_DATA_FROM = re.compile(
    r"\b(?:[Ff]igures|[Dd]ata|[Ss]tatistics|[Ee]stimates|(?:[Aa]n?|[Tt]he)\s+(?:new\s+)?(?:report|study|survey"
    rf"|analysis|poll))\s+{_PUBLISHED_BY}(?:from|by)\s+"
)
_SOURCE_NOUN_PREFIX = re.compile(
    rf"^(?:(?:the|a|an|new|official|latest|recent)\s+)*{_SOURCE_NOUNS}\s+{_PUBLISHED_BY}(?:from|by|of)\s+",
    re.IGNORECASE,
)
# "according to a study published on Wednesday", "according to its annual report", "according to planning
# data the council published": a document is not a speaker. Its owner is ("its" → the organisation just
# named, "the ministry's" → the ministry), and so is a publisher named in a clause after it.
_SOURCE_DOCUMENT = re.compile(
    # Case-sensitive: "according to Statistics Norway" names a body, "according to statistics" does not.
    r"^(?:(?P<owner>[Ii]ts|[Tt]heir|(?:the\s+)?[\w\-]+(?:\s+[A-Z][\w\-]*){0,3}[’']s?)\s+|(?:[Tt]he|[Aa]n?)\s+)?"
    rf"(?:[\w\-]+\s+){{0,2}}?{_SOURCE_NOUNS}\b"
    r"(?:\s+(?:that\s+)?(?P<publisher>(?:the\s+)?[\w\-]+(?:\s+[A-Z][\w\-]*){0,4})"
    r"\s+(?:published|released|issued|compiled|filed|put\s+out))?"
)
_POSSESSED_STATEMENT = (
    r"[’']s?\s+"
    r"(?:[a-z]+\s+)?(?:statements?|words|remarks|comments?|letter|message|speech|tweet|post|address|reply|response)\b"
)
_POSSESSIVE = re.compile(r"(?P<owner>(?:[^\W\d_][\w.\-’']*\s+){0,4}?[^\W\d_][\w.\-]*)" + _POSSESSED_STATEMENT)
# _POSSESSIVE tries its lazy owner at every letter and costs more than all other patterns together; every
# match of it contains a match of this one, which is cheap, so this one decides whether to run it.
_POSSESSIVE_HINT = re.compile(_POSSESSED_STATEMENT)
# Words that may sit between a subject and its verb: "Lund recently announced", "has also said".
_SKIPPABLE_BEFORE_VERB = word_set(
    "also then later again once earlier further has have had was were is are would will did does do who"
    " which reportedly publicly not"
)
_PRONOUNS = word_set("he she they it we i you this that these those one")
# Subject pronouns that ``attribution`` can resolve to a speaker named nearby.
RESOLVABLE_PRONOUNS = word_set("he she it they")
# Where a noun phrase after "according to" or "by" ends.
_PHRASE_STOPS = word_set(
    "that who which during in on at after before when show shows showed suggest suggests"
)
_MAX_APPOSITIVE_WORDS = 8
_MAX_TITLE_WORDS = 4
_NOT_IN_A_TITLE = word_set(
    """on in at of for to from by with that this the a an after before during when while it he she they
    we and but as earlier later last next today yesterday also then again"""
)
_MAX_ACCORDING_WORDS = 6
_DETERMINERS = word_set("the a an")
_WORD = re.compile(r"\S+")


def find_quotes(sentence: str) -> list[QuoteSpan]:
    """Every quotation in the sentence, in order; empty quotations are ignored."""
    return list(_quotes_of(sentence))


# Attribution, scoring and the quoted-opinion check each look at the same sentence's quotations.
@functools.lru_cache(maxsize=256)
def _quotes_of(sentence: str) -> tuple[QuoteSpan, ...]:
    quotes: list[QuoteSpan] = []
    for match in _QUOTE.finditer(sentence):
        group = next(
            index for index in range(1, len(_QUOTE_ALTERNATIVES) + 1) if match.group(index) is not None
        )
        text = match.group(group)
        if text.strip():
            quotes.append(QuoteSpan(text=text, start=match.start(group), end=match.end(group)))
    return tuple(quotes)


def find_attribution(sentence: str, *, pronouns: bool = False) -> Attribution | None:
    """The speaker of ``sentence`` and the quotation attributed to them, or None when nobody is named.

    When several patterns match, the strongest kind of evidence wins (a named subject of a speech verb,
    then a possessive with a quotation, a passive "by", "according to", and a role noun like "the
    president"); within a kind, the earliest in the sentence.
    """
    quotes = find_quotes(sentence)
    candidates: list[tuple[int, int, str, str, int]] = []  # (rank, position, noun phrase, cue, cue end)
    speech_verb = not _SPEECH_VERB_WORDS.isdisjoint(_RUN.findall(sentence))
    for pattern, possible in ((_ACTIVE, speech_verb), (_STATEMENT_NOUN, "made" in sentence)):
        if not possible:
            continue
        for match in pattern.finditer(sentence):
            if _inside_quote(match.start(), quotes):
                continue
            if _INVERTED_AFTER.search(sentence[: match.start()]):
                # '“We are ready,” said Eva Lund.': the speaker follows the verb (and the words
                # before it are the quotation's, never the speaker: '"… on Main Street," said …').
                rest = sentence[match.end() :]
                phrase = _appositive_name(rest) or _phrase_after(rest, allow_lowercase=False)
            else:
                phrase = _subject_before(sentence[: match.start()])
            rank = 5
            if phrase is None and pronouns:
                phrase = _pronoun_before(sentence[: match.start()])
            elif phrase:
                rank = 0 if is_capitalised(phrase.split()[-1]) else 4
            if phrase:
                candidates.append((rank, match.start(), phrase, _squash(match.group(0)), match.end()))
    # Only a possessive followed by a quotation counts, so without either there is nothing to look for.
    possessives = _POSSESSIVE.finditer(sentence) if quotes and _POSSESSIVE_HINT.search(sentence) else ()
    for match in possessives:
        owner = _trailing_name(match.group("owner").split())
        if owner and not _inside_quote(match.start(), quotes) and _quote_after(quotes, match.end()):
            cue = owner + match.group(0)[len(match.group("owner")) :]
            candidates.append((1, match.start(), owner, _squash(cue), match.end()))
    for rank, pattern, possible in (
        (2, _PASSIVE, speech_verb and "by" in sentence),
        (3, _ACCORDING_TO, "ccording" in sentence),
        (3, _DATA_FROM, "from" in sentence or "by" in sentence),  # its pattern ends "from" or "by"
    ):
        if not possible:
            continue  # a substring test is much cheaper than a scan that cannot match
        for match in pattern.finditer(sentence):
            if _inside_quote(match.start(), quotes):
                continue
            after = sentence[match.end() :]
            rest = _SOURCE_NOUN_PREFIX.sub("", after, count=1)
            document = _SOURCE_DOCUMENT.match(rest) if rest is after and pattern is not _PASSIVE else None
            if document is not None:
                phrase = _document_owner(document, pronouns=pronouns)
            else:
                phrase = _phrase_after(rest, allow_lowercase=pattern is not _PASSIVE)
            if phrase:
                cue = _squash(match.group(0)).removesuffix(" by").strip()
                candidates.append((rank, match.start(), phrase, cue, match.end()))
    if not candidates:
        return None
    _, _, phrase, cue, cue_end = min(candidates)
    speaker, role = split_role(phrase)
    quote = _quote_after(quotes, cue_end) or (max(quotes, key=lambda q: len(q.text)) if quotes else None)
    return Attribution(speaker=speaker, quote=quote.text if quote else None, cue=cue, role=role)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _inside_quote(position: int, quotes: list[QuoteSpan]) -> bool:
    return any(quote.start <= position < quote.end for quote in quotes)


def _quote_after(quotes: list[QuoteSpan], position: int) -> QuoteSpan | None:
    return next((quote for quote in quotes if quote.start >= position), None)


def _document_owner(document: re.Match[str], *, pronouns: bool) -> str | None:
    """Who a source document named after "according to" is from: its owner or publisher, or nobody."""
    publisher = document.group("publisher")
    owner = document.group("owner")
    if publisher and publisher.split()[0].lower() in _DETERMINERS | {"its", "their"}:
        return publisher  # "data the council published"
    if owner is None:
        return None  # "a study published on Wednesday": the document names no author
    if owner.lower() in {"its", "their"}:
        return ("it" if owner.lower() == "its" else "they") if pronouns else None
    return strip_possessive(owner) or None  # "the ministry's report", "Baltfreight's accounts"


def _subject_before(prefix: str) -> str | None:
    """The noun phrase that ends just before a speech verb, skipping adverbs and a comma-enclosed aside."""
    words = [match.group(0) for match in _WORD.finditer(prefix)]
    relative = False
    while words and (words[-1].lower() in _SKIPPABLE_BEFORE_VERB or _is_adverb(words[-1])):
        relative = relative or words[-1].lower() in {"which", "who"}
        words.pop()
    if relative and words and words[-1].endswith(","):
        # "the approval of the Northern Football League, which said it expected …": the name the
        # relative clause hangs on speaks.
        words[-1] = words[-1].rstrip(",")
        return _trailing_name(words) or _trailing_role_noun(words)
    if words and words[-1].endswith(","):
        # "Oslo, in its turn, claims" / "Eva Lund, the WHO director, said": drop the aside.
        for index in range(len(words) - 2, -1, -1):
            if words[index].endswith(","):
                aside = [*words[index + 1 : -1], words[-1].rstrip(",")]
                if _is_bare_name(aside) and not is_capitalised(words[index]):
                    # "the library's director, Omar Shah, said": the name set off after a title speaks.
                    return " ".join(aside)
                if len(words) - 1 - index <= _MAX_APPOSITIVE_WORDS:
                    words = [*words[:index], words[index].rstrip(",")]
                break
        else:
            return None
    if words and words[-1].endswith(","):
        return None
    return _trailing_name(words) or _trailing_role_noun(words)


def _is_bare_name(words: list[str]) -> bool:
    """ "Omar Shah", "Ines Moreau": capitalised words that do not open a clause, at most four."""
    return (
        0 < len(words) <= 4
        and words[0] not in CAPITALISED_FUNCTION_WORDS
        and all(is_capitalised(word) or word in NAME_CONNECTORS for word in words)
        and is_capitalised(words[-1])
        and words[-1].lower() not in _PRONOUNS
    )


def _appositive_name(rest: str) -> str | None:
    """The name after a title in an inverted attribution: 'said the bank’s chief economist, Ines Moreau.',
    'said hospital director Maria Lenz.'"""
    head, comma, tail = rest.partition(",")
    opening = head.split()
    lowercase_title = list(itertools.takewhile(str.islower, opening))
    # "said hospital director Maria Lenz", "said harbour master Kate Bell": a few lowercase words that
    # describe (no preposition or determiner: "said on Monday" is not a title), then the name.
    if (
        0 < len(lowercase_title) <= _MAX_TITLE_WORDS
        and len(lowercase_title) < len(opening)
        and not any(word in _NOT_IN_A_TITLE for word in lowercase_title)
    ):
        return _capitalised_run(" ".join(opening[len(lowercase_title) :]) + comma + tail)
    if not comma or len(opening) > _MAX_APPOSITIVE_WORDS or not opening:
        return None
    if opening[0].lower() not in {"the", "a", "an", "its", "his", "her", "their"}:
        return None
    return _capitalised_run(tail)


def _capitalised_run(text: str) -> str | None:
    words = []
    for word in text.split():
        bare = word.rstrip(',;:.)”"')
        if not is_capitalised(bare) and bare not in NAME_CONNECTORS:
            break
        words.append(bare)
        if bare != word and not _is_initial(word):
            break
    return " ".join(words) if _is_bare_name(words) else None


def _pronoun_before(prefix: str) -> str | None:
    """The pronoun subject of a speech verb: "she said", "He added", "it has said"."""
    words = [match.group(0) for match in _WORD.finditer(prefix)]
    while words and (words[-1].lower() in _SKIPPABLE_BEFORE_VERB or _is_adverb(words[-1])):
        words.pop()
    if words and words[-1].strip("“”\"'").lower() in RESOLVABLE_PRONOUNS:
        return words[-1].strip("“”\"'").lower()
    return None


def _is_adverb(word: str) -> bool:
    return word.islower() and word.endswith("ly") and len(word) > 4


def _trailing_name(words: list[str]) -> str | None:
    """The run of capitalised words (joined by "of", "for", "and", "the") at the end of ``words``."""
    taken: list[str] = []
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if taken and word[-1:] in {",", ";", ":", ".", ")", "(", "”", '"'} and not _is_initial(word):
            break
        if word in {"The", "the"} and not (index and words[index - 1] in {"of", "for"}):
            # A determiner opens the name ("the Ministry of Foreign Affairs") and ends the walk; after
            # "of" it is inside the name ("Ministry of the Interior").
            if taken:
                taken.append(word)
            break
        if is_capitalised(word):
            if word in CAPITALISED_FUNCTION_WORDS:
                break
            taken.append(word)
        elif word in NAME_CONNECTORS and taken:
            taken.append(word)
        else:
            break
    # A dangling "of"/"and" at the front is not part of the name; a leading determiner "the" is.
    while taken and taken[-1] in NAME_CONNECTORS and taken[-1] != "the":
        taken.pop()
    if not taken or taken == ["the"]:
        return None
    taken.reverse()
    if taken[-1].lower() in _PRONOUNS or taken[-1] in CAPITALISED_FUNCTION_WORDS:
        return None
    return " ".join(taken).rstrip(",;:")


def _is_initial(word: str) -> bool:
    return len(word) <= 3 and word.endswith(".") and word[0].isupper()


def _trailing_role_noun(words: list[str]) -> str | None:
    """A lowercase role noun with its determiner: "the president expressed", "officials said"."""
    if not words or words[-1].lower() not in LOWERCASE_SPEAKER_NOUNS:
        return None
    for back in range(1, 5):
        index = len(words) - back - 1
        if index < 0:
            break
        if words[index].endswith((",", ";", ":")):
            break  # "in the Eastgate area, police said": a comma closes the phrase before the noun
        if words[index].lower() in {"the", "a", "an"}:
            return " ".join(words[index:])
        if is_capitalised(words[index]) and words[index].endswith(("'s", "’s", "s'", "s’")):
            # "Grimes's office", "Senator Grimes's office": a named owner opens the phrase.
            while (
                index
                and is_capitalised(words[index - 1])
                and words[index - 1] not in CAPITALISED_FUNCTION_WORDS
            ):
                index -= 1
            return " ".join(words[index:])
        # "the governor's office", "the city's finance department": possessives belong to the phrase.
        if not strip_possessive(words[-back - 1]).isalpha():
            break
    return words[-1]


def _phrase_after(rest: str, *, allow_lowercase: bool) -> str | None:
    """The noun phrase after "by" / "according to", up to punctuation or a clause boundary."""
    phrase_words: list[str] = []
    for match in _WORD.finditer(rest):
        word = match.group(0)
        if word in HONORIFICS and not phrase_words:
            phrase_words.append(word)  # "said Prof. Miguel Santos": the honorific's dot ends nothing
            continue
        bare = word.rstrip(',;:.)”"')
        if bare.lower() in _PHRASE_STOPS:
            break
        if not (is_capitalised(bare) or bare in NAME_CONNECTORS or bare == "the") and (
            not allow_lowercase or any(is_capitalised(taken) for taken in phrase_words)
        ):
            break  # "the Marine Institute found": a lowercase word after the name ends it
        phrase_words.append(bare)
        if bare != word or len(phrase_words) >= _MAX_ACCORDING_WORDS:
            break
    while phrase_words and phrase_words[-1] in NAME_CONNECTORS:
        phrase_words.pop()
    phrase = " ".join(phrase_words)
    if not allow_lowercase and not any(is_capitalised(word) for word in phrase_words):
        return None
    if not phrase or phrase.lower() in _PRONOUNS or phrase.lower() in {"him", "her", "them", "us", "me"}:
        return None
    return phrase


def split_role(phrase: str) -> tuple[str, str | None]:
    """Separate a leading job title from the name: "Advisor Ana Ruiz" → ("Ana Ruiz", "Advisor")."""
    words = phrase.split()
    last_role = -1
    for index, word in enumerate(words):
        if strip_possessive(word).split("-")[0].lower() in ROLE_WORDS:
            last_role = index
    name = words[last_role + 1 :]
    if last_role < 0 or not name or any(is_org_word(word) for word in name):
        return phrase, None
    if not all(is_capitalised(word) for word in name):
        return phrase, None
    return " ".join(name), " ".join(words[: last_role + 1])
