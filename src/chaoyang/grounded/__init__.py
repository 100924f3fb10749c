"""Grounded-theory coding: from transcripts to a model, with every step inspectable.

The chapter ``notebooks/01_grounded_coding.ipynb`` walks through it. In short::

    from chaoyang import grounded
    project = grounded.default_project()              # interviews, codebook, gold coding
    grounded.show_transcript(project.corpus, "T01", project.coding, project.codebook)
    grounded.kwic(project.corpus, "armband")
    grounded.suggest_codes("I put on the red armband", grounded.build_dictionary(project.codebook))
    grounded.code_document_matrix(project.coding, project.codebook, level="category")
    grounded.paradigm_model(project.coding, project.codebook)
    grounded.guest_saturation(project.coding, project.codebook).report()
    grounded.cohen_kappa(a, b); grounded.krippendorff_alpha(table)
    grounded.export_qdpx(project, "chaoyang.qdpx")     # open it in ATLAS.ti, MAXQDA, NVivo, QualCoder

Modules: :mod:`~chaoyang.grounded.model` (data model and validation), ``display`` (highlighting,
keyword in context), ``suggest`` (transparent dictionary suggester), ``axial`` (roll-ups,
matrices, co-occurrence, paradigm model, model figure), ``saturation``, ``agreement``,
``qdpx`` (REFI-QDA exchange), ``computational`` (distinctive words, topic model).
"""

from chaoyang.grounded.agreement import (
    AgreementError,
    agreement_summary,
    agreement_units,
    brennan_prediger_kappa,
    coder_agreement,
    cohen_kappa,
    disagreements,
    krippendorff_alpha,
    per_code_agreement,
    percent_agreement,
)
from chaoyang.grounded.axial import (
    PARADIGM_MAPPING,
    ModelRecovery,
    code_document_matrix,
    code_role_matrix,
    cooccurrence,
    paradigm_model,
    recover_model,
    roll_up,
)
from chaoyang.grounded.computational import (
    TopicModel,
    distinctive_words,
    group_texts,
    log_odds_dirichlet,
    topic_model,
    topics_vs_categories,
    word_counts,
)
from chaoyang.grounded.display import TranscriptView, kwic, show_transcript
from chaoyang.grounded.model import (
    CodebookError,
    Codebook,
    CodingError,
    Corpus,
    CorpusError,
    GroundedError,
    GroundedKeyError,
    GroundedTypeError,
    Project,
    default_project,
    load_codebook,
    load_coding,
    load_corpus,
    segments_from_quotes,
    turns_from_text,
    validate_coding,
)
from chaoyang.grounded.qdpx import QDPXError, QDPXSizeError, export_qdc, export_qdpx, import_qdc, import_qdpx, read_qde
from chaoyang.grounded.saturation import (
    HoldoutCheck,
    SaturationAssessment,
    guest_saturation,
    holdout_check,
    new_codes_curve,
    permutation_curves,
)
from chaoyang.grounded.suggest import (
    HAND_KEYWORDS,
    build_dictionary,
    evaluate_suggester,
    suggest_codes,
    suggest_for_document,
    tokenize,
)

__all__ = [
    # model
    "Corpus", "Codebook", "Project", "validate_coding", "turns_from_text", "load_corpus", "load_codebook",
    "load_coding", "default_project", "segments_from_quotes", "GroundedError", "GroundedKeyError",
    "GroundedTypeError", "CorpusError", "CodebookError", "CodingError",
    # display
    "show_transcript", "TranscriptView", "kwic",
    # suggest
    "build_dictionary", "suggest_codes", "suggest_for_document", "evaluate_suggester", "tokenize", "HAND_KEYWORDS",
    # axial and selective
    "roll_up", "code_document_matrix", "code_role_matrix", "cooccurrence", "paradigm_model",
    "PARADIGM_MAPPING", "recover_model", "ModelRecovery",
    # saturation
    "new_codes_curve", "permutation_curves", "guest_saturation", "SaturationAssessment", "holdout_check",
    "HoldoutCheck",
    # agreement
    "percent_agreement", "cohen_kappa", "brennan_prediger_kappa", "krippendorff_alpha", "agreement_units",
    "agreement_summary", "per_code_agreement", "coder_agreement", "disagreements", "AgreementError",
    # REFI-QDA
    "export_qdpx", "import_qdpx", "export_qdc", "import_qdc", "read_qde", "QDPXError", "QDPXSizeError",
    # computational
    "word_counts", "log_odds_dirichlet", "group_texts", "distinctive_words", "topic_model", "TopicModel",
    "topics_vs_categories",
]
