# SPDX-License-Identifier: MIT
# Regression tests of sleep_regularisation (issue 23), one ctest entry per
# defect, named after it (examples/CMakeLists.txt): -DCASE=<name> picks the
# case. Each case checks both protocols where the program offers them
# (-DMASSEY=ON when built with the readout). Tiny MNIST-format sets (every
# label 3) and, for --protocol ours, the recordings make_nmnist synthesises.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/../expect_exit.cmake)

set(missing --data ${WORK}/no-such-dir --fashion-data ${WORK}/no-such-dir)
set(ours_missing --protocol ours ${missing} --nmnist ${WORK}/no-such-nm)

# The tiny sets and the options of a run on them that takes seconds.
function(tiny_sets)
  write_mnist(${WORK}/mnist train 40 28 28)
  write_mnist(${WORK}/mnist t10k 12 28 28)
  execute_process(COMMAND ${MAKE_NMNIST} --data ${WORK}/mnist --out ${WORK}/nm --limit 40 --threads 2
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "make_nmnist failed: ${err}")
  endif()
endfunction()
# mixed_set(dir): grey images, labels 0, 1, ..., 9, 0, ... (every class
# present, 13 per class in the training file: --protocol massey2026's SG
# control needs a whole batch of 128).
function(mixed_set dir)
  write_mnist(${dir} train 130 28 28)
  write_mnist(${dir} t10k 20 28 28)
  foreach(split "train;130" "t10k;20")
    list(GET split 0 prefix)
    list(GET split 1 count)
    math(EXPR o1 "${count} / 64")
    math(EXPR o2 "(${count} / 8) % 8")
    math(EXPR o3 "${count} % 8")
    set(bytes "\\000\\000\\010\\001\\000\\000\\000\\${o1}${o2}${o3}")
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      math(EXPR c "${i} % 10")
      math(EXPR a "${c} / 8")
      math(EXPR b "${c} % 8")
      string(APPEND bytes "\\0${a}${b}")
    endforeach()
    execute_process(COMMAND sh -c "printf '${bytes}'" OUTPUT_FILE ${dir}/${prefix}-labels-idx1-ubyte RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "could not write ${dir}/${prefix}-labels-idx1-ubyte")
    endif()
  endforeach()
endfunction()
set(ours_tiny --protocol ours --data ${WORK}/mnist --datasets mnist --nmnist ${WORK}/nm --no-forgetting --seeds 2 --neurons 5
              --train 12 --blocks 2 --label 10 --test 12 --sg-train 8 --sg-test 12 --sg-epochs 1 --threads 2)
set(massey_tiny --data ${WORK}/mnist --datasets mnist --seeds 2 --batches 2 --batch-images 6 --val-images 6 --test-images 12
                --fit-images 12 --train-pool 12 --threads 2)

# get(var json path...): string(JSON ... GET) that fails the test on a missing member.
function(get var json)
  string(JSON value ERROR_VARIABLE error GET "${json}" ${ARGN})
  if(error)
    message(FATAL_ERROR "sleep_regularisation: no ${ARGN} in the JSON: ${error}")
  endif()
  set(${var} "${value}" PARENT_SCOPE)
endfunction()

if(CASE STREQUAL "refuses_repeated_fractions")
  # --fractions 0 0.2 0.2 pooled the repeated fraction's runs ("seeds": 4 for --seeds 2).
  expect(2 "--fractions;twice" ${ours_missing} --part stdp --fractions 0 0.2 0.2 --seeds 2)
  expect(2 "--fractions;twice" ${ours_missing} --part sg --fractions 0.2 0 0.2)
  if(MASSEY)
    expect(2 "--ratios;twice" ${missing} --ratios 0 0.2 0.2)
  endif()

elseif(CASE STREQUAL "refuses_repeated_datasets")
  # --datasets mnist mnist ran every STDP unit twice and pooled them.
  expect(2 "--datasets;twice" ${ours_missing} --part stdp --datasets mnist mnist --seeds 2)
  expect(2 "--datasets;twice" ${ours_missing} --datasets fashion mnist fashion)
  if(MASSEY)
    expect(2 "--datasets;twice" ${missing} --datasets mnist mnist)
  endif()

elseif(CASE STREQUAL "compares_against_no_sleep")
  # With --fractions 0.2 0.5 or 0.5 0, every "vs no sleep" figure and the
  # headline accuracy referred to the first fraction given, not to f = 0.
  tiny_sets()
  foreach(order "0.5;0" "0.2;0.5")
    string(REPLACE ";" "_" tag "${order}")
    expect(0 "" ${ours_tiny} --fractions ${order} --json ${WORK}/ours_${tag}.json)
    file(READ ${WORK}/ours_${tag}.json j)
    foreach(part "stdp;summary;mnist;fractions" "sg;summary;fractions")
      get(f0 "${j}" ${part} 0 fraction)
      if(NOT f0 EQUAL 0)
        message(FATAL_ERROR "--fractions ${order}: the first fraction of ${part} is ${f0}, not 0 (${WORK}/ours_${tag}.json)")
      endif()
    endforeach()
    get(stdp_vs "${j}" stdp summary mnist fractions 1 final_vs_no_sleep)
    get(sg_vs "${j}" sg summary fractions 1 final_accuracy_vs_no_sleep)
    string(JSON has_vs ERROR_VARIABLE none GET "${j}" stdp summary mnist fractions 0 final_vs_no_sleep)
    if(NOT none)
      message(FATAL_ERROR "--fractions ${order}: f = 0 is compared against itself (${WORK}/ours_${tag}.json)")
    endif()
    get(headline "${j}" accuracy)
    get(at_zero "${j}" stdp summary mnist fractions 0 final accuracy mean)
    if(NOT headline EQUAL at_zero)
      message(FATAL_ERROR "--fractions ${order}: headline accuracy ${headline} is not f = 0's ${at_zero}")
    endif()
    get(seeds "${j}" stdp summary mnist fractions 1 seeds)
    if(NOT seeds EQUAL 2)
      message(FATAL_ERROR "--fractions ${order} --seeds 2: ${seeds} seeds reported")
    endif()
  endforeach()
  if(MASSEY)
    expect(0 "" ${massey_tiny} --part stdp --ratios 0.05 0 --json ${WORK}/massey.json)
    file(READ ${WORK}/massey.json j)
    get(r0 "${j}" stdp table mnist 0 ratio)
    if(NOT r0 EQUAL 0)
      message(FATAL_ERROR "--ratios 0.05 0: the first row is r = ${r0}, not 0 (${WORK}/massey.json)")
    endif()
  endif()

elseif(CASE STREQUAL "checks_every_input_before_any_work")
  # A corrupt SG training recording was read only after the whole STDP part
  # (about 55 minutes with the defaults), then exit 2 with the STDP results
  # lost. Now refused first: exit 2, and the message is the only line
  # (no progress line of the STDP part before it).
  tiny_sets()
  file(COPY ${WORK}/nm/ DESTINATION ${WORK}/nm-bad)
  file(GLOB_RECURSE recordings ${WORK}/nm-bad/Train/*.bin)
  foreach(f IN LISTS recordings)
    file(WRITE ${f} "abc")
  endforeach()
  string(REPLACE "${WORK}/nm;" "${WORK}/nm-bad;" bad "${ours_tiny};")
  expect(2 "Train/3/;not a multiple of 5" ${bad} --fractions 0 0.2 --json ${WORK}/bad.json)
  if(EXISTS ${WORK}/bad.json)
    message(FATAL_ERROR "sleep_regularisation ran with a corrupt SG training recording")
  endif()
  if(MASSEY)
    # The SG control's class-balanced subsets (every label is 3 here) were
    # drawn only after the STDP part.
    expect(2 "class 0 has 0 images" ${massey_tiny} --ratios 0 0.05 --sg-epochs 1 --json ${WORK}/massey.json)
    # A second data set's missing files are found before the first one's runs.
    string(REPLACE "--datasets;mnist;" "--datasets;mnist;fashion;" two "${massey_tiny};")
    expect(2 "no-such-dir" ${two} --part stdp --fashion-data ${WORK}/no-such-dir)
  endif()

elseif(CASE STREQUAL "writes_partial_json_on_late_failure")
  # A failure late in the run (SOMNUS_INJECT_FAILURE stands in for a full
  # disk or a lost node) lost everything computed before it. Now the JSON is
  # written, marked partial, with the error and the finished part, and the
  # exit status is non-zero.
  tiny_sets()
  function(expect_partial name)
    execute_process(COMMAND ${CMAKE_COMMAND} -E env SOMNUS_INJECT_FAILURE=sg_part ${EXE} ${ARGN} --json ${WORK}/${name}.json
                    RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 300)
    if(rc EQUAL 0)
      message(FATAL_ERROR "${name}: a failed SG part exits 0")
    endif()
    if(NOT err MATCHES "the SG part failed: failure injected at sg_part[^\n]*partial results written to")
      message(FATAL_ERROR "${name}: no message about the failure and the partial results:\n${err}")
    endif()
    if(NOT EXISTS ${WORK}/${name}.json)
      message(FATAL_ERROR "${name}: no JSON after a late failure")
    endif()
    file(READ ${WORK}/${name}.json j)
    get(partial "${j}" partial)
    get(error "${j}" error)
    if(NOT partial STREQUAL "ON")
      message(FATAL_ERROR "${name}: the JSON is not marked partial (${partial})")
    endif()
    if(NOT error MATCHES "SOMNUS_INJECT_FAILURE")
      message(FATAL_ERROR "${name}: the JSON's error is '${error}'")
    endif()
    get(headline "${j}" accuracy)  # the STDP part's results survive
  endfunction()
  expect_partial(ours ${ours_tiny} --fractions 0 0.2)
  if(MASSEY)
    mixed_set(${WORK}/mixed)
    string(REPLACE "${WORK}/mnist;" "${WORK}/mixed;" mixed "${massey_tiny};")
    expect_partial(massey ${mixed} --ratios 0 0.05 --sg-epochs 1 --sg-train-per-class 13 --sg-test-per-class 1)
  endif()

elseif(CASE STREQUAL "reads_mnist_from_data")
  # The MNIST folder was --mnist-data here and --data in diehl_cook and sleep.
  expect(2 "--mnist-data" --protocol ours --mnist-data ${WORK}/no-such-dir)
  expect(2 "no-such-dir" --protocol ours --data ${WORK}/no-such-dir --part stdp --datasets mnist)
  if(MASSEY)
    expect(2 "--mnist-data" --mnist-data ${WORK}/no-such-dir)
    expect(2 "no-such-dir" --data ${WORK}/no-such-dir --datasets mnist)
  endif()

else()
  message(FATAL_ERROR "check_regressions.cmake: unknown CASE '${CASE}'")
endif()
