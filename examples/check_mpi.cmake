# SPDX-License-Identifier: MIT
# mpirun -np 2 NAME writes the same JSON as one process, byte for byte but
# the timings (the sweep's units spread over the ranks, gathered at rank 0).
# -DEXE, -DWORK, -DEXAMPLES, -DMPIEXEC as for the exit-code checks; -DARGS:
# the program's arguments (one string, <work> standing for WORK); -DGATHERED:
# what rank 0 must report ("8 units", "3 members").
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/expect_exit.cmake)
get_filename_component(name ${EXE} NAME)
write_mnist(${WORK}/mnist train 30 28 28)
write_mnist(${WORK}/mnist t10k 10 28 28)
execute_process(COMMAND ${EXAMPLES}/make_nmnist --data ${WORK}/mnist --out ${WORK}/nm --limit 30 --threads 2
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "make_nmnist failed: ${err}")
endif()
string(REPLACE "<work>" "${WORK}" run "${ARGS}")
separate_arguments(run UNIX_COMMAND "${run}")
execute_process(COMMAND ${EXE} ${run} --json ${WORK}/one.json RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 300)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${name}, one process: exit ${rc}: ${err}")
endif()
set(ENV{OMPI_ALLOW_RUN_AS_ROOT} 1)
set(ENV{OMPI_ALLOW_RUN_AS_ROOT_CONFIRM} 1)
execute_process(COMMAND ${MPIEXEC} --oversubscribe -np 2 ${EXE} ${run} --json ${WORK}/two.json
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 300)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${name}, mpirun -np 2: exit ${rc}: ${err}")
endif()
string(FIND "${err}" "gathered ${GATHERED} from 2 processes" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${name}: mpirun -np 2 did not spread the ${GATHERED} over 2 processes:\n${err}")
endif()
foreach(f one two)
  file(READ ${WORK}/${f}.json text)
  string(REGEX REPLACE "\"[a-z_]*(second|thread)[a-z_]*\": [-+.e0-9]+" "" text "${text}")
  string(REGEX REPLACE "\"file\": \"(one|two)\\." "\"file\": \"" text "${text}")  # arrays named after the JSON
  string(REGEX REPLACE "\"[a-z_]*(second|thread)[a-z_]*\": {[^}]*}" "" ${f} "${text}")
endforeach()
if(NOT one STREQUAL two)
  message(FATAL_ERROR "${name}: mpirun -np 2 wrote other results than one process (${WORK}/one.json, two.json)")
endif()
