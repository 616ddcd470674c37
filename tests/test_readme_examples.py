"""Every README example runs as written, in order, from a fresh copy of the repository.

Conventions (for whoever writes README examples):

- **What runs.** ```` ```console ```` blocks: a line starting with ``$ `` is a command (a line
  ending in ``\\`` continues on the next one); the lines after it, up to the next ``$ ``, are its
  shown output. ```` ```python ```` blocks run too (``python -`` in the same session); a
  ```` ```text ```` block right after one is its shown output. Other blocks never run, so a usage
  synopsis goes in ```` ```text ````, and a plain block must not hold ``$ `` lines (checked).
- **One session.** All examples run in order in ONE bash session (variables, ``export`` and
  ``cd`` carry over), in a temporary copy of the git-tracked files, with this interpreter's
  ``bin`` first on ``PATH`` (its ``tickermap`` and ``python``), ``TICKERMAP_CACHE_DIR`` in the
  temporary folder and ``TICKERMAP_OPENFIGI_URL`` pointing at a closed loopback port, so an
  example never reaches the real OpenFIGI. ``../shared/data`` resolves to the real shared folder
  when there is one. No heredocs in console blocks (write files with ``printf``).
- **Skipped.** Installing and the test suite (a command with ``pip install``, ``python -m
  venv`` or running ``pytest``). Commands naming ``../shared/data`` when it is absent, and every
  example of a block preceded by ``<!-- readme-test: needs shared data -->``. Blocks preceded by
  ``<!-- readme-test: skip (why) -->`` (e.g. a benchmark that writes gigabytes).
- **Servers.** A command ending in ``&`` runs in the background; when it names a port
  (``--port N``, ``http.server N``) the runner waits until the port accepts connections. Every
  background process is killed at the end. A server never runs in the foreground (checked).
  Loopback ports (``--port N``, ``127.0.0.1:N``, ``http.server N``) are replaced by free ports
  chosen at run time, one README port always by the same free port: give each server its own
  port.
- **Pass.** Exit status 0; non-zero when the shown output has a line starting with ``Error:``;
  exactly N when the next command is ``echo $?`` showing N.
- **Shown output, loosely.** The first shown line that is not ``...``, a table line, blank or an
  absolute path must appear in the output (stdout and stderr), whitespace collapsed and
  durations (``0.44s``, ``7 ms``) masked.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHARED = ROOT.parent / "shared"

_FENCE = re.compile(r"^(\s*)```\s*([\w-]*)\s*$")
_MARKER = re.compile(r"<!--\s*readme-test:\s*(.*?)\s*-->")
_SETUP = re.compile(r"\bpip install\b|\bpython3? -m venv\b|(^|&&|;|\|)\s*pytest\b")
_SERVER = re.compile(r"\btickermap emulator\b|\bhttp\.server\b")
_PORT_PATTERNS = (
    r"(?<=--port )(\d{2,5})\b",
    r"(?<=--port=)(\d{2,5})\b",
    r"(?<=127\.0\.0\.1:)(\d{2,5})\b",
    r"(?<=localhost:)(\d{2,5})\b",
    r"(?<=http\.server )(\d{2,5})\b",
)
_BOX = re.compile(r"[┏┃│└┡━┌─╇┗┓┛┳┻╋┣┫]")
_DURATION = re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s)\b")


@dataclass
class Example:
    """One command (or python block) of the README, with what the README shows after it."""

    line: int
    kind: str  # "shell" or "python"
    code: str
    shown: list[str] = field(default_factory=list)
    flags: str = ""  # the readme-test marker of its block
    skip: str = ""  # why it does not run, or ""
    expect_rc: int | None = 0  # None: any non-zero

    @property
    def background(self) -> bool:
        return self.kind == "shell" and self.code.rstrip().endswith("&")


@dataclass
class Block:
    line: int
    lang: str
    lines: list[str]
    marker: str


def _blocks(text: str) -> Iterator[Block]:
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        indent, lang, start = len(m.group(1)), m.group(2), i
        body: list[str] = []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            keep = not indent or lines[i][:indent].isspace()  # list items indent their blocks
            body.append(lines[i][indent:] if keep else lines[i].lstrip())
            i += 1
        before = next((ln for ln in reversed(lines[:start]) if ln.strip()), "")
        marker = _MARKER.search(before)
        yield Block(start + 1, lang, body, marker.group(1) if marker else "")
        i += 1


def _console(block: Block) -> Iterator[Example]:
    current: Example | None = None
    lines = iter(enumerate(block.lines))
    for n, text in lines:
        if text.startswith("$ "):
            if current is not None:
                yield current
            code = text[2:]
            while code.endswith("\\"):
                _, more = next(lines, (0, ""))
                code += "\n" + more
            current = Example(block.line + n + 1, "shell", code, flags=block.marker)
        elif current is not None:
            current.shown.append(text)
    if current is not None:
        yield current


def parse_readme(text: str) -> list[Example]:
    """The README's examples in order (see the module doc for the rules)."""
    examples: list[Example] = []
    blocks = list(_blocks(text))
    for k, block in enumerate(blocks):
        if block.lang == "console":
            examples.extend(_console(block))
        elif block.lang == "python":
            nxt = blocks[k + 1] if k + 1 < len(blocks) else None
            end = block.line + len(block.lines) + 1  # the line after the closing fence
            between = text.splitlines()[end : nxt.line - 1] if nxt else []
            follows = nxt is not None and nxt.lang == "text" and not any(map(str.strip, between))
            shown = nxt.lines if nxt is not None and follows else []
            code = "\n".join(block.lines)
            examples.append(Example(block.line, "python", code, shown, flags=block.marker))
    for i, ex in enumerate(examples):
        if any(s.startswith("Error:") for s in ex.shown):
            ex.expect_rc = None
        nxt_ex = examples[i + 1] if i + 1 < len(examples) else None
        if nxt_ex is not None and nxt_ex.code.strip() == "echo $?" and nxt_ex.shown:
            ex.expect_rc = int(nxt_ex.shown[0].strip())
    return examples


def _decide_skips(examples: list[Example], have_shared: bool) -> None:
    for ex in examples:
        if ex.flags.startswith("skip"):
            ex.skip = f"marked: {ex.flags}"
        elif ex.kind == "shell" and _SETUP.search(ex.code):
            ex.skip = "installation or test suite"
        elif not have_shared and ("../shared/data" in ex.code or "shared data" in ex.flags):
            ex.skip = "../shared/data is absent"


def _free_ports(examples: list[Example]) -> dict[str, str]:
    found: list[str] = []
    for ex in examples:
        for pattern in _PORT_PATTERNS:
            found += [p for p in re.findall(pattern, ex.code) if p != "0" and p not in found]
    socks, mapping = [], {}
    for port in found:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        mapping[port] = str(s.getsockname()[1])
    for s in socks:
        s.close()
    return mapping


def _remap(text: str, ports: dict[str, str]) -> str:
    for pattern in _PORT_PATTERNS:
        text = re.sub(pattern, lambda m: ports.get(m.group(1), m.group(1)), text)
    return text


def _wait_port(code: str) -> str:
    port = next((m.group(1) for p in _PORT_PATTERNS for m in [re.search(p, code)] if m), None)
    if port is None:
        return ""
    return (
        f"for __i in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; "
        "sleep 0.1; done\n"
    )


def build_script(examples: list[Example], out: Path) -> str:
    """One bash script running every example in order, recording output and status."""
    parts = [
        "set -m\nexec </dev/null\n__rc=0\n: >" + str(out / "pids") + "\n",
        f"trap 'for p in $(cat \"{out}/pids\"); do kill -- -$p 2>/dev/null; done' EXIT\n",
    ]
    for i, ex in enumerate(examples):
        if ex.skip:
            continue
        log = f'"{out}/{i}.out"'
        parts.append(f"# README line {ex.line}\n__t0=$(date +%s%N)\n(exit $__rc)\n")
        if ex.kind == "python":
            body = f"python - <<'__README_PY_EOF'\n{ex.code}\n__README_PY_EOF\n"
            parts.append(f"{{ {body}}} >{log} 2>&1\n__rc=$?\n")
        elif ex.background:
            code = ex.code.rstrip()[:-1]
            parts.append(f'{{ {code}\n}} >{log} 2>&1 &\necho $! >>"{out}/pids"\n')
            parts.append(_wait_port(ex.code) + "__rc=0\n")
        else:
            parts.append(f"{{ {ex.code}\n}} >{log} 2>&1\n__rc=$?\n")
        parts.append(f'echo $__rc >"{out}/{i}.rc"\n')
        parts.append(f'echo $(( ($(date +%s%N) - __t0) / 1000000 )) >"{out}/{i}.ms"\n')
    return "".join(parts)


def _normal(text: str) -> str:
    return " ".join(_DURATION.sub("<t>", text).split())


def _comparable(shown: list[str]) -> list[str]:
    """The shown lines checked against the output: all but blanks, table borders, paths or
    placeholders and ``(...)`` asides; table rows by their cells (the examples run at the
    README's 120 columns); a line cut with ``...`` is checked up to the cut."""
    lines = []
    for line in shown:
        s = _unboxed(line).strip().split("...")[0].rstrip().removesuffix("(").rstrip()
        if s and not s.startswith(("/", "<", "(")):
            lines.append(s)
    return lines


def _unboxed(text: str) -> str:
    """Table rows as their cells: box-drawing characters become spaces (borders vanish)."""
    return _BOX.sub(" ", text)


def check(ex: Example, i: int, out: Path, ports: dict[str, str]) -> str | None:
    """Why the example failed, or None."""
    rc_file = out / f"{i}.rc"
    if not rc_file.exists():
        return "did not run (the session stopped before it)"
    rc = int(rc_file.read_text().strip())
    got = (out / f"{i}.out").read_text(encoding="utf-8", errors="replace")
    tail = "\n".join(got.splitlines()[-12:])
    if ex.expect_rc is None and rc == 0:
        return f"exit 0, but the README shows an Error:\n{tail}"
    if ex.expect_rc is not None and rc != ex.expect_rc:
        return f"exit {rc}, expected {ex.expect_rc}:\n{tail}"
    if ex.background:
        return None
    text, at = _normal(_unboxed(got)), 0
    for want in _comparable(ex.shown):  # every shown line, in the README's order
        found = text.find(_normal(_remap(want, ports)), at)
        if found < 0:
            return f"the output lacks the README's line {want!r}:\n{tail}"
        at = found
    return None


def run_examples(
    examples: list[Example], cwd: Path, env: dict[str, str], out: Path, ports: dict[str, str]
) -> list[str]:
    """Run the examples in one bash session; the failures, each with its README line."""
    script = out / "readme.sh"
    script.write_text(build_script(examples, out), encoding="utf-8")
    try:
        subprocess.run(["bash", str(script)], cwd=cwd, env=env, timeout=900, check=False)
    finally:
        _kill_groups(out / "pids")
    return [
        f"README line {ex.line}: $ {ex.code.splitlines()[0]}\n  {why}"
        for i, ex in enumerate(examples)
        if not ex.skip and (why := check(ex, i, out, ports)) is not None
    ]


def _copy_tracked(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        src = ROOT / os.fsdecode(name)
        if src.is_file():
            target = dest / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def _kill_groups(pids: Path) -> None:
    if not pids.exists():
        return
    for pid in pids.read_text().split():
        try:
            os.killpg(int(pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError, ValueError):
            continue


def test_readme_follows_the_conventions() -> None:
    text = README.read_text(encoding="utf-8")
    problems = []
    for block in _blocks(text):
        if block.lang not in ("console", "python") and any(
            ln.startswith("$ ") for ln in block.lines
        ):
            problems.append(
                f"README line {block.line}: a ```{block.lang} block with $ commands; use "
                "```console (run by this test) or write the synopsis without $"
            )
    for ex in parse_readme(text):
        if ex.kind == "shell" and _SERVER.search(ex.code) and not ex.background:
            problems.append(f"README line {ex.line}: a server in the foreground: end it with &")
        if ex.kind == "shell" and "<<" in ex.code:
            problems.append(f"README line {ex.line}: no heredocs in console blocks")
    assert not problems, "\n".join(problems)


def test_parser_reads_commands_outputs_and_expectations() -> None:
    text = (
        "<!-- readme-test: skip (slow) -->\n```console\n$ slow\n```\n"
        "```console\n$ a \\\n  --x\nout 1\n$ false\nError: bad\n$ tickermap check x\n"
        "$ echo $?\n10\n```\n```python\nprint(1)\n```\n\n```text\n1\n```\n"
    )
    ex = parse_readme(text)
    assert [e.code for e in ex] == ["slow", "a \\\n  --x", "false", "tickermap check x",
                                    "echo $?", "print(1)"]  # fmt: skip
    assert ex[0].flags.startswith("skip") and ex[1].shown == ["out 1"]
    assert [e.expect_rc for e in ex] == [0, 0, None, 10, 0, 0]
    assert ex[5].kind == "python" and ex[5].shown == ["1"]
    _decide_skips(ex, have_shared=False)
    assert [bool(e.skip) for e in ex] == [True, False, False, False, False, False]
    assert _remap("--port 8765 http://127.0.0.1:8765/x", {"8765": "41000"}) == (
        "--port 41000 http://127.0.0.1:41000/x"
    )
    assert _normal("done in 0.44s,  7 ms") == "done in <t>, <t>"


def _port_closes(port: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return True
        time.sleep(0.1)
    return False


def test_runner_catches_failures_and_runs_servers(tmp_path: Path) -> None:
    text = (
        "```console\n$ X=1; export Y=2\n$ echo $X$Y\n12\n$ false\n$ true\nError: no\n"
        "$ echo hi\nbye\n$ (exit 3)\n$ echo $?\n3\n$ (exit 4)\n$ echo $?\n3\n"
        "$ python -m http.server 8701 --bind 127.0.0.1 &\n"
        "$ python -c \"import urllib.request as u; print(u.urlopen('http://127.0.0.1:8701/').status)\"\n"
        "200\n$ pip install nothing-at-all\n```\n"
        "```python\nimport os\nprint(os.environ['Y'])\n```\n\n```text\n2\n```\n"
    )
    examples = parse_readme(text)
    _decide_skips(examples, have_shared=False)
    ports = _free_ports(examples)
    assert set(ports) == {"8701"} and ports["8701"] != "8701"
    for ex in examples:
        ex.code = _remap(ex.code, ports)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    failures = run_examples(examples, tmp_path, env, tmp_path, ports)
    lines = [f.split(":")[0] for f in failures]
    assert lines == [f"README line {n}" for n in (5, 6, 8, 13, 14)], failures
    assert "exit 1, expected 0" in failures[0] and "shows an Error" in failures[1]
    assert "lacks the README's line 'bye'" in failures[2] and "exit 4, expected 3" in failures[3]
    assert "lacks the README's line '3'" in failures[4]
    assert examples[-2].skip  # pip install
    assert _port_closes(int(ports["8701"]))  # the background server was killed


def test_every_readme_example_runs_as_written(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: cannot make a fresh copy of the tracked files")
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "tickermap").exists():
        pytest.skip(f"no tickermap script beside {sys.executable}")
    repo, out = tmp_path / "repo", tmp_path / "out"
    out.mkdir()
    _copy_tracked(repo)
    have_shared = (SHARED / "data").is_dir()
    if have_shared:
        (tmp_path / "shared").symlink_to(SHARED, target_is_directory=True)
    examples = parse_readme(README.read_text(encoding="utf-8"))
    _decide_skips(examples, have_shared)
    ports = _free_ports(examples)
    for ex in examples:
        ex.code = _remap(ex.code, ports)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKERMAP_")}
    env.pop("OPENFIGI_API_KEY", None)
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        TICKERMAP_CACHE_DIR=str(tmp_path / "cache"),
        TICKERMAP_OPENFIGI_URL="http://127.0.0.1:9",  # discard port: never the real API
        XDG_CACHE_HOME=str(tmp_path / "xdg"),
        MPLBACKEND="Agg",
        COLUMNS="120",
    )
    failures = run_examples(examples, repo, env, out, ports)
    ran = sum(not ex.skip for ex in examples)
    assert ran >= 30, f"only {ran} README examples ran"
    assert not failures, f"{len(failures)} of {ran} README examples failed:\n\n" + "\n\n".join(
        failures
    )


def test_every_shown_line_is_checked_in_order(tmp_path: Path) -> None:
    """A stale line after a correct first line fails; cut lines and asides do not."""
    text = (
        "```console\n$ printf 'a\\nb 1\\nc\\n'\na\n(... then more ...)\nb 2\n"
        "$ printf 'x\\ny long line\\nz\\n'\nx\ny lo...\nz\n$ printf 'p\\nq\\n'\nq\np\n```\n"
    )
    examples = parse_readme(text)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    failures = run_examples(examples, tmp_path, env, tmp_path, {})
    assert [f.split(":")[0] for f in failures] == ["README line 2", "README line 10"], failures
    assert "lacks the README's line 'b 2'" in failures[0]
    assert "lacks the README's line 'p'" in failures[1]  # shown out of order
