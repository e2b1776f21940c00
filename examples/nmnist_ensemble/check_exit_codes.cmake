# SPDX-License-Identifier: MIT
# examples/nmnist_ensemble: bad arguments and bad folders exit 2 with a
# one-line message; then a tiny ensemble on recordings make_nmnist
# synthesises from a small MNIST-format set: the JSON is the same on 1 and 2
# threads, and a second run with the same --checkpoints resumes every member
# and writes the same results, every field but timings (losses included);
# the arrays behind the figures lie beside the JSON.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/../expect_exit.cmake)

expect(0 "" --help)
set(none --data ${WORK}/no-such-dir)
expect(2 "frobnicate" --frobnicate)
expect(2 "--members" --members 0 ${none})
expect(2 "--epochs" --epochs -1 ${none})
expect(2 "--batch" --batch 0 ${none})
expect(2 "--threshold" --threshold 11 ${none})
expect(2 "--frames" --frames dense ${none})
expect(2 "--lr;nan" --lr nan ${none})
expect(2 "--lr" --lr 0 ${none})
expect(2 "--seed;-1" --seed -1 ${none})
expect(2 "--threads" --threads 0 ${none})
expect(2 "--max-frames" --max-frames 0 ${none})
expect(2 "no-such-dir" ${none})
file(WRITE ${WORK}/a-file "")
expect(2 "--json;does not exist" --json ${WORK}/missing/out.json ${none})
expect(2 "--json;a-file" --json ${WORK}/a-file/out.json ${none})
expect(2 "--checkpoints;a-file" --checkpoints ${WORK}/a-file ${none})
file(MAKE_DIRECTORY ${WORK}/empty/Train ${WORK}/empty/Test)
expect(2 "no recordings" --data ${WORK}/empty)

# A tiny N-MNIST-format set: 40 training and 12 test recordings.
write_mnist(${WORK}/mnist train 40 28 28)
write_mnist(${WORK}/mnist t10k 12 28 28)
execute_process(COMMAND ${EXAMPLES}/make_nmnist --data ${WORK}/mnist --out ${WORK}/nm --limit 40 --threads 2
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "make_nmnist failed: ${err}")
endif()
# A corrupt recording is named.
file(MAKE_DIRECTORY ${WORK}/bad/Train/3 ${WORK}/bad/Test/3)
file(WRITE ${WORK}/bad/Train/3/1.bin "abc")
file(WRITE ${WORK}/bad/Test/3/1.bin "abc")
expect(2 "1.bin" --data ${WORK}/bad --members 1)
expect(2 "--train-per-member;20" --data ${WORK}/nm --members 2 --train-per-member 21)
expect(2 "--test;12" --data ${WORK}/nm --test 13)

set(EXPECT_TIMEOUT 300)
set(run --data ${WORK}/nm --members 2 --batch 8 --test 12 --epoch-tests --grouping script --script-draws 50)
expect(0 "" ${run} --threads 1 --json ${WORK}/t1.json)
expect(0 "" ${run} --threads 2 --json ${WORK}/t2.json --checkpoints ${WORK}/ckpt)
expect(0 "" ${run} --threads 2 --json ${WORK}/t3.json --checkpoints ${WORK}/ckpt)
foreach(f t1 t2 t3)
  file(READ ${WORK}/${f}.json text)
  string(REGEX REPLACE "\"[a-z_]*(seconds|threads)[a-z_]*\": [-+.e0-9]+" "" text "${text}")
  string(REGEX REPLACE "\"file\": \"[a-z0-9]+\\." "\"file\": \"" text "${text}")  # the arrays' files are named after the JSON
  string(REGEX REPLACE "\"resumed\": (true|false)" "" ${f} "${text}")
endforeach()
if(NOT t1 STREQUAL t2)
  message(FATAL_ERROR "nmnist_ensemble: results differ between 1 and 2 threads (${WORK}/t1.json, t2.json)")
endif()
if(NOT t2 STREQUAL t3)
  message(FATAL_ERROR "nmnist_ensemble: the resumed run differs (${WORK}/t2.json, t3.json)")
endif()
file(READ ${WORK}/t3.json t3raw)
string(FIND "${t3raw}" "\"resumed\": true" at)
if(at EQUAL -1)
  message(FATAL_ERROR "nmnist_ensemble: the second run did not resume from ${WORK}/ckpt")
endif()
foreach(key "\"s0_nats\"" "\"shannon_nats\"" "\"group_sizes\"" "\"mapping\"" "\"train_permutation\"")
  string(FIND "${t1}" "${key}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "nmnist_ensemble: ${WORK}/t1.json has no ${key}")
  endif()
endforeach()
# The arrays the JSON names lie beside it (examples/nmnist_ensemble/figures.py draws them).
foreach(a member_accuracy mappings s0_by_threshold shannon_by_threshold predictions test_labels losses epoch_accuracy script_s0_draws)
  if(NOT EXISTS ${WORK}/t1.${a}.npy)
    message(FATAL_ERROR "nmnist_ensemble: no ${WORK}/t1.${a}.npy")
  endif()
endforeach()
# A checkpoint of other settings is refused, naming it.
expect(2 "member_0.ckpt;other settings" --data ${WORK}/nm --members 2 --batch 4 --test 12 --checkpoints ${WORK}/ckpt)
