"""German."""

from service.languages import DateFinder, DateRules, DateWords, Language, declined

# The summary question written in German: asked in English, the embedded model wrote English or mixed
# summaries for half of the German articles ("Die article mentions …").
_SUMMARY = """
Frage: Was ist die Nachricht dieses Artikels?
Die wichtigsten Personen und Organisationen darin:
$participants
Schreibe sie wie ein Nachrichtenredakteur, in drei kurzen eigenen Sätzen auf Deutsch (nicht die Sätze des Artikels):
- news: die Nachricht selbst, ein ganzer Satz, nicht die Überschrift — wer was getan oder gesagt hat, und
  wann; wenn es jemand gesagt hat, wer (höchstens 30 Wörter);
- detail: die wichtigste Einzelheit oder was als Nächstes geschieht (höchstens 25 Wörter);
- open: was noch offen oder umstritten ist, wenn der Artikel es hervorhebt, sonst eine leere Zeichenkette (höchstens 20 Wörter).
Nur Namen, Daten und Zahlen, die der Artikel nennt. Keine doppelten Anführungszeichen. Beginne nicht mit „Der Artikel“.
Beispiel: {"news": "Der Stadtrat von Springfield stimmt nächste Woche über den Haushalt ab, sagte Bürgermeisterin Ana Ruiz am Montag.", "detail": "Der Plan erhöht die Ausgaben für Schulen um 4 Prozent.", "open": "Ein Ratsmitglied sagte, die Abstimmung könne sich bis Juli verschieben."}
"""

# The open-issues question written in German: asked in English, the embedded model wrote a German article's
# issues in English ("Whether the AKP will lose …"), which an editor cannot use and the gold's German
# issues never match (bench/JOURNAL.md, 2026-12-06 (day)).
_ISSUES = """
Frage: Was lässt der Artikel offen?
Diese Sätze des Artikels enthalten Wörter des Zweifels, des Wartens oder des Streits, nummeriert:
$candidates
Nenne die offenen Fragen (höchstens 5): noch nicht getroffene Entscheidungen, noch nicht bestätigte
Tatsachen, noch nicht bekannte Ergebnisse, noch nicht beigelegte Streitigkeiten — nur solche, die der Artikel
selbst nennt oder andeutet, die wichtigste zuerst. Nutze die Sätze oben, wo sie eine zeigen; übergehe
solche, die nur berichten, was geschah. Für jede:
- quote: die Stelle, die sie zeigt, genau aus dem Artikel kopiert (ein Satzteil oder ein Satz);
- issue: ein konkreter Satz auf Deutsch, meist mit „Ob“ beginnend, der sagt, wer und was.
Beispiel: {"open_issues": [{"quote": "die Abstimmung könnte sich bis Juli verschieben", "issue": "Ob der Stadtrat von Springfield nächste Woche oder erst im Juli über den Haushalt abstimmt."}]}
"""

# The participants question written in German (asked where no NER reads German, so the model lists them):
# asked in English, the embedded model gave a German article's roles in English ("party", "president").
_PARTICIPANTS = """
Frage: Wer ist an dieser Geschichte beteiligt?
Nenne jede genannte Person, Organisation, jedes Land und jede Gruppe, die handelt, spricht oder besprochen
wird (höchstens 15), jede einmal.
- name: die vollständigste Form des Namens, wie der Artikel ihn schreibt, ohne Titel.
- kind: person, organization, country, group oder other.
- role: wer sie sind und was sie in dieser Geschichte tun, in wenigen Wörtern auf Deutsch.
- affiliation: ihr Land oder ihre Organisation, wenn der Artikel es sagt, sonst null.
- aliases: andere Schreibweisen desselben Namens im Artikel (der Nachname allein, mit Titel).
Nur Eigennamen, keine allgemeinen Wörter (wie „die Parteien“). Kopiere Namen genau so, wie sie geschrieben
sind. Nenne keine Orte, die nur sagen, wo etwas geschieht.
Beispiel, für „Bürgermeisterin Ana Ruiz sagte, der Stadtrat von Springfield werde abstimmen. Ruiz erwartet Zustimmung.“:
{"participants": [{"name": "Ana Ruiz", "kind": "person", "role": "Bürgermeisterin; erwartet Zustimmung", "affiliation": null, "aliases": ["Bürgermeisterin Ana Ruiz", "Ruiz"]}, {"name": "Stadtrat von Springfield", "kind": "organization", "role": "Stadtparlament; stimmt über den Haushalt ab", "affiliation": null, "aliases": []}]}
"""

# fmt: off
LANGUAGE = Language(
    code="de",
    name="German",
    questions={"summary": _SUMMARY, "issues": _ISSUES, "participants": _PARTICIPANTS},
    dates=DateWords(
        hedges=("etwa", "ungefähr", "gegen", "um"),
        frames=("am", "im Jahre", "im Jahr", "im", "bis", "zum", "ab"),
        articles=(),
        before_part=(),
        range_leads=("von", "zwischen", "vom"),
        range_connectors=("bis", "und"),
        since=("seit",),
        parts={"Anfang": "early", "Mitte": "mid", "Ende": "late"},
        this=("dies",), next=("nächst", "kommend"), last=("letzt", "vergangen"), endings=("e", "en", "em", "er", "es"),
        past=(),
        seasons={"Frühjahr": 3, "Frühling": 3, "Sommer": 6, "Herbst": 9, "Winter": 12},
        times_of_day=("Morgen", "Nachmittag", "Abend"),
        months=("Januar", "Jänner", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                "Oktober", "November", "Dezember"),
        weekdays=("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonnabend", "Sonntag"),
        days=("gestern", "heute", "vorgestern", "übermorgen"),
        periods=("Woche", "Monat", "Jahr"),
        future=("wird", "werden"),
        finder=DateFinder(
            unwritten=("am", "im", "im Jahre", "im Jahr"),
            before_date=("seit", "vom", "zwischen", "am", "im", "im Jahre", "im Jahr"),
            parts=("Anfang", "Mitte", "Ende"),
            before_season=("im", "bis",
                           *declined(("dies", "nächst", "kommend", "letzt", "vergangen"), "e", "en", "em", "es")),
            before_weekday=("am", *declined(("letzt", "vergangen", "kommend", "nächst"), "en")),
            before_period=declined(("letzt", "nächst", "dies", "vergangen", "kommend"), "e", "en", "er", "es", "em"),
            before_fall=(),
            seasons=("Frühjahr", "Frühling", "Sommer", "Herbst", "Winter"),
            times_of_day=(),
        ),
        rules=DateRules(
            numbers={"ein": 1, "eine": 1, "einem": 1, "einen": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4,
                     "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
                     "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "hundert": 100},
            vague=("einigen", "einige", "wenigen", "wenige", "ein paar"),
            units={"Tag": "day", "Tage": "day", "Tagen": "day", "Woche": "week", "Wochen": "week", "Monat": "month",
                   "Monate": "month", "Monaten": "month", "Jahr": "year", "Jahre": "year", "Jahren": "year",
                   "Jahrzehnt": "decade", "Jahrzehnte": "decade", "Jahrzehnten": "decade"},
            back=("letzt", "vergangen"),
            ahead=("nächst", "kommend"),
            ordinals={"erst": 1, "1.": 1, "zweit": 2, "2.": 2, "dritt": 3, "3.": 3, "viert": 4, "4.": 4},
            reads={
                # in den vergangenen zwei Jahren · in den nächsten drei Monaten
                "span": (r"^(?:(?:in|in\s+den|während\s+der)\s+)?(?:den\s+)?(?P<which>{back}|{ahead})(?:e[nmrs]?)?"
                         r"\s+(?P<count>{any_count})\s+(?P<unit>{unit})$",),
                "in": (r"^in\s+(?P<count>{any_count})\s+(?P<unit>{unit})$",),  # in einigen Tagen
                "ago": (r"^vor\s+(?P<count>{any_count})\s+(?P<unit>{unit})$",),  # vor zwanzig Jahren
                # im dritten Quartal 2015 · im kommenden Quartal
                "quarter": (
                    r"^(?:(?:im|bis\s+zum)\s+)?(?:(?P<nth>{ordinal})(?:e[nmrs]?)?|(?P<which>{back}|{ahead}|dies|laufend)"
                    r"(?:e[nmrs]?)?)[-\s]+quartals?(?:\s+(?:des\s+jahres\s+)?(?P<year>\d{4}))?(?:\s+des\s+jahres)?$",
                    r"^(?:im\s+)?q(?P<q>[1-4])(?:\s*(?P<year>\d{4}))?$",
                ),
                # am vergangenen Wochenende · an diesem Wochenende
                "weekend": (r"^(?:(?:am|an|zum|übers)\s+)?(?:(?P<which>dies|{back}|{ahead})(?:e[nmrs]?)?\s+)?wochenende$",),
                "same_day": (r"^(?:bis|vor)\s+mitternacht$",),
                "century": (r"^(?:im\s+|das\s+)?(?P<nth>\d{1,2})\.\s+jahrhunderts?$",),  # im 19. Jahrhundert
                "year_end": (r"^(?:bis|vor)\s+(?:(?:zum\s+)?jahresende|(?:zum\s+)?ende\s+(?:des|dieses)\s+jahres)$",),
                "relative_month": (r"^(?:im\s+)?(?P<which>dies|{back}|{ahead})(?:e[nmrs]?)?\s+(?P<month>{month})$",),
                "year_before": (r"^(?:im|des|dem|das|seit\s+dem)?\s*vorjahr(?:es|s)?$",),
                # vergangenes Jahr · im vergangenen Jahr · in der kommenden Woche · diesen Monat
                "period": (r"^(?:(?:im|in\s+der|in)\s+)?(?P<which>dies|{back}|{ahead})(?:e[nmrs]?)?"
                           r"\s+(?P<unit>woche|monat|jahr)(?:e?s)?$",),
                # am vergangenen Montag · nächsten Freitag
                "relative_weekday": (r"^(?:am\s+)?(?P<which>{back}|{ahead})(?:e[nmrs]?)?\s+(?P<weekday>{weekday})$",),
                # am 6. Februar dieses Jahres · im September vergangenen Jahres
                "year_of_date": (r"^(?P<date>.*?(?:\d\.?|{month})),?\s+(?:des\s+)?(?P<which>dies|{back}|{ahead})(?:e[nmrs]?)?\s+jahres$",),
            },
            finds=(
                r"(?:[Ii]n\s+den\s+)?(?:[Ll]etzten|[Vv]ergangenen|[Nn]ächsten|[Kk]ommenden)\s+{any_count}\s+"
                r"(?:Tagen|Tage|Wochen|Monaten|Monate|Jahren|Jahre|Jahrzehnten)\b",
                r"[Ii]n\s+{any_count}\s+(?:Tagen|Wochen)\b(?!\s+(?:seit|nach|vor)\b)",
                r"[Vv]or\s+{count}\s+(?:Tagen|Tage|Wochen|Monaten|Monate|Jahren|Jahre|Jahrzehnten|Tag|Woche|Monat|Jahr"
                r"|Jahrzehnt)\b",
                r"(?:(?:[Ee]rst|[Zz]weit|[Dd]ritt|[Vv]iert|[Ll]etzt|[Vv]ergangen|[Nn]ächst|[Kk]ommend|[Ll]aufend)(?:en|e|es)"
                r"|[1-4]\.)\s+Quartals?(?:\s+(?:des\s+Jahres\s+)?{year}|\s+des\s+Jahres)?\b",
                r"(?:[Aa]m|[Aa]n\s+diesem|[Üü]bers|(?:[Dd]ies|[Ll]etzt|[Vv]ergangen|[Nn]ächst|[Kk]ommend)(?:es|em|en)"
                r"|[Aa]m\s+(?:letzten|vergangenen|nächsten|kommenden))\s+Wochenende\b",
                r"(?:[Bb]is|[Vv]or)\s+Mitternacht\b",
                r"\d{1,2}\.\s+Jahrhunderts?\b",
                r"(?:[Bb]is|[Vv]or)\s+(?:(?:zum\s+)?Jahresende|(?:zum\s+)?Ende\s+(?:des|dieses)\s+Jahres)\b",
                r"(?:[Ii]m|[Dd]es|[Dd]em)\s+Vorjahr(?:es|s)?\b",  # im Vorjahr · des Vorjahres
            ),
            # seit März · Ende Mai · im vergangenen Oktober
            month_leads=(
                r"(?:(?:[Ii]m|[Ss]eit|[Bb]is|[Aa]b|[Zz]um|Anfang|Mitte|Ende|[Ii]m vergangenen|[Ii]m kommenden|[Ll]etzten"
                r"|[Vv]ergangenen|[Kk]ommenden|[Nn]ächsten|[Dd]iesen)\s+|(?:[Aa]m|[Ii]m Jahre?)\s+)"
            ),
            year_of_date=r",?\s+(?:des\s+)?(?:dieses|letzten|vergangenen|nächsten|kommenden)\s+Jahres\b",
            year_after=r",?\s*(?:\d|(?:des\s+)?(?:vergangenen|letzten|nächsten|kommenden|dieses|selben)\s+Jahres\b)",
        ),
    ),
    doubt=("noch nicht", r"noch kein\w*", "unklar", "ungewiss", "offen", "ob", "bislang nicht", "entscheidet",
           r"könnte\w*", "Einspruch", "Berufung", "muss", "müssen", "wohl", r"befürcht\w*", r"kritisier\w*"),
    plans=("erwartet", "geplant", "soll(?:en|te|ten)?", r"prüf\w+", r"Verhandlung\w*"),
    storms=("Hurrikan", "Taifun", "Zyklon", "Tropensturm", "Sturm", "Sturmtief", "Orkan", "Orkantief"),
    credits=("foto", "fotos", "bild", "bilder", "bildquelle"),
    function_words=frozenset({"der", "die", "das", "und", "ist", "nicht", "den", "von", "mit", "sich", "auf", "ein",
                              "eine", "im", "zu", "dem", "des", "wird", "hat", "für"}),
    titles=frozenset({"bundeskanzler", "präsident", "präsidentin", "ministerpräsident", "oberbürgermeister",
                      "bürgermeister", "herr", "frau"}),
    honorifics=frozenset({"herr", "frau"}),
    # "2 Mio. Euro", "3 Mrd. Euro", "Nr. 5", "bzw.", "ca.", "Tsd."
    abbreviations=frozenset({"mio", "mrd", "nr", "bzw", "ca", "tsd"}),
    nouns_capitalised=True,
    conjunctions=("und", "oder"),
    and_word="und",
    itself=(r"(?:der|des|dem|den|dieser|dieses|diesem|diesen) Artikels?",),
    dateline="Datumszeile",
)
# fmt: on
