"""pysbd's sentence processor (pysbd 0.3.4, ``processor.py`` and ``lists_item_replacer.py``) with its rules
applied through compiled patterns: the same steps, in the same order, giving the same sentences.

pysbd applies its rules with ``re.sub(rule.pattern, ...)``: every call looks the pattern up in ``re``'s
cache, about 0.6 µs a call, and a paragraph of news text takes about 110 such calls (a dozen rules
on every sentence). ``apply_rules`` keeps each rule's compiled pattern, which substitutes exactly as
``re.sub`` with that pattern does (no flags), and skips a rule when the text lacks a string that every
match contains (the pattern itself, when it is a plain string; see ``_NEEDED``): such a substitution
changes nothing.

The list-item step looks for alphabetical list markers twice over the same text (Latin letters, then
roman numerals) with one pattern; ``_ListItemReplacer`` finds them once when the first pass left the text
as it was. Everything else is pysbd's code as written. sentences.py plugs the processor into its English
rules (``_English.Processor``); tests/ingest/test_sentences.py compares the sentences with stock pysbd's.
Stock pysbd itself is left untouched (the ingest benchmark measures it).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from pysbd.between_punctuation import BetweenPunctuation
from pysbd.exclamation_words import ExclamationWords
from pysbd.lists_item_replacer import ListItemReplacer
from pysbd.processor import Processor

# Characters special to ``re`` outside a character set when no flag is given (VERBOSE is never used).
_REGEX_SPECIALS = frozenset(".^$*+?{}[]\\|()")
# A string that every match of these pysbd patterns contains (each pattern is a lookbehind, a period or
# placeholder, and a lookahead, so the needed string is what they spell together): where it is absent the
# substitution cannot change the text. They start with a lookbehind, which ``re`` tries at every position
# of the paragraph; the ``in`` test is far cheaper.
_NEEDED: dict[str, str] = {
    r"(?<=Co)\.(?=\sKG)": "Co.",  # KommanditgesellschaftRule
    r"(?<= P∯M)∯(?=\s[A-Z])": " P∯M∯",  # AmPmRules
    r"(?<=A∯M)∯(?=\s[A-Z])": "A∯M∯",
    r"(?<=p∯m)∯(?=\s[A-Z])": "p∯m∯",
    r"(?<=a∯m)∯(?=\s[A-Z])": "a∯m∯",
    r"(?<=\r\d)\.(?=(\s\S)|\))": "\r",  # Numbers
    r"(?<=[a-zA-z]°)\.(?=\s*\d+)": "°.",  # GeoLocationRule
}
# A rule as applied: its compiled pattern, a string its every match contains (or None), its replacement.
_Compiled = tuple[re.Pattern[str], str | None, Any]
Rules = tuple[_Compiled, ...]


def compile_rules(*rules: Any) -> Rules:
    """pysbd rules (``pysbd.utils.Rule``), ready for ``apply_rules``."""
    return tuple((re.compile(rule.pattern), _needed(rule.pattern), rule.replacement) for rule in rules)


def _needed(pattern: str) -> str | None:
    """A string that every match of ``pattern`` contains: the pattern itself when it is a plain string."""
    return pattern if _REGEX_SPECIALS.isdisjoint(pattern) else _NEEDED.get(pattern)


def apply_rules(text: str, rules: Rules) -> str:
    """What ``pysbd.utils.Text(text).apply(*rules)`` returns for the rules ``compile_rules`` was given."""
    for pattern, needed, replacement in rules:
        if needed is not None and needed not in text:
            continue  # no match is possible: re.sub would return the text as it is
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True, slots=True)
class _LanguageRules:
    """A pysbd language's rule groups, compiled, as the processor applies them."""

    multiple_periods: Rules
    single_newline_and_ellipsis: Rules
    sub_symbols: Rules
    sub_single_quote: Rules
    reinsert_ellipsis: Rules
    double_punctuation: Rules
    question_and_exclamation: Rules
    numbers: Rules
    colon_between_numbers: Rules
    non_boundary_comma: Rules
    abbreviation_prefix: Rules
    am_pm: Rules


@functools.cache
def language_rules(lang: Any) -> _LanguageRules:
    """The compiled rule groups of a pysbd language module (its rules never change)."""
    return _LanguageRules(
        multiple_periods=compile_rules(
            lang.Abbreviation.WithMultiplePeriodsAndEmailRule, lang.GeoLocationRule, lang.FileFormatRule
        ),
        single_newline_and_ellipsis=compile_rules(lang.SingleNewLineRule, *lang.EllipsisRules.All),
        sub_symbols=compile_rules(*lang.SubSymbolsRules.All),
        sub_single_quote=compile_rules(lang.SubSingleQuoteRule),
        reinsert_ellipsis=compile_rules(*lang.ReinsertEllipsisRules.All),
        double_punctuation=compile_rules(*lang.DoublePunctuationRules.All),
        question_and_exclamation=compile_rules(
            lang.QuestionMarkInQuotationRule, *lang.ExclamationPointRules.All
        ),
        numbers=compile_rules(*lang.Numbers.All),
        colon_between_numbers=compile_rules(
            *(
                [lang.ReplaceColonBetweenNumbersRule]
                if hasattr(lang, "ReplaceColonBetweenNumbersRule")
                else []
            )
        ),
        non_boundary_comma=compile_rules(
            *(
                [lang.ReplaceNonSentenceBoundaryCommaRule]
                if hasattr(lang, "ReplaceNonSentenceBoundaryCommaRule")
                else []
            )
        ),
        abbreviation_prefix=compile_rules(
            lang.PossessiveAbbreviationRule,
            lang.KommanditgesellschaftRule,
            *lang.SingleLetterAbbreviationRules.All,
        ),
        am_pm=compile_rules(*lang.AmPmRules.All),
    )


_LIST_MARKER = compile_rules(ListItemReplacer.ListMarkerRule)
_LIST_PERIOD = compile_rules(ListItemReplacer.SubstituteListPeriodRule)


# What every alternative of a list-marker pattern needs, as a cheaper test; where it fails, pysbd's
# findall would find nothing. NUMBERED_LIST_REGEX_1: one or two digits after whitespace, a hyphen, a "⁃" or
# the start, then a period and whitespace or ")". ALPHABETICAL_LIST_WITH_PERIODS: one lowercase ASCII
# letter after whitespace or the start, then a period. ALPHABETICAL_LIST_WITH_PARENS: a ")".
_NUMBERED_WITH_PERIOD = re.compile(r"(?:^|[\s\-⁃])\d{1,2}\.[\s)]")
_LETTER_WITH_PERIOD = re.compile(r"(?:^|\s)[a-z]\.")
_MAY_FIND: dict[str, Any] = {
    ListItemReplacer.ALPHABETICAL_LIST_WITH_PERIODS: _LETTER_WITH_PERIOD.search,
    ListItemReplacer.ALPHABETICAL_LIST_WITH_PARENS: lambda text: ")" in text,
}


class _ListItemReplacer(ListItemReplacer):  # type: ignore[misc]  # pysbd is untyped
    text: str

    def __init__(self, text: str) -> None:
        super().__init__(text)
        # (pattern, text) -> the markers found: the Latin pass and the roman pass search the same text
        # with the same pattern unless the first one changed it.
        self._found: dict[tuple[str, str], list[str]] = {}

    def replace_periods_in_numbered_list(self) -> None:
        # pysbd's scan finds nothing, and so changes nothing, in a text without a marker that its
        # NUMBERED_LIST_REGEX_1 needs (see _NUMBERED_WITH_PERIOD).
        if _NUMBERED_WITH_PERIOD.search(self.text):
            super().replace_periods_in_numbered_list()

    def format_numbered_list_with_parens(self) -> None:
        self.replace_parens_in_numbered_list()
        self.add_line_breaks_for_numbered_list_with_parens()
        self.text = apply_rules(self.text, _LIST_MARKER)

    def format_numbered_list_with_periods(self) -> None:
        self.replace_periods_in_numbered_list()
        self.add_line_breaks_for_numbered_list_with_periods()
        self.text = apply_rules(self.text, _LIST_PERIOD)

    def iterate_alphabet_array(self, regex: str, parens: bool = False, roman_numeral: bool = False) -> str:
        # pysbd's method (lists_item_replacer.py), with its findall remembered for the text it searched.
        key = (regex, self.text)
        list_array = self._found.get(key)
        if list_array is None:
            possible = _MAY_FIND.get(regex)
            if possible is not None and not possible(self.text):
                list_array = []  # none of the pattern's alternatives can match
            else:
                list_array = re.findall(regex, self.text)
            self._found[key] = list_array
        alphabet = self.ROMAN_NUMERALS if roman_numeral else self.LATIN_NUMERALS
        list_array = [i for i in list_array if i in alphabet]
        for ind, each in enumerate(list_array):
            if ind == len(list_array) - 1:
                self.text = self.last_array_item_replacement(each, ind, alphabet, list_array, parens)
            else:
                self.text = self.other_items_replacement(each, ind, alphabet, list_array, parens)
        text: str = self.text
        return text


class _BetweenPunctuation(BetweenPunctuation):  # type: ignore[misc]  # pysbd is untyped
    """pysbd's quoted and bracketed spans, each pattern tried only on a text holding the character that
    opens it: a substitution that cannot match changes nothing, and most sentences quote nothing."""

    def sub_punctuation_between_single_quotes(self, txt: str) -> str:
        # Both of pysbd's branches need an apostrophe to change anything.
        return super().sub_punctuation_between_single_quotes(txt) if "'" in txt else txt

    def sub_punctuation_between_single_quote_slanted(self, txt: str) -> str:
        return super().sub_punctuation_between_single_quote_slanted(txt) if "‘" in txt else txt

    def sub_punctuation_between_double_quotes(self, txt: str) -> str:
        return super().sub_punctuation_between_double_quotes(txt) if '"' in txt else txt

    def sub_punctuation_between_square_brackets(self, txt: str) -> str:
        return super().sub_punctuation_between_square_brackets(txt) if "[" in txt else txt

    def sub_punctuation_between_parens(self, txt: str) -> str:
        return super().sub_punctuation_between_parens(txt) if "(" in txt else txt

    def sub_punctuation_between_quotes_arrow(self, txt: str) -> str:
        return super().sub_punctuation_between_quotes_arrow(txt) if "«" in txt else txt

    def sub_punctuation_between_em_dashes(self, txt: str) -> str:
        return super().sub_punctuation_between_em_dashes(txt) if "--" in txt else txt

    def sub_punctuation_between_quotes_slanted(self, txt: str) -> str:
        return super().sub_punctuation_between_quotes_slanted(txt) if "“" in txt else txt


# What NUMBERED_REFERENCE_REGEX needs: after a period or ∯, a digit or the "[" of a bracketed number.
_PERIOD_BEFORE_REFERENCE = re.compile(r"[.∯][\d\[]")
# Every word of pysbd's ExclamationWords holds one of these (an exclamation mark or the click letter ǃ).
_EXCLAMATION_WORD_MARKS = ("!", "ǃ")


class FastProcessor(Processor):  # type: ignore[misc]  # pysbd is untyped
    """pysbd's ``Processor`` with ``Text(...).apply`` replaced by ``apply_rules`` (method bodies as in
    pysbd 0.3.4's processor.py otherwise)."""

    text: str
    lang: Any

    def process(self) -> Any:
        if not self.text:
            return self.text
        self.text = self.text.replace("\n", "\r")
        li = _ListItemReplacer(self.text)
        self.text = li.add_line_break()
        self.replace_abbreviations()
        self.replace_numbers()
        self.replace_continuous_punctuation()
        self.replace_periods_before_numeric_references()
        self.text = apply_rules(self.text, language_rules(self.lang).multiple_periods)
        return self.split_into_segments()

    def split_into_segments(self) -> list[str]:
        rules = language_rules(self.lang)
        self.check_for_parens_between_quotes()
        sents = self.rm_none_flatten(self.text.split("\r"))
        sents = [apply_rules(s, rules.single_newline_and_ellipsis) for s in sents]
        sents = self.rm_none_flatten([self.check_for_punctuation(s) for s in sents])
        postprocessed_sents: list[str] = []
        for sent in sents:
            sent = apply_rules(sent, rules.sub_symbols)
            post_process_sent = self.post_process_segments(sent)
            if post_process_sent and isinstance(post_process_sent, str):
                postprocessed_sents.append(post_process_sent)
            elif isinstance(post_process_sent, list):
                postprocessed_sents.extend(post_process_sent)
        return [apply_rules(ns, rules.sub_single_quote) for ns in postprocessed_sents]

    def post_process_segments(self, txt: str) -> str | list[str]:
        if len(txt) > 2 and re.search(r"\A[a-zA-Z]*\Z", txt):
            return txt
        txt = apply_rules(txt, language_rules(self.lang).reinsert_ellipsis)
        if re.search(self.lang.QUOTATION_AT_END_OF_SENTENCE_REGEX, txt):
            return re.split(self.lang.SPLIT_SPACE_QUOTATION_AT_END_OF_SENTENCE_REGEX, txt)
        return txt.replace("\n", "").strip()

    def process_text(self, txt: str) -> Any:
        lang, rules = self.lang, language_rules(self.lang)
        if txt[-1] not in lang.Punctuations:
            txt += "ȸ"
        if any(mark in txt for mark in _EXCLAMATION_WORD_MARKS):
            txt = ExclamationWords.apply_rules(txt)
        txt = self.between_punctuation(txt)
        # handle text having only doublepunctuations
        if not re.match(lang.DoublePunctuationRules.DoublePunctuation, txt):
            txt = apply_rules(txt, rules.double_punctuation)
        txt = apply_rules(txt, rules.question_and_exclamation)
        if "(" in txt:  # the pattern of replace_parens opens with a parenthesis
            txt = ListItemReplacer(txt).replace_parens()
        return self.sentence_boundary_punctuation(txt)

    def replace_continuous_punctuation(self) -> None:
        # Its pattern needs three "!" or "?" in a row.
        if "!" in self.text or "?" in self.text:
            super().replace_continuous_punctuation()

    def replace_periods_before_numeric_references(self) -> None:
        # Its pattern needs a period (or one already hidden, ∯) right before a digit or a "[".
        if _PERIOD_BEFORE_REFERENCE.search(self.text):
            super().replace_periods_before_numeric_references()

    def between_punctuation_processor(self, txt: str) -> Any:
        if hasattr(self.lang, "BetweenPunctuation"):
            return self.lang.BetweenPunctuation(txt)
        return _BetweenPunctuation(txt)

    def replace_numbers(self) -> None:
        self.text = apply_rules(self.text, language_rules(self.lang).numbers)

    def sentence_boundary_punctuation(self, txt: str) -> list[str]:
        rules = language_rules(self.lang)
        txt = apply_rules(
            txt, rules.colon_between_numbers
        )  # each is empty where the language has no such rule
        txt = apply_rules(txt, rules.non_boundary_comma)
        # retain exclamation mark if it is an ending character of a given text
        txt = re.sub(r"&ᓴ&$", "!", txt)
        return [m.group() for m in re.finditer(self.lang.SENTENCE_BOUNDARY_REGEX, txt)]
