# SPDX-License-Identifier: MIT
# Every bad argument or bad data file gives exit status 2 and a one-line
# message on stderr naming the problem; --help gives 0.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corrupt ${WORK}/truncated)

include(${CMAKE_CURRENT_LIST_DIR}/expect_exit.cmake)

expect(0 "" --help)
expect(2 "neurons" --neurons banana)
expect(2 "frobnicate" --frobnicate)
expect(2 "dataset" --dataset cifar)
expect(2 "showings" --showings 0)
expect(2 "no-such-dir" --data ${WORK}/no-such-dir --train 10 --test 10)

# Wrong magic number.
file(WRITE ${WORK}/corrupt/train-images-idx3-ubyte "this is not an IDX file at all")
file(WRITE ${WORK}/corrupt/train-labels-idx1-ubyte "nor this")
file(WRITE ${WORK}/corrupt/t10k-images-idx3-ubyte "nor this")
file(WRITE ${WORK}/corrupt/t10k-labels-idx1-ubyte "nor this")
expect(2 "train-images-idx3-ubyte" --data ${WORK}/corrupt --train 10 --test 10)

# A valid header declaring 60000 28x28 images, followed by almost nothing
# (with 60000 valid labels, so that the image file is the one at fault).
# (CMake strings cannot hold NUL bytes, so printf writes the header.)
execute_process(COMMAND printf "\\000\\000\\010\\003\\000\\000\\352\\140\\000\\000\\000\\034\\000\\000\\000\\034abc"
                OUTPUT_FILE ${WORK}/truncated/train-images-idx3-ubyte)
write_idx(${WORK}/truncated/train-labels-idx1-ubyte 3 60000)
foreach(f t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
  file(WRITE ${WORK}/truncated/${f} "")
endforeach()
expect(2 "train-images-idx3-ubyte" --data ${WORK}/truncated --train 10 --test 10)

# A checkpoint that is not one.
file(WRITE ${WORK}/bad.ckpt "SOMNUSCK garbage")
expect(2 "bad.ckpt" --load ${WORK}/bad.ckpt --data ${WORK}/no-such-dir --train 0 --test 10)

# Numeric flags are checked as text: no sign, no wrap-around, no NaN, and
# bounds printed compactly (expect() refuses a number of 40 digits).
# regression (defect 8): --epochs -1 wraps to 2^64-1 and runs until killed.
set(none --data ${WORK}/no-such-dir)
expect(2 "--epochs;-1" --epochs -1 ${none})
# regression (defect 8): every other integer flag wraps the same way.
expect(2 "--train;-1" --train -1 ${none})
expect(2 "--test;-1" --test -1 ${none})
expect(2 "--label;-1" --label -1 ${none})
expect(2 "--seed;-1" --seed -1 ${none})
expect(2 "--seed;18446744073709551616;too large" --seed 18446744073709551616 ${none})
expect(2 "--neurons" --neurons -100 ${none})
expect(2 "--threads" --threads -1 ${none})
expect(2 "--threads" --threads 0 ${none})
expect(2 "--monitor" --monitor -1 ${none})
expect(2 "--showings" --showings -1 ${none})
expect(2 "--train;1.5" --train 1.5 ${none})
expect(2 "--epochs;at most 100000" --epochs 1000000 ${none})
# The largest seed is accepted (the message is about the data folder).
expect(2 "no-such-dir" --seed 18446744073709551615 ${none})
# regression (defect 10): NaN passes the range check of --delay-ms.
expect(2 "--delay-ms;nan" --delay-ms nan ${none})
expect(2 "--delay-ms;inf" --delay-ms inf ${none})
# Range errors print their bounds readably.
expect(2 "--delay-ms;[0, 100]" --delay-ms 101 ${none})
expect(2 "--neurons;[1, 100000]" --neurons 0 ${none})

# regression (defect 9): unwritable output paths fail only after the whole
# run; now before any work (the data folder, missing, is never reached).
file(WRITE ${WORK}/a-file "")
expect(2 "--json;does not exist" --json ${WORK}/missing/out.json ${none})
expect(2 "--save;does not exist" --save ${WORK}/missing/net.ckpt ${none})
expect(2 "--json;a-file" --json ${WORK}/a-file/out.json ${none})
expect(2 "--json;a directory" --json ${WORK} ${none})
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT uid STREQUAL "0")  # root may write anywhere
  file(MAKE_DIRECTORY ${WORK}/read-only)
  file(CHMOD ${WORK}/read-only DIRECTORY_PERMISSIONS OWNER_READ OWNER_EXECUTE)
  expect(2 "--json;not writable" --json ${WORK}/read-only/out.json ${none})
  file(CHMOD ${WORK}/read-only DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
endif()

# Small MNIST-format sets: 300 images of 28x28 (train and test), and sets
# whose images are 29x28 or 27x29.
write_mnist(${WORK}/small train 300 28 28)
write_mnist(${WORK}/small t10k 300 28 28)
write_mnist(${WORK}/test-29x28 train 300 28 28)
write_mnist(${WORK}/test-29x28 t10k 10 29 28)
write_mnist(${WORK}/train-27x29 train 300 27 29)
write_mnist(${WORK}/train-27x29 t10k 10 28 28)
# regression (defect 2): 29x28 test images are read as 784-byte slices
# straddling images; 27x29 training images fail without naming the file.
expect(2 "t10k-images-idx3-ubyte: images are 29x28;expected 28x28" --data ${WORK}/test-29x28 --train 10 --test 10)
expect(2 "train-images-idx3-ubyte: images are 27x29;expected 28x28" --data ${WORK}/train-27x29 --train 10 --test 10)
# regression (defect 3): more images than the file holds run the whole
# training, then fail with an index error and exit 1.
expect(2 "--train 500;train-images-idx3-ubyte holds only 300" --data ${WORK}/small --train 500 --test 10)
expect(2 "--label 500;train-images-idx3-ubyte holds only 300" --data ${WORK}/small --train 10 --label 500 --test 10)
expect(2 "--test 500;t10k-images-idx3-ubyte holds only 300" --data ${WORK}/small --train 10 --test 500)

# A short run on the small set: without --test and --label, all the test
# file holds and (at least 1000 wanted) all 300 training images.
set(short --data ${WORK}/small --neurons 10 --train 20 --showings 1 --threads 2)
expect(0 "" ${short} --monitor 5 --json ${WORK}/short.json --save ${WORK}/short.ckpt)
file(READ ${WORK}/short.json json)
string(JSON test_images GET "${json}" test_images)
string(JSON label_images GET "${json}" label_images)
if(NOT test_images EQUAL 300 OR NOT label_images EQUAL 300)
  message(FATAL_ERROR "short run: ${test_images} test and ${label_images} labelling images, expected all 300 of each file")
endif()
# The arrays the JSON names lie beside it (the figure script draws from them).
foreach(f short.ckpt short.weights.npy short.theta.npy short.confusion.npy short.training_accuracy.npy)
  if(NOT EXISTS ${WORK}/${f})
    message(FATAL_ERROR "diehl_cook did not write ${f}")
  endif()
endforeach()
# The checkpoint carries its label readout: loaded without training and
# without --label, it predicts with it (no relabelling) and scores exactly
# the accuracy the run that saved it scored.
expect(0 "" ${short} --epochs 0 --load ${WORK}/short.ckpt --json ${WORK}/reloaded.json)
file(READ ${WORK}/reloaded.json reloaded)
string(JSON source GET "${reloaded}" readout_source)
string(JSON acc_saved GET "${json}" accuracy)
string(JSON acc_loaded GET "${reloaded}" accuracy)
if(NOT source MATCHES "^saved with" OR NOT acc_saved STREQUAL acc_loaded)
  message(FATAL_ERROR "reloaded checkpoint: readout '${source}', accuracy ${acc_loaded} against ${acc_saved} when saved")
endif()
# --test 0: no test (benchmarks/peers/compare.sh times training so).
expect(0 "" ${short} --label 10 --test 0)
# regression (defect 9): a --save failing late (its temporary file cannot be
# made: a folder is in the way) lost the test results. Now reported, the run
# goes on, the JSON records it, and the exit status is 1.
file(MAKE_DIRECTORY ${WORK}/late/net.ckpt.tmp)
expect(1 "" ${short} --test 20 --save ${WORK}/late/net.ckpt --json ${WORK}/late/out.json)
file(READ ${WORK}/late/out.json json)
string(JSON save_error GET "${json}" output_errors 0)
string(JSON accuracy GET "${json}" accuracy)
if(NOT save_error MATCHES "^--save ")
  message(FATAL_ERROR "late/out.json does not record the failed --save: ${save_error}")
endif()

# Regression (defect 7): a checkpoint saved under one configuration loads
# silently under another (the network took the file's delays while the JSON
# said none). A tiny set trains a 3-neuron network with 10 ms delays; loading
# it without delays, or with the other integrator or refractoriness, is
# refused naming the field and both values.
set(_cfg ${WORK}/config_mismatch)
file(MAKE_DIRECTORY ${_cfg})
write_mnist(${_cfg} train 4 28 28)
write_mnist(${_cfg} t10k 4 28 28)
execute_process(COMMAND ${EXE} --data ${_cfg} --neurons 3 --train 2 --test 2 --label 2 --delay-ms 10 --save ${_cfg}/d10.ckpt
                RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "training the delayed 3-neuron network failed (${_rc}): ${_err}")
endif()
expect(2 "input_delay_max_ms: this network has 0, the file has 10" --data ${_cfg} --neurons 3 --train 2 --test 2 --label 2 --load ${_cfg}/d10.ckpt)
expect(2 "exc.scheme: this network has euler, the file has exponential" --data ${_cfg} --neurons 3 --train 2 --test 2 --label 2 --delay-ms 10 --integration euler --load ${_cfg}/d10.ckpt)
expect(2 "exc.lockout_ms: this network has 50, the file has 0" --data ${_cfg} --neurons 3 --train 2 --test 2 --label 2 --delay-ms 10 --original-refractory --load ${_cfg}/d10.ckpt)
expect(2 "d10.ckpt" --data ${_cfg} --neurons 4 --train 2 --test 2 --label 2 --delay-ms 10 --load ${_cfg}/d10.ckpt)
# A protocol setting (the showings) may differ: loaded, and the JSON says so.
expect(0 "" --data ${_cfg} --neurons 3 --train 2 --test 2 --label 2 --delay-ms 10 --showings 1 --load ${_cfg}/d10.ckpt --json ${_cfg}/resumed.json)
file(READ ${_cfg}/resumed.json _json)
if(NOT _json MATCHES "config.max_repeats: this network has 1, the file has 40")
  message(FATAL_ERROR "resumed.json does not report the protocol difference: ${_json}")
endif()
