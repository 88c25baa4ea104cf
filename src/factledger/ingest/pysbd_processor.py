"""pysbd's sentence processor (pysbd 0.3.4, ``processor.py`` and ``lists_item_replacer.py``) with its rules
applied through compiled patterns: the same steps, in the same order, giving the same sentences.

pysbd applies its rules with ``re.sub(rule.pattern, ...)``: every call looks the pattern up in ``re``'s
cache, about 0.6 µs a call, and a paragraph of news text takes about 110 such calls (a dozen rules
on every sentence). ``apply_rules`` keeps each rule's compiled pattern, which substitutes exactly as
``re.sub`` with that pattern does (no flags), and skips a rule whose pattern is a plain string (no
character special to ``re``) that the text does not contain: such a substitution changes nothing.

The list-item step looks for alphabetical list markers twice over the same text (Latin letters, then
roman numerals) with one pattern; ``_ListItemReplacer`` finds them once when the first pass left the text
as it was. Everything else is pysbd's code as written. sentences.py plugs the processor into its English
rules (``_English.Processor``); tests/ingest/test_sentences.py compares the sentences with stock pysbd's.
Stock pysbd itself is left untouched (the ingest benchmark measures it).
"""

from __future__ import annotations

import re
from typing import Any

from pysbd.exclamation_words import ExclamationWords
from pysbd.lists_item_replacer import ListItemReplacer
from pysbd.processor import Processor

# Characters special to ``re`` outside a character set when no flag is given (VERBOSE is never used).
_REGEX_SPECIALS = frozenset(".^$*+?{}[]\\|()")
_Compiled = tuple[re.Pattern[str], str | None, Any]
_COMPILED: dict[int, tuple[Any, _Compiled]] = {}


def _compiled(rule: Any) -> _Compiled:
    """The rule's compiled pattern, its literal text (when the pattern is one) and its replacement."""
    known = _COMPILED.get(id(rule))
    if known is not None and known[0] is rule:
        return known[1]
    pattern: str = rule.pattern
    literal = pattern if _REGEX_SPECIALS.isdisjoint(pattern) else None
    compiled: _Compiled = (re.compile(pattern), literal, rule.replacement)
    _COMPILED[id(rule)] = (rule, compiled)  # the rule is kept, so its id is never reused
    return compiled


def apply_rules(text: str, *rules: Any) -> str:
    """What ``pysbd.utils.Text(text).apply(*rules)`` returns."""
    for rule in rules:
        pattern, literal, replacement = _compiled(rule)
        if literal is not None and literal not in text:
            continue
        text = pattern.sub(replacement, text)
    return text


class _ListItemReplacer(ListItemReplacer):  # type: ignore[misc]  # pysbd is untyped
    text: str

    def __init__(self, text: str) -> None:
        super().__init__(text)
        # (pattern, text) -> the markers found: the Latin pass and the roman pass search the same text
        # with the same pattern unless the first one changed it.
        self._found: dict[tuple[str, str], list[str]] = {}

    def format_numbered_list_with_parens(self) -> None:
        self.replace_parens_in_numbered_list()
        self.add_line_breaks_for_numbered_list_with_parens()
        self.text = apply_rules(self.text, self.ListMarkerRule)

    def format_numbered_list_with_periods(self) -> None:
        self.replace_periods_in_numbered_list()
        self.add_line_breaks_for_numbered_list_with_periods()
        self.text = apply_rules(self.text, self.SubstituteListPeriodRule)

    def iterate_alphabet_array(self, regex: str, parens: bool = False, roman_numeral: bool = False) -> str:
        # pysbd's method (lists_item_replacer.py), with its findall remembered for the text it searched.
        key = (regex, self.text)
        list_array = self._found.get(key)
        if list_array is None:
            list_array = self._found[key] = re.findall(regex, self.text)
        alphabet = self.ROMAN_NUMERALS if roman_numeral else self.LATIN_NUMERALS
        list_array = [i for i in list_array if i in alphabet]
        for ind, each in enumerate(list_array):
            if ind == len(list_array) - 1:
                self.text = self.last_array_item_replacement(each, ind, alphabet, list_array, parens)
            else:
                self.text = self.other_items_replacement(each, ind, alphabet, list_array, parens)
        text: str = self.text
        return text


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
        self.text = apply_rules(
            self.text,
            self.lang.Abbreviation.WithMultiplePeriodsAndEmailRule,
            self.lang.GeoLocationRule,
            self.lang.FileFormatRule,
        )
        return self.split_into_segments()

    def split_into_segments(self) -> list[str]:
        lang = self.lang
        self.check_for_parens_between_quotes()
        sents = self.rm_none_flatten(self.text.split("\r"))
        sents = [apply_rules(s, lang.SingleNewLineRule, *lang.EllipsisRules.All) for s in sents]
        sents = self.rm_none_flatten([self.check_for_punctuation(s) for s in sents])
        postprocessed_sents: list[str] = []
        for sent in sents:
            sent = apply_rules(sent, *lang.SubSymbolsRules.All)
            post_process_sent = self.post_process_segments(sent)
            if post_process_sent and isinstance(post_process_sent, str):
                postprocessed_sents.append(post_process_sent)
            elif isinstance(post_process_sent, list):
                postprocessed_sents.extend(post_process_sent)
        return [apply_rules(ns, lang.SubSingleQuoteRule) for ns in postprocessed_sents]

    def post_process_segments(self, txt: str) -> str | list[str]:
        if len(txt) > 2 and re.search(r"\A[a-zA-Z]*\Z", txt):
            return txt
        txt = apply_rules(txt, *self.lang.ReinsertEllipsisRules.All)
        if re.search(self.lang.QUOTATION_AT_END_OF_SENTENCE_REGEX, txt):
            return re.split(self.lang.SPLIT_SPACE_QUOTATION_AT_END_OF_SENTENCE_REGEX, txt)
        return txt.replace("\n", "").strip()

    def process_text(self, txt: str) -> Any:
        lang = self.lang
        if txt[-1] not in lang.Punctuations:
            txt += "ȸ"
        txt = ExclamationWords.apply_rules(txt)
        txt = self.between_punctuation(txt)
        # handle text having only doublepunctuations
        if not re.match(lang.DoublePunctuationRules.DoublePunctuation, txt):
            txt = apply_rules(txt, *lang.DoublePunctuationRules.All)
        txt = apply_rules(txt, lang.QuestionMarkInQuotationRule, *lang.ExclamationPointRules.All)
        txt = ListItemReplacer(txt).replace_parens()
        return self.sentence_boundary_punctuation(txt)

    def replace_numbers(self) -> None:
        self.text = apply_rules(self.text, *self.lang.Numbers.All)

    def sentence_boundary_punctuation(self, txt: str) -> list[str]:
        if hasattr(self.lang, "ReplaceColonBetweenNumbersRule"):
            txt = apply_rules(txt, self.lang.ReplaceColonBetweenNumbersRule)
        if hasattr(self.lang, "ReplaceNonSentenceBoundaryCommaRule"):
            txt = apply_rules(txt, self.lang.ReplaceNonSentenceBoundaryCommaRule)
        # retain exclamation mark if it is an ending character of a given text
        txt = re.sub(r"&ᓴ&$", "!", txt)
        return [m.group() for m in re.finditer(self.lang.SENTENCE_BOUNDARY_REGEX, txt)]
