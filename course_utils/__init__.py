"""Shared code of the CNN course: reference operations, data, models, plots and exercise checks.

Import this package before TensorFlow: it quiets TensorFlow's C++ start-up logging, turns on its
oneDNN CPU kernels and has them allocate memory with the system allocator, which returns freed memory.

    import course_utils as cu
    profile = cu.setup()      # seeds everything, prints versions, device and run profile
"""

import os as _os

# Must be set before TensorFlow is imported anywhere in the process.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# TensorFlow turns its oneDNN CPU kernels on by default only on processors with AVX-512 VNNI or newer; on
# AVX2 processors it falls back to slower generic convolutions: there the course's VGG11 trains about twice
# as fast with them (benchmarks/RESULTS.md, section 2). Set TF_ENABLE_ONEDNN_OPTS=0 before importing to opt out.
_os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
# With oneDNN on, TensorFlow serves large CPU tensors from a pool that keeps every block it ever held for the
# life of the process: building the paper-sized VGG11 (133 M parameters) and deleting it left 1.3 GB resident,
# and notebook 09, which builds it before training, peaked at 3.5 GB in its full profile (2.4 GB with this
# setting). The system allocator returns freed memory.
_os.environ.setdefault("TF_ONEDNN_USE_SYSTEM_ALLOCATOR", "true")

from course_utils.profile import Profile, current_profile, setup  # noqa: E402

__version__ = "1.0.0"
__all__ = ["Profile", "current_profile", "setup", "__version__"]
