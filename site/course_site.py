"""Sphinx extension of the course site: gives every notebook figure the alt text course_tools.site wrote.

MyST-NB names each output image after the SHA-256 of its bytes; course_tools.site writes ``alt.json``
(that name -> a sentence from the figure's titles and the section it illustrates) while staging.
"""

from pathlib import Path

from docutils import nodes


def _set_alt(app, doctree) -> None:
    alt = app.config.course_site_alt
    for image in doctree.findall(nodes.image):
        text = alt.get(Path(image.get("uri", "")).stem)
        if text:
            image["alt"] = text


def setup(app):
    app.add_config_value("course_site_alt", {}, "env")
    app.connect("doctree-read", _set_alt)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
