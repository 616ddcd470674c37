"""The pandas-free path of ``tickermap symbols`` (small CSV files) equals the pandas path.

The pandas path is the frame pipeline itself (``read_table`` -> ``convert_table`` ->
``write_table``); the fast path is ``convert_file`` on a small CSV. Same bytes, same summary,
same errors; and the fast path really does not import pandas (checked in a fresh process).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tickermap.errors import InputError
from tickermap.tables import no_rows_error, read_table, write_table
from tickermap.tables.rows import SMALL_CSV_BYTES, is_small_csv, read_rows
from tickermap.tickers.symbols import NO_ROWS, SymbolSummary, Target, convert_file, convert_table

CASES: dict[str, tuple[str, dict[str, str]]] = {
    "plain": (
        "bloomberg_ticker,name\nAAPL US,Apple\nBRK/B US,Berkshire\n000660 KS,SK hynix\n"
        "1 HK,CK\nBP/ LN,BP\nAAGB MK,Allianz\n1538,(no code)\n",
        {},
    ),
    "quotes_formulas_blank_lines_short_rows": (
        'bloomberg_ticker,name,note\n"VOD LN","Vodafone, Group","say ""hi"""\n\n'
        "=HYPERLINK(1),@x,-0.5\n+1 US,-x,\nSAP GR\n"
        '"7203 JP","multi\nline",+3\n,,\n',
        {},
    ),
    "bom_crlf_semicolon": (
        "\ufeffbloomberg_ticker;name\r\nAAPL US;Apple\r\n005930 KS;Samsung\r\n",
        {},
    ),
    "venues": (
        "bloomberg_ticker,venue\n035720 KS,KQ\n005930 KS,KS\n000660 KS,\n600519 CH,CG\n",
        {"venue_column": "venue"},
    ),
    "yahoo_back_to_bloomberg_twice": (
        "bloomberg_ticker,yahoo,symbol_ambiguous,symbol_error,bloomberg_ticker_converted\n"
        "AAPL US,AAPL,False,,x\n1 HK,0001.HK,False,,\nX,,False,empty,\nBAD,ZZZ.QQ,True,,\n",
        {"column": "yahoo", "to": "bloomberg"},
    ),
    "numerai": (
        "numerai_ticker,w\nSAP DE,1\n000660 KR,2\nVOD GB,3\nNOPE XX,4\n",
        {"to": "bloomberg"},
    ),
    "padded_header": (" bloomberg_ticker , name \nAAPL US,Apple\n", {"to": "numerai"}),
}


def _pandas_path(src: Path, out: Path, **kw: str) -> SymbolSummary:
    to: Target = kw.pop("to", "yahoo")  # type: ignore[assignment]
    frame = read_table(src)
    if frame.empty:  # as convert_file: a header alone is nothing to convert
        raise no_rows_error(src, NO_ROWS)
    try:
        table, summary = convert_table(frame, to=to, **kw)  # type: ignore[arg-type]
    except InputError as exc:
        raise InputError(exc.message, path=src, line=exc.line, column=exc.column) from exc
    write_table(table, out)
    return summary


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_path_writes_the_bytes_of_the_pandas_path(tmp_path: Path, name: str) -> None:
    text, kw = CASES[name]
    src = tmp_path / "in.csv"
    src.write_bytes(text.encode("utf-8"))
    fast, slow = tmp_path / "fast.csv", tmp_path / "slow.csv"
    assert is_small_csv(src, fast) and read_rows(src) is not None  # really the fast path
    got = convert_file(src, fast, **kw)  # type: ignore[arg-type]
    want = _pandas_path(src, slow, **dict(kw))
    assert fast.read_bytes() == slow.read_bytes()
    assert got == want
    assert src.read_bytes() == text.encode("utf-8")


@pytest.mark.parametrize(
    ("text", "kw"),
    [
        ("bloomberg_ticker,name\nAAPL US,Apple,extra\n", {}),
        ("ticker,name\nAAPL US,Apple\n", {}),
        ("bloomberg_ticker,name\nAAPL US,Apple\n", {"venue_column": "venue"}),
        ("bloomberg_ticker,bloomberg_ticker\nAAPL US,x\n", {}),
        ("", {}),
        ("bloomberg_ticker,name\n", {}),  # header only
    ],
)
def test_fast_path_gives_the_errors_of_the_pandas_path(
    tmp_path: Path, text: str, kw: dict[str, str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as fast:
        convert_file(src, tmp_path / "fast.csv", **kw)  # type: ignore[arg-type]
    with pytest.raises(InputError) as slow:
        _pandas_path(src, tmp_path / "slow.csv", **dict(kw))
    assert str(fast.value) == str(slow.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # nothing written


def test_large_gzipped_or_parquet_files_take_the_pandas_path(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text("bloomberg_ticker\n" + "AAPL US\n" * (SMALL_CSV_BYTES // 8 + 1), "utf-8")
    assert not is_small_csv(big, tmp_path / "o.csv")
    assert not is_small_csv(tmp_path / "in.csv.gz", tmp_path / "o.csv")
    small = tmp_path / "small.csv"
    small.write_text("bloomberg_ticker\nAAPL US\n", "utf-8")
    assert not is_small_csv(small, tmp_path / "o.parquet")
    assert is_small_csv(small, tmp_path / "o.csv")
    # an empty header name is renamed by pandas ("Unnamed: 1"): the rows reader declines it
    odd = tmp_path / "odd.csv"
    odd.write_text("bloomberg_ticker,,x\nAAPL US,1,2\n", "utf-8")
    assert read_rows(odd) is None
    convert_file(odd, tmp_path / "odd_out.csv")
    assert (tmp_path / "odd_out.csv").read_text("utf-8").startswith("bloomberg_ticker,Unnamed: 1")


def test_fast_path_does_not_import_pandas(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("bloomberg_ticker\nAAPL US\n7203 JP\n", encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; "
        "from tickermap.cli import app; "
        "from tickermap.tickers.symbols import convert_file; "
        f"convert_file(Path({str(src)!r}), Path({str(tmp_path / 'o.csv')!r})); "
        "heavy = sorted(m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules); "
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "o.csv").read_text("utf-8").splitlines()[1] == "AAPL US,AAPL,False,,rule"


EXIT_PROBE = """
import atexit, sys, threading, time
from pathlib import Path
out = Path(sys.argv[1])
def late():
    time.sleep(0.2)
    out.with_suffix(".thread").write_text("joined")
threading.Thread(target=late).start()
atexit.register(lambda: print("atexit ran", flush=True))
sys.argv = ["tickermap", *sys.argv[2:]]
from tickermap.cli import main
main()
print("never printed: main does not return")
"""


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--help"], 0), (["check", "/no/such.csv", "--universe", "/no/live.csv"], 3)],
)
def test_console_script_exit_keeps_code_threads_and_atexit(
    tmp_path: Path, args: list[str], code: int
) -> None:
    """``main`` skips the interpreter's teardown, not what a normal exit does."""
    marker = tmp_path / "probe.out"
    done = subprocess.run(
        [sys.executable, "-c", EXIT_PROBE, str(marker), *args], capture_output=True, text=True
    )
    assert done.returncode == code, done.stderr
    assert done.stdout.rstrip().endswith("atexit ran")
    assert "never printed" not in done.stdout
    assert marker.with_suffix(".thread").read_text() == "joined"
