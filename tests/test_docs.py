"""The documentation: README.md and docs/*.md name only make targets, repository paths and sections that
exist, the README fits on a page and links every docs page, and no file refers to the article folder that
used to sit beside the repository (the articles are cited by title)."""

from __future__ import annotations

import fnmatch
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_MAX_LINES = 200
# Generated (git-ignored) trees: the docs may name files in them that a fresh clone does not have yet.
GENERATED = ("build/", "models/", "results/", "tests/output/", ".venv/", ".rasa/")
# A bare file name ("speedups.py", "config.yml") is checked when it ends in one of these.
FILE_EXTENSIONS = {"py", "yml", "yaml", "md", "txt", "toml", "json", "js", "html", "css", "png", "sh", "conf"}
PATH_CHARACTERS = re.compile(r"[A-Za-z0-9_.*/-]+")
EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,7}$")
URL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
FENCE = re.compile(r"^(```|~~~)")
SHELL_FENCES = {"bash", "sh", "shell", "console", "zsh"}
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MAKE_COMMAND = re.compile(r"(?:^|[\s;&|(])make((?:\s+[^\s;&|#)]+)+)")
MAKE_TARGET = re.compile(r"[a-z][a-z0-9_.-]*")
LEADING = "\"'([{"
TRAILING = "\"'()[]{},;:.!?"


def documents() -> list[Path]:
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def repository_files() -> tuple[str, ...]:
    """Tracked files and new ones not ignored: what a commit of the working tree would hold."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return tuple(name for name in listed if (ROOT / name).is_file())


@cache
def top_level_names() -> frozenset[str]:
    return frozenset(name.split("/")[0] for name in repository_files()) | {prefix.rstrip("/") for prefix in GENERATED}


def split_code(text: str, commands_only: bool = False) -> tuple[list[str], list[str]]:
    """The document's code (fenced blocks and inline spans) and its prose, separately. With
    `commands_only`, fenced blocks count only when they hold shell commands (```bash, ```sh, ...), not
    text such as an example conversation ("please make an appointment")."""
    code, prose, fence = [], [], None
    for line in text.splitlines():
        if opening := FENCE.match(line.strip()):
            fence = None if fence is not None else line.strip()[len(opening.group(1)) :].strip().lower()
        elif fence is not None:
            if not commands_only or fence in SHELL_FENCES:
                code.append(line)
        else:
            code.extend(match.group(2) for match in INLINE_CODE.finditer(line))
            prose.append(INLINE_CODE.sub(" ", line))
    return code, prose


def make_targets_named(text: str) -> set[str]:
    """The target of each `make ...` command in the document's inline code and shell blocks (its first
    word that is neither a variable assignment nor an option: `make bench COMPARE_ARGS=--reuse-models`,
    `make -j2 test`; shell comments are skipped)."""
    code, _ = split_code(text, commands_only=True)
    targets = set()
    for snippet in code:
        for command in MAKE_COMMAND.finditer(re.sub(r"(^|\s)#.*", "", snippet)):
            words = [word for word in command.group(1).split() if "=" not in word and not word.startswith("-")]
            if words and MAKE_TARGET.fullmatch(words[0]):
                targets.add(words[0])
    return targets


def makefile_targets() -> set[str]:
    """Rule names in the Makefile; variable assignments (`:=`, `?=`, `=`) and rules named by a variable
    (`$(MODEL): ...`) are not targets one can type."""
    targets = set()
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith(("\t", "#", " ")):
            continue
        rule = re.match(r"^([^:=#]+?)\s*::?(?!=)", line)
        if rule and "=" not in rule.group(1):
            targets.update(name for name in rule.group(1).split() if "$" not in name and not name.startswith("."))
    return targets


def path_candidates_in_code(snippet: str) -> set[str]:
    """Words of a code snippet that look like repository paths: `actions/triage.py`, `data/nlu/`,
    `config.yml`. URLs, absolute paths, host names, placeholders (`topic/<id>`), dotted Python names
    (`components.lock_store.AtomicRedisLockStore`) and words like `greet/help/goodbye` are not."""
    found = set()
    for word in re.split(r"[\s,;()\"'=|]+", snippet):
        word = word.lstrip(LEADING).rstrip(TRAILING)
        if not word or URL.match(word) or word.startswith(("/", "~")) or not PATH_CHARACTERS.fullmatch(word):
            continue
        if "/" in word:
            first = word.split("/")[0]
            known_root = first in top_level_names()
            looks_like_file = bool(EXTENSION.search(word)) or word.endswith("/")
            host_name = "." in first.lstrip(".") and not known_root
            if first and not host_name and (known_root or looks_like_file):
                found.add(word)
        elif (match := EXTENSION.search(word)) and match.group(0)[1:].lower() in FILE_EXTENSIONS:
            found.add(word)
    return found


def links(document: Path, text: str) -> set[tuple[str, str]]:
    """Markdown links and images to files, as (repository path, anchor); they are relative to the
    document. Links outside the repository keep their text, so that they are reported."""
    _, prose = split_code(text)
    found = set()
    for target in LINK.findall("\n".join(prose)):
        target, _, anchor = target.partition("#")
        target = target.split("?")[0]
        if URL.match(target) or target.startswith("/"):
            continue
        if not target:  # a link within the document
            found.add((relative(document), anchor))
            continue
        resolved = (document.parent / target).resolve()
        try:
            found.add((resolved.relative_to(ROOT).as_posix() + ("/" if target.endswith("/") else ""), anchor))
        except ValueError:
            found.add((target, anchor))
    return found


def link_targets(document: Path, text: str) -> set[str]:
    return {path for path, _ in links(document, text)}


def heading_anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens."""
    _, prose = split_code(page.read_text(encoding="utf-8"))
    anchors, seen = set(), {}
    for line in prose:
        if heading := re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line):
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
            seen[slug] = seen.get(slug, 0) + 1
    return anchors


def paths_named(document: Path) -> set[str]:
    text = document.read_text(encoding="utf-8")
    code, _ = split_code(text)
    named = set().union(*(path_candidates_in_code(snippet) for snippet in code)) if code else set()
    return named | link_targets(document, text)


def is_generated(path: str) -> bool:
    if path.startswith(GENERATED) or "node_modules" in path.split("/"):
        return True
    ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT, check=False)
    return ignored.returncode == 0


def exists(path: str) -> bool:
    files = repository_files()
    if "/" not in path:  # a bare file name: some file of the repository has it
        return any(fnmatch.fnmatch(name.rsplit("/", 1)[-1], path) for name in files)
    if path.endswith("/"):
        return any(name.startswith(path) for name in files) or (ROOT / path).is_dir()
    if "*" in path:
        return any(fnmatch.fnmatch(name, path) for name in files)
    return path in files or (ROOT / path).exists()


@pytest.mark.parametrize("document", documents(), ids=relative)
def test_every_make_target_named_exists(document):
    named = make_targets_named(document.read_text(encoding="utf-8"))
    missing = sorted(named - makefile_targets())
    print(f"{relative(document)}: make targets named {sorted(named)}; not in the Makefile: {missing}")
    assert not missing, f"{relative(document)} names make targets the Makefile lacks: {missing}"


@pytest.mark.parametrize("document", documents(), ids=relative)
def test_every_repository_path_named_exists(document):
    named = paths_named(document)
    absent = sorted(path for path in named if not exists(path))
    generated = [path for path in absent if is_generated(path)]
    missing = [path for path in absent if path not in generated]
    print(
        f"{relative(document)}: {len(named)} paths checked; generated, not checked: {generated}; not found: {missing}"
    )
    assert not missing, f"{relative(document)} names paths that are not in the repository: {missing}"


@pytest.mark.parametrize("document", documents(), ids=relative)
def test_every_link_to_a_section_finds_it(document):
    broken = sorted(
        f"{path}#{anchor}"
        for path, anchor in links(document, document.read_text(encoding="utf-8"))
        if anchor and path.endswith(".md") and (ROOT / path).is_file() and anchor not in heading_anchors(ROOT / path)
    )
    assert not broken, f"{relative(document)} links to sections that do not exist: {broken}"


def test_the_extraction_finds_targets_and_paths_and_skips_the_rest():
    text = """
Run `make chat CONVERSATION_ID=me` or `make bench COMPARE_ARGS=--reuse-models`; make sure it works.
```bash
make -j2 test-unit lint  # comment
export X=1; make scale-out &
```
```text
bot: please make an appointment with your doctor.
```
See `actions/triage.py`, `data/nlu/`, `config.yml`, [the page](docs/slack.md#setup), `topic/<id>`,
`https://helm.rasa.com`, `/usr/bin/chromium`, `components.lock_store.AtomicRedisLockStore`,
`nginx.ingress.kubernetes.io/affinity: cookie`, `greet/help/goodbye`, `json.tool`, `localhost:5005/x`.
"""
    assert make_targets_named(text) == {"chat", "bench", "test-unit", "scale-out"}
    code, _ = split_code(text)
    named = set().union(*(path_candidates_in_code(snippet) for snippet in code))
    assert named == {"actions/triage.py", "data/nlu/", "config.yml"}
    assert links(README, text) == {("docs/slack.md", "setup")}
    assert {"chat", "test", "eval", "bench", "scale-out"} <= makefile_targets()
    assert not {"SPACY_PIPELINE", "CORS_ORIGINS", "export"} & makefile_targets()


def test_every_docs_page_is_linked_from_the_readme():
    linked = link_targets(README, README.read_text(encoding="utf-8"))
    unlinked = sorted(relative(page) for page in documents()[1:] if relative(page) not in linked)
    assert not unlinked, f"README.md does not link {unlinked}"


def test_the_readme_fits_on_a_page():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines, at most {README_MAX_LINES}"


def test_no_file_refers_to_the_shared_folder_beside_the_repository():
    outside = "../" + "shared"  # spelt in two parts so that this file does not name it
    offenders = []
    for name in repository_files():
        data = (ROOT / name).read_bytes()
        if b"\0" in data:
            continue
        if outside in data.decode("utf-8", errors="replace"):
            offenders.append(name)
    assert not offenders, f"files referring to {outside}: {offenders}"
