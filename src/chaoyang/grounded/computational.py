"""Computational grounded theory (Nelson 2020): let the computer point, let people read.

Two pattern-detection tools, used to *suggest* where to read closely; their suggestions are then
checked against the human coding, never substituted for it:

* distinctive words of a group of texts (a role, a category) against the rest: the log-odds
  ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, eq. 16 and its
  variance), reported as a z-score;
* a small, seeded topic model of the answers (scikit-learn NMF on tf-idf, or LDA on counts).

Limits, stated once so every caller sees them: word counts ignore negation, irony and who is
speaking about whom ("I would never report a neighbour" counts "report" and "neighbour"); a
topic is a cluster of co-occurring words, not a concept, and depends on the number of topics
and the seed; 28 interviews are a small corpus for either tool. Hence: suggest, then read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chaoyang._results import ResultMixin
from chaoyang._validate import check_seed
from chaoyang.grounded.axial import roll_up
from chaoyang.grounded.model import Codebook, Corpus, GroundedError
from chaoyang.grounded.suggest import FUNCTION_WORDS, tokenize
from chaoyang.grounded.model import GroundedKeyError, GroundedTypeError

#: Extra words dropped before counting: interview fillers that carry no topic.
FILLERS = frozenset("""yes yeah oh well like know think mean really just say said says thing things lot bit kind sort
maybe also even still much many get got go going come came back way time one two three laughs laugh okay ok
don didn doesn isn wasn aren weren couldn wouldn shouldn haven hasn hadn won ain
""".split())


def word_counts(texts, *, drop_stopwords: bool = True, min_length: int = 2) -> pd.Series:
    """Word frequencies of one text or a list of texts.

    Parameters
    ----------
    texts : str or iterable of str
    drop_stopwords : bool, default True
        Drop function words and interview fillers.
    min_length : int, default 2
        Shorter words are dropped, and so are contractions (words with an apostrophe, such
        as "don't" or "i'd"), which are function words.

    Returns
    -------
    pandas.Series
        Counts indexed by word, sorted by word.

    Examples
    --------
    >>> word_counts("The armband, the red armband.").to_dict()
    {'armband': 2, 'red': 1}
    """
    if isinstance(texts, str):
        texts = [texts]
    counts: dict[str, int] = {}
    for text in texts:
        for word in tokenize(text):
            word = word.strip("'")
            if len(word) < min_length or word.isdigit() or "'" in word:
                continue
            if drop_stopwords and (word in FUNCTION_WORDS or word in FILLERS):
                continue
            counts[word] = counts.get(word, 0) + 1
    return pd.Series(counts, dtype="int64").sort_index()


def log_odds_dirichlet(counts_i: pd.Series, counts_j: pd.Series, prior: pd.Series) -> pd.DataFrame:
    """Monroe, Colaresi & Quinn's (2008) log-odds ratio with an informative Dirichlet prior.

    For word w with counts y_i, y_j in groups i and j (totals n_i, n_j) and prior pseudo-counts
    a_w (total a_0):

    delta_w = log((y_i + a_w) / (n_i + a_0 - y_i - a_w)) - log((y_j + a_w) / (n_j + a_0 - y_j - a_w)),
    var(delta_w) ~= 1 / (y_i + a_w) + 1 / (y_j + a_w),   z_w = delta_w / sqrt(var).

    Parameters
    ----------
    counts_i, counts_j : pandas.Series
        Word counts of the two groups (missing words count 0).
    prior : pandas.Series
        Positive pseudo-counts a_w for every word of either group.

    Returns
    -------
    pandas.DataFrame
        Indexed by word: ``count_i, count_j, prior, delta, variance, z``, sorted by z (largest,
        i.e. most typical of group i, first).

    Raises
    ------
    ValueError
        If a word lacks a positive prior or a count is negative.

    Examples
    --------
    >>> i = pd.Series({"police": 3, "home": 1}); j = pd.Series({"police": 1, "home": 3})
    >>> table = log_odds_dirichlet(i, j, pd.Series({"police": 1.0, "home": 1.0}))
    >>> round(float(table.loc["police", "delta"]), 4)
    1.3863
    """
    for name, series in (("counts_i", counts_i), ("counts_j", counts_j), ("prior", prior)):
        if not isinstance(series, pd.Series):
            raise GroundedTypeError(f"{name} must be a pandas Series indexed by word")
    words = counts_i.index.union(counts_j.index)
    y_i = counts_i.reindex(words, fill_value=0).astype(float)
    y_j = counts_j.reindex(words, fill_value=0).astype(float)
    if (y_i < 0).any() or (y_j < 0).any():
        raise GroundedError("word counts must be non-negative")
    alpha = prior.reindex(words).astype(float)
    if alpha.isna().any() or (alpha <= 0).any():
        bad = list(alpha.index[alpha.isna() | (alpha <= 0)][:5])
        raise GroundedError(f"prior needs a positive pseudo-count for every word; missing or non-positive: {bad}")
    alpha_0 = float(prior.astype(float).sum())
    n_i, n_j = y_i.sum(), y_j.sum()
    delta = (np.log((y_i + alpha) / (n_i + alpha_0 - y_i - alpha))
             - np.log((y_j + alpha) / (n_j + alpha_0 - y_j - alpha)))
    variance = 1 / (y_i + alpha) + 1 / (y_j + alpha)
    table = pd.DataFrame({"count_i": y_i.astype("int64"), "count_j": y_j.astype("int64"), "prior": alpha,
                          "delta": delta, "variance": variance, "z": delta / np.sqrt(variance)})
    table.index.name = "word"
    return table.sort_values(["z"], ascending=False, kind="stable")


def group_texts(corpus, *, by: str = "role", coding: pd.DataFrame | None = None, codebook=None) -> dict[str, list]:
    """Texts grouped for comparison.

    Parameters
    ----------
    corpus : Corpus or list of dict
    by : str, default "role"
        A metadata field (``role``, ``community_type``...): each group holds the answers of its
        documents. Or ``"category"``: each group holds the coded segments of a category (needs
        ``coding`` and ``codebook``).
    coding : pandas.DataFrame, optional
    codebook : Codebook or dict, optional

    Returns
    -------
    dict
        Group -> list of texts, groups sorted.

    Raises
    ------
    KeyError
        If ``by`` is neither ``"category"`` nor a metadata field.
    ValueError
        If ``by="category"`` without a coding and codebook.
    """
    corpus = Corpus.from_records(corpus)
    if by == "category":
        if coding is None or codebook is None:
            raise GroundedError("by='category' needs coding= and codebook=")
        rolled = roll_up(coding, Codebook.from_dict(codebook), "category")
        return {c: list(frame["text"]) for c, frame in sorted(rolled.groupby("category"))}
    meta = corpus.metadata()
    if by not in meta.columns:
        raise GroundedKeyError(f"by must be 'category' or a metadata field; fields: {list(meta.columns)}")
    answers = corpus.answers()
    answers["group"] = meta.loc[answers["document"], by].astype(str).to_numpy()
    return {g: list(frame["text"]) for g, frame in sorted(answers.groupby("group"))}


def distinctive_words(groups: dict, *, top: int = 10, prior_size: float = 1000.0, min_count: int = 3) -> pd.DataFrame:
    """The words most typical of each group against all other groups (one against the rest).

    The informative prior is the pooled corpus: a_w = prior_size * (share of word w among all
    words of all groups), so common words are shrunk towards the corpus rate and rare words do
    not dominate (Monroe, Colaresi & Quinn 2008, section 3.5).

    Parameters
    ----------
    groups : dict
        Group -> list of texts (see :func:`group_texts`); at least two groups.
    top : int, default 10
        Words per group (>= 1).
    prior_size : float, default 1000
        a_0, the prior's total pseudo-count (> 0): larger means more shrinkage.
    min_count : int, default 3
        Words used fewer times in the group are not listed.

    Returns
    -------
    pandas.DataFrame
        ``group, word, count, z`` (top words per group, largest z first).

    Raises
    ------
    ValueError
        On fewer than two groups, ``top`` < 1 or ``prior_size`` <= 0.
    """
    if not isinstance(groups, dict) or len(groups) < 2:
        raise GroundedError("groups must be a dict with at least two groups of texts")
    if not isinstance(top, int) or top < 1:
        raise GroundedError(f"top must be a positive integer, got {top!r}")
    if not prior_size > 0:
        raise GroundedError(f"prior_size must be positive, got {prior_size!r}")
    counts = {g: word_counts(texts) for g, texts in groups.items()}
    total = pd.concat(counts.values(), axis=1).fillna(0).sum(axis=1)
    prior = prior_size * total / total.sum()
    rows = []
    for group, own in counts.items():
        rest = total.sub(own, fill_value=0)
        table = log_odds_dirichlet(own, rest, prior)
        table = table.loc[table["count_i"] >= min_count].head(top)
        rows += [{"group": group, "word": w, "count": int(r.count_i), "z": float(r.z)} for w, r in table.iterrows()]
    return pd.DataFrame(rows, columns=["group", "word", "count", "z"])


@dataclass
class TopicModel(ResultMixin):
    """A fitted topic model of interview answers (see :func:`topic_model`).

    Attributes
    ----------
    terms : pandas.DataFrame
        Topic x vocabulary weights (rows ``topic``, columns words).
    weights : pandas.DataFrame
        One row per answer: ``document, answer, text`` then one column per topic (0, 1, ...)
        and ``dominant`` (the topic with the largest weight; -1 if all weights are 0).
    method : str
    seed : None, int or numpy.random.SeedSequence
        As passed to :func:`topic_model`.
    """

    terms: pd.DataFrame
    weights: pd.DataFrame
    method: str
    seed: object

    @property
    def n_topics(self) -> int:
        """Number of topics."""
        return len(self.terms)

    def summary(self) -> str:
        """The method, the seed and each topic's eight heaviest words."""
        head = f"{self.method.upper()} topic model: {self.n_topics} topics over {len(self.weights)} answers (seed {self.seed})"
        return "\n".join([head, *(f"  {r.topic}: {r.words}" for r in self.top_words().itertuples(index=False))])

    def to_frame(self) -> pd.DataFrame:
        """One row per topic: ``topic, words`` (see :meth:`top_words`)."""
        return self.top_words()

    def top_words(self, n: int = 8) -> pd.DataFrame:
        """The ``n`` heaviest words of each topic: ``topic, words`` (comma-separated)."""
        return pd.DataFrame([{"topic": t, "words": ", ".join(row.sort_values(ascending=False).index[:n])}
                             for t, row in self.terms.iterrows()])

    def reading_list(self, topic: int, n: int = 5) -> pd.DataFrame:
        """The ``n`` answers most loaded on a topic: where to read closely.

        Raises
        ------
        KeyError
            If the topic does not exist.
        """
        if topic not in self.terms.index:
            raise GroundedKeyError(f"topic {topic!r} does not exist; topics: 0–{self.n_topics - 1}")
        ranked = self.weights.sort_values(topic, ascending=False, kind="stable").head(n)
        return ranked[["document", "answer", topic, "text"]].rename(columns={topic: "weight"}).reset_index(drop=True)


def topic_model(corpus, *, n_topics: int = 8, method: str = "nmf", seed=None, min_df: int = 3,
                max_features: int = 2000) -> TopicModel:
    """Fit a small topic model to the interview answers.

    Parameters
    ----------
    corpus : Corpus or list of dict
    n_topics : int, default 8
        Number of topics (2–50).
    method : {"nmf", "lda"}
        ``nmf``: non-negative matrix factorization of tf-idf (scikit-learn ``NMF``, nndsvda
        start); ``lda``: latent Dirichlet allocation of counts (``LatentDirichletAllocation``).
    seed : None, int >= 0 or numpy.random.SeedSequence, default None
        ``random_state`` of the model: ``None`` draws fresh entropy (not reproducible; LDA's
        topics then change from run to run); the same integer gives the same topics.
    min_df : int, default 3
        Words in fewer answers are dropped.
    max_features : int, default 2000

    Returns
    -------
    TopicModel

    Raises
    ------
    ValueError
        On an unknown method, ``n_topics`` outside 2–50, or a corpus with fewer answers than topics.
    """
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    if method not in ("nmf", "lda"):
        raise GroundedError(f"method must be 'nmf' or 'lda', got {method!r}")
    seed = check_seed(seed)
    random_state = int(seed.generate_state(1)[0]) if isinstance(seed, np.random.SeedSequence) else seed
    if not isinstance(n_topics, int) or not 2 <= n_topics <= 50:
        raise GroundedError(f"n_topics must be an integer in 2–50, got {n_topics!r}")
    answers = Corpus.from_records(corpus).answers()
    if len(answers) < n_topics:
        raise GroundedError(f"{len(answers)} answers are too few for {n_topics} topics")
    stop = sorted(FUNCTION_WORDS | FILLERS)
    options = {"stop_words": stop, "min_df": min_df, "max_features": max_features,
               "token_pattern": r"(?u)\b[a-zA-Z]{3,}\b"}
    if method == "nmf":
        vectorizer = TfidfVectorizer(sublinear_tf=True, **options)
        matrix = vectorizer.fit_transform(answers["text"])
        model = NMF(n_components=n_topics, init="nndsvda", random_state=random_state, max_iter=800)
    else:
        vectorizer = CountVectorizer(**options)
        matrix = vectorizer.fit_transform(answers["text"])
        model = LatentDirichletAllocation(n_components=n_topics, random_state=random_state, learning_method="batch")
    loadings = model.fit_transform(matrix)
    vocabulary = vectorizer.get_feature_names_out()
    terms = pd.DataFrame(model.components_, columns=vocabulary)
    terms.index.name = "topic"
    weights = answers[["document", "answer", "text"]].copy()
    for t in range(n_topics):
        weights[t] = loadings[:, t]
    weights["dominant"] = np.where(loadings.max(axis=1) > 0, loadings.argmax(axis=1), -1)
    return TopicModel(terms, weights, method, seed)


def topics_vs_categories(model: TopicModel, coding: pd.DataFrame, codebook) -> pd.DataFrame:
    """Confirm topics against the human coding: which categories the answers of each topic carry.

    Parameters
    ----------
    model : TopicModel
    coding : pandas.DataFrame
        Validated coding with an ``answer`` column (e.g. the gold coding).
    codebook : Codebook or dict

    Returns
    -------
    pandas.DataFrame
        Rows: topics; columns: categories; cell = share (0–1) of the topic's answers (answers
        whose dominant topic it is) that carry the category in the coding. Extra columns
        ``answers`` (how many; answers without any vocabulary word have no topic and are left
        out), ``best_category`` and ``lift`` (best share / the category's
        share among all answers; > 1 means the topic concentrates on that category).

    Raises
    ------
    GroundedError
        If the coding has no ``answer`` column.
    """
    if not isinstance(model, TopicModel):
        raise GroundedTypeError("model must be a TopicModel from topic_model()")
    if "answer" not in coding.columns:
        raise GroundedError("coding needs an 'answer' column; validate it with validate_coding()")
    book = Codebook.from_dict(codebook)
    rolled = roll_up(coding, book, "category")
    present = pd.crosstab([rolled["document"], rolled["answer"]], rolled["category"]).clip(upper=1)
    keys = pd.MultiIndex.from_frame(model.weights[["document", "answer"]])
    present = present.reindex(keys, fill_value=0).reindex(columns=book.category_ids, fill_value=0)
    present = present.fillna(0)
    dominant = model.weights["dominant"].to_numpy()
    present, dominant = present.loc[dominant >= 0], dominant[dominant >= 0]
    table = present.groupby(dominant).mean()
    table.index.name = "topic"
    base = present.mean()
    table["answers"] = pd.Series(dominant).value_counts().reindex(table.index).to_numpy()
    shares = table[book.category_ids]
    table["best_category"] = shares.idxmax(axis=1)
    table["lift"] = [shares.loc[t, c] / base[c] if base[c] > 0 else float("nan")
                     for t, c in zip(table.index, table["best_category"])]
    return table
