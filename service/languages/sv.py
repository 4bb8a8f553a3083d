"""Swedish: TT's language among IPTC's example items."""

from service.languages import DateFinder, DateRules, DateWords, Language

# The summary question written in Swedish, as German's: a small model writes in the language it is asked in.
_SUMMARY = """
Fråga: Vad är nyheten i den här artikeln?
De viktigaste personerna och organisationerna i den:
$participants
Skriv den som en nyhetsredaktör skulle, i tre korta egna meningar på svenska (inte artikelns meningar):
- news: själva nyheten, en hel mening som inte är rubriken — vem gjorde eller sa vad, och när; om någon sa det,
  vem (högst 30 ord);
- detail: den viktigaste detaljen eller vad som händer härnäst (högst 25 ord);
- open: vad som fortfarande är öppet eller omstritt, om artikeln gör det centralt, annars en tom sträng (högst 20 ord).
Bara namn, datum och siffror som artikeln nämner. Inga dubbla citattecken. Börja inte med ”Artikeln”.
Exempel: {"news": "Kommunfullmäktige i Springfield röstar om budgeten nästa vecka, sa kommunalrådet Ana Ruiz på måndagen.", "detail": "Planen höjer utgifterna för skolorna med 4 procent.", "open": "En ledamot sa att omröstningen kan skjutas upp till juli."}
"""

# The open-issues and participants questions written in Swedish, as German's: asked in English, the embedded
# model wrote a German article's issues and roles in English (bench/JOURNAL.md, 2026-12-06).
_ISSUES = """
Fråga: Vad lämnar artikeln öppet?
De här meningarna i artikeln har ord för tvivel, väntan eller strid, numrerade:
$candidates
Nämn de öppna frågorna (högst 5): beslut som ännu inte är fattade, fakta som ännu inte är bekräftade, utfall
som ännu inte är kända, tvister som ännu inte är avgjorda — bara de som artikeln själv säger eller antyder,
den viktigaste först. Använd meningarna ovan där de visar en; hoppa över dem som bara berättar vad som hände.
För var och en:
- quote: stället som visar den, kopierat exakt från artikeln (en satsdel eller en mening);
- issue: en konkret mening på svenska, oftast med ”Om” först, som säger vem och vad.
Exempel: {"open_issues": [{"quote": "omröstningen kan skjutas upp till juli", "issue": "Om kommunfullmäktige i Springfield röstar om budgeten nästa vecka eller först i juli."}]}
"""

_PARTICIPANTS = """
Fråga: Vilka deltar i den här nyheten?
Nämn varje namngiven person, organisation, varje land och varje grupp som handlar, uttalar sig eller omtalas
(högst 15), var och en en gång.
- name: den fullständigaste formen av namnet så som artikeln skriver det, utan titlar.
- kind: person, organization, country, group eller other.
- role: vilka de är och vad de gör i den här nyheten, med några få ord på svenska.
- affiliation: deras land eller organisation om artikeln säger det, annars null.
- aliases: andra sätt artikeln skriver samma namn på (efternamnet ensamt, med titel).
Bara egennamn, inte vanliga ord (som ”partierna”). Kopiera namn exakt så som de är skrivna. Nämn inte platser
som bara säger var något händer.
Exempel, för ”Kommunalrådet Ana Ruiz sa att kommunfullmäktige i Springfield ska rösta. Ruiz väntar sig majoritet.”:
{"participants": [{"name": "Ana Ruiz", "kind": "person", "role": "kommunalråd; väntar sig majoritet", "affiliation": null, "aliases": ["Kommunalrådet Ana Ruiz", "Ruiz"]}, {"name": "kommunfullmäktige i Springfield", "kind": "organization", "role": "fullmäktige; röstar om budgeten", "affiliation": null, "aliases": []}]}
"""

# fmt: off
LANGUAGE = Language(
    code="sv",
    name="Swedish",
    questions={"summary": _SUMMARY, "issues": _ISSUES, "participants": _PARTICIPANTS},
    itself=("artikeln", "denna artikel"),
    dates=DateWords(
        hedges=("omkring", "runt", "cirka", "ungefär"),
        frames=("i", "på", "senast"),
        articles=(),
        before_part=(),
        range_leads=("mellan", "från"),
        range_connectors=("till", "och"),
        since=("sedan",),
        parts={"början av": "early", "mitten av": "mid", "slutet av": "late"},
        this=("denna", "detta"), next=("nästa", "kommande"), last=("förra",), endings=("",), past=(),
        seasons={"våren": 3, "sommaren": 6, "hösten": 9, "vintern": 12},
        # not "morgon": "i morgon" is tomorrow
        times_of_day=("förmiddag", "eftermiddag", "kväll"),
        months=("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
                "november", "december"),
        weekdays=("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
        days=("i går", "i dag", "i morgon", "i fjol"),
        periods=("vecka", "veckan", "månad", "månaden", "år", "året"),
        future=("ska", "kommer att"),
        finder=DateFinder(
            unwritten=("i", "på"),
            before_date=("mellan", "från", "sedan", "senast", "i", "på"),
            parts=(),
            before_season=("nästa", "förra", "denna"),
            before_weekday=("på", "förra", "nästa"),
            before_period=("förra", "nästa", "denna"),
            before_fall=(),
            seasons=("våren", "sommaren", "hösten", "vintern"),
            times_of_day=(),
        ),
        rules=DateRules(month_leads=r"(?:[Ii]|[Pp]å)\s+"),  # "i april"
        # dateparser reads Swedish dates year first: "15 mars" became March 2015
        date_order="DMY",
    ),
    doubt=("ännu inte", "inte ännu", "oklart", "osäkert", "huruvida", "inte bekräftat", r"omstridd\w*",
           r"överklag\w*", r"utred\w+", r"tvist\w*", "kunde", "skulle kunna"),
    plans=("väntas", "förväntas", r"planer\w*", "ska", r"överväg\w*", r"föreslå\w*", "varnade"),
    credits=("foto", "bild"),
    function_words=frozenset({"och", "inte", "det", "som", "är", "på", "till", "av", "med", "har", "blev", "efter",
                              "ska", "jag", "hon", "var"}),
    titles=frozenset({"statsminister", "statsministern", "minister", "ministern", "utrikesminister",
                      "finansminister", "president", "presidenten", "direktör", "direktören", "vd", "ordförande",
                      "ledare", "kungen", "drottningen"}),
    honorifics=frozenset(),
    # The word before the full stop, as the sentence splitter reads it: "t.ex." is "ex", "bl.a." "a".
    abbreviations=frozenset({"ex", "milj", "mdr", "nr", "ca", "kl", "dvs", "jfr"}),
    name_endings=("s",),  # "Sveriges" for Sverige
)
# fmt: on
