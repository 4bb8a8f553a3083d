"""German."""

from service.languages import DateFinder, DateWords, Language, declined

# fmt: off
LANGUAGE = Language(
    code="de",
    name="German",
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
        finder=DateFinder(
            unwritten=("am", "im", "im Jahre", "im Jahr"),
            before_date=("seit", "vom", "zwischen", "am", "im", "im Jahre", "im Jahr"),
            parts=(),
            before_season=("im", "bis",
                           *declined(("dies", "nächst", "kommend", "letzt", "vergangen"), "e", "en", "em", "es")),
            before_weekday=("am", *declined(("letzt", "vergangen", "kommend", "nächst"), "en")),
            before_period=declined(("letzt", "nächst", "dies", "vergangen"), "e", "en", "er"),
            before_fall=(),
            seasons=("Frühjahr", "Frühling", "Sommer", "Herbst", "Winter"),
            times_of_day=(),
        ),
    ),
    doubt=("noch nicht", r"noch kein\w*", "unklar", "ungewiss", "offen", "ob", "bislang nicht", "entscheidet",
           r"könnte\w*", "Einspruch", "Berufung"),
    plans=("erwartet", "geplant", "soll(?:en|te|ten)?", r"prüf\w+", r"Verhandlung\w*"),
    function_words=frozenset({"der", "die", "das", "und", "ist", "nicht", "den", "von", "mit", "sich", "auf", "ein",
                              "eine", "im", "zu", "dem", "des", "wird", "hat", "für"}),
    titles=frozenset({"bundeskanzler", "präsident", "präsidentin", "ministerpräsident", "oberbürgermeister",
                      "bürgermeister", "herr", "frau"}),
    honorifics=frozenset({"herr", "frau"}),
    # "2 Mio. Euro", "3 Mrd. Euro", "Nr. 5", "bzw.", "ca.", "Tsd."
    abbreviations=frozenset({"mio", "mrd", "nr", "bzw", "ca", "tsd"}),
    nouns_capitalised=True,
)
# fmt: on
