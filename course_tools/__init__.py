"""Authoring tools for the course: not imported by the notebooks.

* :mod:`course_tools.student` writes the student copies (solutions replaced by stubs);
* :mod:`course_tools.execute` re-executes notebooks and stores their outputs.

Run them as ``python -m course_tools.student ...`` and ``python -m course_tools.execute ...``.
"""
