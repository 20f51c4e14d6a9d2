"""Shared code of the CNN course: reference operations, data, models, plots and exercise checks.

Import this package before TensorFlow: it quiets TensorFlow's C++ start-up logging.

    import course_utils as cu
    profile = cu.setup()      # seeds everything, prints versions, device and run profile
"""

import os as _os

# Must be set before TensorFlow is imported anywhere in the process.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from course_utils.profile import Profile, current_profile, setup  # noqa: E402

__version__ = "1.0.0"
__all__ = ["Profile", "current_profile", "setup", "__version__"]
