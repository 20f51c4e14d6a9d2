"""Sphinx configuration of the course site: `make site` (python -m course_tools.site) stages the notebooks
next to this file in build/site-src and builds build/site from their stored outputs, without running them.

Everything a page needs is served from the site itself: the book theme's own fonts and icons, and MathJax
3 bundled by the pinned sphinx-mathjax-offline (requirements-site.txt); no page asks another host for
anything, which tests/test_site.py checks in Chromium.
"""

import importlib.util
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))      # the site's own extension, course_site.py

project = "Convolutional neural networks, in Keras"
author = "the course's authors"
copyright = "the course's authors, MIT licence"
root_doc = "index"
language = "en"

extensions = ["myst_nb", "sphinx.ext.githubpages", "course_site"]   # course_site: beside this file (alt text)

# The notebooks are shown with the outputs stored in them: the suite checks those outputs, the site shows them.
nb_execution_mode = "off"
nb_merge_streams = True
# An explorer's display holds a live widget (JupyterLab), its picture and a sentence. The site has no kernel,
# so it shows the picture (with the sentence as alt text) instead of loading a widget manager from a CDN.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]
exclude_patterns = ["_build", "files", "**.ipynb_checkpoints"]

# MathJax 3.2.2 from the pinned package, copied into _static/mathjax/ (no CDN).
_MATHJAX = Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent / "static"
html_static_path = ["_static", str(_MATHJAX)]
mathjax_path = "mathjax/tex-chtml.js"
html_css_files = ["course.css"]
html_favicon = "_static/favicon.svg"
# The light theme unless the reader picks another (without a default the theme logs an error on first visit).
html_context = {"default_mode": "light"}

html_theme = "sphinx_book_theme"
html_title = "CNNs in Keras"
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "use_download_button": False,          # each chapter links its own notebook and student copy instead
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}
# The GitHub workflow passes the repository's address, for the header's repository button.
if os.environ.get("SITE_REPOSITORY_URL"):
    html_theme_options |= {"repository_url": os.environ["SITE_REPOSITORY_URL"], "use_repository_button": True}

# Alt text for every figure, written by course_tools.site while staging (image file name -> text).
course_site_alt = json.loads(Path(__file__).with_name("alt.json").read_text()) if Path(__file__).with_name("alt.json").exists() else {}
