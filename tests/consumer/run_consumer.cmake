# SPDX-License-Identifier: MIT
# Installs somnus from SOURCE_DIR into a scratch prefix, then configures,
# builds and runs the consumer project against it with find_package.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/somnus-build
    -DSOMNUS_BUILD_TESTS=OFF -DSOMNUS_BUILD_EXAMPLES=OFF -DSOMNUS_BUILD_BENCHMARKS=OFF -DSOMNUS_BUILD_PYTHON=OFF
    -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/somnus-build)
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/consumer-build
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer-build)
run(${WORK_DIR}/consumer-build/consumer)
if(EXISTS ${WORK_DIR}/consumer-build/consumer_readout)
  run(${WORK_DIR}/consumer-build/consumer_readout)
endif()
