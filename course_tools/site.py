"""Build the course's website from the notebooks' stored outputs, without running them.

    python -m course_tools.site            # what `make site` runs: build/site/index.html

The notebooks are staged with the site's configuration (``site/``) in ``build/site-src``, then Sphinx with
MyST-NB renders them in the book theme into ``build/site``. Staging changes only how a page shows a notebook,
never the notebook itself:

* every chapter ``notebooks/NN_*.ipynb`` (00 to 09, and any later number) becomes a page, in the course's
  order, with links under its title to download the notebook and its student copy (made as
  ``make student`` makes them);
* cells tagged ``solution`` are folded away (the tag ``hide-input``: the page shows "Show code cell source");
* every figure gets alt text: an explorer's own sentence, or the figure's kind and titles read from the code
  that drew it, and the section it illustrates (:func:`figure_alt`), written to ``alt.json`` for the
  site's extension (``site/course_site.py``).

Files are rewritten only when their content changes, so a second build re-reads only the chapters that
changed. MathJax comes with the site (``site/conf.py``); no page loads anything from another host.
"""

from __future__ import annotations

import argparse
import ast
import base64
import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import nbformat

from course_tools.student import SOLUTION_TAG, student_notebook

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = "[0-9][0-9]_*.ipynb"
FOLD_TAG = "hide-input"
DEFAULT_FIGURE_TEXT = re.compile(r"^<Figure size [^>]*>$")

# What each plotting call draws, for the first words of the alt text.
KINDS = {
    "show_images": "images", "imshow": "image", "matshow": "image", "plot_signals": "line plot", "plot": "line plot",
    "plot_history": "training curves", "plot_confusion_matrix": "confusion matrix", "bar": "bar chart",
    "barh": "bar chart", "hist": "histogram", "scatter": "scatter plot", "stem": "stem plot", "step": "step plot",
}
TITLE_CALLS = {"set_title", "title", "suptitle"}
# Calls that start a figure of their own: a cell may draw several before it calls plt.show() once.
NEW_FIGURE = {"figure", "subplots", "subplot_mosaic", "show_images", "plot_signals", "plot_history", "plot_confusion_matrix"}
LABEL_CALLS = {"set_xlabel": "x", "set_ylabel": "y", "xlabel": "x", "ylabel": "y"}


# ---------------------------------------------------------------------------------------------- alt text
def _text(node: ast.AST | None) -> str | None:
    """A string literal as text; an f-string with ``…`` for each computed part; a list of them joined."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = [v.value if isinstance(v, ast.Constant) else "…" for v in node.values]
        return "".join(parts)
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [t for t in (_text(e) for e in node.elts) if t]
        return ", ".join(items) if items else None
    if isinstance(node, ast.Dict):
        items = [t for t in (_text(k) for k in node.keys) if t]
        return ", ".join(items) if items else None
    return None


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _is_show(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and _call_name(stmt.value) == "show"


def _describe(statements: Iterable[ast.stmt]) -> dict[str, list[str]]:
    """Kinds, titles and axis labels that the calls among ``statements`` give a figure."""
    found: dict[str, list[str]] = {"kinds": [], "titles": [], "x": [], "y": [], "series": []}
    for stmt in statements:
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            kwargs = {k.arg: k.value for k in node.keywords if k.arg}
            if name in KINDS and KINDS[name] not in found["kinds"]:
                found["kinds"].append(KINDS[name])
            if name in TITLE_CALLS and node.args:
                found["titles"].append(_text(node.args[0]))
            if name in LABEL_CALLS and node.args:
                found[LABEL_CALLS[name]].append(_text(node.args[0]))
            if name == "show_images":
                found["titles"].append(_text(node.args[1] if len(node.args) > 1 else kwargs.get("titles")))
            if name == "plot_signals" and len(node.args) > 1:
                found["series"].append(_text(node.args[1]))
            for key, slot in (("title", "titles"), ("xlabel", "x"), ("ylabel", "y"), ("label", "series")):
                if key in kwargs:
                    found[slot].append(_text(kwargs[key]))
    return {key: list(dict.fromkeys(_plain(v) for v in values if v and _plain(v))) for key, values in found.items()}


def _plain(markdown: str) -> str:
    """Markdown and LaTeX reduced to words: no emphasis, code marks, dollar signs or backslashed commands."""
    text = re.sub(r"\\(?:mathrm|text|operatorname)\{([^}]*)\}", r"\1", markdown)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    text = re.sub(r"[`*_$#>{}\\]", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def _first_sentence(markdown: str, limit: int = 220) -> str:
    body = "\n".join(line for line in markdown.splitlines() if not line.lstrip().startswith("#"))
    text = _plain(body)
    match = re.match(r"(.+?[.!?:])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + " …"


def figure_alt(source: str, n_images: int, heading: str = "", caption: str = "") -> list[str]:
    """Alt text for the ``n_images`` figures a code cell draws, one per figure, in order.

    Each text names the figure's kind (images, line plot, bar chart ...), its titles, axis labels and series
    as the code gives them (an f-string's computed parts become "…"), then the section it belongs to and the
    first sentence of the text before the cell. A cell that ends several figures with ``plt.show()`` gives
    each its own; otherwise every figure gets the cell's description, numbered.

    >>> figure_alt('ax.plot(t, x)\\nax.set_title("GunPoint")\\nplt.show()', 1, heading="4 · The data")
    ['Line plot, titled: GunPoint. Section: 4 · The data.']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = ast.Module(body=[], type_ignores=[])
    groups, current, opened = [], [], False
    for stmt in tree.body:
        starts = any(isinstance(n, ast.Call) and _call_name(n) in NEW_FIGURE for n in ast.walk(stmt))
        if starts and opened:
            groups.append(current)
            current, opened = [], False
        current.append(stmt)
        opened = opened or starts
        if _is_show(stmt):
            groups.append(current)
            current, opened = [], False
    if current:
        groups.append(current)
    described = [d for d in map(_describe, groups) if any(d.values())]
    if len(described) != n_images:
        described = [_describe(tree.body)] * n_images
    texts = []
    for i, d in enumerate(described):
        kind = " and ".join(d["kinds"]) or "figure"
        parts = [kind[0].upper() + kind[1:]]
        if d["titles"]:
            parts.append(f", titled: {'; '.join(d['titles'])}")
        if d["series"]:
            parts.append(f"; series: {'; '.join(d['series'])}")
        axes = [f"{axis} axis {', '.join(d[axis])}" for axis in ("x", "y") if d[axis]]
        if axes:
            parts.append(f"; {'; '.join(axes)}")
        text = "".join(parts) + "."
        if len(described) > 1 and described[0] is described[-1]:
            text = f"Figure {i + 1} of {n_images}: {text}"
        if heading:
            text += f" Section: {_plain(heading)}."
        if caption and not d["titles"]:
            text += f" {caption}"
        texts.append(text)
    return texts


def _png_images(cell: nbformat.NotebookNode) -> list[tuple[str, str | None]]:
    """(sha256 of the PNG bytes, its text/plain unless matplotlib's default) for each PNG output."""
    found = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data:
            digest = hashlib.sha256(base64.b64decode(data["image/png"])).hexdigest()
            plain = data.get("text/plain")
            plain = "".join(plain) if isinstance(plain, list) else plain
            texts = None if plain is None or DEFAULT_FIGURE_TEXT.match(plain.strip()) else plain.strip()
            found.append((digest, texts))
    return found


def notebook_alt(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Image name (SHA-256 of its PNG, as MyST-NB names it) -> alt text, for every PNG output of ``nb``."""
    alt: dict[str, str] = {}
    heading, caption = "", ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = [line.lstrip("#").strip() for line in cell.source.splitlines() if line.startswith("#")]
            heading = headings[-1] if headings else heading
            caption = _first_sentence(cell.source)
            continue
        images = _png_images(cell)
        if not images:
            continue
        texts = figure_alt(cell.source, len(images), heading, caption)
        for (digest, own), text in zip(images, texts, strict=True):
            alt[digest] = own if own else text
    return alt


# ---------------------------------------------------------------------------------------------- staging
def chapters(notebooks: Path) -> list[Path]:
    """The course's notebooks in their order: ``NN_name.ipynb``, sorted by number."""
    return sorted(notebooks.glob(CHAPTERS), key=lambda p: (int(p.name.split("_", 1)[0]), p.name))


def page_notebook(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The notebook as its page shows it: solutions folded, download links under the title."""
    page = copy.deepcopy(nb)
    for cell in page.cells:
        tags = cell.metadata.setdefault("tags", [])
        if SOLUTION_TAG in tags and FOLD_TAG not in tags:
            tags.append(FOLD_TAG)
    links = nbformat.v4.new_markdown_cell(
        "```{container} course-downloads\n"
        f"{{download}}`Download the notebook <../files/{name}>` (with its outputs; open it in JupyterLab with "
        f"`make lab`) · {{download}}`the student copy <../files/student/{name}>` (exercises as stubs, no outputs)\n"
        "```")
    links["id"] = "course-site-downloads"                 # fixed, so that staging is repeatable
    at = 1 if page.cells and page.cells[0].cell_type == "markdown" and page.cells[0].source.startswith("# ") else 0
    page.cells.insert(at, links)
    return page


def _write(path: Path, content: str | bytes) -> bool:
    """Write ``content`` unless the file already holds it (so Sphinx re-reads only what changed)."""
    data = content.encode() if isinstance(content, str) else content
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def stage(notebooks: Path, config: Path, staging: Path) -> list[str]:
    """Lay out the Sphinx sources in ``staging``; return the chapters' names (their page is notebooks/NAME)."""
    if not config.is_dir() or not (config / "conf.py").is_file():
        raise FileNotFoundError(f"{config} has no conf.py; the site's configuration lives in site/ of the course.")
    found = chapters(notebooks)
    if not found:
        raise FileNotFoundError(f"no notebooks named NN_name.ipynb in {notebooks}.")
    expected = set()
    for path in config.rglob("*"):
        if path.is_file() and not {"__pycache__", "screenshots"} & set(path.relative_to(config).parts):
            target = staging / path.relative_to(config)
            _write(target, path.read_bytes())
            expected.add(target)
    alt: dict[str, str] = {}
    for path in found:
        nb = nbformat.read(path, as_version=4)
        alt |= notebook_alt(nb)
        for target, content in ((staging / "notebooks" / path.name, nbformat.writes(page_notebook(nb, path.name))),
                                (staging / "files" / path.name, path.read_bytes()),
                                (staging / "files" / "student" / path.name, nbformat.writes(student_notebook(nb)))):
            _write(target, content)
            expected.add(target)
    _write(staging / "alt.json", json.dumps(alt, indent=1, sort_keys=True, ensure_ascii=False))
    expected.add(staging / "alt.json")
    for path in staging.rglob("*"):                           # chapters removed from notebooks/ leave the site
        if path.is_file() and path not in expected and "__pycache__" not in path.parts:
            path.unlink()
    return [p.stem for p in found]


def build(notebooks: Path = ROOT / "notebooks", config: Path = ROOT / "site", output: Path = ROOT / "build" / "site",
          staging: Path | None = None, quiet: bool = True) -> dict:
    """Stage and build the site; return what was built (chapters, pages, images, seconds).

    Raises:
        FileNotFoundError: without ``site/conf.py`` or chapters.
        RuntimeError: if Sphinx fails or warns (a warning is a page that renders wrongly: a broken reference, a
            math block that does not parse, an output it cannot show); its messages are in the error.
    """
    start = time.perf_counter()
    staging = staging or output.parent / (output.name + "-src")
    names = stage(notebooks, config, staging)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-d", str(output.parent / (output.name + "-doctrees")),
               str(staging), str(output)] + (["-q"] if quiet else [])
    done = subprocess.run(command, capture_output=True, text=True, cwd=staging)
    if done.returncode != 0:
        raise RuntimeError(f"sphinx-build failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    pages = sorted(output.rglob("*.html"))
    return {"chapters": names, "pages": len(pages), "images": len(list((output / "_images").glob("*"))),
            "seconds": time.perf_counter() - start, "output": output}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--clean", action="store_true", help="remove the previous build first")
    args = parser.parse_args(argv)
    if args.clean:
        for path in (args.output, args.output.parent / (args.output.name + "-src"),
                     args.output.parent / (args.output.name + "-doctrees")):
            shutil.rmtree(path, ignore_errors=True)
    try:
        built = build(args.notebooks, output=args.output)
    except (FileNotFoundError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"built {built['output']}/index.html: {len(built['chapters'])} chapters, {built['pages']} pages, "
          f"{built['images']} images in {built['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
