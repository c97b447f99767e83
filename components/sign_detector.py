"""Find warning signs in a message, deterministically: spaCy matches the concepts people mention
(catalogue/signs.yml), and medspaCy's ConText decides from the words around each mention whether it
counts for this person now (catalogue/context.yml): not denied, not hypothetical, not long past, not
resolved, not someone else's past, not explained by a harmless cause. The red flags and targeted
questions themselves live in knowledge/red_flags.py.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
import spacy_lookups_data
import srsly
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from knowledge.red_flags import (
    DOSE_REQUEST,
    Concept,
    Question,
    RedFlag,
    RedFlagError,
    WarningSigns,
    default_warning_signs,
    urgency_of,
)
from knowledge.terms import lemma_table, word_variants
from knowledge.urgency import Urgency

# medspaCy's matcher module calls warnings.filterwarnings("ignore") when it is imported; keep the
# process's warning filters as they were.
with warnings.catch_warnings():
    from medspacy.context import ConText, ConTextRule

SPAN_GROUP = "signs"
# Words a `*` gap never crosses: a negation, a "but", or the end of a sentence.
NEGATIONS = ["no", "not", "n't", "nt", "never", "without", "none", "nothing", "neither", "nor"]
BREAKS = ["but", "though", "although", "however", ".", "!", "?", ";"]
GAP = [{"LOWER": {"NOT_IN": [*NEGATIONS, *BREAKS]}, "OP": "?"}] * 4
# `**`: two things said in the same clause, up to eight words apart ("weakness in the back of my arm").
WIDE_GAP = [{"LOWER": {"NOT_IN": [*NEGATIONS, *BREAKS, ","]}, "OP": "?"}] * 8
# A context trigger's gap does not cross a comma either: "what does ... mean" must not swallow a clause.
CONTEXT_GAP = [{"LOWER": {"NOT_IN": [*NEGATIONS, *BREAKS, ","]}, "OP": "?"}] * 4
NUMBER = re.compile(r"^(\d+(?:[.,]\d+)?)(?:°|°c|°f|c|f)?$")
NUMBER_TOKEN = {"LOWER": {"REGEX": NUMBER.pattern}}
DECIMAL_TOKEN = {"LOWER": {"REGEX": r"^\d+[.,]\d+(?:°|°c|°f|c|f)?$"}}
# A medicine by the usual ending of its name (amlodipine, sertraline, isosorbide mononitrate, ramipril).
DRUG_TOKEN = {
    "LOWER": {
        "REGEX": "(dipine|olol|pril|sartan|statin|tidine|prazole|mab|tinib|mycin|cillin|oxetine|traline|alopram|"
        "triptan|nitrate|zepam|azole|formin|gliptin|dronate|afil|idone|apine|pramine|xetine|thiazide|cycline|floxacin)$"
    }
}
YEAR_TOKEN = {"TEXT": {"REGEX": r"^(19|20)\d\d$"}}
# The spaCy tokens of "can't"/"cannot" and "won't"/"will not", for "could" and "would" before a "not".
PAST_MODALS = {"could": ("ca", "can"), "would": ("wo", "will")}
# What a ConText category does to a mention; a concept's options can exempt it (see `_counts`).
SUPPRESSING = {
    "NEGATED_EXISTENCE",
    "HYPOTHETICAL",
    "HISTORICAL",
    "RESOLVED",
    "OTHER_PAST",
    "BENIGN_CAUSE",
    "FIGURATIVE",
}


@dataclass(frozen=True)
class Sign:
    """A concept mentioned in the message; `counts` is False when its context rules it out."""

    concept: str
    text: str
    counts: bool
    context: tuple[str, ...] = ()
    # Character offsets of `text` in the message.
    start: int = 0
    end: int = 0

    @property
    def negated(self) -> bool:
        return "NEGATED_EXISTENCE" in self.context


@dataclass(frozen=True)
class Assessment:
    signs: tuple[Sign, ...]
    flags: tuple[RedFlag, ...]
    question: Question | None
    dose_request: bool
    # How the message answers a yes/no question: "yes", "no", "unsure" or None.
    answer: str | None = None

    @property
    def urgency(self) -> Urgency:
        return urgency_of(self.flags)

    @property
    def present(self) -> set[str]:
        return {sign.concept for sign in self.signs if sign.counts}

    @property
    def absent(self) -> set[str]:
        """Concepts the message explicitly denies (and does not also affirm)."""
        return {sign.concept for sign in self.signs if sign.negated} - self.present


def _token_alternatives(nlp: Language, part: str, inflect: bool) -> list[list[dict]]:
    """Token patterns for one position of a phrase: `a|b`, `~exact`, `<num>`, `<decimal>`, `<year>`, `<drug>`
    (alone or as one of the alternatives), or a word (with its inflections if `inflect`)."""
    special = {"<num>": NUMBER_TOKEN, "<decimal>": DECIMAL_TOKEN, "<year>": YEAR_TOKEN, "<drug>": DRUG_TOKEN}
    if part in special:
        return [[special[part]]]
    options = part.split("|")
    # People often type contractions without the apostrophe ("cant", "doesnt").
    options += [option.replace("'", "") for option in options if "'" in option]
    alternatives, branches = [], [[special[option]] for option in options if option in special]
    for option in options:
        if option in special:
            continue
        exact = option.startswith("~") or not inflect
        tokens = nlp.make_doc(option.lstrip("~").replace("_", " ").lower())
        alternatives.append([sorted({token.text} if exact else word_variants(token.text)) for token in tokens])
    # Single-token options share one position; each multi-token option becomes its own branch.
    single = sorted({value for alt in alternatives if len(alt) == 1 for value in alt[0]})
    branches += [[_word(values) for values in alt] for alt in alternatives if len(alt) > 1]
    if single:
        branches.append([_word(single)])
    return branches


def _word(values: list[str]) -> dict:
    # Patterns match a token's NORM: its lower-case form with a typo of a sign word fixed ("feaver").
    return {"NORM": {"IN": values}}


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment)."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if previous2 is not None and i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


# Words at least this likely (log probability in spaCy's English lexeme table) are real words, never typos.
COMMON_WORD_LOG_PROBABILITY = -15.5


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """English words spaCy's tables know as common, and every inflected form they lemmatize."""
    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    probabilities = srsly.read_gzip_json(path)
    common = {word for word, probability in probabilities.items() if probability > COMMON_WORD_LOG_PROBABILITY}
    return frozenset(common | set(lemma_table()))


def _deletions(word: str, depth: int) -> set[str]:
    """The word with up to `depth` letters left out, each way."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {variant[:i] + variant[i + 1 :] for variant in frontier for i in range(len(variant))}
        found |= frontier
    return found


class TypoFixer:
    """Maps an unknown word to the one sign word it is a typo of ("stif" -> "stiff", "siezure" -> "seizure").

    Only words that are not common English (see `common_words`) and are at least 4 letters long are
    changed, by one edit (two from 8 letters on), and only when exactly one sign word is that close.
    Candidates are found through shared deletions (the SymSpell idea), so a lookup stays cheap."""

    def __init__(self, sign_words: Iterable[str], spellings: Mapping[str, str] | None = None) -> None:
        # Other spellings of ordinary words ("heid" for "head", "mam" for "mum"), read as those words.
        self.spellings = dict(spellings or {})
        words = {word for word in sign_words if word.isalpha() and len(word) >= 4}
        self.known = common_words() | words
        self._fix = lru_cache(maxsize=20000)(self._fix_uncached)
        self.index: dict[str, set[str]] = {}
        for word in words:
            for variant in _deletions(word, self._allowed(word)):
                self.index.setdefault(variant, set()).add(word)

    @staticmethod
    def _allowed(word: str) -> int:
        return 2 if len(word) >= 8 else 1

    def __call__(self, word: str) -> str:
        return self._fix(word)

    def _fix_uncached(self, word: str) -> str:
        if word in self.spellings:
            return self.spellings[word]
        if word in self.known or not word.isalpha() or len(word) < 4:
            return word
        allowed = self._allowed(word)
        candidates = {c for variant in _deletions(word, allowed) for c in self.index.get(variant, ())}
        close = {c: d for c in candidates if (d := _distance(word, c)) <= allowed}
        if not close:
            return word
        best = min(close.values())
        matches = [candidate for candidate, distance in close.items() if distance == best]
        if len(matches) > 1:  # a slip of one letter keeps the length: "botux" is "botox" rather than "botx"
            matches = [candidate for candidate in matches if len(candidate) == len(word)]
        return matches[0] if len(matches) == 1 else word


def phrase_patterns(nlp: Language, phrase: str, inflect: bool = True, gap: list[dict] = GAP) -> list[list[dict]]:
    """Expand one phrase of the mini-language (catalogue/signs.yml) into spaCy token patterns."""
    gaps = {"*": gap, "**": WIDE_GAP}
    anchored = phrase.startswith("^")
    positions = [
        [list(gaps[part])] if part in gaps else _token_alternatives(nlp, part, inflect)
        for part in phrase.lstrip("^").split()
    ]
    patterns = [list(itertools.chain.from_iterable(combo)) for combo in itertools.product(*positions)]
    if anchored:  # `^`: the phrase opens a sentence
        patterns = [[{**pattern[0], "IS_SENT_START": True}, *pattern[1:]] for pattern in patterns]
    return patterns


def _words(token_pattern: dict) -> list[str]:
    return token_pattern.get("NORM", {}).get("IN", [])


# The number a token starts with: "38.5", "101f", "19yo", "35wks".
LEADING_NUMBER = re.compile(r"^(\d+(?:[.,]\d+)?)")


def _numbers(span: Span) -> list[float]:
    values = []
    for token in span:
        match = LEADING_NUMBER.match(token.lower_)
        if match:
            values.append(float(match.group(1).replace(",", ".")))
    return values


def _counts(concept: Concept, categories: set[str]) -> bool:
    """Whether a mention with these ConText categories counts as the person's sign now."""
    ignored = set()
    if concept.history_counts:
        ignored |= {"HISTORICAL", "OTHER_PAST", "RESOLVED"}
    if concept.transient_counts:
        ignored.add("RESOLVED")
    if concept.event:
        ignored |= {"OTHER_PAST", "RESOLVED"}
    if concept.hypothetical_counts:
        ignored.add("HYPOTHETICAL")
    if concept.describes:
        ignored |= {"OTHER_PAST", "RESOLVED"}  # "my mum's 81 and had a fall": still 81
    return not (categories & SUPPRESSING - ignored)


CHAT_SENTENCES = "chat_sentences"
SHORT_ANSWERS = {"no", "nope", "nah", "never", "none", "yes", "yeah", "yep"}
DASHES = {"-", "–", "—", "--"}


@Language.component(CHAT_SENTENCES)
def chat_sentences(doc: Doc) -> Doc:
    """A dash between spaces or a line break ends a sentence in chat ("... had a fit - do you always ...")."""
    for index, token in enumerate(doc[1:-1], start=1):
        previous = doc[index - 1]
        if (
            (token.text in DASHES and previous.whitespace_ and token.whitespace_)
            or token.is_space
            and "\n" in token.text
        ):
            doc[index + 1].is_sent_start = True
    # "Dizzy? No. Fainted? No.", "Night sweats? More like ...": a short answer after a question mark
    # belongs to the question.
    for index, token in enumerate(doc[1:], start=1):
        following = doc[index + 1].lower_ if index + 1 < len(doc) else ""
        if doc[index - 1].text == "?" and (
            token.lower_ in SHORT_ANSWERS or (token.lower_, following) == ("more", "like")
        ):
            token.is_sent_start = False
    return doc


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    return any(words[i : i + len(phrase)] == phrase for i in range(len(words) - len(phrase) + 1))


def _reaches_overlapping(modifier, span: Span) -> bool:
    start, end = modifier.modifier_span
    overlaps = start < span.end and span.start < end
    forward = modifier.direction in ("FORWARD", "BIDIRECTIONAL") and start < span.start
    backward = modifier.direction in ("BACKWARD", "BIDIRECTIONAL") and end > span.end
    return overlaps and (forward or backward) and modifier.allows(span.label_.upper())


def _same_clause(target: Span, modifier: Span, between: Span) -> bool:
    return not any(token.text == "," for token in between)


def _word_sequences(pattern: list[dict], limit: int = 5000) -> list[tuple[str, ...]]:
    """Every word sequence a gap-free pattern matches (none for patterns with gaps or too many)."""
    choices = []
    for token in pattern:
        if set(token) != {"NORM"}:
            return []
        choices.append(token["NORM"]["IN"])
    total = 1
    for words in choices:
        total *= len(words)
    return list(itertools.product(*choices)) if total <= limit else []


def context_rules(nlp: Language, rules: Iterable[Mapping]) -> list[ConTextRule]:
    """ConText rules from catalogue/context.yml, one per token pattern of each phrase. Their words match
    exactly: a trigger's tense matters ("my gran had" is not "my son has")."""
    built, owners = [], {}
    for index, rule in enumerate(rules):
        for phrase in rule["phrases"]:
            for pattern in phrase_patterns(nlp, phrase, inflect=False, gap=CONTEXT_GAP):
                # medspaCy keeps one rule per matched span: a second rule for the same words would be lost.
                for words in _word_sequences(pattern):
                    owner = owners.setdefault(words, (index, phrase))
                    if owner[0] != index:
                        raise RedFlagError(f"context phrases '{owner[1]}' and '{phrase}' match the same words")
                built.append(
                    ConTextRule(
                        literal=phrase,
                        category=rule["category"],
                        pattern=pattern,
                        direction=rule["direction"],
                        max_scope=rule.get("max_scope"),
                        allowed_types=set(rule["only"]) if rule.get("only") else None,
                        excluded_types=set(rule["never"]) if rule.get("never") else None,
                        on_modifies=_same_clause if rule.get("stops_at_comma") else None,
                        terminated_by=set(rule.get("terminated_by") or ()),
                    )
                )
    return built


class SignDetector:
    """Finds warning signs, the targeted question they call for, and dose requests in one message."""

    def __init__(self, warning_signs: WarningSigns | None = None) -> None:
        self.warning_signs = warning_signs or default_warning_signs()
        self.concepts = self.warning_signs.concepts
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        self.nlp.add_pipe(CHAT_SENTENCES)
        self.matcher = Matcher(self.nlp.vocab)
        sign_words = set()
        for concept in self.concepts.values():
            patterns = [p for phrase in concept.phrases for p in phrase_patterns(self.nlp, phrase, not concept.exact)]
            sign_words |= {word for pattern in patterns for token in pattern for word in _words(token)}
            if patterns or concept.patterns:
                # Every match, overlaps included: "can't breathe" must not vanish inside "breathe properly
                # and feel weak", whose context differs.
                self.matcher.add(concept.name, [*patterns, *concept.patterns])
        self.fix_typo = TypoFixer(sign_words, self.warning_signs.spellings)
        self.context = ConText(
            self.nlp,
            rules=None,
            input_span_type="group",
            span_group_name=SPAN_GROUP,
            # Triggers inside mentions are dropped below, except inside descriptions ("as a toddler").
            prune_on_target_overlap=False,
            span_attrs=None,
        )
        self.context.add(context_rules(self.nlp, self.warning_signs.context_rules))
        self.disclaimers = Matcher(self.nlp.vocab)
        for phrase in self.warning_signs.general_questions.get("disclaimers", ()):
            self.disclaimers.add(phrase, phrase_patterns(self.nlp, phrase, inflect=False, gap=CONTEXT_GAP))
        self.answers = {
            kind: [tuple(t.text for t in self.nlp.make_doc(phrase.lower())) for phrase in phrases]
            for kind, phrases in self.warning_signs.answers.items()
        }

    def answer(self, doc: Doc) -> str | None:
        """ "yes", "no" or "unsure" when the message opens with such an answer ("yes it was very sudden",
        "kind of, it built up over a day"); "unsure" wins, since "not sure" is a possible yes."""
        words = tuple(token.lower_ for token in doc if not token.is_punct)
        if any(_contains(words[:8], phrase) for phrase in self.answers.get("unsure", ())):
            return "unsure"
        for kind in ("yes", "no"):
            if any(words[: len(phrase)] == phrase for phrase in self.answers.get(kind, ())):
                return kind
        return None

    def _mentions(self, doc: Doc) -> list[Span]:
        for token in doc:
            token.norm_ = self.fix_typo(token.lower_)
        for token, following in itertools.pairwise(doc):
            # "couldn't see", "wouldn't move": a sign told in the past reads as "can't see", "won't move".
            if token.lower_ in PAST_MODALS and following.lower_ in ("n't", "nt", "not"):
                token.norm_ = PAST_MODALS[token.lower_][following.lower_ == "not"]
        found = []
        for match_id, start, end in self.matcher(doc):
            name = self.nlp.vocab.strings[match_id]
            span = Span(doc, start, end, label=name)
            number = self.concepts[name].number
            out_of_range = number and not any(number[0] <= value <= number[1] for value in _numbers(span))
            if out_of_range and any(LEADING_NUMBER.match(token.lower_) for token in span):
                continue  # a number out of range: "temp is 36.8", "my son (7)"
            found.append(span)
        # "hay fever" masks the "fever" inside it; "collapsed from exhaustion" the "almost collapsed" it
        # overlaps; a mask of a concept also hides the concepts that imply it ("crash course": crash, injury).
        masked = {
            (inner.label_, inner.start, inner.end)
            for outer in found
            for inner in found
            if outer is not inner
            and (
                self.concepts[outer.label_].masks_all
                or {inner.label_, *self.concepts[inner.label_].implies} & set(self.concepts[outer.label_].masks)
            )
            and outer.start < inner.end
            and inner.start < outer.end
        }
        return [span for span in found if (span.label_, span.start, span.end) not in masked]

    def _general_questions(self, doc: Doc) -> set[int]:
        """Starts of the sentences that ask about signs in general (catalogue/context.yml): questions
        that open with a question word, in a message that names no person and no time (a later "mine
        has been doing that for weeks" makes the question the person's own)."""
        openers = set(self.warning_signs.general_questions.get("openers", ()))
        present = set(self.warning_signs.general_questions.get("present", ()))
        disclaimed = {i for _, start, end in self.disclaimers(doc) for i in range(start, end)}
        words = [token.lower_ for token in doc if token.i not in disclaimed]
        if present & set(words) or present & {a + b for a, b in itertools.pairwise(words)}:
            return set()
        starts = set()
        for sentence in doc.sents:
            # The question word opens the sentence, or follows a label ("Pharmacy student: which ...").
            labelled = next((token.i + 1 for token in sentence if token.text == ":"), None)
            first = next((token.lower_ for token in sentence if not token.is_punct), None)
            after_label = doc[labelled].lower_ if labelled is not None and labelled < sentence.end else None
            if sentence[-1].text == "?" and (first in openers or after_label in openers):
                starts.add(sentence.start)
        return starts

    def parse(self, text: str) -> Doc:
        """The message as a spaCy Doc. Warning signs are stated early, and a 100 KB paste must stay fast;
        ALL CAPS is read in lower case, since the tokenizer splits "DOESNT" only when it is "doesnt"."""
        text = text[:5000]
        lowered = text.lower()
        return self.nlp(lowered if len(lowered) == len(text) else text)

    def signs(self, doc: Doc, text: str | None = None) -> list[Sign]:
        """The concepts mentioned in `doc`, quoted from `text` (the message as typed) when given."""
        text = text if text is not None else doc.text
        doc.spans[SPAN_GROUP] = self._mentions(doc)
        self.context(doc)
        signs = [(span.start, span.end, self.concepts[span.label_].describes) for span in doc.spans[SPAN_GROUP]]

        def part_of_a_sign(modifier) -> bool:
            # A trigger inside a mention ("can't" in "can't breathe") is part of that mention; inside a
            # description only a denial is ("no" in "no spleen"): "when it's freezing outside" still explains.
            start, end = modifier.modifier_span
            return any(
                sign_start <= start and end <= sign_end and (not describes or modifier.category == "NEGATED_EXISTENCE")
                for sign_start, sign_end, describes in signs
            )

        general = self._general_questions(doc)
        modifiers = [m for m in doc._.context_graph.modifiers if not part_of_a_sign(m)]
        today = [m.modifier_span[0] for m in modifiers if m.category == "TODAY"]
        found = []
        for span in doc.spans[SPAN_GROUP]:
            concept = self.concepts[span.label_]
            categories = {modifier.category for modifier in span._.modifiers if not part_of_a_sign(modifier)}
            # ConText leaves out a trigger that overlaps the mention it reaches ("haven't had any fall"
            # against "had any fall"); a trigger that starts before it and reads forward still counts.
            categories |= {m.category for m in modifiers if _reaches_overlapping(m, span)}
            if span.sent.start in general:
                categories.add("HYPOTHETICAL")
            if "OTHER_PAST" in categories and any(span.end <= start <= span.end + 4 for start in today):
                categories.discard("OTHER_PAST")  # "my husband had a seizure 10 minutes ago"
            counts = _counts(concept, categories)
            for name in (concept.name, *concept.implies):
                found.append(
                    Sign(
                        concept=name,
                        text=text[span.start_char : span.end_char],
                        counts=counts,
                        context=tuple(sorted(categories)),
                        start=span.start_char,
                        end=span.end_char,
                    )
                )
        return found

    def assess(self, text: str) -> Assessment:
        doc = self.parse(text)
        signs = self.signs(doc, text[:5000])
        present = {sign.concept for sign in signs if sign.counts}
        absent = {sign.concept for sign in signs if sign.negated} - present
        return Assessment(
            signs=tuple(signs),
            flags=self.warning_signs.flags_for(present),
            question=self.warning_signs.question_for(present, absent),
            # A dose question is refused whatever its context ("what is the usual dose of ...?").
            dose_request=any(sign.concept == DOSE_REQUEST for sign in signs),
            answer=self.answer(doc),
        )


@lru_cache(maxsize=1)
def default_detector() -> SignDetector:
    return SignDetector()
