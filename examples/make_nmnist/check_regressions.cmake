# SPDX-License-Identifier: MIT
# Regression tests of make_nmnist (issue 23), one ctest entry per defect
# (examples/CMakeLists.txt): -DCASE=<name>.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/../expect_exit.cmake)

# 6 training and 2 test images (every label 3).
write_mnist(${WORK}/mnist train 6 28 28)
write_mnist(${WORK}/mnist t10k 2 28 28)
expect(0 "" --data ${WORK}/mnist --out ${WORK}/out --threads 2)
file(GLOB_RECURSE first ${WORK}/out/*.bin)
list(LENGTH first n_first)
if(NOT n_first EQUAL 8)
  message(FATAL_ERROR "make_nmnist wrote ${n_first} recordings, expected 8")
endif()

if(CASE STREQUAL "refuses_non_empty_out")
  # 2 new recordings over 8 old ones left a mixture of two runs, silently.
  expect(2 "--out;not empty;--replace" --data ${WORK}/mnist --out ${WORK}/out --limit 1 --seed 1)
  file(GLOB_RECURSE after ${WORK}/out/*.bin)
  if(NOT after STREQUAL first)
    message(FATAL_ERROR "make_nmnist changed a non-empty --out it refused")
  endif()
  # An existing empty folder is fine.
  file(MAKE_DIRECTORY ${WORK}/empty)
  expect(0 "" --data ${WORK}/mnist --out ${WORK}/empty --limit 1)

elseif(CASE STREQUAL "replace_leaves_no_stale_recordings")
  # --replace: the folder holds exactly the new run's recordings, and no
  # temporary folder is left beside it.
  expect(0 "" --data ${WORK}/mnist --out ${WORK}/out/ --limit 1 --seed 1 --replace)
  file(GLOB_RECURSE after RELATIVE ${WORK}/out ${WORK}/out/*.bin)
  if(NOT after STREQUAL "Test/3/00001.bin;Train/3/00001.bin")
    message(FATAL_ERROR "make_nmnist --replace --limit 1 left ${after}")
  endif()
  file(GLOB beside RELATIVE ${WORK} ${WORK}/.*)
  if(beside)
    message(FATAL_ERROR "make_nmnist --replace left ${beside} beside --out")
  endif()
  # A failed run (its data missing) leaves the old tree as it was.
  expect(2 "no-such-dir" --data ${WORK}/no-such-dir --out ${WORK}/out --replace)
  file(GLOB_RECURSE again RELATIVE ${WORK}/out ${WORK}/out/*.bin)
  if(NOT again STREQUAL after)
    message(FATAL_ERROR "a failed make_nmnist --replace changed --out: ${again}")
  endif()
  file(GLOB beside RELATIVE ${WORK} ${WORK}/.*)
  if(beside)
    message(FATAL_ERROR "a failed make_nmnist --replace left ${beside} beside --out")
  endif()

else()
  message(FATAL_ERROR "check_regressions.cmake: unknown CASE '${CASE}'")
endif()
