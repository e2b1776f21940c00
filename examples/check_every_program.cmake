# SPDX-License-Identifier: MIT
# Regression tests over every example program (issue 23), one ctest entry
# per defect (examples/CMakeLists.txt): -DCASE=<name>, -DEXAMPLES=<the
# folder of the programs>, -DWORK=<scratch folder>.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/expect_exit.cmake)

set(programs diehl_cook information make_nmnist sleep nmnist_ensemble sleep_regularisation massey_sg)
# Flags that read a file or a folder, per program, beyond --json.
set(paths_diehl_cook --data --save --load)
set(paths_information --data --fashion-data --markdown)
set(paths_make_nmnist --data --out)
set(paths_sleep --data)
set(paths_nmnist_ensemble --data --checkpoints)
set(paths_sleep_regularisation --data --fashion-data)
set(paths_massey_sg --data)

if(CASE STREQUAL "refuse_empty_paths")
  # --json '' (and every other path flag given '') read as "not given": the
  # run went ahead and wrote nothing. Now exit 2 naming the flag; the data
  # folder given is missing, so a run that went ahead would fail on it
  # instead. (A CMake list drops empty elements, so the "" is written out.)
  function(expect_empty_refused exe flag)
    set(data --data ${WORK}/no-such-dir)
    if(flag STREQUAL "--data")
      set(data "")
    endif()
    execute_process(COMMAND ${exe} ${ARGN} ${flag} "" ${data} RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 120)
    string(STRIP "${err}" err)
    if(NOT rc EQUAL 2 OR err MATCHES "\n" OR NOT err MATCHES "${flag}: empty value")
      message(FATAL_ERROR "${exe} ${ARGN} ${flag} '': exit ${rc}, expected 2 and a one-line message on the empty ${flag}:\n${err}")
    endif()
  endfunction()
  foreach(p IN LISTS programs)
    set(flags --json ${paths_${p}})
    foreach(flag IN LISTS flags)
      expect_empty_refused(${EXAMPLES}/${p} ${flag})
    endforeach()
  endforeach()
  foreach(flag --json --data --fashion-data --nmnist)
    expect_empty_refused(${EXAMPLES}/sleep_regularisation ${flag} --protocol ours)
  endforeach()

elseif(CASE STREQUAL "name_the_program_once")
  # A bad flag printed CLI11's name of the program, argv[0] (the full path)
  # in sleep_regularisation; errors thrown with the program's name in them
  # printed it twice. Now "<name>: " once, never the path.
  foreach(p IN LISTS programs)
    execute_process(COMMAND ${EXAMPLES}/${p} --frobnicate RESULT_VARIABLE rc ERROR_VARIABLE err)
    string(STRIP "${err}" err)
    if(NOT rc EQUAL 2 OR NOT err MATCHES "^${p}: [^\n]*frobnicate[^\n]*$")
      message(FATAL_ERROR "${p} --frobnicate: exit ${rc}, message not '${p}: ...':\n${err}")
    endif()
    string(REPLACE "${p}" "" rest "${err}")
    string(LENGTH "${err}" n_all)
    string(LENGTH "${rest}" n_rest)
    string(LENGTH "${p}" n_name)
    math(EXPR times "(${n_all} - ${n_rest}) / ${n_name}")
    if(NOT times EQUAL 1)
      message(FATAL_ERROR "${p} --frobnicate: the program is named ${times} times:\n${err}")
    endif()
  endforeach()
  # A check in the STDP runs' options, once "sleep_regularisation: sleep_regularisation: ...".
  execute_process(COMMAND ${EXAMPLES}/sleep_regularisation --protocol ours --part stdp --blocks 5 --train 3 --data ${WORK}/none
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  string(STRIP "${err}" err)
  if(NOT rc EQUAL 2 OR NOT err MATCHES "^sleep_regularisation: --blocks 5" OR err MATCHES "sleep_regularisation: sleep_regularisation")
    message(FATAL_ERROR "sleep_regularisation --blocks 5 --train 3: exit ${rc}:\n${err}")
  endif()

else()
  message(FATAL_ERROR "check_every_program.cmake: unknown CASE '${CASE}'")
endif()
