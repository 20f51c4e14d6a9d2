"""Render the sections as Markdown (``benchmarks/RESULTS.md``)."""

from __future__ import annotations

from benchmarks.common import Section


def _table(caption: str, header: list[str], rows: list[list[str]]) -> str:
    lines = [f"**{caption}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def split_blocks(text: str) -> dict[str, str]:
    """A previous report's sections by number ``"1"``..``"5"``: the text from its ``## N.`` heading to the next."""
    blocks, number, lines = {}, None, []
    for line in text.splitlines():
        if line.startswith("## "):
            if number:
                blocks[number] = "\n".join(lines).rstrip()
            head = line[3:].split(".", 1)[0]
            number, lines = (head if head.isdigit() else None), [line]
        else:
            lines.append(line)
    if number:
        blocks[number] = "\n".join(lines).rstrip()
    return blocks


def render_section(s: Section) -> list[str]:
    out = [f"## {s.title}", "", s.explanation, ""]
    if s.missing:
        out += [f"**Not measured:** {s.missing.strip()}", ""]
    for caption, header, rows in s.tables:
        out += [_table(caption, header, rows), ""]
    out += [f"- {n}" for n in s.notes]
    if s.notes:
        out.append("")
    stamp = f"; measured {s.provenance}" if s.provenance else ""
    out.append(f"_Section time: {s.seconds:.0f} s{stamp}._")
    return out


def render(machine: dict[str, str], sections: list[Section | str], meta: dict[str, str]) -> str:
    """The whole report; an entry of ``sections`` that is a string is a kept block of a previous report."""
    out = [
        "# Benchmarks",
        "",
        "How fast the course runs on one machine, and how good its models get in the time a profile allows. "
        "Regenerate with `make bench` (`python -m benchmarks`; `--quick` for a short run, `--only "
        "gemm,training,accuracy,suite,convolution` for some sections, `--help` for the rest). Figures with a "
        "range are the median of several runs with the minimum and maximum in parentheses; timings on a "
        "shared or throttled machine vary by ±25 % or more, so compare rows of one report, not reports of "
        "different days.",
        "",
    ]
    out += [f"- **{k}:** {v}" for k, v in meta.items()]
    out += ["", "## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in machine.items()]
    for s in sections:
        out += [""] + ([s] if isinstance(s, str) else render_section(s))
    return "\n".join(out).rstrip() + "\n"
