# SPDX-License-Identifier: MIT
# examples/sleep_regularisation, both protocols: bad arguments and bad data
# exit 2 with a one-line message before any work; then tiny runs (an
# MNIST-format set of grey images, and for --protocol ours the recordings
# make_nmnist synthesises from it): the JSON is the same on 1 and 2 threads,
# and (ours) the pictures exist.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/../expect_exit.cmake)

expect(0 "" --help)
expect(0 "" --protocol ours --help)
expect(2 "--protocol" --protocol theirs)

# --protocol massey2026 (the default).
set(missing --mnist-data ${WORK}/no-such-dir --fashion-data ${WORK}/no-such-dir)
expect(2 "--ratios" --ratios -0.1 ${missing})
expect(2 "--ratios;nan" --ratios nan ${missing})
expect(2 "--datasets" --datasets kmnist ${missing})
expect(2 "--images" --images all ${missing})
expect(2 "--convention" --convention hebb ${missing})
expect(2 "--batches" --batches 0 ${missing})
expect(2 "--patience" --patience 0 ${missing})
expect(2 "--seeds" --seeds 0 ${missing})
expect(2 "--threads" --threads 0 ${missing})
expect(2 "--seed;-1" --seed -1 ${missing})
expect(2 "--sg-epochs" --sg-epochs 0 ${missing})
expect(2 "--batch-images" --batch-images 7000 ${missing})
expect(2 "--train-pool" --batch-images 50 --train-pool 20 ${missing})
expect(2 "no-such-dir" --datasets mnist ${missing})
expect(2 "--json;does not exist" --json ${WORK}/missing/out.json --datasets mnist ${missing})

# --protocol ours.
set(none --protocol ours --mnist-data ${WORK}/no-such-dir --nmnist ${WORK}/no-such-nm)
expect(2 "frobnicate" --frobnicate)
expect(2 "--part" --part all ${none})
expect(2 "--fractions" --fractions 1 ${none})
expect(2 "--fractions" --fractions -0.1 ${none})
expect(2 "--fractions;nan" --fractions nan ${none})
expect(2 "--datasets" --datasets cifar ${none})
expect(2 "--seeds" --seeds 0 ${none})
expect(2 "--neurons" --neurons 0 ${none})
expect(2 "--blocks" --blocks 1 ${none})
expect(2 "--kick;nan" --kick nan ${none})
expect(2 "--kick-rate" --kick-rate -1 ${none})
expect(2 "--threads" --threads 0 ${none})
expect(2 "--seed;-1" --seed -1 ${none})
expect(2 "no-such-dir" --part stdp --datasets mnist ${none})
expect(2 "no-such-nm" --part sg ${none})
file(WRITE ${WORK}/a-file "")
expect(2 "--json;does not exist" --json ${WORK}/missing/out.json --part stdp ${none})
expect(2 "--png;a-file" --png ${WORK}/a-file --part stdp ${none})

# Tiny sets: 40 training and 12 test images (every label 3), and their recordings.
write_mnist(${WORK}/mnist train 40 28 28)
write_mnist(${WORK}/mnist t10k 12 28 28)
execute_process(COMMAND ${EXAMPLES}/make_nmnist --data ${WORK}/mnist --out ${WORK}/nm --limit 40 --threads 2
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "make_nmnist failed: ${err}")
endif()
# massey2026 on the tiny set (one class: their readout predicts it), STDP part, 1 and 2 threads.
set(EXPECT_TIMEOUT 300)
set(tiny_base --mnist-data ${WORK}/mnist --datasets mnist --part stdp --ratios 0 0.05 --seeds 2 --batches 2 --batch-images 6
              --val-images 6 --test-images 12 --fit-images 12)
expect(2 "the pools need" ${tiny_base} --train-pool 40)
set(tiny ${tiny_base} --train-pool 12)
expect(0 "" ${tiny} --threads 1 --json ${WORK}/m1.json)
expect(0 "" ${tiny} --threads 2 --json ${WORK}/m2.json)
# Two result files, their timing fields left out, must be equal; the first's text goes to `out`.
function(expect_same_results a b what out)
  foreach(f a b)
    file(READ ${${f}} text)
    string(REGEX REPLACE "\"[a-z_]*(second|thread)[a-z_]*\": [-+.e0-9]+" "" text "${text}")
    string(REGEX REPLACE "\"[a-z_]*(second|thread)[a-z_]*\": {[^}]*}" "" ${f}_text "${text}")
  endforeach()
  if(NOT a_text STREQUAL b_text)
    message(FATAL_ERROR "sleep_regularisation ${what}: results differ between 1 and 2 threads (${a}, ${b})")
  endif()
  set(${out} "${a_text}" PARENT_SCOPE)
endfunction()
expect_same_results(${WORK}/m1.json ${WORK}/m2.json "--protocol massey2026" m1)
foreach(key "\"published\"" "\"accuracy_ours\"" "\"at_upper\"" "\"sleep_steps\"")
  string(FIND "${m1}" "${key}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "sleep_regularisation: ${WORK}/m1.json has no ${key}")
  endif()
endforeach()

set(data --protocol ours --mnist-data ${WORK}/mnist --datasets mnist --nmnist ${WORK}/nm)
# Every label is 3: the forgetting runs' second half (classes 5-9) has no images, said before any work.
expect(2 "classes 5-9" ${data} --part stdp --neurons 4 --train 10 --label 10 --test 12 --seeds 1 --fractions 0)

set(run ${data} --no-forgetting --fractions 0 0.2 --seeds 2 --neurons 5 --train 12 --blocks 2 --label 10 --test 12
        --sg-train 8 --sg-test 12 --sg-epochs 2)
expect(0 "" ${run} --threads 1 --json ${WORK}/t1.json --png ${WORK}/png)
expect(0 "" ${run} --threads 2 --json ${WORK}/t2.json)
expect_same_results(${WORK}/t1.json ${WORK}/t2.json "--protocol ours" t1)
foreach(key "\"recurrent_at_upper\"" "\"final_vs_no_sleep\"" "\"function_space\"" "\"s0_nats\"" "\"by_threshold\"" "\"mean_pairwise_agreement\"" "\"mean_pairwise_correlation\"")
  string(FIND "${t1}" "${key}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "sleep_regularisation: ${WORK}/t1.json has no ${key}")
  endif()
endforeach()
foreach(png stdp_mnist_accuracy.png stdp_mnist_recurrent_at_upper.png sg_accuracy.png sg_mean_abs_weight.png sg_s0_by_threshold.png)
  if(NOT EXISTS ${WORK}/png/${png})
    message(FATAL_ERROR "sleep_regularisation: no ${WORK}/png/${png}")
  endif()
endforeach()
