# SPDX-License-Identifier: MIT
# make_nmnist: --help gives 0; every bad argument or bad data file gives exit
# status 2 and a one-line message naming the problem; a conversion of a tiny
# MNIST-format set gives 0 and writes the N-MNIST folder tree.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corrupt ${WORK}/tiny)

include(${CMAKE_CURRENT_LIST_DIR}/../expect_exit.cmake)

expect(0 "" --help)
expect(2 "limit" --limit banana)
expect(2 "frobnicate" --frobnicate)
expect(2 "dataset" --dataset cifar)
expect(2 "threads" --threads 0)
expect(2 "black-level" --black-level 2)
expect(2 "no-such-dir" --data ${WORK}/no-such-dir --out ${WORK}/out)

# Wrong magic number.
foreach(f train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
  file(WRITE ${WORK}/corrupt/${f} "this is not an IDX file")
endforeach()
expect(2 "train-images-idx3-ubyte" --data ${WORK}/corrupt --out ${WORK}/out)

# Two 28x28 images per split: a filled square (label 3) and a blank one
# (label 7). CMake strings cannot hold NUL bytes, so printf writes them.
set(sh "${WORK}/make_tiny.sh")
file(WRITE ${sh} "
cd '${WORK}/tiny'
image() { i=0; while [ $i -lt 784 ]; do r=$((i / 28)); c=$((i % 28));
  if [ $1 = 1 ] && [ $r -ge 8 ] && [ $r -lt 20 ] && [ $c -ge 8 ] && [ $c -lt 20 ]; then printf '\\377'; else printf '\\000'; fi
  i=$((i + 1)); done; }
for s in train t10k; do
  { printf '\\000\\000\\010\\003\\000\\000\\000\\002\\000\\000\\000\\034\\000\\000\\000\\034'; image 1; image 0; } > $s-images-idx3-ubyte
  printf '\\000\\000\\010\\001\\000\\000\\000\\002\\003\\007' > $s-labels-idx1-ubyte
done
")
execute_process(COMMAND sh ${sh} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "could not write the tiny MNIST files")
endif()
expect(0 "" --data ${WORK}/tiny --out ${WORK}/out --threads 2 --json ${WORK}/out.json)
foreach(f Train/3/00001.bin Train/7/00002.bin Test/3/00001.bin Test/7/00002.bin)
  if(NOT EXISTS ${WORK}/out/${f})
    message(FATAL_ERROR "make_nmnist did not write ${f}")
  endif()
endforeach()
file(SIZE ${WORK}/out/Train/3/00001.bin square_bytes)
math(EXPR rest "${square_bytes} % 5")
if(square_bytes LESS 500 OR NOT rest EQUAL 0)
  message(FATAL_ERROR "Train/3/00001.bin has ${square_bytes} bytes: not a recording of a moving square")
endif()
# The first recording's frames lie beside the JSON, which names them.
foreach(f out.json out.first_recording_frames.npy)
  if(NOT EXISTS ${WORK}/${f})
    message(FATAL_ERROR "make_nmnist did not write ${f}")
  endif()
endforeach()
file(READ ${WORK}/out.json json)
string(JSON frames_shape GET "${json}" arrays first_recording_frames shape)
string(REGEX REPLACE "[ \n]" "" frames_shape "${frames_shape}")
if(NOT frames_shape STREQUAL "[9,2,34,34]")
  message(FATAL_ERROR "out.json: the first recording's frames have shape ${frames_shape}, expected [9,2,34,34]")
endif()

# Numeric flags are checked as text: no sign, no wrap-around, no NaN, and
# bounds printed compactly (expect() refuses a number of 40 digits).
set(none --data ${WORK}/no-such-dir --out ${WORK}/none)
# regression (defect 8): --limit -1 wraps to 2^64-1 (all images, silently).
expect(2 "--limit;-1" --limit -1 ${none})
# regression (defect 8): every other integer flag wraps the same way.
expect(2 "--seed;-1" --seed -1 ${none})
expect(2 "--seed;18446744073709551616;too large" --seed 18446744073709551616 ${none})
expect(2 "--threads;-1" --threads -1 ${none})
expect(2 "--saccade-us;-1" --saccade-us -1 ${none})
expect(2 "--refractory-us;-1" --refractory-us -1 ${none})
# regression (defect 10): NaN passes the range checks of the float flags.
expect(2 "--black-level;nan" --black-level nan ${none})
expect(2 "--on-threshold;nan" --on-threshold nan ${none})
expect(2 "--off-threshold;inf" --off-threshold inf ${none})
expect(2 "--threshold-sigma;nan" --threshold-sigma nan ${none})
expect(2 "--noise-hz;nan" --noise-hz nan ${none})
expect(2 "--noise-hz;inf" --noise-hz inf ${none})
# Range errors print their bounds readably.
expect(2 "--noise-hz;[0, 10000]" --noise-hz 20000 ${none})
expect(2 "--black-level;[0.001, 1]" --black-level 0 ${none})

# regression (defect 9): unwritable output paths fail only after the whole
# run; now before any work (the data folder, missing, is never reached).
file(WRITE ${WORK}/a-file "")
expect(2 "--out;a-file;not a folder" --data ${WORK}/no-such-dir --out ${WORK}/a-file)
expect(2 "--json;does not exist" --json ${WORK}/missing/out.json ${none})
expect(2 "--json;a directory" --json ${WORK} ${none})
expect(2 "png" --png ${WORK}/strip.png ${none})

# regression (defect 2): images of the wrong size are converted (as 29x28
# digits on the 34x34 sensor meant for 28x28 ones); refused, naming the file.
write_mnist(${WORK}/test-29x28 train 2 28 28)
write_mnist(${WORK}/test-29x28 t10k 2 29 28)
expect(2 "t10k-images-idx3-ubyte: images are 29x28;expected 28x28" --data ${WORK}/test-29x28 --out ${WORK}/out-29x28)
if(EXISTS ${WORK}/out-29x28/Train)
  message(FATAL_ERROR "make_nmnist converted the training images before checking the test images")
endif()

# --limit is an upper bound: more than a file holds converts all it holds.
expect(0 "" --data ${WORK}/tiny --out ${WORK}/out-limit --split test --limit 5 --json ${WORK}/limit.json)
file(READ ${WORK}/limit.json json)
string(JSON samples GET "${json}" samples)
if(NOT samples EQUAL 2)
  message(FATAL_ERROR "--limit 5 of a 2-image file converted ${samples} images")
endif()

# regression (defect 9): an output failing late (the frames' temporary file
# cannot be made: a folder is in the way) lost the statistics. Now reported,
# the JSON still written with the failure recorded, and the exit status is 1.
file(MAKE_DIRECTORY ${WORK}/late/out.first_recording_frames.npy.tmp)
expect(1 "" --data ${WORK}/tiny --out ${WORK}/out-late --json ${WORK}/late/out.json)
file(READ ${WORK}/late/out.json json)
string(JSON array_error GET "${json}" output_errors 0)
if(NOT array_error MATCHES "^arrays beside ")
  message(FATAL_ERROR "late/out.json does not record the failed arrays: ${array_error}")
endif()
