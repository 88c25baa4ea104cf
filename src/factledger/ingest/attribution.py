"""Who said it, across sentences: the speaker a pronoun, a short reference or a quotation points back to.

``speakers.find_attribution`` reads one sentence. A news story names its speaker once and then says "she
said", "the agency said", "Moreau said", or quotes on without a verb; a transcript labels whole
paragraphs ("MARIN: …"). ``SpeakerResolver`` walks the document's sentences in order and resolves these
to the nearest fitting named speaker:

- "he" / "she" → the nearest person, "it" / "they" → the nearest organisation, who spoke (or, failing
  that, was named) in the same or the previous paragraph;
- "the agency", "the board" → the nearest organisation whose name holds that noun ("the National
  Vaccination Board"); "the company", "the train maker" → the nearest organisation in the same or the
  previous paragraph; once resolved, the same reference keeps pointing at the same organisation;
- a surname ("Moreau said", "MARIN:") → the full name written earlier ("Ines Moreau");
- a sentence that is one quotation and names nobody → the speaker of the sentence before it in the
  same paragraph;
- "a police spokesman" → the police.

Each speaker gets a kind, person or organisation (``speaker_kind``): ClaimReview and reviewers need to
know which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from factledger.ingest.names import (
    CAPITALISED_FUNCTION_WORDS,
    HONORIFICS,
    NAME_CONNECTORS,
    ROLE_WORDS,
    NameMention,
    find_names,
    is_capitalised,
    is_org_word,
    is_place,
    strip_possessive,
    word_set,
)
from factledger.ingest.speakers import (
    RESOLVABLE_PRONOUNS,
    Attribution,
    find_attribution,
    find_quotes,
    split_role,
)
from factledger.ledger.claims import SpeakerKind

# Lowercase nouns naming a body, not a person: "the health ministry said" is an organisation.
_ORGANISATION_NOUNS = word_set(
    """ministry department office agency board council committee commission government administration
    authority authorities police army military court embassy service union company firm club bank group
    team institute association chamber maker operator lender insurer retailer manufacturer producer
    carrier airline regulator watchdog party parliament senate assembly city county state school
    university hospital foundation network newspaper broadcaster brigade force guard"""
)
# Words that refer back to whichever organisation was just named, whatever its name holds.
_GENERIC_ORGANISATION_NOUNS = word_set(
    """company firm group maker operator lender insurer retailer manufacturer producer carrier airline
    club team business"""
)
# "Lawyers for the Halden Water Alliance argued": people speaking for a body speak as that body.
_MEMBERS_OF = re.compile(
    r"^(?:lawyers|attorneys|officials|researchers|scientists|representatives|spokespeople|executives"
    r"|members|staff|analysts|economists|doctors|engineers|experts)\s+(?:for|at|of|from|with)\s+(?P<body>.+)$",
    re.IGNORECASE,
)
_SPOKESPERSON = re.compile(r"^(?:a|an|the)\s+(?P<body>.+?)\s+(?:spokesman|spokeswoman|spokesperson)$", re.I)
# "Norrtek, the memory chipmaker, said": an appositive naming a kind of body marks the name as one.
_APPOSITIVE = re.compile(r",\s+(?:the|a|an)\s+(?:[\w’'\-]+\s+){0,3}?(?P<noun>[a-z][\w\-]*)\s*,")
# Groups of unnamed people: "officials said", "Residents said" names nobody a reviewer can check.
_UNNAMED_GROUPS = word_set(
    """officials official sources source residents experts analysts witnesses people critics observers
    forecasters diplomats economists scientists researchers campaigners activists"""
)
_BARE_SPOKESPERSON = re.compile(r"^(?:a|an|the)\s+(?:spokesman|spokeswoman|spokesperson)$", re.I)
_ACRONYM = re.compile(r"^(?:[Tt]he\s+)?(?P<letters>[A-Z]{2,6})$")
_DETERMINERS = frozenset({"the", "a", "an"})
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
_WHOLE_QUOTE_SHARE = 0.8
# How far back a surname, an acronym or "the agency" is looked up: far enough for any article, and a
# bound on the work a long untrusted document can ask for (each look is a walk over earlier sentences).
_MAX_LOOKBACK = 300
# The guest of a Q:/A: interview is introduced at the top.
_INTRODUCTION_SENTENCES = 20
# The longest name a sentence is taken to open with ("Acme Rail", "the Metro Transit Authority").
_MAX_SUBJECT_WORDS = 6
# What may stand just before a sentence's first word: its end, a line break, an opening quotation mark.
_SENTENCE_OPENERS = frozenset('.!?\n"“‘(')


@dataclass(frozen=True, slots=True)
class Speaker:
    name: str
    kind: SpeakerKind


@dataclass
class _Seen:
    """A sentence already walked: its paragraph, its resolved speaker and (lazily) its named mentions."""

    paragraph: int
    text: str
    speaker: Speaker | None
    quoted: bool
    _names: list[NameMention] | None = None
    _people: list[tuple[str, str | None]] | None = None

    def names(self) -> list[NameMention]:
        if self._names is None:
            self._names = find_names(self.text)
        return self._names

    def people(self) -> list[tuple[str, str | None]]:
        """The people named, in order, without a leading title ("Deputy Mayor Ana Ruiz" → "Ana Ruiz"),
        each with its lowercased surname (None for a single word). Kept: every later surname is looked
        up against them."""
        if self._people is None:
            self._people = [
                (name, _surname(name))
                for name in (
                    split_role(mention.text)[0] for mention in self.names() if mention.kind == "person"
                )
            ]
        return self._people


@dataclass
class SpeakerResolver:
    """Feed it a document's sentences in order (``resolve``); it remembers what it needs to look back."""

    body: str
    seen: list[_Seen] = field(default_factory=list)
    aliases: dict[str, Speaker] = field(default_factory=dict)
    kinds: dict[str, SpeakerKind] = field(default_factory=dict)
    _paragraph: int = 0
    _last_end: int = 0
    _current: _Seen | None = None

    def resolve(
        self, text: str, start: int, end: int, *, turn_label: str | None = None
    ) -> tuple[Attribution | None, Speaker | None]:
        """The sentence's attribution with its speaker resolved, and that speaker with its kind."""
        if _PARAGRAPH_BREAK.search(self.body, self._last_end, start):
            self._paragraph += 1
        self._last_end = end
        attribution = find_attribution(text, pronouns=True)
        self._current = _Seen(self._paragraph, text, None, bool(find_quotes(text)))
        speaker = self._speaker_of(text, attribution, turn_label)
        self._current.speaker = speaker
        self.seen.append(self._current)
        self._current = None
        if speaker is None:
            return (
                None if attribution is None or attribution.speaker in RESOLVABLE_PRONOUNS else attribution
            ), None
        if attribution is None:
            quotes = find_quotes(text)
            quote = max(quotes, key=lambda item: len(item.text)).text if quotes else None
            attribution = Attribution(
                speaker=speaker.name, quote=quote, cue="turn" if turn_label else "quote"
            )
        return replace(attribution, speaker=speaker.name), speaker

    def _speaker_of(
        self, text: str, attribution: Attribution | None, turn_label: str | None
    ) -> Speaker | None:
        if attribution is None:
            if turn_label is not None:
                return self._turn_speaker(turn_label)
            return self._continued_quote(text)
        name = attribution.speaker
        if name in {"he", "she"}:
            return self._nearest("person")
        if name in {"it", "they"}:
            return self._nearest("organisation")
        if _BARE_SPOKESPERSON.match(name):
            # "A spokesman said" right after "The Treasury said": the body just named speaks.
            return self._nearest("organisation", places=False) or Speaker(name, "person")
        acronym = _ACRONYM.match(name)
        if acronym:
            expanded = self._expansion(acronym.group("letters"))
            if expanded is not None:
                return expanded
        spokesperson = _SPOKESPERSON.match(name)
        if spokesperson:
            return Speaker(spokesperson.group("body"), "organisation")  # a spokesperson speaks for a body
        members = _MEMBERS_OF.match(name)
        if members and speaker_kind(members.group("body"), None, "") == "organisation":
            name = members.group("body")
        words = name.split()
        if words[-1].lower() in _UNNAMED_GROUPS and (len(words) == 1 or words[0].lower() in _DETERMINERS):
            return None
        if words[0].lower() in _DETERMINERS and all(
            word.islower() or "’" in word or "'" in word for word in words[1:]
        ):
            return self._reference(name)
        # A name keeps the kind it was first given: "Norrtek, the memory chipmaker, said" makes every
        # later "Norrtek said" an organisation too.
        kind = self.kinds.setdefault(name, speaker_kind(name, attribution.role, text))
        if kind == "person" and len(words) == 1:
            return Speaker(self._full_name(name) or name, kind)
        return Speaker(name, kind)

    def _turn_speaker(self, label: str) -> Speaker | None:
        if label == "Q":
            return None  # the interviewer, unnamed
        if label == "A":
            return self._guest()
        surname = label.title()
        return Speaker(self._full_name(surname) or surname, "person")

    def _continued_quote(self, text: str) -> Speaker | None:
        """'“Food prices are still 4% higher.”' after a quoted speaker's sentence: still that speaker."""
        quotes = find_quotes(text)
        if not quotes or sum(len(quote.text) for quote in quotes) < _WHOLE_QUOTE_SHARE * len(text):
            return None
        previous = self.seen[-1] if self.seen else None
        if previous is None or previous.paragraph != self._paragraph or not previous.quoted:
            return None
        return previous.speaker

    def _recent(self) -> list[_Seen]:
        """Sentences of the current and the previous paragraph, nearest first."""
        recent: list[_Seen] = []
        for seen in reversed(self.seen):
            if seen.paragraph < self._paragraph - 1:
                break
            recent.append(seen)
        return recent

    def _nearest(
        self, kind: SpeakerKind, noun: str | None = None, *, places: bool = True, subjects: bool = False
    ) -> Speaker | None:
        """The nearest speaker of ``kind`` (holding ``noun`` if given), then the nearest such name.

        An organisation may be named earlier in the same sentence ("Acme Rail will cut 900 jobs, the train
        maker said"); a person named in the sentence is more often the object than the speaker. With
        ``subjects`` (for "the company", "the firm"), the name an earlier sentence opens with counts before
        the names inside it: the body such a sentence is about.
        """
        recent = self._recent()
        if kind == "organisation" and self._current is not None:
            subject = self._organisation_subject(self._current.text) if noun is None else None
            if subject is not None:
                # "Baltfreight, the Estonian shipping group, agreed to buy …, the company said", "Harbour
                # City have agreed …, the club confirmed": the body is the clause's subject, wherever
                # other names fall in the sentence.
                return subject
            recent.insert(0, self._current)
        for seen in recent:
            if seen.speaker and seen.speaker.kind == kind and _holds(seen.speaker.name, noun):
                return seen.speaker
        for seen in recent:
            subject = self._organisation_subject(seen.text) if subjects and noun is None else None
            if subject is not None:
                return subject  # "Kelso Foods reported … . Sales grew 31%, the firm said."
            for mention in reversed(seen.names()):
                mention_kind: SpeakerKind = "person" if mention.kind == "person" else "organisation"
                if mention_kind != kind or not _holds(mention.text, noun):
                    continue
                if (kind == "person" and " " not in mention.text) or (
                    not places and _is_place_name(mention.text)
                ):
                    continue  # a lone surname is ambiguous; "the company" is not a country
                return Speaker(mention.text, kind)
        return None

    def _organisation_subject(self, text: str) -> Speaker | None:
        """The name the sentence opens with, as an organisation, when it is one that can be ("Sales of its
        software grew" opens with a common noun: one word written nowhere else as a name)."""
        subject = _sentence_subject(text)
        if subject is None or _is_place_name(subject):
            return None
        if " " not in subject and not _capitalised_mid_sentence(subject, self.body):
            return None
        return Speaker(subject, "organisation")

    def _reference(self, phrase: str) -> Speaker:
        """ "the agency", "the company", "the train maker": the organisation it refers back to."""
        words = phrase.split()
        noun = words[-1].lower()
        key = " ".join(word.lower() for word in words[1:])
        if key in self.aliases:
            return self.aliases[key]
        found: Speaker | None = None
        if len(words) == 2 or (len(words) == 3 and noun in _GENERIC_ORGANISATION_NOUNS):
            generic = noun in _GENERIC_ORGANISATION_NOUNS
            found = self._holding(noun) or (
                self._nearest("organisation", places=False, subjects=True) if generic else None
            )
        if found is None:
            found = Speaker(phrase, speaker_kind(phrase, None, phrase))
        else:
            self.aliases[key] = found
        return found

    def _holding(self, noun: str) -> Speaker | None:
        """The nearest earlier organisation, anywhere before, whose name holds ``noun``."""
        for seen in reversed(self.seen[-_MAX_LOOKBACK:]):
            if seen.speaker and seen.speaker.kind == "organisation" and _holds(seen.speaker.name, noun):
                return seen.speaker
        return self._nearest("organisation", noun)

    def _guest(self) -> Speaker | None:
        """Who answers in a Q:/A: transcript: the first person the introduction names in full."""
        for seen in self.seen[:_INTRODUCTION_SENTENCES]:
            for mention in seen.names():
                name = split_role(mention.text)[0]
                if mention.kind == "person" and " " in name:
                    return Speaker(name, "person")
        return None

    def _expansion(self, letters: str) -> Speaker | None:
        """The organisation named earlier whose initials are ``letters`` ("the ONS" → "the Office for
        National Statistics")."""
        for seen in reversed(self.seen[-_MAX_LOOKBACK:]):
            candidates = [seen.speaker.name] if seen.speaker and seen.speaker.kind == "organisation" else []
            candidates += [mention.text for mention in seen.names() if mention.kind != "person"]
            for candidate in candidates:
                initials = "".join(
                    word[0] for word in candidate.split() if word[0].isupper() and word != "The"
                )
                if initials == letters:
                    return Speaker(candidate, "organisation")
        return None

    def _full_name(self, surname: str) -> str | None:
        """The full name, written earlier, that ends with ``surname`` ("Moreau" → "Ines Moreau")."""
        wanted = surname.lower()
        earlier = self.seen[-_MAX_LOOKBACK:]
        for seen in reversed(earlier):
            if seen.speaker and seen.speaker.kind == "person" and _ends_with(seen.speaker.name, wanted):
                return seen.speaker.name
        for seen in reversed(earlier):
            for name, name_surname in reversed(seen.people()):
                if name_surname == wanted:
                    return name
        return None


def _capitalised_mid_sentence(word: str, body: str) -> bool:
    """Whether ``word`` is written capitalised somewhere other than at a sentence's start.

    One capitalised word opening a sentence may be a common noun ("Sales of its software grew …"); a
    name is capitalised mid-sentence too ("will join Baltfreight's board").
    """
    for match in re.finditer(rf"\b{re.escape(word)}\b", body):
        before = body[: match.start()].rstrip(" \t")
        if before and before[-1] not in _SENTENCE_OPENERS:
            return True
    return False


def _sentence_subject(text: str) -> str | None:
    """The name a sentence opens with, if it opens with one that no title marks as a person's."""
    run: list[str] = []
    for word in text.split()[:_MAX_SUBJECT_WORDS]:
        bare = word.rstrip(",;:")
        if not (is_capitalised(bare) or (run and bare in NAME_CONNECTORS)):
            break
        run.append(bare)
        if bare != word:
            break  # "Baltfreight, the Estonian shipping group, …": the comma ends the name
    while run and run[-1] in NAME_CONNECTORS:
        run.pop()
    if not run or run[0] in CAPITALISED_FUNCTION_WORDS or run[0] in HONORIFICS:
        return None
    if any(strip_possessive(word).lower() in ROLE_WORDS for word in run) or run[-1].endswith(("'s", "’s")):
        return None  # "Detective Alan Murray", "Rigaterm's chief executive": not a body's own name
    return " ".join(run)


def speaker_kind(name: str, role: str | None, sentence: str) -> SpeakerKind:
    """Person or organisation, from the name's own words, its title and an appositive describing it."""
    words = name.split()
    if role or words[0] in HONORIFICS or words[-1].lower() in RESOLVABLE_PRONOUNS - {"it", "they"}:
        return "person"
    head = words[-1].lower().rstrip(".,")
    if head in _ORGANISATION_NOUNS or any(is_org_word(word) for word in words):
        return "organisation"
    if words[0].lower() == "the" and len(words) > 1:
        return "organisation"  # "The Treasury said": a person's name takes no article
    if len(words) == 1 and is_place(words[0]):
        return "organisation"  # a capital speaking for its government
    position = sentence.find(name)
    if position >= 0:
        appositive = _APPOSITIVE.match(sentence, position + len(name))
        if appositive and _is_organisation_noun(appositive.group("noun")):
            return "organisation"
    return "person"


def _is_organisation_noun(noun: str) -> bool:
    return noun in _ORGANISATION_NOUNS or noun.endswith("maker")


def _is_place_name(name: str) -> bool:
    words = name.split()
    return any(is_place(word) for word in words) and not any(is_org_word(word) for word in words)


def _holds(name: str, noun: str | None) -> bool:
    return noun is None or noun in name.lower().replace("’", "'").split()


def _ends_with(name: str, surname: str) -> bool:
    return _surname(name) == surname


def _surname(name: str) -> str | None:
    """The last word of a name of two words or more, lowercased; None for a single word."""
    words = name.lower().split()
    return words[-1] if len(words) > 1 else None
