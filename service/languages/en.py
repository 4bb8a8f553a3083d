"""English."""

from service.languages import DateFinder, DateWords, Language

# fmt: off
LANGUAGE = Language(
    code="en",
    name="English",
    dates=DateWords(
        hedges=("around", "about", "approximately", "roughly", "circa", "ca.", "some time around", "sometime around"),
        frames=("on", "in", "at", "by", "during", "until", "till", "as of", "this past"),
        articles=("the",),
        before_part=("the", "by", "in", "during", "until"),
        range_leads=("between", "from"),
        range_connectors=("to", "and", "until", "through"),
        since=("since", "ever since"),
        parts={"early": "early", "beginning of": "early", "mid": "mid", "late": "late", "end of": "late"},
        this=("this",), next=("next", "coming"), last=("last",), endings=("",), past=("past",),
        seasons={"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12},
        times_of_day=("morning", "afternoon", "evening", "night", "noon"),
        months=("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.",
                "Oct.", "Nov.", "Dec."),
        weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        days=("yesterday", "today", "tomorrow", "tonight"),
        periods=("week", "month", "year"),
        finder=DateFinder(
            unwritten=("on", "in", "at"),
            before_date=("between", "from", "since", "until", "by", "in", "on"),
            parts=("early", "mid", "late"),
            before_season=("in", "by", "during", "until", "the", "this past", "this", "next", "last", "coming"),
            before_weekday=("on", "last", "next", "this"),
            before_period=("last", "next", "this past", "this", "past", "early next"),
            before_fall=("in", "by", "during", "until"),
            seasons=("spring", "summer", "autumn", "winter"),
            times_of_day=("morning", "afternoon", "evening", "night"),
        ),
    ),
    doubt=(
        "not yet", "yet to", "unclear", "uncertain", "unknown", "undecided", "unresolved", "unconfirmed",
        "remains? to be seen", "no decision",
        r"(?:has|have|had|did|does|do|would|could) not (?:yet )?(?:say|said|decide|decided|confirm|confirmed|announce|"
        r"announced|agree|agreed|comment|commented|respond|responded|explain|explained|disclose|disclosed|advanced)",
        "declined to", "refused to", "failed to", r"without (?:a|any) (?:breakthrough|agreement|deal|decision)",
        "whether", "pending", r"appeal\w*", r"investigat\w+", "inquiry", r"disput\w+", "contested", "could", "might",
        "(?-i:may)",  # the verb, not the month
    ),
    plans=("expected", "plans? to", "planned", r"propos\w+", r"consider\w*", "hopes? to", "warned", "threatened",
           "at least", "intends? to"),
    function_words=frozenset({"the", "and", "of", "to", "is", "was", "in", "that", "on", "for", "with", "has", "will"}),
    titles=frozenset({
        "president", "presidential", "vice", "prime", "minister", "special", "envoy", "secretary", "general", "major",
        "chancellor", "mayor", "governor", "senator", "sen.", "rep.", "gov.", "gen.", "mr.", "mrs.", "ms.", "dr.",
        "mr", "mrs", "ms", "dr", "sir", "king", "queen", "pope", "judge", "head", "office", "spokesman",
        "spokeswoman", "spokesperson", "foreign", "defence", "defense", "state", "deputy", "chief", "executive",
        "ceo", "chairman", "chairwoman", "leader", "council", "national", "security", "and", "the", "u.s.", "us",
        "uk", "former", "acting", "interim", "director", "commander", "colonel", "lieutenant", "captain",
        "ambassador", "justice", "attorney", "lord", "lady", "prince", "princess", "premier", "cardinal",
        "archbishop", "bishop", "rabbi", "imam", "sheikh", "coach", "professor", "prof.",
    }),
    not_names=frozenset({"i", "the", "a", "an", "on", "in", "at", "by"}),
    name_endings=("ians", "ian", "ans", "an", "es", "s", "n"),  # "Russian" for Russia, "Republicans"
    honorifics=frozenset({"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sir"}),
    abbreviations=frozenset({
        "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "st", "jr", "sr", "no", "vs", "ca", "etc", "jan",
        "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "corp", "co", "ltd",
        "dept", "gov", "sen", "rep", "rev", "approx",
    }),
)
# fmt: on
