# Sphinx with myst-nb (Jupyter Book's engine) for `make book`; alnb.book stages this file at
# the root of build/book/src, beside book/, notebooks/ (executed) and figures/.
project = "alnb"
author = "the alnb founders"
root_doc = "book/index"
extensions = ["myst_nb"]
nb_execution_mode = "off"  # the notebooks arrive executed (study scale, from the cache)
myst_heading_anchors = 3
myst_heading_slug_func = "github"
myst_enable_extensions = ["dollarmath"]
html_theme = "sphinx_book_theme"
html_title = "alnb: active learning for neural networks, reproduced"
html_theme_options = {"show_toc_level": 2}
exclude_patterns = ["_build", "results"]
suppress_warnings = ["mystnb.unknown_mime_type"]
