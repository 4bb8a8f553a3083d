"""Norwegian Bokmål ("nb"; "no" is read as it): NTB's language among IPTC's example items."""

from service.languages import DateFinder, DateRules, DateWords, Language

# The summary question written in Norwegian, as German's: a small model writes in the language it is asked in.
_SUMMARY = """
Spørsmål: Hva er nyheten i denne artikkelen?
De viktigste personene og organisasjonene i den:
$participants
Skriv den slik en nyhetsredaktør ville, i tre korte egne setninger på norsk bokmål (ikke artikkelens setninger):
- news: selve nyheten, en hel setning som ikke er tittelen — hvem gjorde eller sa hva, og når; hvis noen sa det,
  hvem (høyst 30 ord);
- detail: den viktigste detaljen eller hva som skjer videre (høyst 25 ord);
- open: hva som fortsatt er åpent eller omstridt, hvis artikkelen gjør det sentralt, ellers en tom streng (høyst 20 ord).
Bare navn, datoer og tall som artikkelen nevner. Ingen doble anførselstegn. Ikke begynn med «Artikkelen».
Eksempel: {"news": "Bystyret i Springfield stemmer over budsjettet neste uke, sa ordfører Ana Ruiz mandag.", "detail": "Planen øker utgiftene til skolene med 4 prosent.", "open": "Et medlem av bystyret sa at avstemningen kan bli utsatt til juli."}
"""

# The open-issues and participants questions written in Norwegian, as German's: asked in English, the embedded
# model wrote a German article's issues and roles in English (bench/JOURNAL.md, 2026-12-06).
_ISSUES = """
Spørsmål: Hva lar artikkelen stå åpent?
Disse setningene i artikkelen har ord for tvil, venting eller strid, nummerert:
$candidates
Nevn de åpne spørsmålene (høyst 5): beslutninger som ennå ikke er tatt, fakta som ennå ikke er bekreftet,
utfall som ennå ikke er kjent, stridigheter som ennå ikke er avgjort — bare de som artikkelen selv sier eller
antyder, det viktigste først. Bruk setningene over der de viser ett; hopp over dem som bare forteller hva som
skjedde. For hvert:
- quote: stedet som viser det, kopiert nøyaktig fra artikkelen (en setningsdel eller en setning);
- issue: én konkret setning på norsk bokmål, som regel med «Om» først, som sier hvem og hva.
Eksempel: {"open_issues": [{"quote": "avstemningen kan bli utsatt til juli", "issue": "Om bystyret i Springfield stemmer over budsjettet neste uke eller først i juli."}]}
"""

_PARTICIPANTS = """
Spørsmål: Hvem deltar i denne saken?
Nevn hver navngitt person, organisasjon, hvert land og hver gruppe som handler, uttaler seg eller omtales
(høyst 15), hver én gang.
- name: den fulleste formen av navnet slik artikkelen skriver det, uten titler.
- kind: person, organization, country, group eller other.
- role: hvem de er og hva de gjør i denne saken, med noen få ord på norsk.
- affiliation: deres land eller organisasjon hvis artikkelen sier det, ellers null.
- aliases: andre måter artikkelen skriver det samme navnet på (etternavnet alene, med tittel).
Bare egennavn, ikke vanlige ord (som «partiene»). Kopier navn nøyaktig slik de er skrevet. Ikke nevn steder som
bare sier hvor noe skjer.
Eksempel, for «Ordfører Ana Ruiz sa at bystyret i Springfield skal stemme. Ruiz venter flertall.»:
{"participants": [{"name": "Ana Ruiz", "kind": "person", "role": "ordfører; venter flertall", "affiliation": null, "aliases": ["Ordfører Ana Ruiz", "Ruiz"]}, {"name": "bystyret i Springfield", "kind": "organization", "role": "bystyre; stemmer over budsjettet", "affiliation": null, "aliases": []}]}
"""

# fmt: off
LANGUAGE = Language(
    code="nb",
    name="Norwegian",
    questions={"summary": _SUMMARY, "issues": _ISSUES, "participants": _PARTICIPANTS},
    other_codes=("no",),
    itself=("artikkelen", "denne artikkel"),
    dates=DateWords(
        hedges=("rundt", "omkring", "cirka", "omtrent"),
        frames=("i", "på", "innen"),
        articles=(),
        before_part=(),
        range_leads=("mellom", "fra"),
        range_connectors=("til", "og"),
        since=("siden",),
        parts={"begynnelsen av": "early", "midten av": "mid", "slutten av": "late"},
        this=("denne", "dette"), next=("neste", "kommende"), last=("forrige",), endings=("",), past=(),
        seasons={"våren": 3, "sommeren": 6, "høsten": 9, "vinteren": 12},
        # not "morgen": "i morgen" is tomorrow
        times_of_day=("formiddag", "ettermiddag", "kveld"),
        months=("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
                "november", "desember"),
        weekdays=("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
        days=("i går", "i dag", "i morgen", "i fjor"),
        periods=("uke", "uken", "måned", "måneden", "år", "året"),
        future=("skal", "vil"),
        finder=DateFinder(
            unwritten=("i", "på"),
            before_date=("mellom", "fra", "siden", "innen", "i", "på"),
            parts=(),
            before_season=("neste", "forrige", "denne"),
            before_weekday=("på", "forrige", "neste"),
            before_period=("forrige", "neste", "denne"),
            before_fall=(),
            seasons=("våren", "sommeren", "høsten", "vinteren"),
            times_of_day=(),
        ),
        rules=DateRules(month_leads=r"(?:[Ii]|[Pp]å)\s+"),  # "i april"
    ),
    doubt=("ikke ennå", "ennå ikke", "ikke enda", "uklart", "usikkert", "uavklart", "hvorvidt", "ikke bekreftet",
           "omstridt", r"anket?", r"etterforsk\w+", r"uenig\w*", "kunne"),
    plans=("ventes", "forventes", r"planlegg\w*", "skal", r"vurder\w+", r"foreslå\w*", "varslet"),
    credits=("foto", "bilde"),
    function_words=frozenset({"og", "ikke", "det", "som", "er", "på", "til", "av", "med", "har", "ble", "etter",
                              "skal", "jeg", "hun", "var"}),
    titles=frozenset({"statsminister", "statsministeren", "minister", "ministeren", "utenriksminister",
                      "finansminister", "ordfører", "ordføreren", "president", "presidenten", "direktør",
                      "direktøren", "konsernsjef", "administrerende", "leder", "lederen", "dronningen"}),
    honorifics=frozenset(),
    # The word before the full stop, as the sentence splitter reads it: "f.eks." is "eks", "bl.a." "a".
    abbreviations=frozenset({"eks", "mill", "mrd", "nr", "ca", "kl", "jf", "dvs"}),
    name_endings=("s",),  # "Norges" for Norge
)
# fmt: on
