"""Datasheets: authored templates filled with numbers from the generated data and the truth.

Templates live in ``chaoyang/authored/datasheets/<name>.md``; placeholders ``{{key}}`` are
replaced here, so a datasheet can never disagree with its dataset.
"""

from __future__ import annotations

import re
from importlib import resources

from chaoyang.world import CONSTRUCTS, DEFAULT_WORLD, ITEMS, PATHWAYS, World

_DEMOGRAPHICS = [
    ("resident_id", "string", "Resident id (R00001…)", "–"),
    ("community_id", "string", "Community id; joins `communities.csv`", "–"),
    ("street", "string", "Chaoyang subdistrict (jiedao)", "–"),
    ("community_type", "string", "danwei, commercial, resettlement or rental", "– (shifts the drivers)"),
    ("age", "integer 18–88", "Age in years", "–"),
    ("gender", "string", "female / male", "–"),
    ("years_in_community", "integer", "Years lived in the community", "–"),
    ("hukou", "string", "local (Beijing household registration) / non-local", "–"),
    ("party_member", "0/1", "Member of the Communist Party of China", "– (raises participation)"),
]


def survey_columns_table() -> str:
    rows = ["| Column | Type | Meaning | Construct |", "|---|---|---|---|"]
    rows += [f"| {c} | {t} | {m} | {k} |" for c, t, m, k in _DEMOGRAPHICS]
    for item in ITEMS:
        scale = "frequency 1–5 (never … very often)" if item.construct == "PAR" else "agreement 1–5"
        reverse = " **(reverse-keyed)**" if item.reverse else ""
        construct = CONSTRUCTS[item.construct]
        rows.append(f"| {item.column} | integer, {scale}, may be empty | {item.text_en}{reverse} / {item.text_zh} "
                    f"| {construct.key}: {construct.name} |")
    return "\n".join(rows)


def _pathway_table(world: World) -> str:
    rows = ["| Pathway | a1 | a2 | a3 | b1 | b2 | b3 | c′ | total indirect | total |", "|---|" + "---|" * 9]
    for name in PATHWAYS:
        t = world.pathway_truth(name)
        rows.append(f"| {name} | " + " | ".join(f"{t[k]:.3f}" for k in
                    ("a1", "a2", "a3", "b1", "b2", "b3", "c_prime", "total_indirect", "total")) + " |")
    return "\n".join(rows)


def _item_bias_text(world: World) -> str:
    if not world.item_bias:
        return "none in this world."
    parts = []
    for bias in world.item_bias:
        item = next(i for i in ITEMS if i.column == bias.item)
        direction = "lower" if bias.intercept < 0 else "higher"
        parts.append(f"residents with `{bias.column}` = `{bias.level}` answer `{bias.item}` (\"{item.text_en}\") "
                     f"{direction} at the same level of {CONSTRUCTS[item.construct].name.lower()}: its latent "
                     f"response is shifted by {bias.intercept:+.2f} response SD (an intercept difference; "
                     "the loading is the same).")
    return " ".join(parts)


def render_datasheet(name: str, datasets: dict, world: World = DEFAULT_WORLD) -> str:
    """Fill the template of dataset ``name`` with figures from ``datasets`` and ``world``."""
    template = (resources.files("chaoyang") / "authored" / "datasheets" / f"{name}.md").read_text(encoding="utf-8")
    survey = datasets["survey"]
    codebook = datasets["codebook"]
    values = {
        "n_rows": len(survey), "n_communities": survey["community_id"].nunique(),
        "community_sd": world.community_sd, "method_loading": world.method_loading,
        "shift": world.agreement_shift, "cuts": ", ".join(map(str, world.likert_cuts)),
        "missing_rate": world.missing_rate, "seed": world.seed, "columns": survey_columns_table(),
        "pathway_truth": _pathway_table(world), "item_bias": _item_bias_text(world), "configurations": ", ".join(f"`{c}`" for c in world.configurations),
        "n_items": len(ITEMS), "n_transcripts": len(datasets["interviews"]),
        "n_holdout": sum(d["holdout"] for d in datasets["interviews"]),
        "n_codes": len(codebook["codes"]), "n_categories": len(codebook["categories"]),
    }
    for kind in ("gold", "second"):
        frame = datasets[f"coding_{kind}"]
        values[f"n_{kind}"] = len(frame)
        values[f"n_docs_{kind}"] = frame["document"].nunique()

    def fill(match):
        key = match.group(1)
        if key not in values:
            raise KeyError(f"datasheet {name}.md uses unknown placeholder {{{{{key}}}}}")
        return str(values[key])

    return re.sub(r"\{\{(\w+)\}\}", fill, template)
