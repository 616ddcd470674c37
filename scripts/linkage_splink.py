"""The splink models that ``scripts/bench_linkage.py`` compares with the hand-set weights.

Three unsupervised models of the pair question, all on the DuckDB backend, all blocked on
:data:`KEYS` (see the bench's docstring for what each measures):

- ``independent``: name (exact with a term-frequency adjustment, truncation, Jaro-Winkler 0.9 and
  0.75, first word), both listings' ISIN-country fit, market, root, and ISIN, composite and
  share-class FIGI as three comparisons; u from random pairs, m by EM (the first model run);
- ``joint``: the same, the identifiers as one comparison and the root only within a market;
- ``same_features``: the hand-set table's own features and levels (name evidence through a
  DuckDB function), m and u both by EM over the pairs sharing an ISIN, started from the
  hand-set values: EM-fitted weights against hand-set weights on identical evidence.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pandas as pd

from tickermap.names.match import TokenWeights, name_evidence
from tickermap.reconcile.suspicion import _MU, PRIOR_CORRECT

KEYS = (("isin",), ("composite",), ("share",), ("root", "code"))
"""Blocking keys: a candidate pair shares one of them."""
LAMBDA_RECALL = 0.8
"""Assumed recall of the deterministic rules (same ISIN, composite or share class) for lambda."""
MODELS = ("independent", "joint", "same_features")

_FITS = "('home', 'explained')"


def _custom(name: str, levels: list[Any]) -> Any:
    import splink.comparison_library as cl

    return cl.CustomComparison(comparison_levels=levels, output_column_name=name)


def _shared_comparisons() -> list[Any]:
    """Name, ISIN country fit and market: the same in both splink models."""
    import splink.comparison_level_library as cll

    return [
        _custom("name", [
            cll.NullLevel("name_norm"),
            cll.ExactMatchLevel("name_norm", term_frequency_adjustments=True),
            cll.CustomLevel("(starts_with(name_norm_l, name_norm_r) OR starts_with(name_norm_r, "
                            "name_norm_l)) AND least(length(name_norm_l), length(name_norm_r)) "
                            ">= 4", "one name a truncation of the other"),
            cll.JaroWinklerLevel("name_norm", 0.9),
            cll.CustomLevel("first_tok_l = first_tok_r", "same first word"),
            cll.JaroWinklerLevel("name_norm", 0.75),
            cll.ElseLevel(),
        ]),
        _custom("isin_fit", [
            cll.CustomLevel("fit_l = 'unknown' OR fit_r = 'unknown'").configure(
                is_null_level=True),
            cll.CustomLevel("fit_l = 'home' AND fit_r = 'home'", "both home"),
            cll.CustomLevel(f"fit_l IN {_FITS} AND fit_r IN {_FITS}", "both fit"),
            cll.CustomLevel(f"fit_l IN {_FITS} OR fit_r IN {_FITS}", "one fits"),
            cll.ElseLevel(),
        ]),
        _custom("market", [cll.NullLevel("country"), cll.ExactMatchLevel("code"),
                           cll.ExactMatchLevel("country"), cll.ElseLevel()]),
    ]  # fmt: skip


def _comparisons(model: str) -> list[Any]:
    """``independent``: ISIN, composite and share class as three comparisons and the root
    compared across markets too (the first model run). ``joint``: the identifiers as one
    comparison (a FinanceDatabase row that took another company's ISIN usually took its FIGIs
    too, so three independent agreements overcount one copied record), and the root compared
    only within a market (a numeric root means nothing across markets: ``2380 HK``/``2380.SR``).
    """
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    if model == "independent":
        return [
            *_shared_comparisons(),
            _custom("root", [
                cll.NullLevel("root"),
                cll.CustomLevel("root_l = root_r AND country_l = country_r",
                                "same root and market"),
                cll.CustomLevel("root_l = root_r", "same root, another market"),
                cll.ElseLevel(),
            ]),
            cl.ExactMatch("isin"),
            cl.ExactMatch("composite"),
            cl.ExactMatch("share"),
        ]  # fmt: skip
    nothing = " AND ".join(
        f"({c}_l IS NULL OR {c}_r IS NULL)" for c in ("isin", "composite", "share")
    )
    return [
        *_shared_comparisons(),
        _custom("root", [
            cll.NullLevel("root"),
            cll.CustomLevel("root_l = root_r AND code_l = code_r", "same root and exchange"),
            cll.CustomLevel("root_l = root_r AND country_l = country_r", "same root and country"),
            cll.ElseLevel(),
        ]),
        _custom("keys", [
            cll.CustomLevel(nothing).configure(is_null_level=True),
            cll.CustomLevel("composite_l = composite_r", "same composite FIGI"),
            cll.CustomLevel("share_l = share_r", "same share-class FIGI"),
            cll.CustomLevel("isin_l = isin_r AND (share_l IS NULL OR share_r IS NULL)",
                            "same ISIN, a share class missing"),
            cll.CustomLevel("isin_l = isin_r", "same ISIN, share classes differ"),
            cll.ElseLevel(),
        ]),
    ]  # fmt: skip


def _same_features() -> list[Any]:
    """The hand-set table's own features, EM-fitted: ``name`` by a DuckDB function that calls
    :func:`~tickermap.names.match.name_evidence`, the claim's ``isin_country`` (a column only the
    Signals rows carry), ``share_class``, ``ticker_figi``; EM starts from the hand-set m/u."""
    import splink.comparison_level_library as cll

    def lvl(level: Any, feature: str, key: str) -> Any:
        m, u = _MU[feature][key]
        return level.configure(m_probability=m, u_probability=u)

    name = "tm_name_evidence(name_l, name_r) = '{}'"
    claim = "coalesce(claim_country_l, claim_country_r) = '{}'"
    same_ticker = "ticker_l = ticker_r AND composite_l IS NOT NULL AND composite_r IS NOT NULL"
    return [
        _custom("name", [*(lvl(cll.CustomLevel(name.format(k), k), "name", k)
                           for k in ("match", "weak", "mismatch")),
                         lvl(cll.ElseLevel(), "name", "no_evidence")]),
        _custom("isin_country", [*(lvl(cll.CustomLevel(claim.format(k), k), "isin_country", k)
                                   for k in ("domestic", "offshore", "implausible")),
                                 lvl(cll.ElseLevel(), "isin_country", "unknown")]),
        _custom("share_class", [cll.NullLevel("share"),
                                lvl(cll.ExactMatchLevel("share"), "share_class", "agree"),
                                lvl(cll.ElseLevel(), "share_class", "disagree")]),
        _custom("ticker_figi", [
            cll.CustomLevel(f"ticker_l IS NULL OR NOT ({same_ticker})").configure(
                is_null_level=True),
            lvl(cll.CustomLevel("composite_l = composite_r", "agree"), "ticker_figi", "agree"),
            lvl(cll.ElseLevel(), "ticker_figi", "disagree"),
        ]),
    ]  # fmt: skip


def _register_name_evidence(con: Any, weights: TokenWeights) -> None:
    """``tm_name_evidence(a, b)`` in DuckDB: the hand-set model's name levels, vectorised."""
    import pyarrow as pa

    def evidence(left: Any, right: Any) -> Any:
        lhs = pd.Series(left.to_pylist(), dtype=object)
        rhs = pd.Series(right.to_pylist(), dtype=object)
        return pa.array(name_evidence(lhs, rhs, weights=weights).astype(str).tolist())

    con.create_function("tm_name_evidence", evidence, ["VARCHAR", "VARCHAR"], "VARCHAR",
                        type="arrow", null_handling="special")  # fmt: skip


_SPLINK_COLUMNS = ["unique_id", "name", "name_norm", "first_tok", "isin", "composite", "share",
                   "ticker", "root", "code", "country", "fit", "claim_country"]  # fmt: skip


def splink_scores(
    sig: pd.DataFrame, fd: pd.DataFrame, model: str, weights: TokenWeights
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Train splink unsupervised on the two files and score every blocked pair.

    Returns ``sid, fid, match_weight, match_probability`` per pair and the fitted model summary.
    """
    import duckdb
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    same = model == "same_features"
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=_same_features() if same else _comparisons(model),
        blocking_rules_to_generate_predictions=[block_on(*k) for k in KEYS],
        retain_matching_columns=False,
        probability_two_random_records_match=PRIOR_CORRECT if same else 0.0001,
    )
    con = duckdb.connect()
    if same:
        _register_name_evidence(con, weights)
    db_api = DuckDBAPI(connection=con)
    tables = [
        db_api.register(sig[_SPLINK_COLUMNS], dataset_display_name="signals"),
        db_api.register(fd[_SPLINK_COLUMNS], dataset_display_name="financedatabase"),
    ]
    linker = Linker(tables, settings, log_level=logging.WARNING)
    train = linker.training
    if same:  # m and u both by EM over the pairs sharing an ISIN (no random pairs)
        train.estimate_parameters_using_expectation_maximisation(
            block_on("isin"), fix_u_probabilities=False, record_sample_proportion=1.0,
            populate_probability_two_random_records_match_from_trained_values=True,
        )  # fmt: skip
    else:
        train.estimate_probability_two_random_records_match(
            [block_on("isin"), block_on("composite"), block_on("share")], recall=LAMBDA_RECALL
        )
        train.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
        for rule in (block_on("isin"), block_on("root", "code"), block_on("name_norm")):
            train.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=1.0
            )
    pred = linker.inference.predict().as_pandas_dataframe()
    left_is_sig = pred["unique_id_l"].astype(str).str.startswith("s")
    out = pd.DataFrame({
        "sid": pred["unique_id_l"].where(left_is_sig, pred["unique_id_r"]),
        "fid": pred["unique_id_r"].where(left_is_sig, pred["unique_id_l"]),
        "match_weight": pred["match_weight"].astype(float),
        "match_probability": pred["match_probability"].astype(float),
    })  # fmt: skip
    return out, _model_summary(linker)


def _model_summary(linker: Any) -> dict[str, Any]:
    """lambda and each comparison level's fitted m, u and weight (bits)."""
    model = linker.misc.save_model_to_json()
    levels: dict[str, Any] = {}
    for comp in model["comparisons"]:
        rows = {}
        for lvl in comp["comparison_levels"]:
            if lvl.get("is_null_level"):
                continue
            m, u = lvl.get("m_probability"), lvl.get("u_probability")
            bits = round(math.log2(m / u), 2) if m and u else None
            rows[lvl.get("label_for_charts", lvl["sql_condition"])] = {
                "m": round(m, 4) if m else m,
                "u": round(u, 6) if u else u,
                "bits": bits,
            }
        levels[comp["output_column_name"]] = rows
    return {"lambda": model["probability_two_random_records_match"], "levels": levels}
