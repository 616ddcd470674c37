"""The OpenFIGI emulator over real loopback HTTP (``requests`` as a plain client).

Expected answers are computed independently from the world's records (naive loops), from the
texts of openfigi-api.md §1.9, and from the recorded real exchanges in ../shared/data.
"""

from __future__ import annotations

import gzip
import http.client
import json
import time

import pytest
import requests

from tickermap.emulator.server import Emulator, Faults, Limits
from tickermap.emulator.world import World

RATE = {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy"}
HELMET = {
    "content-security-policy", "x-dns-prefetch-control", "x-download-options",
    "x-permitted-cross-domain-policies", "x-frame-options", "x-xss-protection", "referrer-policy",
    "server", "x-envoy-upstream-service-time", "x-request-id", "cross-origin-opener-policy",
}  # fmt: skip
TEXT_TYPE = "text/html; charset=utf-8"


def post(url, path, body, **kw):
    return requests.post(url + path, json=body, timeout=5, **kw)


def job(ticker, exch="US", **extra):
    return {"idType": "TICKER", "idValue": ticker, "exchCode": exch, **extra}


# -- mapping -------------------------------------------------------------------------------------


def test_mapping_matches_naive_lookup(emulator, sample_world):
    records = sample_world.records
    jobs = [job("DUAL"), job("OLDN"), job("GONE"), job("MPLX", "CN"), job("ZZZQ")]
    r = post(emulator.url, "/v3/mapping", jobs)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json; charset=utf-8"
    body = r.json()
    assert len(body) == len(jobs)
    for j, answer in zip(jobs, body, strict=True):
        want = [
            x["figi"]
            for x in records
            if x["ticker"] == j["idValue"]
            and x["exchCode"] == j["exchCode"]
            and not x.get("delisted")
        ]
        if want:
            assert sorted(row["figi"] for row in answer["data"]) == sorted(want)
        else:
            assert answer == {"warning": "No identifier found."}
    assert emulator.stats.jobs == len(jobs) and emulator.stats.requests == 1


def test_mapping_by_every_identifier(emulator, sample_world):
    rec = next(x for x in sample_world.records if x["exchCode"] == "UN" and x.get("cusips"))
    comp, share = rec["compositeFIGI"], rec["shareClassFIGI"]
    jobs = [
        {"idType": "ID_BB_GLOBAL", "idValue": rec["figi"]},
        {"idType": "COMPOSITE_ID_BB_GLOBAL", "idValue": comp},
        {"idType": "ID_BB_GLOBAL_SHARE_CLASS_LEVEL", "idValue": share},
        {"idType": "ID_ISIN", "idValue": rec["isins"][0], "exchCode": "US"},
        {"idType": "ID_CUSIP", "idValue": rec["cusips"][0]},
        {"idType": "ID_SEDOL", "idValue": "B000003"},
    ]
    body = post(emulator.url, "/v3/mapping", jobs).json()
    assert [row["figi"] for row in body[0]["data"]] == [rec["figi"]]
    same_comp = [x["figi"] for x in sample_world.records if x["compositeFIGI"] == comp]
    assert [row["figi"] for row in body[1]["data"]] == same_comp  # composite row first
    assert {row["shareClassFIGI"] for row in body[2]["data"]} == {share}
    assert [row["figi"] for row in body[3]["data"]] == [comp]
    assert {row["figi"] for row in body[4]["data"]} == set(same_comp)
    assert body[5] == {"warning": "No identifier found."}


def test_mapping_job_errors(emulator):
    jobs = [
        {"idType": "ID_BOGUS", "idValue": "AAPL"},
        {"idType": "ID_ISIN", "idValue": "US0378331004"},  # bad check digit
        {"idType": "ID_CUSIP", "idValue": "ZZZZZZZZZ"},
        {"idType": "ID_CUSIP", "idValue": "000000000"},  # valid check digit, unassigned
        {"idType": "BASE_TICKER", "idValue": "DUAL"},
        {"idType": "TICKER", "idValue": 5, "exchCode": "HK"},  # integer idValue is accepted
        {"idType": "TICKER", "idValue": "DUAL", "includeEntitlements": True},
    ]
    body = post(emulator.url, "/v3/mapping", jobs).json()
    assert body[0] == {"error": "Invalid value for idType."}
    assert body[1] == body[2] == {"error": "Invalid idValue format."}
    assert body[3] == {"warning": "No identifier found."}
    assert "securityType2" in body[4]["error"]
    assert "data" in body[5] or "warning" in body[5]
    assert body[6] == {"error": "Invalid key 'includeEntitlements'."}


def test_413_checked_first_unkeyed_and_keyed(make_emulator):
    emu = make_emulator(api_keys=["k1"], time_scale=0.001)
    bad = [{"idType": "NOPE"}] * 11
    r = post(emu.url, "/v3/mapping", bad)
    assert (r.status_code, r.text) == (413, "Request may only contain 10 mapping jobs.")
    assert r.headers["content-type"] == TEXT_TYPE and set(r.headers) >= RATE
    r = post(emu.url, "/v3/mapping", [job("DUAL")] * 101, headers={"X-OPENFIGI-APIKEY": "k1"})
    assert (r.status_code, r.text) == (413, "Request may only contain 100 mapping jobs.")
    r = post(emu.url, "/v3/mapping", [job("DUAL")] * 100, headers={"X-OPENFIGI-APIKEY": "k1"})
    assert r.status_code == 200 and len(r.json()) == 100


@pytest.mark.parametrize(
    ("method", "path", "headers", "data", "status", "text"),
    [
        ("GET", "/v3/nope", {}, None, 404, "Invalid url."),
        ("GET", "/v3/mapping", {}, None, 405, "Invalid HTTP method."),
        ("POST", "/v3/mapping/values/idType", {}, None, 405, "Invalid HTTP method."),
        ("POST", "/v3/mapping", {"X-OPENFIGI-APIKEY": "wrong"}, "[]", 401, "Invalid API key."),
        ("POST", "/v3/mapping", {"X-OPENFIGI-APIKEY": ""}, "[]", 401, "Invalid API key."),
        ("POST", "/v3/mapping", {"Content-Type": "text/plain"}, "[]", 415, None),
        ("POST", "/v3/mapping", {"Content-Type": "application/json"}, "[{", 400, "Bad request."),
        ("POST", "/v3/mapping", {"Content-Type": "application/json"}, "{}", 400, "Bad request."),
        (
            "POST",
            "/v3/mapping",
            {"Accept": "image/png", "Content-Type": "text/json"},
            "[]",
            406,
            None,
        ),
        ("GET", "/v3/mapping/values/nope", {}, None, 400, "Invalid enum field."),
    ],
)
def test_error_statuses_are_plain_text(emulator, method, path, headers, data, status, text):
    r = requests.request(method, emulator.url + path, headers=headers, data=data, timeout=5)
    assert r.status_code == status
    assert r.headers["content-type"] == TEXT_TYPE
    assert r.headers["content-length"] == str(len(r.content))
    if text is not None:
        assert r.text == text
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.text)
    assert set(r.headers) >= HELMET
    assert (set(r.headers) >= RATE) == (status not in (401, 404, 405))


# -- rate limits ---------------------------------------------------------------------------------


def _burst(url, path, body, n, headers=None):
    with requests.Session() as session:
        return [
            session.post(url + path, json=body, headers=headers or {}, timeout=5) for _ in range(n)
        ]


def test_unkeyed_window_429_and_recovery(make_emulator):
    emu = make_emulator(time_scale=0.02)  # 60 s window = 1.2 real seconds
    rs = _burst(emu.url, "/v3/mapping", [job("DUAL")], 26)
    assert [r.status_code for r in rs] == [200] * 25 + [429]
    assert [int(r.headers["ratelimit-remaining"]) for r in rs[:25]] == list(range(24, -1, -1))
    assert all(r.headers["ratelimit-policy"] == "25;w=60" for r in rs)
    assert int(rs[0].headers["ratelimit-reset"]) == 60
    last = rs[-1]
    assert last.text == "Too many requests, please try again later."
    assert last.headers["content-type"] == TEXT_TYPE
    assert last.headers["retry-after"] == last.headers["ratelimit-reset"]
    assert 0 < int(last.headers["ratelimit-reset"]) <= 60
    assert "retry-after" not in rs[0].headers
    # search/filter has its own bucket of 5
    ss = _burst(emu.url, "/v3/search", {"query": "maple"}, 6)
    assert [r.status_code for r in ss] == [200] * 5 + [429]
    assert ss[0].headers["ratelimit-policy"] == "5;w=60"
    time.sleep(int(last.headers["ratelimit-reset"]) * 0.02 + 0.05)
    r = post(emu.url, "/v3/mapping", [job("DUAL")])
    assert r.status_code == 200 and r.headers["ratelimit-remaining"] == "24"
    assert emu.stats.http_429 == 2 and emu.stats.by_status[429] == 2


def test_keyed_limits_and_separate_identities(make_emulator):
    emu = make_emulator(api_keys=["k1", "k2"], time_scale=0.2, retry_after_mode="window")
    k1, k2 = {"X-OPENFIGI-APIKEY": "k1"}, {"X-OPENFIGI-APIKEY": "k2"}
    rs = _burst(emu.url, "/v3/mapping", [job("DUAL")], 26, k1)
    assert [r.status_code for r in rs] == [200] * 25 + [429]
    assert rs[0].headers["ratelimit-policy"] == "25;w=6" and rs[0].headers["ratelimit-reset"] == "6"
    assert rs[-1].headers["retry-after"] == "6"  # "window" mode: the full window
    assert post(emu.url, "/v3/mapping", [job("DUAL")], headers=k2).status_code == 200
    assert post(emu.url, "/v3/mapping", [job("DUAL")]).headers["ratelimit-remaining"] == "24"
    ss = _burst(emu.url, "/v3/filter", {"exchCode": "US"}, 21, k2)
    assert [r.status_code for r in ss] == [200] * 20 + [429]
    assert all(keyed for *_, keyed in emu.stats.log[:26])


def test_custom_limits_and_no_policy_header(make_emulator):
    emu = make_emulator(unkeyed=Limits(3, 60.0, 2, 1, 60.0), policy_header=False, time_scale=0.05)
    assert post(emu.url, "/v3/mapping", [job("A")] * 3).text.endswith("contain 2 mapping jobs.")
    rs = _burst(emu.url, "/v3/mapping", [job("A")], 3)
    assert [r.status_code for r in rs] == [200, 200, 429]
    assert all("ratelimit-policy" not in r.headers for r in rs)


def test_reset_clears_windows_and_counters(make_emulator):
    emu = make_emulator(time_scale=0.05)
    rs = _burst(emu.url, "/v3/search", {"query": "maple"}, 6)
    assert rs[-1].status_code == 429 and emu.stats.requests == 6
    emu.reset()
    assert emu.stats.requests == 0 and emu.stats.log == [] and emu.stats.by_status == {}
    assert post(emu.url, "/v3/search", {"query": "maple"}).status_code == 200


# -- search, filter, values ----------------------------------------------------------------------


def _walk(url, path, body):
    pages, start = [], None
    while True:
        r = post(url, path, {**body, **({"start": start} if start else {})})
        assert r.status_code == 200
        pages.append(r.json())
        start = pages[-1].get("next")
        if start is None:
            return pages


def test_filter_paging_to_the_end(make_emulator, sample_world):
    emu = make_emulator(time_scale=0.0001)
    pages = _walk(emu.url, "/v3/filter", {"marketSecDes": "Equity"})
    listed = sorted(x["figi"] for x in sample_world.records if not x.get("delisted"))
    got = [row["figi"] for p in pages for row in p["data"]]
    assert got == listed
    assert [len(p["data"]) for p in pages[:-1]] == [100] * (len(pages) - 1)
    assert all(p["total"] == len(listed) for p in pages)
    assert "next" not in pages[-1] and len(pages) == -(-len(listed) // 100)


def test_search_paging_has_no_total_and_cursor_is_signed(make_emulator, sample_world):
    big = World.from_records(
        [
            {"figi": f"F{n:04d}", "name": f"ACME {n}", "ticker": f"A{n}", "exchCode": "US"}
            for n in range(250)
        ]
    )
    emu = make_emulator(big, time_scale=0.0001)
    pages = _walk(emu.url, "/v3/search", {"query": "acme"})
    assert [len(p["data"]) for p in pages] == [100, 100, 50]
    assert all("total" not in p for p in pages)
    first = post(emu.url, "/v3/search", {"query": "acme"}).json()["next"]
    forged = first[:-3] + ("A" if first[-3] != "A" else "B") + first[-2:]
    assert "error" in post(emu.url, "/v3/search", {"query": "acme", "start": forged}).json()
    other = post(emu.url, "/v3/search", {"query": "acme 1", "start": first}).json()
    assert "error" in other  # a cursor is bound to its query
    assert post(emu.url, "/v3/filter", {"exchCode": "LN"}).json() == {"data": [], "total": 0}
    assert post(emu.url, "/v3/search", {"query": "nothing"}).json() == {"data": []}


def test_search_errors_are_200_with_error(emulator):
    r = post(emulator.url, "/v3/filter", {"exchCode": "US", "includeEntitlements": True})
    assert r.status_code == 200 and r.json() == {"error": "Invalid key 'includeEntitlements'."}
    assert "error" in post(emulator.url, "/v3/search", {"exchCode": "US"}).json()
    assert post(emulator.url, "/v3/search", [1]).status_code == 400


def test_values_endpoint(emulator, sample_world):
    r = requests.get(emulator.url + "/v3/mapping/values/exchCode", timeout=5)
    assert r.status_code == 200 and set(r.headers) >= RATE
    assert set(r.json()["values"]) == {x["exchCode"] for x in sample_world.records}
    id_types = requests.get(emulator.url + "/v3/mapping/values/idType", timeout=5).json()["values"]
    assert len(id_types) == 28 and "TICKER" in id_types and "ID_DUTCH" not in id_types
    assert r.headers["ratelimit-remaining"] == "24"  # the mapping bucket


def test_gzip_only_when_asked_and_large(emulator):
    body = [job(t) for t in ("DUAL", "MPLX", "NEWN", "RUSE", "OLDN")]
    conn = http.client.HTTPConnection(emulator.url.removeprefix("http://"), timeout=5)
    payload = json.dumps(body)
    heads = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    conn.request("POST", "/v3/mapping", payload, heads)
    r = conn.getresponse()
    raw = r.read()
    assert (
        r.getheader("content-encoding") == "gzip" and r.getheader("transfer-encoding") == "chunked"
    )
    assert json.loads(gzip.decompress(raw)) == post(emulator.url, "/v3/mapping", body).json()
    conn.request("POST", "/v3/mapping", payload, {"Content-Type": "application/json"})  # keep-alive
    r2 = conn.getresponse()
    assert r2.getheader("content-encoding") is None and json.loads(r2.read())
    conn.close()


# -- faults --------------------------------------------------------------------------------------


def test_forced_faults_each_kind(make_emulator):
    force = {1: "429", 3: "500", 4: "503", 5: "drop", 6: "truncate", 7: "misalign",
             8: "item_error", 9: "slow"}  # fmt: skip
    emu = make_emulator(time_scale=0.001, faults=Faults(force=force, slow_seconds=0.3))
    jobs = [job("DUAL"), job("MPLX"), job("NEWN")]
    results = {}
    session = requests.Session()
    for n in range(1, 10):
        try:
            results[n] = session.post(emu.url + "/v3/mapping", json=jobs, timeout=5)
        except requests.RequestException as exc:
            results[n] = type(exc).__name__
            session = requests.Session()
        if n == 2:
            time.sleep(0.08)  # let the burst's 60 ms (emulated 60 s) window pass
    first = results[1]
    assert first.status_code == 429 and first.headers["ratelimit-remaining"] == "0"
    assert first.text == "Too many requests, please try again later."
    assert first.headers["retry-after"] == first.headers["ratelimit-reset"]
    assert results[2].status_code == 429  # a burst: the window stays used up
    assert (results[3].status_code, results[3].text) == (500, "Internal server error.")
    assert (results[4].status_code, results[4].text) == (503, "Service Unavailable.")
    assert results[5] == "ConnectionError"
    assert results[6] in ("ChunkedEncodingError", "ConnectionError")
    assert results[7].status_code == 200 and len(results[7].json()) != len(jobs)
    item = results[8].json()
    assert len(item) == len(jobs) and set(item[0]) == {"error"}
    assert item[0]["error"] not in ("Invalid idValue format.", "Invalid value for idType.")
    assert results[9].elapsed.total_seconds() >= 0.3 and len(results[9].json()) == len(jobs)
    assert emu.stats.by_status[0] == 1 and emu.stats.faults_injected == 8


def test_search_faults(make_emulator):
    emu = make_emulator(time_scale=0.001, faults=Faults(force={1: "item_error", 2: "misalign"}))
    for _ in range(2):
        r = post(emu.url, "/v3/filter", {"exchCode": "US"})
        assert r.status_code == 200 and set(r.json()) == {"error"}
    assert "data" in post(emu.url, "/v3/filter", {"exchCode": "US"}).json()


def test_fault_rate_is_seeded_and_reproducible(make_emulator):
    kinds = ("500", "503", "misalign", "item_error")

    def run():
        emu = make_emulator(
            time_scale=0.0001,
            faults=Faults(rate=0.4, kinds=kinds, seed=11),
            unkeyed=Limits(1000, 60.0, 10, 5, 60.0),
        )
        out = [post(emu.url, "/v3/mapping", [job("DUAL")]) for _ in range(30)]
        return [(r.status_code, len(r.json()) if r.status_code == 200 else 0) for r in out], emu

    first, emu1 = run()
    second, _ = run()
    assert first == second
    faulty = sum(s != 200 or n != 1 for s, n in first)
    assert 0 < emu1.stats.faults_injected <= 30 and faulty <= emu1.stats.faults_injected
    with pytest.raises(ValueError, match="unknown fault"):
        Faults(kinds=("explode",))


# -- recorded real exchanges ---------------------------------------------------------------------

VOLATILE = {"date", "x-request-id", "x-envoy-upstream-service-time"}


def _records(body):
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return body["data"]
    if isinstance(body, list):
        return [row for item in body for row in item.get("data", [])]
    return []


def test_against_every_recorded_exchange(shared_data, make_emulator):
    files = sorted((shared_data / "openfigi_recorded").glob("*.json"))
    if not files:
        pytest.skip("no recorded exchanges")
    for path in files:
        rec = json.loads(path.read_text(encoding="utf-8"))
        req, resp = rec["request"], rec["response"]
        want = resp.get("bodyJson", resp.get("bodyText"))
        # Unscaled: a time-scaled emulator adds its tickermap-time-scale header (one request
        # per fresh emulator here, so real-time windows cost nothing).
        emu = make_emulator(World.from_records(_records(want)))
        route = req["url"].split("api.openfigi.com", 1)[1]
        data = json.dumps(req["bodyJson"]) if "bodyJson" in req else None
        r = requests.request(
            req["method"],
            emu.url + route,
            headers={**req["headers"], "Accept-Encoding": "identity"},
            data=data,
            timeout=5,
        )
        assert r.status_code == resp["status"], path.name
        assert {k.lower() for k in r.headers} == {k.lower() for k in resp["headers"]}, path.name
        for name in ("content-type", "ratelimit-limit", "ratelimit-policy", "server", "vary"):
            assert r.headers.get(name) == resp["headers"].get(name), (path.name, name)
        if "bodyText" in resp:
            assert r.text == want, path.name
            continue
        got = r.json()
        if isinstance(want, list) or "values" in want:
            assert got == want, path.name
        else:  # one page of a longer real listing: same rows, same shape (no next: world is 1 page)
            assert got["data"] == want["data"], path.name
            assert set(got) | {"next"} == set(want), path.name


# -- CLI -----------------------------------------------------------------------------------------


def test_cli_refuses_non_loopback_host():
    from typer.testing import CliRunner

    from tickermap.cli import app

    result = CliRunner().invoke(app, ["emulator", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2 and "--allow-remote" in result.output


def test_cli_rejects_bad_world_file(tmp_path):
    from typer.testing import CliRunner

    from tickermap.cli import app

    bad = tmp_path / "world.json"
    bad.write_text("{nope", encoding="utf-8")
    result = CliRunner().invoke(app, ["emulator", "--world", str(bad), "--port", "0"])
    flat = "".join(result.output.split())
    assert result.exit_code == 3 and "world.json" in flat and "notvalidJSON" in flat


def test_handler_class_is_a_public_seam(sample_world):
    seen: list[str] = []

    class Recording(Emulator.handler_class):
        def do_GET(self) -> None:
            seen.append(self.path)
            super().do_GET()

        do_POST = do_GET

    class RecordingEmulator(Emulator):
        handler_class = Recording

    with RecordingEmulator(sample_world, time_scale=0.001) as emu:
        assert post(emu.url, "/v3/mapping", [job("DUAL")]).status_code == 200
    assert seen == ["/v3/mapping"]
    assert Emulator.handler_class.disable_nagle_algorithm
