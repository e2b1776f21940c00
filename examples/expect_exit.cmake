# SPDX-License-Identifier: MIT
# expect(code needle args...): runs ${EXE} args and fails the test unless it
# exits with `code`; for code 2, stderr must be one line that mentions
# `needle`. Included by the examples' exit-code scripts.
function(expect code needle)
  execute_process(COMMAND ${EXE} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL ${code})
    message(FATAL_ERROR "${EXE} ${ARGN}: exit ${rc}, expected ${code}\nstderr: ${err}")
  endif()
  if(code EQUAL 2)
    string(STRIP "${err}" err)
    string(FIND "${err}" "\n" newline)
    if(NOT newline EQUAL -1)
      message(FATAL_ERROR "${EXE} ${ARGN}: message is not one line:\n${err}")
    endif()
    string(FIND "${err}" "${needle}" found)
    if(found EQUAL -1)
      message(FATAL_ERROR "${EXE} ${ARGN}: message does not mention '${needle}':\n${err}")
    endif()
  endif()
endfunction()
