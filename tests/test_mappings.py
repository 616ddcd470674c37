"""Loading community mapping files: presets, detection, generic columns, every bad-input path."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pandas as pd
import pytest

from tickermap import errors
from tickermap.columns import CANONICAL_MAP_COLUMNS
from tickermap.maps.load import detect_preset, load_map, parse_columns_option

DATA = Path(__file__).parent / "data"
SENTINELS = {"SYMBOL_NOT_FOUND", "#N/A", "#N/A N/A"}
IDENTIFIERS = {"isin", "figi", "composite_figi", "share_class_figi", "yahoo"}


def naive_load(path: Path, colmap: dict[str, str], *, source: str) -> list[dict[str, object]]:
    """An independent reference: csv module, plain-Python normalisation, physical line numbers."""
    rows: list[dict[str, object]] = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        delimiter = max(",;\t|", key=fh.readline().count)
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader)
        previous = reader.line_num
        for raw in reader:
            start, previous = previous + 1, reader.line_num
            if not raw or all(not c.strip() for c in raw):
                continue
            record = dict(zip(header, raw, strict=False))
            out: dict[str, object] = {}
            for key in CANONICAL_MAP_COLUMNS[:-2]:
                value = " ".join(record.get(colmap.get(key, "\0"), "").split())
                if key != "name":
                    value = value.upper()
                out[key] = None if value in SENTINELS or not value else value
            out["source"], out["source_row"] = source, start
            rows.append(out)
    return rows


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [
        {k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict("records")
    ]


SIGNALS_COLS = {
    "bloomberg_ticker": "bloomberg_ticker",
    "name": "name_ticker",
    "isin": "isin",
    "figi": "figi",
    "share_class_figi": "share_class_figi",
    "composite_figi": "composite_figi",
}


@pytest.mark.parametrize(
    ("fixture", "preset", "colmap"),
    [
        pytest.param("map_signals.csv", "signals_map", SIGNALS_COLS, id="signals_map"),
        pytest.param(
            "map_bya.csv",
            "bloomberg_yahoo_av",
            {"bloomberg_ticker": "bloomberg", "yahoo": "yahoo"},
            id="bloomberg_yahoo_av",
        ),
        pytest.param(
            "map_numerai.csv",
            "numerai",
            {"bloomberg_ticker": "bloomberg_ticker", "yahoo": "yahoo"},
            id="numerai",
        ),
    ],
)
def test_presets_are_detected_and_match_a_naive_reader(
    fixture: str, preset: str, colmap: dict[str, str]
) -> None:
    path = DATA / fixture
    loaded = load_map(path)
    assert (loaded.preset, loaded.detected, loaded.namespace) == (preset, True, "bloomberg")
    assert list(loaded.frame.columns) == list(CANONICAL_MAP_COLUMNS)
    assert loaded.frame["source_row"].dtype == "int64"
    assert records(loaded.frame) == naive_load(path, colmap, source=fixture)
    explicit = load_map(path, preset=loaded.preset, source="other")
    assert not explicit.detected and set(explicit.frame["source"]) == {"other"}


def test_signals_map_normalises_but_keeps_damage() -> None:
    frame = load_map(DATA / "map_signals.csv").frame.set_index("bloomberg_ticker")
    assert frame.loc["000660 KS", "isin"] == "KR7000660001"
    assert frame.loc["SUSE GR", "name"] == "SUSE SA"  # quoted newline inside the name
    assert frame.loc["SUSE GR", "figi"] == "BBG00LXWSYN6"
    assert pd.isna(frame.loc["BP/ LN", "figi"])  # "#N/A" sentinel
    assert frame.loc["2395 JP", "name"] == "ADVANTECH CO"
    assert "1538" in frame.index  # no exchange code: kept for the validator
    # line numbers follow the physical file: a blank line and a two-line quoted cell
    assert frame.loc["SUSE GR", "source_row"] == 5
    assert frame.loc["1538", "source_row"] == 7


def test_generic_builds_ticker_from_root_and_exchange() -> None:
    spec = parse_columns_option("name=company,isin=ISIN,ticker=sym,exchange=exch")
    loaded = load_map(DATA / "map_generic.csv", columns=spec)
    assert (loaded.preset, loaded.detected) == ("generic", False)
    rows = records(loaded.frame)
    with (DATA / "map_generic.csv").open(newline="") as fh:
        raw = list(csv.DictReader(fh, delimiter=";"))
    expected = [
        f"{r['sym']} {r['exch']}".strip().upper() if r["exch"] else r["sym"].upper() for r in raw
    ]
    assert [r["bloomberg_ticker"] for r in rows] == expected
    assert [r["name"] for r in rows] == [r["company"] or None for r in raw]
    assert [r["source_row"] for r in rows] == list(range(2, len(raw) + 2))
    assert all(r["figi"] is None and r["yahoo"] is None for r in rows)


def test_generic_does_not_append_code_twice(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("t,x\nAAPL US,US\nVOD,LN\n")
    frame = load_map(path, columns={"ticker": "t", "exchange": "x"}).frame
    assert frame["bloomberg_ticker"].tolist() == ["AAPL US", "VOD LN"]


def test_columns_override_a_preset_and_match_case_insensitively(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("Bloomberg_Ticker,Name_Ticker,ISIN,company\nAAPL US,x,us0378331005,Apple\n")
    loaded = load_map(path, preset="signals_map", columns={"name": "COMPANY"})
    row = records(loaded.frame)[0]
    assert (row["name"], row["isin"], loaded.preset) == ("Apple", "US0378331005", "signals_map")


def test_numerai_iso_tickers_are_converted_by_column_name() -> None:
    tickers = pytest.importorskip("tickermap.tickers.parse")
    path = DATA / "map_numerai_iso.csv"
    loaded = load_map(path)
    assert (loaded.preset, loaded.namespace) == ("numerai", "numerai")
    with path.open(newline="") as fh:
        raw = [r["numerai_ticker"] for r in csv.DictReader(fh)]
    expected = [tickers.numerai_to_bloomberg(v) or v for v in raw]
    assert loaded.frame["bloomberg_ticker"].tolist() == expected
    assert "ABBN SW" in expected and "WEIRD ZZ" in expected  # Swiss; unconvertible kept
    forced = load_map(path, namespace="bloomberg")
    assert forced.frame["bloomberg_ticker"].tolist() == raw


def test_detect_preset() -> None:
    assert detect_preset(["BLOOMBERG_TICKER", "name_ticker"]) == "signals_map"
    assert detect_preset(["bloomberg", "yahoo"]) == "bloomberg_yahoo_av"
    assert detect_preset(["ticker", "bloomberg_ticker", "yahoo"]) == "numerai"
    assert detect_preset(["ticker", "yahoo"]) is None


@pytest.mark.parametrize(
    ("text", "match"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("name", "not key=column", id="no-equals"),
        pytest.param("name=", "not key=column", id="empty-column"),
        pytest.param("=company", "not key=column", id="empty-key"),
        pytest.param("company=name", "unknown --columns key", id="unknown-key"),
        pytest.param("name=a,name=b", "twice", id="repeated"),
        pytest.param("ticker=sym", "go together", id="ticker-without-exchange"),
        pytest.param("bloomberg_ticker=a,ticker=b,exchange=c", "twice", id="two-tickers"),
    ],
)
def test_parse_columns_option_rejects(text: str, match: str) -> None:
    with pytest.raises(errors.ConfigError, match=match):
        parse_columns_option(text)


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "match", "line"),
    [
        pytest.param("e.csv", b"", "empty", None, id="empty"),
        pytest.param("e.csv", b"  \n\n", "empty", None, id="blank-lines"),
        pytest.param(
            "h.csv", b"bloomberg_ticker,name_ticker\n", "no data rows", 1, id="header-only"
        ),
        pytest.param(
            "x.csv",
            b"bloomberg_ticker,name_ticker\n,\n",
            "every data row is empty",
            None,
            id="only-empty-rows",
        ),
        pytest.param("u.csv", b"bloomberg_ticker\nAAPL US\nNESN \xff SW\n", "UTF-8", 3, id="bytes"),
        pytest.param(
            "d.csv",
            b"bloomberg_ticker,isin,isin\nA US,1,2\n",
            "repeats column 'isin'",
            1,
            id="dup-header",
        ),
        pytest.param("p.parquet", b"bloomberg_ticker\nA US\n", "not a Parquet", None, id="pq"),
        pytest.param(
            "c.csv",
            b"PAR1\x00\x00garbage",
            "Parquet file with a CSV name",
            None,
            id="parquet-named-csv",
        ),
        pytest.param(
            "s.csv",
            b"bloomberg_ticker name isin\nAAPL US x y\n",
            "single column",
            1,
            id="space-delimited",
        ),
        pytest.param(
            "r.csv",
            b"bloomberg_ticker,name_ticker\nAAPL US,APPLE, INC\nVOD LN,VODAFONE\n",
            "3 fields but the header has 2",
            2,
            id="extra-field-first-row",  # pandas would silently make column 1 the index
        ),
        pytest.param(
            "r.csv",
            b'bloomberg_ticker,name_ticker\nSUSE GR,"SUSE\nSA"\nAAPL US,APPLE, INC\n',
            "3 fields but the header has 2",
            4,
            id="extra-field-after-multiline-cell",
        ),
        pytest.param(
            "m.csv",
            b"company,ISIN\nApple,US0378331005\n",
            "cannot recognise the format",
            1,
            id="unknown-format",
        ),
    ],
)
def test_bad_files_name_the_file_and_line(
    tmp_path: Path, name: str, content: bytes, match: str, line: int | None
) -> None:
    path = _write(tmp_path, name, content)
    with pytest.raises(errors.MappingFileError, match=match) as info:
        load_map(path)
    assert info.value.path == path and info.value.line == line
    assert str(path) in str(info.value)
    assert info.value.exit_code == 3


def test_missing_columns_for_a_preset_lists_header_and_suggests(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.csv", b"bloomberg_ticker,isin\nAAPL US,US0378331005\n")
    with pytest.raises(errors.MappingFileError) as info:
        load_map(path, preset="signals_map")
    text = str(info.value)
    assert "'name_ticker'" in text and "'bloomberg_ticker', 'isin'" in text
    assert "--preset" in text and "--columns" in text and info.value.line == 1
    with pytest.raises(errors.MappingFileError, match="'bloomberg', 'yahoo'"):
        load_map(path, preset="bloomberg_yahoo_av")


def test_columns_naming_an_absent_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.csv", b"sym,exch\nAAPL,US\n")
    with pytest.raises(errors.MappingFileError, match="does not have") as info:
        load_map(path, columns={"ticker": "symbol", "exchange": "exch"})
    assert info.value.column == "symbol" and "'sym', 'exch'" in str(info.value)


def test_generic_without_ticker_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.csv", b"company,ISIN\nApple,US0378331005\n")
    with pytest.raises(errors.MappingFileError, match="no ticker column"):
        load_map(path, columns={"isin": "ISIN"})


def test_unknown_preset_namespace_and_keys() -> None:
    path = DATA / "map_bya.csv"
    with pytest.raises(errors.ConfigError, match="unknown preset 'guillem'"):
        load_map(path, preset="guillem")  # type: ignore[arg-type]
    with pytest.raises(errors.ConfigError, match="namespace"):
        load_map(path, namespace="iso")  # type: ignore[arg-type]
    with pytest.raises(errors.ConfigError, match="unknown --columns key"):
        load_map(path, columns={"sedol": "x"})


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(errors.MappingFileError, match="no such file"):
        load_map(tmp_path / "absent.csv")
    with pytest.raises(errors.MappingFileError, match="folder"):
        load_map(tmp_path)


def test_parquet_gives_same_table_as_csv(tmp_path: Path) -> None:
    src = DATA / "map_bya.csv"
    raw = pd.read_csv(src, dtype=str, keep_default_na=False)
    raw.to_parquet(tmp_path / "m.parquet", index=False)
    from_csv = load_map(src, source="s").frame
    from_pq = load_map(tmp_path / "m.parquet", source="s").frame
    pd.testing.assert_frame_equal(from_csv, from_pq)


def test_semicolon_file_with_known_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.csv", b"bloomberg;yahoo;alpha_vantage\nAAPL US;AAPL;AAPL\n")
    assert load_map(path).frame["yahoo"].tolist() == ["AAPL"]


@pytest.mark.shared_data
def test_real_guillem_map_loads_fast_and_faithfully(guillem_map: Path) -> None:
    started = time.perf_counter()
    loaded = load_map(guillem_map)
    elapsed = time.perf_counter() - started
    assert loaded.preset == "signals_map" and loaded.detected
    assert len(loaded.frame) == 14_350
    assert records(loaded.frame) == naive_load(guillem_map, SIGNALS_COLS, source=guillem_map.name)
    assert elapsed < 5  # typically ~0.1 s; generous for slow CI machines


def test_root_and_iso_country_with_numerai_namespace(tmp_path: Path) -> None:
    from tickermap.tickers.parse import numerai_to_bloomberg

    path = tmp_path / "m.csv"
    path.write_text("sym,country\nABBN,CH\n600519,CN\nSAP,DE\n")
    spec = {"ticker": "sym", "exchange": "country"}
    iso = load_map(path, columns=spec, namespace="numerai")
    raw = ["ABBN CH", "600519 CN", "SAP DE"]
    assert iso.namespace == "numerai"
    assert iso.frame["bloomberg_ticker"].tolist() == [numerai_to_bloomberg(v) for v in raw]
    bbg = load_map(path, columns=spec)  # default: exchange holds Bloomberg codes
    assert bbg.namespace == "bloomberg" and bbg.frame["bloomberg_ticker"].tolist() == raw


def test_numerai_preset_prefers_bloomberg_column(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "numerai_ticker,bloomberg_ticker,composite_figi\nABBN CH,ABBN SW,bbg000dmbk42\n"
    )
    loaded = load_map(path)
    assert (loaded.preset, loaded.namespace) == ("numerai", "bloomberg")
    assert records(loaded.frame)[0]["bloomberg_ticker"] == "ABBN SW"
    assert records(loaded.frame)[0]["composite_figi"] == "BBG000DMBK42"


def test_whitespace_variants_are_collapsed(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    text = (
        "bloomberg_ticker,name_ticker\nAAPL\u00a0US,APPLE\tINC\n\tvod  ln ,VODAFONE\u00a0 GROUP\n"
    )
    path.write_bytes(text.encode())
    frame = load_map(path).frame
    assert frame["bloomberg_ticker"].tolist() == ["AAPL US", "VOD LN"]
    assert frame["name"].tolist() == ["APPLE INC", "VODAFONE GROUP"]
