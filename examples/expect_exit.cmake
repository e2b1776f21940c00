# SPDX-License-Identifier: MIT
# Helpers of the examples' exit-code scripts (included by each).
#
# expect(code needles args...): runs ${EXE} args and fails the test unless it
# exits with `code` within EXPECT_TIMEOUT seconds (default 120, so that a
# flag that wraps to 2^64 - 1 fails the test instead of running until
# killed); for code 2, stderr must be one line that mentions every entry of
# the list `needles` ("a;b" for two) and holds no number of 40 digits or
# more (CLI11's ranges printed the largest double in 309 digits).
function(expect code needles)
  if(NOT DEFINED EXPECT_TIMEOUT)
    set(EXPECT_TIMEOUT 120)
  endif()
  execute_process(COMMAND ${EXE} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT ${EXPECT_TIMEOUT})
  if(NOT rc STREQUAL "${code}")
    message(FATAL_ERROR "${EXE} ${ARGN}: exit ${rc}, expected ${code}\nstderr: ${err}")
  endif()
  if(code EQUAL 2)
    string(STRIP "${err}" err)
    string(FIND "${err}" "\n" newline)
    if(NOT newline EQUAL -1)
      message(FATAL_ERROR "${EXE} ${ARGN}: message is not one line:\n${err}")
    endif()
    foreach(needle IN LISTS needles)
      string(FIND "${err}" "${needle}" found)
      if(found EQUAL -1)
        message(FATAL_ERROR "${EXE} ${ARGN}: message does not mention '${needle}':\n${err}")
      endif()
    endforeach()
    if(err MATCHES "[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]")
      message(FATAL_ERROR "${EXE} ${ARGN}: message prints a number of 40 digits or more:\n${err}")
    endif()
  endif()
endfunction()

# write_idx(path byte dims...): an IDX file of unsigned bytes with the given
# dimensions (count first), every data byte equal to `byte` (0..255). CMake
# strings cannot hold NUL bytes, so printf writes the header and tr turns
# zero bytes from /dev/zero into `byte`.
function(write_idx path byte)
  list(LENGTH ARGN rank)
  set(header "\\000\\000\\010\\00${rank}")
  set(n 1)
  foreach(d IN LISTS ARGN)
    math(EXPR n "${n} * ${d}")
    foreach(shift 24 16 8 0)
      math(EXPR b "(${d} >> ${shift}) & 255")
      math(EXPR o1 "${b} / 64")
      math(EXPR o2 "(${b} / 8) % 8")
      math(EXPR o3 "${b} % 8")
      string(APPEND header "\\${o1}${o2}${o3}")
    endforeach()
  endforeach()
  math(EXPR o1 "${byte} / 64")
  math(EXPR o2 "(${byte} / 8) % 8")
  math(EXPR o3 "${byte} % 8")
  execute_process(COMMAND sh -c "printf '${header}' && head -c ${n} /dev/zero | tr '\\000' '\\${o1}${o2}${o3}'"
                  OUTPUT_FILE ${path} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not write ${path}")
  endif()
endfunction()

# write_mnist(dir prefix count rows cols): <prefix>-images-idx3-ubyte with
# `count` grey images of rows x cols and <prefix>-labels-idx1-ubyte with as
# many labels (all 3), prefix train or t10k.
function(write_mnist dir prefix count rows cols)
  file(MAKE_DIRECTORY ${dir})
  write_idx(${dir}/${prefix}-images-idx3-ubyte 160 ${count} ${rows} ${cols})
  write_idx(${dir}/${prefix}-labels-idx1-ubyte 3 ${count})
endfunction()
