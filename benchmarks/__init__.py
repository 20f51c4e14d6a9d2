"""Benchmarks of the course: how fast it runs on the machine at hand, and how good its models get.

Run ``python -m benchmarks`` (or ``make bench``) to measure and write ``benchmarks/RESULTS.md``;
``python -m benchmarks --help`` lists the options (``--quick``, ``--only gemm,training,...``).

Sections (each in its own module):

1. :mod:`benchmarks.gemm` -- the machine limit: fp32 matrix-multiply rate through TensorFlow.
2. :mod:`benchmarks.training` -- training images per second of VGG11 and the Xception-style model, and
   the FLOP rate they reach as a fraction of (1).
3. :mod:`benchmarks.accuracy` -- wall time for each training notebook's model to reach its target accuracy.
4. :mod:`benchmarks.suite` -- wall time and peak memory of every notebook under the ``ci`` profile.
5. :mod:`benchmarks.convolution` -- the course's NumPy reference convolution against SciPy and Keras.

What each section measures (models, sizes, budgets) is configured in one place, :mod:`benchmarks.configs`.
"""
