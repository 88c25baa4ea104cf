"""Who said it, across sentences: one test per attribution rule, on short news texts written for them."""

from __future__ import annotations

from datetime import date

import pytest

from factledger.ingest.attribution import speaker_kind
from factledger.ingest.pipeline import extract
from factledger.ingest.reader import SourceDocument

pytestmark = pytest.mark.unit


class Speakers(dict[str, tuple[str | None, str | None]]):
    """Sentence → (speaker, kind); looked up by the sentence's opening words."""

    def __getitem__(self, opening: str) -> tuple[str | None, str | None]:
        [found] = [value for sentence, value in self.items() if sentence.startswith(opening)]
        return found


def speakers(body: str) -> Speakers:
    """Every sentence of ``body`` (min_score 0) with its resolved speaker and kind."""
    document = SourceDocument(title="t", body=body, published=date(2025, 6, 12))
    return Speakers(
        (candidate.text, (candidate.speaker, candidate.speaker_kind))
        for candidate in extract(document, min_score=0.0).candidates
    )


def test_she_said_is_the_nearest_person_who_spoke_in_the_paragraph() -> None:
    found = speakers(
        "Councillor Joan Pike said the pool would close for repairs. "
        "She added that the work would cost $2 million."
    )
    assert found["She added that the work w"] == ("Joan Pike", "person")


def test_he_said_reaches_back_one_paragraph_but_not_two() -> None:
    found = speakers(
        "Dr. Felix Amon, a geologist at Westmoor University, said the cliff had moved 3 metres.\n\n"
        '"We measured it twice," he said.\n\n'
        "Nothing else changed on the coast.\n\n"
        "Later he said the survey would continue."
    )
    assert found['"We measured it twice," h'] == ("Dr. Felix Amon", "person")
    assert found["Later he said the survey "] == (None, None)


def test_it_said_is_the_nearest_organisation() -> None:
    found = speakers(
        "The water board said 14 reservoirs were below half capacity. It said rationing would start in July."
    )
    assert found["It said rationing would s"] == ("The water board", "organisation")


def test_the_agency_is_the_organisation_whose_name_holds_agency() -> None:
    found = speakers(
        "The Coastal Protection Agency said 40 beaches were closed.\n\n"
        "Mayor Tom Ruiz said he would ask for federal help.\n\n"
        "The agency said the closures would last a week."
    )
    assert found["The agency said the closu"] == ("The Coastal Protection Agency", "organisation")


def test_the_company_is_the_organisation_just_named_and_keeps_pointing_at_it() -> None:
    found = speakers(
        "Harlow Foods Ltd will close its bakery in Dunmore, the company said on Friday.\n\n"
        "The plant employs 230 people. The company said it would offer transfers."
    )
    assert found["Harlow Foods Ltd will clo"] == ("Harlow Foods Ltd", "organisation")
    assert found["The company said it would"] == ("Harlow Foods Ltd", "organisation")


def test_the_train_maker_is_not_the_country_named_in_between() -> None:
    found = speakers("Vektor Rail will build 40 trains in Poland, the train maker said.")
    assert found["Vektor Rail will build 40"] == ("Vektor Rail", "organisation")


def test_a_surname_is_the_full_name_written_earlier() -> None:
    found = speakers(
        "Senator Rita Hollis said the bill had 52 votes.\n\nHollis said the vote would be held on Monday."
    )
    assert found["Senator Rita Hollis said "] == ("Rita Hollis", "person")
    assert found["Hollis said the vote woul"] == ("Rita Hollis", "person")


def test_a_title_belongs_to_the_name() -> None:
    found = speakers(
        "Dr. Lena Okafor said 12 patients were treated. "
        "Judge Omar Haddad ruled the search unlawful, he said on Monday. "
        "Professor Ian Bell said the data were incomplete."
    )
    assert found["Dr. Lena Okafor said 12 p"] == ("Dr. Lena Okafor", "person")
    assert found["Professor Ian Bell said t"] == ("Ian Bell", "person")


def test_the_name_set_off_after_a_title_is_the_speaker() -> None:
    found = speakers(
        "The museum's chief curator, Anna Falk, said 3,000 objects had been catalogued. "
        "“Insurance covers all of it,” said the museum’s finance director, Paul Roth."
    )
    assert found["The museum's chief curato"] == ("Anna Falk", "person")
    assert found["“Insurance covers all of "] == ("Paul Roth", "person")


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("The transport ministry said 9 bridges needed repairs.", "The transport ministry"),
        ("Repairs will start in May, the mayor's office said.", "the mayor's office"),
        ("Exports fell 6%, according to the Federal Trade Office.", "the Federal Trade Office"),
        (
            "Lawyers for the Riverbank Tenants Union said 80 families were affected.",
            "the Riverbank Tenants Union",
        ),
    ],
)
def test_organisations_are_speakers(sentence: str, speaker: str) -> None:
    assert speakers(sentence)[sentence] == (speaker, "organisation")


def test_data_belongs_to_its_publisher_not_to_the_phrase() -> None:
    found = speakers(
        "Figures from the regional health office show that 300 beds were empty. "
        "Prices rose 2%, according to data published by the Statistics Bureau."
    )
    assert found["Figures from the regional"] == ("the regional health office", "organisation")
    assert found["Prices rose 2%, according"] == ("the Statistics Bureau", "organisation")


def test_a_spokesperson_speaks_for_the_body() -> None:
    found = speakers(
        "Firefighters rescued 4 people on Sunday, a fire brigade spokeswoman said.\n\n"
        "The Treasury said revenue was up 3%. A spokesman said a review would follow."
    )
    assert found["Firefighters rescued 4 pe"] == ("fire brigade", "organisation")
    assert found["The Treasury said revenue"] == ("The Treasury", "organisation")
    assert found["A spokesman said a review"] == ("The Treasury", "organisation")


def test_an_acronym_is_the_body_named_in_full_earlier() -> None:
    found = speakers(
        "The European Medicines Agency approved the vaccine on Tuesday. The EMA said 8 trials were reviewed."
    )
    assert found["The EMA said 8 trials wer"] == ("European Medicines Agency", "organisation")


def test_a_quotation_that_continues_keeps_its_speaker() -> None:
    found = speakers(
        "“We hired 40 nurses,” said hospital director Maria Lenz. “Another 20 start in September.”"
    )
    assert found["“Another 20 start in Sept"] == ("Maria Lenz", "person")


def test_a_quotation_in_a_new_paragraph_without_a_verb_names_nobody() -> None:
    found = speakers("“We hired 40 nurses,” said director Maria Lenz.\n\n“Another 20 start in September.”")
    assert found["“Another 20 start in Sept"] == (None, None)


def test_a_speaker_is_never_a_bare_common_noun_or_a_phrase_fragment() -> None:
    found = speakers(
        "Budget figures from the county treasurer's office show a $4 million gap. "
        "The chamber's president, Leo Marsh, said 120 shops had closed."
    )
    for speaker, _ in found.values():
        assert speaker is None or not speaker.lower().startswith(("figures", "office", "president"))


def test_transcript_turns_speak_for_the_labelled_person() -> None:
    found = speakers(
        "Nadia Petrov has led the ferry company since 2020.\n\n"
        "HOST: Will the new route open?\n\n"
        "PETROV: We bought two ships in March. The route opens in October.\n\n"
        "HOST: Thank you."
    )
    assert found["We bought two ships in Ma"] == ("Nadia Petrov", "person")
    assert found["The route opens in Octobe"] == ("Nadia Petrov", "person")


def test_q_and_a_answers_are_the_guest_named_in_the_introduction() -> None:
    found = speakers(
        "Ahmed Karimi runs the city's food bank.\n\nQ: How many families do you feed?\n\n"
        "A: About 1,200 a week, up from 800 last year.\n\nQ: What do you need?"
    )
    assert found["About 1,200 a week, up fr"] == ("Ahmed Karimi", "person")
    assert found["How many families do you "] == (None, None)


@pytest.mark.parametrize(
    ("name", "role", "sentence", "kind"),
    [
        ("Ana Ruiz", "Dr.", "", "person"),
        ("Dr. Ana Ruiz", None, "", "person"),
        ("the health ministry", None, "", "organisation"),
        ("Corvell Holdings", None, "", "organisation"),
        ("The Kremlin", None, "", "organisation"),
        ("Tessla", None, "Tessla, the electric carmaker, said sales fell.", "organisation"),
        ("Tessa Lang", None, "Tessa Lang, the new coach, said the team was ready.", "person"),
        ("Vienna", None, "", "organisation"),
    ],
)
def test_speaker_kind(name: str, role: str | None, sentence: str, kind: str) -> None:
    assert speaker_kind(name, role, sentence) == kind


def test_a_name_keeps_the_kind_it_was_first_given() -> None:
    found = speakers(
        "Brelta, the payments firm, said it would cut 50 jobs.\n\nBrelta said the cuts would save $9 million."
    )
    assert found["Brelta said the cuts woul"] == ("Brelta", "organisation")


def test_a_named_owner_opens_an_office() -> None:
    found = speakers("The grant would cover 80 farms, Senator Voss's office said.")
    assert found["The grant would cover 80"] == ("Senator Voss's office", "organisation")


def test_the_author_of_a_report_is_the_source() -> None:
    found = speakers(
        "Rainfall fell 30%, according to a report by the Northern Water Research Office. "
        "A study by the Marine Institute found that 12 species had left the bay."
    )
    assert found["Rainfall fell 30%, accord"] == ("the Northern Water Research Office", "organisation")
    assert found["A study by the Marine Ins"] == ("the Marine Institute", "organisation")


def test_unnamed_groups_are_nobody() -> None:
    found = speakers(
        "Officials said the road would reopen on May 2. Police said 3 cars were involved. "
        "The residents said 40 homes lost power."
    )
    assert found["Officials said the road w"] == (None, None)
    assert found["Police said 3 cars were i"] == ("Police", "organisation")
    assert found["The residents said 40 hom"] == (None, None)


def test_a_name_inside_the_quotation_is_not_the_speaker() -> None:
    found = speakers('"The water reached Harbour Road," said harbour master Kate Bell.')
    assert found['"The water reached Harbou'] == ("Kate Bell", "person")


@pytest.mark.parametrize(
    ("body", "opening", "expected"),
    [
        # The body a generic "the firm said" points at is the clause's subject, not the last name in the
        # sentence (was "Danish", a nationality, and before that "the firm" unresolved).
        (
            "Kelso Foods, the Scottish baker, will buy the Danish dairy Mejeri Nord for $90 million, the "
            "firm said.",
            "Kelso Foods",
            ("Kelso Foods", "organisation"),
        ),
        (
            "Ferrovia Alta have signed a ten-year deal with an Austrian supplier, the club announced.",
            "Ferrovia Alta",
            ("Ferrovia Alta", "organisation"),
        ),
        # "its accounts" is the subject's own (was "its accounts", a person).
        (
            "Kelso Foods sold 12 million loaves in 2024, according to its annual accounts.",
            "Kelso Foods",
            ("Kelso Foods", "organisation"),
        ),
    ],
)
def test_a_generic_reference_in_the_same_sentence_is_its_subject(
    body: str, opening: str, expected: tuple[str, str]
) -> None:
    assert speakers(body)[opening] == expected


def test_a_titled_subject_is_not_taken_for_the_body() -> None:
    # "Chief Executive Ravi Bhat" opens the sentence, but "the company" is the body named before.
    found = speakers(
        "The Kelso Bakery Company opened a second plant in March. "
        "Chief Executive Ravi Bhat hired 40 bakers for it, the company said."
    )
    assert found["Chief Executive"] == ("Kelso Bakery Company", "organisation")


def test_a_capitalised_common_noun_opening_the_sentence_is_not_the_body() -> None:
    # "Sales" opens the sentence but is written nowhere else as a name: "the firm" is Kelso Foods, named
    # in the sentence before (was "Sales", an organisation).
    found = speakers(
        "Kelso Foods reported a profit of $40 million on Monday. "
        "Sales of its rye bread grew 31% from a year earlier, the firm said."
    )
    assert found["Sales of its rye"] == ("Kelso Foods", "organisation")


def test_it_said_does_not_take_a_person_who_opens_the_sentence_before() -> None:
    # The name an earlier sentence opens with counts for "the company", not for "it": a person may open
    # it ("Maria Lenz"), and "it" never means a person.
    found = speakers(
        "The Vella Port Authority approved the berth in May. "
        "Maria Lenz opened the new berth on Monday. "
        "It said the berth cost $4 million."
    )
    speaker, _ = found["It said the berth"]
    assert speaker != "Maria Lenz"
