# SPDX-License-Identifier: MIT
# Draws a program's figures from a result another test wrote, with
# scripts/figures (the program's matplotlib script over its .npy arrays),
# and checks that each expected figure is a non-empty PNG.
#   -DPYTHON= -DFIGURES=scripts/figures -DJSON=result.json -DOUT=folder -DEXPECT=a;b;c
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${PYTHON} ${FIGURES} ${JSON} ${OUT} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "scripts/figures ${JSON} failed (${rc}):\n${out}\n${err}")
endif()
foreach(name ${EXPECT})
  set(png ${OUT}/${name}.png)
  if(NOT EXISTS ${png})
    message(FATAL_ERROR "scripts/figures ${JSON} did not draw ${name}.png; it drew:\n${out}")
  endif()
  file(READ ${png} magic LIMIT 4 HEX)
  if(NOT magic STREQUAL "89504e47")
    message(FATAL_ERROR "${png} is not a PNG")
  endif()
endforeach()
message(STATUS "drew ${EXPECT}")
