"""Witness presets (FinanceDatabase, dsignals), ``--map FILE:PRESET`` and ``--map-columns``."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tickermap import errors
from tickermap.cli import app
from tickermap.maps.load import detect_preset, load_map
from tickermap.maps.options import (
    describe_map_spec,
    load_map_spec,
    parse_map_option,
    parse_map_options,
)
from tickermap.maps.suggest import suggest_columns

FD_HEADER = (
    "symbol,name,summary,currency,sector,industry_group,industry,exchange,mic,market,country,"
    "state,city,zipcode,website,market_cap,isin,cusip,figi,composite_figi,shareclass_figi,delisted"
)


def fd_row(symbol: str, name: str, isin: str = "", *, summary: str = "x", delisted: str = "False",
           mic: str = "XSTO", composite: str = "BBG000000001") -> str:  # fmt: skip
    return (
        f'{symbol},"{name}","{summary}",SEK,,,,STO,{mic},,Sweden,,,,,,{isin},,,{composite},'
        f"BBG001000001,{delisted}"
    )


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def fd_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "equities"
    folder.mkdir()
    write(
        folder / "STO.csv",
        FD_HEADER,
        fd_row("BUFAB.ST", "Bufab AB (publ)", "SE0005677135"),
        fd_row("ATCO-A.ST", "Atlas Copco AB", "SE0017486889", summary="two\nlines"),
        fd_row("OLD.ST", "Gone AB", delisted="True"),
    )
    write(
        folder / "KLS.csv",
        FD_HEADER,
        fd_row("1155.KL", "Malayan Banking Berhad", "MYL1155OO000", mic="XKLS"),
        fd_row("005930.KS", "Samsung Electronics", "KR7005930003", mic="XKRX"),
    )
    return folder


def test_financedatabase_folder_is_detected_and_mapped(fd_folder: Path) -> None:
    loaded = load_map(fd_folder)
    assert loaded.preset == "financedatabase" and loaded.detected
    frame, extra = loaded.frame, loaded.extra
    assert extra is not None and len(extra) == len(frame) == 5
    by_yahoo = frame.set_index("yahoo")
    assert by_yahoo.loc["BUFAB.ST", "bloomberg_ticker"] == "BUFAB SS"
    assert by_yahoo.loc["ATCO-A.ST", "bloomberg_ticker"] == "ATCOA SS"
    assert by_yahoo.loc["005930.KS", "bloomberg_ticker"] == "005930 KS"
    # Yahoo's local code for Bursa Malaysia is not Bloomberg's root: no ticker, listing kept.
    assert pd.isna(by_yahoo.loc["1155.KL", "bloomberg_ticker"])
    assert by_yahoo.loc["1155.KL", "isin"] == "MYL1155OO000"
    # Line numbers follow the file, a quoted two-line summary included (KLS.csv sorts first).
    sto = extra["source_file"].eq("STO.csv")
    assert frame.loc[sto, "source_row"].tolist() == [2, 3, 5]
    assert extra.set_index(frame["yahoo"]).loc["OLD.ST", "delisted"] == True  # noqa: E712
    assert extra["mic"].tolist()[:2] == ["XKLS", "XKRX"]


def test_financedatabase_single_file_and_forced_preset(fd_folder: Path) -> None:
    path = fd_folder / "STO.csv"
    assert load_map(path).preset == "financedatabase"
    assert load_map_spec(f"{path}:financedatabase").preset == "financedatabase"


def test_financedatabase_duplicate_listing_names_both_lines(fd_folder: Path) -> None:
    write(fd_folder / "XTRA.csv", FD_HEADER, fd_row("x.ST", "X"), fd_row("BUFAB.ST", "Bufab"))
    with pytest.raises(errors.MappingFileError) as info:
        load_map(fd_folder)
    text = str(info.value)
    assert "BUFAB.ST" in text and "STO.csv line 2" in text and "XTRA.csv line 3" in text
    assert info.value.line == 3 and info.value.path == fd_folder / "XTRA.csv"


def test_financedatabase_bad_encoding_names_file_and_line(fd_folder: Path) -> None:
    bad = fd_folder / "TAI.csv"
    bad.write_bytes((FD_HEADER + "\n" + fd_row("2330.TW", "TSMC") + "\n").encode() +
                    fd_row("2454.TW", "M\xe9diaTek").encode("latin-1") + b"\n")  # fmt: skip
    with pytest.raises(errors.MappingFileError) as info:
        load_map(fd_folder)
    assert info.value.path == bad and info.value.line == 3 and "UTF-8" in str(info.value)


def test_financedatabase_folder_with_foreign_file_is_refused(fd_folder: Path) -> None:
    write(fd_folder / "notes.csv", "a,b", "1,2")
    with pytest.raises(errors.MappingFileError) as info:
        load_map(fd_folder)
    assert info.value.path == fd_folder / "notes.csv" and info.value.line == 1
    assert "not a FinanceDatabase" in str(info.value)


def test_financedatabase_bad_delisted_flag(fd_folder: Path) -> None:
    write(fd_folder / "STO.csv", FD_HEADER, fd_row("A.ST", "A"), fd_row("B.ST", "B", delisted="?"))
    with pytest.raises(errors.MappingFileError) as info:
        load_map(fd_folder)
    assert (info.value.path, info.value.line, info.value.column) == (
        fd_folder / "STO.csv", 3, "delisted",
    )  # fmt: skip


def test_folder_refuses_other_presets(fd_folder: Path) -> None:
    with pytest.raises(errors.ConfigError, match="only the financedatabase preset"):
        load_map(fd_folder, preset="signals_map")


def test_dsignals_presets(tmp_path: Path) -> None:
    eodhd = write(
        tmp_path / "eodhd-map.csv",
        "bloomberg_ticker,yahoo,data_provider,signals_ticker",
        "000080 KS,000080.KS,eodhd,000080.KO",
        "AAPL US,AAPL,eodhd,AAPL.US",
    )
    loaded = load_map(eodhd)
    assert loaded.preset == "dsignals_eodhd" and loaded.extra is not None
    assert loaded.frame["yahoo"].tolist() == ["000080.KS", "AAPL"]
    assert loaded.extra["eodhd"].tolist() == ["000080.KO", "AAPL.US"]
    overrides = write(
        tmp_path / "eodhd-overrides.csv", "old,new", "3697.TW,3697.TWO", "A028150.KO,028150.KQ",
        "KEGXQ.US,KEGX.US",
    )  # fmt: skip
    loaded = load_map(overrides)
    assert loaded.preset == "dsignals_overrides" and loaded.extra is not None
    assert loaded.frame["bloomberg_ticker"].tolist() == ["3697 TT", "028150 KS", "KEGX US"]
    assert loaded.extra["renamed_from"].tolist() == ["3697 TT", "028150 KS", "KEGXQ US"]


def test_detect_preset_for_witness_headers() -> None:
    assert detect_preset(FD_HEADER.split(",")) == "financedatabase"
    assert detect_preset(["old", "new"]) == "dsignals_overrides"
    assert detect_preset(["bloomberg_ticker", "yahoo", "data_provider", "signals_ticker"]) == (
        "dsignals_eodhd"
    )


@pytest.mark.parametrize(
    ("text", "path", "preset"),
    [
        ("m.csv:signals_map", "m.csv", "signals_map"),
        ("m.csv", "m.csv", None),
        (r"C:\maps\m.csv", r"C:\maps\m.csv", None),
        (r"C:\maps\m.csv:numerai", r"C:\maps\m.csv", "numerai"),
        ("a:b:financedatabase", "a:b", "financedatabase"),
        ("dir/x.csv:not/a/preset", "dir/x.csv:not/a/preset", None),
    ],
)
def test_parse_map_option(text: str, path: str, preset: str | None) -> None:
    spec = parse_map_option(text)
    assert (str(spec.path), spec.preset) == (str(Path(path)), preset)


def test_parse_map_option_prefers_an_existing_file(tmp_path: Path) -> None:
    odd = write(tmp_path / "x:signals_map", "bloomberg_ticker,name_ticker", "A US,A")
    assert parse_map_option(str(odd)).preset is None
    real = write(tmp_path / "m.csv", "bloomberg_ticker,name_ticker", "A US,A")
    with pytest.raises(errors.ConfigError, match="unknown preset 'signal_map'"):
        parse_map_option(f"{real}:signal_map")


def test_parse_map_columns_attaches_to_its_map(tmp_path: Path) -> None:
    specs = parse_map_options(
        ["a.csv", "we=ird.csv:generic"],
        ["we=ird.csv=ticker=sym,exchange=exch,isin=ISIN"],
    )
    assert specs[0].columns is None
    assert specs[1].preset == "generic"
    assert dict(specs[1].columns or {}) == {"ticker": "sym", "exchange": "exch", "isin": "ISIN"}
    with pytest.raises(errors.ConfigError, match="which no --map gives"):
        parse_map_options(["a.csv"], ["b.csv=ticker=sym,exchange=exch"])
    with pytest.raises(errors.ConfigError, match="twice"):
        parse_map_options(["a.csv"], ["a.csv=isin=I,name=n", "./a.csv=name=n,isin=I"])
    with pytest.raises(errors.ConfigError, match="not FILE=KEY=COLUMN"):
        parse_map_options(["a.csv"], ["a.csv"])
    with pytest.raises(errors.ConfigError, match="unknown --columns key"):
        parse_map_options(["a.csv"], ["a.csv=ticker=sym,exchange=x,colour=red"])


LISTING = ("ticker,exch_code,name,isin", "AAA,US,Alpha Inc,US0000000001", "BBB,LN,Beta plc,")


def test_listing_file_refused_with_the_exact_suggestion(tmp_path: Path) -> None:
    listing = write(tmp_path / "listing.csv", *LISTING)
    assert suggest_columns(LISTING[0].split(",")) == (
        "ticker=ticker,exchange=exch_code,name=name,isin=isin"
    )
    with pytest.raises(errors.MappingFileError) as info:
        load_map(listing)
    assert "--map-columns listing.csv=ticker=ticker,exchange=exch_code,name=name,isin=isin" in (
        str(info.value)
    )
    loaded = load_map_spec(
        parse_map_options(
            [str(listing)], [f"{listing}=ticker=ticker,exchange=exch_code,name=name,isin=isin"]
        )[0]
    )
    assert loaded.frame["bloomberg_ticker"].tolist() == ["AAA US", "BBB LN"]
    assert loaded.frame["isin"].tolist()[0] == "US0000000001"


def test_reconcile_cli_reads_a_listing_with_map_columns(tmp_path: Path) -> None:
    listing = write(tmp_path / "listing.csv", *LISTING)
    universe = write(tmp_path / "u.csv", "bloomberg_ticker", "AAA US", "BBB LN")
    out = tmp_path / "out.csv"
    base = ["reconcile", "--universe", str(universe), "--map", str(listing), "--out", str(out),
            "--offline", "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    refused = CliRunner().invoke(app, base)
    assert refused.exit_code == 3 and "--map-columns listing.csv=ticker=ticker" in " ".join(
        refused.output.split()
    )
    spec = f"{listing}=ticker=ticker,exchange=exch_code,name=name,isin=isin"
    done = CliRunner().invoke(app, [*base, "--map-columns", spec])
    assert done.exit_code == 0, done.output
    assert "preset generic with --map-columns" in " ".join(done.output.split())
    result = pd.read_csv(out, dtype=str)
    assert result["bloomberg_ticker"].tolist() == ["AAA US", "BBB LN"]


def test_describe_map_spec(fd_folder: Path) -> None:
    assert describe_map_spec(parse_map_option(str(fd_folder))).endswith(
        "preset financedatabase (a folder)"
    )
    assert "detected from the header" in describe_map_spec(parse_map_option(
        str(fd_folder / "STO.csv")))  # fmt: skip


def test_mappings_show_and_validate_take_file_preset(fd_folder: Path) -> None:
    shown = CliRunner().invoke(app, ["mappings", "show", f"{fd_folder}:financedatabase"])
    assert shown.exit_code == 0, shown.output
    assert "preset financedatabase (given)" in shown.output and "BUFAB SS" in shown.output
    checked = CliRunner().invoke(app, ["validate", str(fd_folder)])
    assert checked.exit_code == 0, checked.output
    assert "preset financedatabase" in checked.output


@pytest.mark.shared_data
def test_real_financedatabase_folder(shared_data: Path) -> None:
    folder = shared_data / "financedatabase" / "equities"
    if not folder.is_dir():
        pytest.skip("financedatabase/equities is not available")
    start = time.perf_counter()
    loaded = load_map(folder)
    seconds = time.perf_counter() - start
    frame = loaded.frame.set_index("yahoo")
    assert len(frame) == 69_152, seconds
    assert frame.loc["BUFAB.ST", "bloomberg_ticker"] == "BUFAB SS"
    assert frame.loc["BUFAB.ST", "isin"] == "SE0005677135"
    assert frame.loc["GMAB.CO", "bloomberg_ticker"] == "GMAB DC"
    assert loaded.extra is not None and int(loaded.extra["delisted"].sum()) > 0
