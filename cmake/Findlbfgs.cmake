# SPDX-License-Identifier: MIT
# Finds liblbfgs (Debian liblbfgs-dev), which ships no CMake package: sets
# lbfgs_FOUND, LBFGS_INCLUDE_DIR, LBFGS_LIBRARY and the target lbfgs::lbfgs.
# Installed beside somnusConfig.cmake, whose find_dependency(lbfgs) uses it.
find_path(LBFGS_INCLUDE_DIR lbfgs.h)
find_library(LBFGS_LIBRARY lbfgs)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(lbfgs REQUIRED_VARS LBFGS_LIBRARY LBFGS_INCLUDE_DIR)
mark_as_advanced(LBFGS_INCLUDE_DIR LBFGS_LIBRARY)
if(lbfgs_FOUND AND NOT TARGET lbfgs::lbfgs)
  add_library(lbfgs::lbfgs UNKNOWN IMPORTED)
  set_target_properties(lbfgs::lbfgs PROPERTIES
    IMPORTED_LOCATION "${LBFGS_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LBFGS_INCLUDE_DIR}")
endif()
