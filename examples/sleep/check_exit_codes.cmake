# SPDX-License-Identifier: MIT
# examples/sleep: every bad argument or bad data file gives exit status 2
# and a one-line message naming the problem; --help gives 0. Then the whole
# protocol (search, levels, every analysis) on a tiny set, on 1 and on 2
# threads: the JSON files must be identical but for the timings, and the
# .npy arrays beside them (the figures' data) identical.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corrupt)

include(${CMAKE_CURRENT_LIST_DIR}/../expect_exit.cmake)

expect(0 "" --help)
set(none --data ${WORK}/no-such-dir)
expect(2 "frobnicate" --frobnicate)
expect(2 "--neurons" --neurons banana)
expect(2 "--neurons" --neurons -1 ${none})
expect(2 "--levels" --levels 100,-5 ${none})
expect(2 "--levels;increase" --levels 500,100 ${none})
expect(2 "--seeds" --seeds 0 ${none})
expect(2 "--seeds" --seeds 21 ${none})
expect(2 "--seed;-1" --seed -1 ${none})
expect(2 "--threads" --threads 0 ${none})
expect(2 "--test;-1" --test -1 ${none})
expect(2 "--sleep-leak;nan" --sleep-leak nan ${none})
expect(2 "--sleep-leak" --sleep-leak 0 ${none})
expect(2 "--sleep-inh;inf" --sleep-inh inf ${none})
expect(2 "--sleep-ms" --sleep-ms -1 ${none})
expect(2 "--sleep-stdp" --sleep-stdp maybe ${none})
expect(2 "--dataset" --dataset cifar)
expect(2 "--search-level;--validation-first" --search-level 2000 --validation-first 1000 ${none})
expect(2 "no-such-dir" ${none})
file(WRITE ${WORK}/a-file "")
expect(2 "--json;does not exist" --json ${WORK}/missing/out.json ${none})
expect(2 "--json;a-file" --json ${WORK}/a-file/out.json ${none})
expect(2 "--png" --png ${WORK}/pictures ${none})  # gone: the arrays beside the JSON are drawn by figures.py

# Wrong magic number.
foreach(f train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
  file(WRITE ${WORK}/corrupt/${f} "this is not an IDX file at all")
endforeach()
expect(2 "train-images-idx3-ubyte" --data ${WORK}/corrupt --levels 10)

# A small MNIST-format set: a level or a validation split beyond it is refused
# naming the flag and the file.
write_mnist(${WORK}/small train 300 28 28)
write_mnist(${WORK}/small t10k 40 28 28)
set(tiny --data ${WORK}/small --neurons 6 --seeds 2 --robust-images 10 --entropy-images 4 --label-max 60
         --permutations 19 --search-seeds 1 --quick)
expect(2 "--levels;train-images-idx3-ubyte;300" ${tiny} --levels 20,400 --no-search)
expect(2 "--validation-first;train-images-idx3-ubyte" ${tiny} --levels 20 --search-level 20 --validation-first 250 --validation-images 100)
expect(2 "--test;t10k-images-idx3-ubyte" ${tiny} --levels 20 --test 50 --no-search)

# The whole protocol, twice.
set(EXPECT_TIMEOUT 300)
set(run ${tiny} --test 30 --levels 20,40 --validation-first 200 --validation-images 50 --search-level 20)
# The second run writes into its own folder under the same name, so that the
# array files the JSON names are the same.
file(MAKE_DIRECTORY ${WORK}/threads2)
expect(0 "" ${run} --threads 1 --json ${WORK}/t1.json)
expect(0 "" ${run} --threads 2 --json ${WORK}/threads2/t1.json)
file(READ ${WORK}/t1.json t1)
file(READ ${WORK}/threads2/t1.json t2)
foreach(f t1 t2)
  string(REGEX REPLACE "\"[a-z_]*(seconds|threads)[a-z_]*\": [-+.e0-9]+" "" ${f} "${${f}}")
endforeach()
if(NOT t1 STREQUAL t2)
  message(FATAL_ERROR "sleep: results differ between 1 and 2 threads (${WORK}/t1.json, threads2/t1.json)")
endif()
foreach(key "\"search\"" "\"accuracy_before\"" "\"gain_labels_kept\"" "\"ablation\"" "\"stdp_only\"" "\"population_entropy_bits_miller_madow\""
            "\"spearman_p\"" "\"blur\"")
  string(FIND "${t1}" "${key}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "sleep: ${WORK}/t1.json has no ${key}")
  endif()
endforeach()
# The arrays the JSON names (figures.py draws from them), the same on 1 and 2 threads.
foreach(a accuracy noise_accuracy blur_accuracy theta_before theta_after neighbourhood_variance weights_before weights_after)
  string(FIND "${t1}" "\"t1.${a}.npy\"" at)
  if(at EQUAL -1 OR NOT EXISTS ${WORK}/t1.${a}.npy)
    message(FATAL_ERROR "sleep: ${WORK}/t1.json names no t1.${a}.npy, or it was not written")
  endif()
  file(SHA256 ${WORK}/t1.${a}.npy one)
  file(SHA256 ${WORK}/threads2/t1.${a}.npy two)
  if(NOT one STREQUAL two)
    message(FATAL_ERROR "sleep: t1.${a}.npy differs between 1 and 2 threads")
  endif()
endforeach()
