"""A transparent dictionary-based code suggester.

Nothing is hidden: the dictionary is a table (code, keyword, source, weight) that students can
read, edit and extend, and every suggestion lists the words that triggered it. The suggester
proposes; the coder decides. It is deliberately simple so that its mistakes are easy to see.

Matching rule (documented because students should be able to predict it): text is lowercased
and split into words (letters, digits and apostrophes); a one-word keyword matches a word that
*starts with* it (``festival`` matches ``festivals``); a multi-word keyword matches the same
sequence of words. Only keyword words of five or more letters match as prefixes; a shorter one
matches itself or itself plus ``s`` (so ``app`` does not match ``apple``). A code's score is the
sum of the weights of its distinct matched keywords.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import pandas as pd

from chaoyang.grounded.model import Codebook, Corpus
from chaoyang.grounded.model import GroundedError, GroundedKeyError, GroundedTypeError

#: Hand-written keywords per open code (weight 2 in the dictionary). Written from the codebook's
#: definitions and inclusion criteria, not tuned on the gold coding.
HAND_KEYWORDS: dict[str, tuple[str, ...]] = {
    "SC_FESTIVAL": ("festival", "mid-autumn", "spring festival", "dumpling", "mooncake", "dance", "party",
                    "banquet", "lantern", "activity", "activities", "celebrat", "chess"),
    "SC_COUNCIL": ("council", "consultation", "meeting", "discuss", "yishihui", "vote", "building head",
                   "议事"),
    "SC_VANGUARD": ("party member", "party branch", "baodao", "report to", "take the lead", "daitou",
                    "lead by example", "党员"),
    "SC_ONLINE": ("wechat group", "building group", "group chat", "mini-program", "mini program", "post in the group",
                  "notice"),
    "PA_PATROL": ("patrol", "walks round", "walk around", "at the gate", "courtyard", "on foot", "bicycle",
                  "see him", "see her", "beat"),
    "PA_VISIT": ("visit", "door to door", "door-to-door", "knock", "ruhu", "register", "tenant", "came to our",
                 "home visit"),
    "PA_SOLVE": ("solve", "sorted out", "mediat", "dispute", "recover", "found it", "helped", "fixed", "quarrel",
                 "parking"),
    "PA_TRAIN": ("train", "taught", "brief", "anti-fraud", "fraud", "scam", "what to look for", "feedback",
                 "lecture"),
    "BS_MEDIA": ("news", "television", "tv", "newspaper", "report", "poster", "official account", "app",
                 "xi jinping", "2017", "propaganda", "publicity"),
    "BS_TALK": ("joke", "meme", "online", "netizen", "celebrit", "weibo", "douyin", "friends say", "relatives",
                "famous"),
    "BS_HONOUR": ("award", "certificate", "honour", "honor", "model volunteer", "commend", "praise", "prize",
                  "thanked", "banner"),
    "BS_SYMBOL": ("armband", "red armband", "vest", "cap", "logo", "hong xiubiao", "uniform", "badge", "红袖标"),
    "BE_HOME": ("home", "family", "like a family", "our home", "big family", "one family"),
    "BE_ROOTS": ("years", "grew up", "born here", "since", "memories", "stay", "move away", "roots", "old days"),
    "BE_NEIGHBOURS": ("neighbour", "neighbor", "next door", "know everyone", "help each other", "mutual",
                      "downstairs", "upstairs"),
    "CL_TRUST": ("trust", "honest", "fair", "on our side", "rely on", "reliable", "believe him", "believe her"),
    "CL_PERSONAL": ("by name", "his wechat", "her wechat", "phone number", "chat", "one of us", "like a son",
                    "like a brother", "old friend", "officer"),
    "CL_RECIPROCITY": ("helped us", "help him", "help her", "let him down", "let her down", "owe", "in return",
                       "repay", "give and take"),
    "BI_PRIDE": ("proud", "pride", "glory", "honoured to", "famous", "chaoyang residents", "chaoyang qunzhong"),
    "BI_WE": ("we chaoyang", "one of the chaoyang", "i am a chaoyang", "we are", "us chaoyang", "member"),
    "BI_NORMS": ("live up", "shame", "should", "worthy", "name", "reputation", "embarrass"),
    "EE_UPLIFT": ("energy", "energized", "happy", "full of spirit", "enthusias", "confident", "excited",
                  "cheerful", "lively", "young again"),
    "EE_SHARED_MOOD": ("everyone laughed", "together", "all of us", "same moment", "cheered", "atmosphere",
                       "laughing", "worried together", "clapp"),
    "EE_FADING": ("faded", "fade", "cooled", "not the same", "stopped", "routine", "lost interest", "dropped",
                  "quiet now"),
    "RE_DUTY": ("duty", "responsib", "obligation", "my job", "should do", "have to", "must"),
    "RE_OWNERSHIP": ("our own business", "not only the police", "our business", "ourselves", "own it",
                     "everyone's business", "can't rely only"),
    "RE_EXAMPLE": ("example", "children", "grandson", "granddaughter", "young people", "newcomer", "follow",
                   "show them"),
    "CT_MATERIAL": ("money", "yuan", "subsid", "paid", "pay", "cash", "reward", "gift", "allowance", "per shift"),
    "CT_PRIVACY": ("privacy", "spy", "informer", "informant", "watched", "surveillance", "camera", "snitch",
                   "data", "uneasy"),
    "CT_BURNOUT": ("tired", "exhaust", "too many", "quit", "burn", "old now", "ageing", "aging", "no young",
                   "worn out"),
    "CT_DISTANCE": ("don't know anyone", "no time", "not my business", "outsider", "renter", "busy", "commute",
                    "don't belong", "stranger"),
}

#: English function words.
FUNCTION_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
on once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves one ones us e.g. etc such
something them own
""".split())

#: Words never used as derived keywords: function words and words every definition shares.
STOPWORDS = FUNCTION_WORDS | frozenset("""community communities resident residents people police officer officers
chaoyang including taking take part being way ways""".split())

_WORD = re.compile(r"[a-z0-9']+|[\u4e00-\u9fff]+")


def tokenize(text: str) -> list[str]:
    """Lowercase words (letters, digits, apostrophes; runs of Chinese characters kept whole).

    Examples
    --------
    >>> tokenize("The red armband (红袖标)!")
    ['the', 'red', 'armband', '红袖标']
    """
    if not isinstance(text, str):
        raise GroundedTypeError(f"text must be a str, got {type(text).__name__}")
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def build_dictionary(codebook, *, hand_keywords: dict | None = None, use_examples: bool = True,
                     max_codes_per_word: int = 2, min_length: int = 4) -> pd.DataFrame:
    """The suggester's dictionary as a readable table.

    Parameters
    ----------
    codebook : Codebook or dict
    hand_keywords : dict, optional
        Code id -> keywords; default :data:`HAND_KEYWORDS`. Pass ``{}`` to use only derived words.
    use_examples : bool, default True
        Also derive words from each code's example quote.
    max_codes_per_word : int, default 2
        A derived word used by more codes than this is dropped (not distinctive).
    min_length : int, default 4
        Derived words shorter than this are dropped.

    Returns
    -------
    pandas.DataFrame
        ``code, keyword, source, weight``: source ``hand`` (weight 2.0), ``definition``
        (label and definition words, weight 1.0) or ``example`` (weight 0.5). A keyword listed
        by hand is not repeated as derived.

    Raises
    ------
    KeyError
        If ``hand_keywords`` names a code that is not in the codebook.

    Examples
    --------
    >>> from chaoyang.grounded.model import load_codebook
    >>> table = build_dictionary(load_codebook())
    >>> table.loc[table["code"] == "BS_SYMBOL", "keyword"].head(3).tolist()
    ['armband', 'red armband', 'vest']
    """
    book = Codebook.from_dict(codebook)
    hand = HAND_KEYWORDS if hand_keywords is None else hand_keywords
    unknown = sorted(set(hand) - set(book.code_ids))
    if unknown:
        raise GroundedKeyError(f"hand_keywords name codes not in the codebook: {unknown}")
    derived = {}
    for code in book.codes:
        words = {"definition": _content_words(f"{code.get('label', '')} {code.get('definition', '')}", min_length)}
        example = code.get("example")
        if use_examples and isinstance(example, dict) and example.get("quote"):
            words["example"] = _content_words(example["quote"], min_length) - words["definition"]
        derived[code["id"]] = words
    usage = Counter(w for words in derived.values() for w in set().union(*words.values()))
    rows = []
    for code in book.codes:
        listed = [k.lower() for k in hand.get(code["id"], ())]
        rows += [{"code": code["id"], "keyword": k, "source": "hand", "weight": 2.0} for k in dict.fromkeys(listed)]
        for source, weight in (("definition", 1.0), ("example", 0.5)):
            for word in sorted(derived[code["id"]].get(source, ())):
                if usage[word] <= max_codes_per_word and word not in listed:
                    rows.append({"code": code["id"], "keyword": word, "source": source, "weight": weight})
    return pd.DataFrame(rows, columns=["code", "keyword", "source", "weight"])


def _content_words(text: str, min_length: int) -> set[str]:
    return {w.strip("'") for w in tokenize(text) if len(w.strip("'")) >= min_length and w not in STOPWORDS}


@lru_cache(maxsize=8192)
def _keyword_parts(keyword: str) -> tuple:
    return tuple(tokenize(keyword))


class _Passage:
    """A passage's words, with lookups that make keyword matching fast."""

    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.words = set(self.tokens)
        self.prefixes = {t[:k] for t in self.words for k in range(5, len(t) + 1)}

    def has_word(self, word: str) -> bool:
        return word in self.prefixes if len(word) >= 5 else (word in self.words or word + "s" in self.words)

    def matches(self, parts: tuple) -> bool:
        if not parts or not all(self.has_word(p) for p in parts):
            return False
        if len(parts) == 1:
            return True
        n, tokens = len(parts), self.tokens
        return any(all(_word_matches(tokens[i + k], parts[k]) for k in range(n))
                   for i in range(len(tokens) - n + 1))


def _word_matches(token: str, word: str) -> bool:
    if len(word) >= 5:
        return token.startswith(word)
    return token in (word, word + "s")


def suggest_codes(passage: str, dictionary: pd.DataFrame, *, top: int = 5, min_score: float = 1.0) -> pd.DataFrame:
    """Propose open codes for a passage, with the words that triggered each one.

    Parameters
    ----------
    passage : str
        The text to code (a clause to an answer).
    dictionary : pandas.DataFrame
        From :func:`build_dictionary` (columns ``code, keyword, weight``), possibly edited.
    top : int, default 5
        At most this many suggestions (>= 1).
    min_score : float, default 1.0
        Drop codes scoring below this (a lone example word, weight 0.5, is not enough).

    Returns
    -------
    pandas.DataFrame
        ``code, score, triggers`` sorted by score (ties by code id); ``triggers`` is a
        comma-separated list of the matched keywords. Empty when nothing matches.

    Raises
    ------
    TypeError
        If ``passage`` is not a string.
    ValueError
        If the dictionary lacks a column or ``top`` < 1.

    Examples
    --------
    >>> table = pd.DataFrame({"code": ["BS_SYMBOL", "BE_HOME"], "keyword": ["armband", "home"],
    ...                       "weight": [2.0, 2.0]})
    >>> suggest_codes("I put on my red armband.", table)[["code", "triggers"]].values.tolist()
    [['BS_SYMBOL', 'armband']]
    """
    if not isinstance(passage, str):
        raise GroundedTypeError(f"passage must be a str, got {type(passage).__name__}")
    if not isinstance(dictionary, pd.DataFrame):
        raise GroundedTypeError("dictionary must be a DataFrame from build_dictionary()")
    missing = [c for c in ("code", "keyword", "weight") if c not in dictionary.columns]
    if missing:
        raise GroundedError(f"dictionary lacks column(s) {missing}; build it with build_dictionary()")
    if not isinstance(top, int) or top < 1:
        raise GroundedError(f"top must be a positive integer, got {top!r}")
    text = _Passage(passage)
    scores: dict[str, float] = {}
    triggers: dict[str, list[str]] = {}
    for row in dictionary.itertuples(index=False):
        if row.keyword in triggers.get(row.code, ()):
            continue
        if text.matches(_keyword_parts(str(row.keyword))):
            scores[row.code] = scores.get(row.code, 0.0) + float(row.weight)
            triggers.setdefault(row.code, []).append(str(row.keyword))
    result = pd.DataFrame([{"code": c, "score": s, "triggers": ", ".join(triggers[c])}
                           for c, s in scores.items() if s >= min_score], columns=["code", "score", "triggers"])
    return result.sort_values(["score", "code"], ascending=[False, True], kind="stable").head(top).reset_index(drop=True)


def evaluate_suggester(coding: pd.DataFrame, dictionary: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """How often the gold code of a segment is among the suggester's top proposals, per code.

    Parameters
    ----------
    coding : pandas.DataFrame
        Segments with ``code`` and ``text`` columns (e.g. the validated gold coding).
    dictionary : pandas.DataFrame
    top : int, default 3

    Returns
    -------
    pandas.DataFrame
        ``code, segments, hit_rate`` (share of the code's segments whose code is in the top
        ``top`` suggestions, 0–1), sorted by hit rate; ``attrs["overall"]`` holds the share
        over all segments.

    Raises
    ------
    ValueError
        If ``coding`` lacks a ``code`` or ``text`` column.
    """
    if not isinstance(coding, pd.DataFrame) or not {"code", "text"} <= set(coding.columns):
        raise GroundedError("coding must be a DataFrame with 'code' and 'text' columns (a validated coding)")
    hits = [row.code in set(suggest_codes(str(row.text), dictionary, top=top)["code"])
            for row in coding.itertuples(index=False)]
    frame = pd.DataFrame({"code": coding["code"].astype(str).to_numpy(), "hit": hits})
    table = frame.groupby("code").agg(segments=("hit", "size"), hit_rate=("hit", "mean")).reset_index()
    table = table.sort_values(["hit_rate", "code"], kind="stable").reset_index(drop=True)
    table.attrs["overall"] = float(frame["hit"].mean()) if len(frame) else float("nan")
    return table


def suggest_for_document(corpus, document: str, dictionary: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """Run the suggester over every answer of one transcript.

    Returns
    -------
    pandas.DataFrame
        ``document, answer, code, score, triggers`` (answers with no suggestion are left out).
    """
    corpus = Corpus.from_records(corpus)
    answers = corpus.subset([document]).answers()
    rows = []
    for answer in answers.itertuples(index=False):
        for s in suggest_codes(answer.text, dictionary, top=top).itertuples(index=False):
            rows.append({"document": document, "answer": answer.answer, "code": s.code, "score": s.score,
                         "triggers": s.triggers})
    return pd.DataFrame(rows, columns=["document", "answer", "code", "score", "triggers"])
